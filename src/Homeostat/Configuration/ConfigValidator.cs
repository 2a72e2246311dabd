using System.Collections;
using System.Reflection;
using Homeostat.Catalog;
using Homeostat.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Configuration;

/// <summary>
/// Checks a config file's keys and values against the sections the modules declare, so a misspelt key or a value of the
/// wrong kind (<c>per: 1 hour</c>) is reported with its file, line and column instead of being silently ignored or
/// failing start-up without a location. Every problem is reported, not only the first.
/// </summary>
public sealed class ConfigValidator
{
    private readonly SectionNode _root = new(null);

    public ConfigValidator(IEnumerable<ConfigSection> sections)
    {
        foreach (var section in sections)
        {
            var node = _root;
            foreach (var segment in section.Key.Split(':'))
            {
                node = node.Child(segment);
            }

            node.Shape = section.Shape;
        }
    }

    /// <summary>The top-level sections, by their config key (<c>Guardrails</c>) with their shape, for callers that check one section.</summary>
    public ConfigValidator(IReadOnlyDictionary<string, Type> sections)
        : this(sections.Select(s => new ConfigSection(s.Key, s.Value, null)))
    {
    }

    public IReadOnlyList<CatalogError> ValidateKeys(string path)
    {
        var errors = new List<CatalogError>();
        var stream = new YamlStream();
        YamlDotNet.Core.Parser? parser = null;
        try
        {
            using var reader = File.OpenText(path);
            parser = new YamlDotNet.Core.Parser(reader);
            stream.Load(parser);
        }
        catch (YamlException exception)
        {
            return [new CatalogError(path, (int)exception.Start.Line, (int)exception.Start.Column, "yaml", $"is not valid YAML: {exception.InnerException?.Message ?? exception.Message}")];
        }
        catch (InvalidOperationException)
        {
            return [YamlConfigurationExtensions.Unparseable(path, parser)];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
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

        CheckSection(path, null, root, _root, errors);
        return errors;
    }

    private static void CheckSection(string file, string? keyPath, YamlMappingNode mapping, SectionNode section, List<CatalogError> errors)
    {
        var properties = section.Shape is { } shape && !IsScalarType(shape) && ItemType(shape) is null
            ? shape.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList()
            : [];
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var path = keyPath is null ? key : $"{keyPath}.{key}";
            var pascal = YamlConfigurationProvider.ToPascal(key);
            if (section.Children.TryGetValue(pascal, out var child))
            {
                if (child.Shape is null || (child.Children.Count > 0 && valueNode is YamlMappingNode))
                {
                    if (valueNode is YamlMappingNode childMapping)
                    {
                        CheckSection(file, path, childMapping, child, errors);
                    }
                    else if (child.Shape is null)
                    {
                        errors.Add(Error(file, valueNode, path, "must be a mapping"));
                    }
                    else
                    {
                        Check(file, path, valueNode, child.Shape, errors);
                    }
                }
                else
                {
                    Check(file, path, valueNode, child.Shape, errors);
                }

                continue;
            }

            var property = properties.FirstOrDefault(p => string.Equals(p.Name, pascal, StringComparison.OrdinalIgnoreCase));
            if (property is not null)
            {
                Check(file, path, valueNode, property.PropertyType, errors);
                continue;
            }

            var candidates = section.Children.Keys.Select(SnakeCase).Concat(properties.Select(p => SnakeCase(p.Name))).Distinct().ToList();
            var what = keyPath is null ? "unknown section" : "unknown key";
            var allowed = keyPath is null ? "sections" : "allowed";
            errors.Add(Error(file, keyNode, path, what + DidYouMean(key, candidates) + $"; {allowed}: {string.Join(", ", candidates)}"));
        }
    }

    private sealed class SectionNode(Type? shape)
    {
        public Type? Shape { get; set; } = shape;

        public Dictionary<string, SectionNode> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public SectionNode Child(string name)
        {
            if (!Children.TryGetValue(name, out var child))
            {
                child = new SectionNode(null);
                Children[name] = child;
            }

            return child;
        }
    }

    private static void Check(string file, string keyPath, YamlNode node, Type type, List<CatalogError> errors)
    {
        if (IsScalarType(type))
        {
            if (node is not YamlScalarNode scalar)
            {
                errors.Add(Error(file, node, keyPath, $"must be a single value ({Describe(type)})"));
            }
            else if (ConfigValues.Problem(scalar.Value, type) is { } problem)
            {
                errors.Add(Error(file, node, keyPath, problem) with { Value = $"'{scalar.Value}'" });
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

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(Error(file, node, keyPath, $"must be a mapping, not a single value; its keys: {string.Join(", ", properties.Select(p => SnakeCase(p.Name)))}"));
            return;
        }

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

    internal static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type).Name switch
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
