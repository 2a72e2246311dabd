using System.Collections;
using System.Reflection;
using Homeostat.Catalog;
using Homeostat.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Configuration;

/// <summary>
/// Checks a config file's keys against the options classes they bind to, so a misspelt key is reported with its
/// file, line and column instead of being silently ignored.
/// </summary>
public sealed class ConfigValidator(IReadOnlyDictionary<string, Type> sections)
{
    public IReadOnlyList<CatalogError> ValidateKeys(string path)
    {
        var errors = new List<CatalogError>();
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlException exception)
        {
            return [new CatalogError(path, (int)exception.Start.Line, (int)exception.Start.Column, "yaml", $"is not valid YAML: {exception.InnerException?.Message ?? exception.Message}")];
        }
        catch (IOException exception)
        {
            return [new CatalogError(path, 0, 0, "file", $"cannot be read: {exception.Message}")];
        }

        if (stream.Documents.Count == 0)
        {
            return errors;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return [new CatalogError(path, 1, 1, "config", "must be a mapping of sections")];
        }

        var known = sections.Keys.Select(SnakeCase).ToList();
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var section = sections.FirstOrDefault(s => string.Equals(s.Key, YamlConfigurationProvider.ToPascal(key), StringComparison.OrdinalIgnoreCase));
            if (section.Key is null)
            {
                errors.Add(Error(path, keyNode, key, "unknown section" + DidYouMean(key, known) + $"; sections: {string.Join(", ", known)}"));
                continue;
            }

            Check(path, key, valueNode, section.Value, errors);
        }

        return errors;
    }

    private static void Check(string file, string keyPath, YamlNode node, Type type, List<CatalogError> errors)
    {
        if (IsScalarType(type))
        {
            if (node is not YamlScalarNode)
            {
                errors.Add(Error(file, node, keyPath, $"must be a single value ({Describe(type)})"));
            }

            return;
        }

        if (ItemType(type) is { } itemType)
        {
            if (node is not YamlSequenceNode sequence)
            {
                errors.Add(Error(file, node, keyPath, "must be a list"));
                return;
            }

            for (var i = 0; i < sequence.Children.Count; i++)
            {
                Check(file, $"{keyPath}[{i}]", sequence.Children[i], itemType, errors);
            }

            return;
        }

        if (typeof(IDictionary).IsAssignableFrom(type))
        {
            if (node is not YamlMappingNode)
            {
                errors.Add(Error(file, node, keyPath, "must be a mapping"));
            }

            return;
        }

        if (node is not YamlMappingNode mapping)
        {
            errors.Add(Error(file, node, keyPath, "must be a mapping"));
            return;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        foreach (var (childKey, childValue) in mapping.Children)
        {
            var name = (childKey as YamlScalarNode)?.Value ?? string.Empty;
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, YamlConfigurationProvider.ToPascal(name), StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var candidates = properties.Select(p => SnakeCase(p.Name)).ToList();
                errors.Add(Error(file, childKey, $"{keyPath}.{name}", "unknown key" + DidYouMean(name, candidates) + $"; allowed: {string.Join(", ", candidates)}"));
                continue;
            }

            Check(file, $"{keyPath}.{name}", childValue, property.PropertyType, errors);
        }
    }

    private static Type? ItemType(Type type)
    {
        if (type == typeof(string) || typeof(IDictionary).IsAssignableFrom(type))
        {
            return null;
        }

        var enumerable = type.GetInterfaces().Concat([type]).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static bool IsScalarType(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(Duration) || underlying == typeof(ByteSize) || underlying == typeof(TimeSpan)
            || underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime) || underlying == typeof(Uri);
    }

    private static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type).Name switch
    {
        "Duration" => "a duration such as 30s or 1h",
        "ByteSize" => "a size such as 512Mi",
        "Boolean" => "true or false",
        "Int32" or "Int64" => "a whole number",
        "Double" => "a number",
        _ => "a string",
    };

    public static string SnakeCase(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static CatalogError Error(string file, YamlNode node, string key, string message) =>
        new(file, (int)node.Start.Line, (int)node.Start.Column, key, message);

    private static string DidYouMean(string name, IEnumerable<string> candidates)
    {
        var best = NameSuggester.Closest(name, candidates);
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }
}
