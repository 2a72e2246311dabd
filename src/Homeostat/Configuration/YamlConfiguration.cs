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
    private static readonly HashSet<string> DataMapKeys = new(StringComparer.Ordinal) { "labels", "annotations", "headers", "endpoints", "scripts", "targets" };

    private static readonly HashSet<string> PathKeys = new(StringComparer.OrdinalIgnoreCase) { "Path", "Data", "AllowedRoots" };

    /// <summary>Where each configuration key was written, for error messages.</summary>
    public Dictionary<string, (int Line, int Column)> Locations { get; } = new(StringComparer.OrdinalIgnoreCase);

    public override void Load()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlException exception)
        {
            throw new ConfigFileException($"{path}:{exception.Start.Line}:{exception.Start.Column}: is not valid YAML: {exception.InnerException?.Message ?? exception.Message}");
        }
        catch (IOException exception)
        {
            throw new ConfigFileException($"{path}: cannot be read: {exception.Message}");
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root)
        {
            Flatten(root, prefix: null, directory, data, preserveKeys: false);
        }
        else if (stream.Documents.Count > 0)
        {
            throw new ConfigFileException($"{path}:1:1: the config file must be a mapping of sections");
        }

        Data = data;
    }

    private void Flatten(YamlNode node, string? prefix, string directory, Dictionary<string, string?> data, bool preserveKeys)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } written })
                    {
                        throw new ConfigFileException($"{path}:{key.Start.Line}:{key.Start.Column}: keys must be plain names, not lists or mappings");
                    }


                    // Keys of user maps (labels to attach, headers) are data, not option names: keep them as written.
                    var name = preserveKeys ? written : ToPascal(written);
                    var child = prefix is null ? name : $"{prefix}:{name}";
                    Locations[child] = ((int)key.Start.Line, (int)key.Start.Column);
                    Flatten(value, child, directory, data, preserveKeys: !preserveKeys && DataMapKeys.Contains(written));
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
                data[prefix] = IsPathKey(prefix) && !string.IsNullOrEmpty(scalar.Value) && !System.IO.Path.IsPathRooted(scalar.Value)
                    && !scalar.Value.Contains("://", StringComparison.Ordinal)
                    ? System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, scalar.Value))
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

        return PathKeys.Contains(last);
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

/// <summary>A config file that cannot be read or parsed; the message already says where.</summary>
public sealed class ConfigFileException(string message) : Exception(message);

public static class YamlConfigurationExtensions
{
    public static IConfigurationBuilder AddYamlFile(this IConfigurationBuilder builder, string path) => builder.Add(new YamlConfigurationSource(path));
}
