using Homeostat.Catalog;
using System.Text;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Configuration;

/// <summary>
/// Reads a YAML config file into <see cref="IConfiguration"/>. Keys are written in snake_case in the file
/// (<c>rate_limit</c>) and bound to PascalCase options (<c>RateLimit</c>). Relative paths are taken relative to the
/// file, so a config can travel with the files it names.
/// </summary>
public sealed class YamlConfigurationSource(string path) : IConfigurationSource
{
    public string Path { get; } = path;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new YamlConfigurationProvider(Path);
}

public sealed class YamlConfigurationProvider(string path) : ConfigurationProvider
{
    private readonly string _path = path;

    private static readonly HashSet<string> DataMapKeys = new(StringComparer.Ordinal) { "labels", "annotations", "headers", "endpoints", "scripts", "targets" };

    /// <summary>Keys that hold paths, besides every key ending in File, Path or Directory.</summary>
    private static readonly HashSet<string> PathKeys = new(StringComparer.OrdinalIgnoreCase) { "Data", "AllowedRoots", "Kubeconfig" };

    /// <summary>The file this provider reads.</summary>
    public string Path => _path;

    /// <summary>Where each configuration key was written, for error messages.</summary>
    public Dictionary<string, (int Line, int Column)> Locations { get; } = new(StringComparer.OrdinalIgnoreCase);

    public override void Load()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_path))!;
        var stream = new YamlStream();
        YamlDotNet.Core.Parser? parser = null;
        try
        {
            var text = File.ReadAllText(_path);
            if (YamlNesting.TooDeep(text) is { } deep)
            {
                throw new ConfigFileException(new CatalogError(_path, (int)deep.Line, (int)deep.Column, "yaml", $"nests lists and mappings deeper than {YamlNesting.MaxDepth} levels"));
            }

            parser = new YamlDotNet.Core.Parser(new StringReader(text));
            stream.Load(parser);
        }
        catch (YamlException exception)
        {
            throw new ConfigFileException(new CatalogError(_path, (int)exception.Start.Line, (int)exception.Start.Column, "yaml", $"is not valid YAML: {exception.InnerException?.Message ?? exception.Message}"));
        }
        catch (InvalidOperationException)
        {
            throw new ConfigFileException(YamlConfigurationExtensions.Unparseable(_path, parser));
        }
        catch (IOException exception)
        {
            throw new ConfigFileException(new CatalogError(_path, 0, 0, "file", $"cannot be read: {exception.Message}"));
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root)
        {
            Flatten(root, prefix: null, directory, data, preserveKeys: false);
        }
        else if (stream.Documents.Count > 0)
        {
            throw new ConfigFileException(new CatalogError(_path, 1, 1, "config", "must be a mapping of sections"));
        }

        Data = data;
    }

    private void Flatten(YamlNode node, string? prefix, string directory, Dictionary<string, string?> data, bool preserveKeys, bool isData = false)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } written })
                    {
                        throw new ConfigFileException(new CatalogError(_path, (int)key.Start.Line, (int)key.Start.Column, "key", "keys must be plain names, not lists or mappings"));
                    }


                    // Keys of user maps (labels to attach, headers) are data, not option names: keep them as written.
                    var name = preserveKeys ? written : ToPascal(written);
                    var child = prefix is null ? name : $"{prefix}:{name}";
                    Locations[child] = ((int)key.Start.Line, (int)key.Start.Column);
                    Flatten(value, child, directory, data, preserveKeys: !preserveKeys && DataMapKeys.Contains(written), isData: preserveKeys);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], $"{prefix}:{i}", directory, data, preserveKeys: false);
                }

                break;
            case YamlScalarNode scalar when prefix is not null:
                Locations[prefix] = ((int)scalar.Start.Line, (int)scalar.Start.Column);

                // A value in a user map (a label, a header) is data, never a _path, whatever its key.
                data[prefix] = !isData && IsPathKey(prefix) && IsRelativePath(prefix, scalar.Value)
                    ? System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, scalar.Value!))
                    : scalar.Value;
                break;
        }
    }

    private static bool IsPathKey(string key)
    {
        var segments = key.Split(':');
        var last = segments[^1];
        if (int.TryParse(last, out _) && segments.Length > 1)
        {
            last = segments[^2];
        }

        return PathKeys.Contains(last) || last.EndsWith("File", StringComparison.OrdinalIgnoreCase)
            || last.EndsWith("Path", StringComparison.OrdinalIgnoreCase) || last.EndsWith("Directory", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsRelativePath(string key, string? value)
    {
        if (string.IsNullOrEmpty(value) || System.IO.Path.IsPathRooted(value) || value.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        // An executable named without a directory (client_path: certbot) is looked up the way the system does, not here.
        return !key.EndsWith("ClientPath", StringComparison.OrdinalIgnoreCase) || value.Contains('/', StringComparison.Ordinal);
    }

    public static string ToPascal(string snake)
    {
        var builder = new StringBuilder(snake.Length);
        var upper = true;
        foreach (var character in snake)
        {
            if (character is '_' or '-')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(character) : character);
            upper = false;
        }

        return builder.ToString();
    }
}

/// <summary>A config file that cannot be read or parsed (<see cref="Error"/> says where), or a setting a command cannot work with.</summary>
public sealed class ConfigFileException : Exception
{
    public ConfigFileException(string message)
        : base(message)
    {
    }

    public ConfigFileException(CatalogError error)
        : base(error.ToString())
    {
        Error = error;
    }

    /// <summary>The located problem, when the file itself is at fault.</summary>
    public CatalogError? Error { get; }
}

public static class YamlConfigurationExtensions
{
    public static IConfigurationBuilder AddYamlFile(this IConfigurationBuilder builder, string path) => builder.Add(new YamlConfigurationSource(path));

    /// <summary>YamlDotNet's scanner throws, without a location, on some broken input: report where parsing stopped.</summary>
    internal static CatalogError Unparseable(string path, YamlDotNet.Core.Parser? parser)
    {
        var mark = parser?.Current?.Start ?? YamlDotNet.Core.Mark.Empty;
        return new CatalogError(path, (int)mark.Line, (int)mark.Column, "yaml", "is not valid YAML: the text cannot be parsed past the construct that starts here (an unclosed bracket or quote?)");
    }
}
