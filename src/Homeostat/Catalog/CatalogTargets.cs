using System.Text.RegularExpressions;
using Homeostat.Signals;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Catalog;

/// <summary>
/// The catalog's <c>targets:</c> section: which directories an action may work in for a signal about a filesystem (by
/// its mountpoint or device) or a service. A mountpoint is not a log directory: a stock disk alert on <c>/</c> names a
/// filesystem, and only this map says which directories on it hold what an action may clean. Every directory is still
/// checked against the action's allowlist when it runs.
/// </summary>
public sealed partial record CatalogTargets
{
    public const string Key = "targets";

    private static readonly string[] Sections = ["mountpoints", "devices", "services"];

    public static readonly CatalogTargets None = new();

    /// <summary>Mountpoint (the <c>mountpoint</c> label, as node_exporter writes it) → directories.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Mountpoints { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>Device (the <c>device</c> label, such as <c>/dev/sda1</c>) → directories.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Devices { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>Service (the signal's service) → directories.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Services { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    public bool IsEmpty => Mountpoints.Count == 0 && Devices.Count == 0 && Services.Count == 0;

    /// <summary>
    /// The directories the map gives for the signal's target, looked up by mountpoint, then device, then service; null
    /// when the map says nothing about it.
    /// </summary>
    public MappedTarget? Resolve(Signal signal)
    {
        if (signal.Label("mountpoint") is { Length: > 0 } mountpoint
            && Mountpoints.TryGetValue(TrimTrailingSlash(mountpoint), out var byMountpoint))
        {
            return new MappedTarget($"mountpoint '{mountpoint}'", byMountpoint);
        }

        if (signal.Label("device") is { Length: > 0 } device && Devices.TryGetValue(device, out var byDevice))
        {
            return new MappedTarget($"device '{device}'", byDevice);
        }

        var service = signal.Service ?? signal.Label("service");
        return service is not null && Services.TryGetValue(service, out var byService)
            ? new MappedTarget($"service '{service}'", byService)
            : null;
    }

    /// <summary>Reads the section; every bad entry is a located error and the section is then not used.</summary>
    public static CatalogTargets Load(string source, YamlNode node, List<CatalogError> errors)
    {
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(Error(source, node, Key, "must be a mapping with mountpoints, devices and/or services, each mapping a name to the directories an action may touch"));
            return None;
        }

        var before = errors.Count;
        var maps = new Dictionary<string, Dictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var section = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!Sections.Contains(section))
            {
                var suggestion = NameSuggester.Closest(section, Sections);
                errors.Add(Error(source, keyNode, $"{Key}.{section}",
                    "unknown key" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)") + $"; allowed: {string.Join(", ", Sections)}"));
                continue;
            }

            if (maps.ContainsKey(section))
            {
                errors.Add(Error(source, keyNode, $"{Key}.{section}", "is given twice"));
                continue;
            }

            maps[section] = LoadSection(source, section, valueNode, errors);
        }

        if (errors.Count > before)
        {
            return None;
        }

        return new CatalogTargets
        {
            Mountpoints = maps.GetValueOrDefault("mountpoints") ?? new(StringComparer.Ordinal),
            Devices = maps.GetValueOrDefault("devices") ?? new(StringComparer.Ordinal),
            Services = maps.GetValueOrDefault("services") ?? new(StringComparer.Ordinal),
        };
    }

    private static Dictionary<string, IReadOnlyList<string>> LoadSection(string source, string section, YamlNode node, List<CatalogError> errors)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var path = $"{Key}.{section}";
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(Error(source, node, path, $"must be a mapping of {Singular(section)} to a list of directories"));
            return result;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var entryPath = $"{path}.{name}";
            if (KeyProblem(section, name) is { } problem)
            {
                errors.Add(Error(source, keyNode, entryPath, problem, name));
                continue;
            }

            var key = section == "mountpoints" ? TrimTrailingSlash(name) : name;
            if (result.ContainsKey(key))
            {
                errors.Add(Error(source, keyNode, entryPath, "is given twice", name));
                continue;
            }

            var directories = LoadDirectories(source, entryPath, valueNode, errors);
            if (directories is not null)
            {
                result[key] = directories;
            }
        }

        return result;
    }

    private static List<string>? LoadDirectories(string source, string path, YamlNode node, List<CatalogError> errors)
    {
        IReadOnlyList<YamlNode> items = node switch
        {
            YamlScalarNode => [node],
            YamlSequenceNode sequence => sequence.Children.ToList(),
            _ => [],
        };
        if (items.Count == 0)
        {
            errors.Add(Error(source, node, path, "must list at least one directory (a path or a list of paths)"));
            return null;
        }

        var directories = new List<string>();
        var before = errors.Count;
        foreach (var item in items)
        {
            var directory = (item as YamlScalarNode)?.Value;
            if (directory is null)
            {
                errors.Add(Error(source, item, path, "each directory must be a plain path, not a list or mapping"));
            }
            else if (DirectoryProblem(directory) is { } problem)
            {
                errors.Add(Error(source, item, path, problem, directory));
            }
            else if (directories.Contains(TrimTrailingSlash(directory)))
            {
                errors.Add(Error(source, item, path, "lists this directory twice", directory));
            }
            else
            {
                directories.Add(TrimTrailingSlash(directory));
            }
        }

        return errors.Count > before ? null : directories;
    }

    private static string? KeyProblem(string section, string name) => section switch
    {
        "mountpoints" => DirectoryProblem(name) is { } problem ? problem.Replace("directory", "mountpoint", StringComparison.Ordinal) : null,
        "devices" => name.Length is 0 or > 256 || name.Any(char.IsControl) ? "must be a device name such as /dev/sda1 (at most 256 characters, no control characters)" : null,
        _ => ServiceName().IsMatch(name) ? null : "must be a service name (letters, digits and . _ - : / @, at most 253 characters)",
    };

    private static string? DirectoryProblem(string directory)
    {
        if (directory.Length is 0 or > 4096 || directory.Any(char.IsControl))
        {
            return "must be a directory path (at most 4096 characters, no control characters)";
        }

        if (!directory.StartsWith('/'))
        {
            return "must be an absolute directory path (starting with /)";
        }

        return directory.Split('/').Any(part => part is "." or "..")
            ? "must not contain '.' or '..' segments: write the directory as it is"
            : null;
    }

    private static string TrimTrailingSlash(string path) => path.Length > 1 ? path.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/" : path;

    private static string Singular(string section) => section[..^1];

    private static CatalogError Error(string source, YamlNode node, string key, string message, string? value = null) =>
        new(source, (int)node.Start.Line, (int)node.Start.Column, key, message, value is null ? null : $"'{value}'");

    [GeneratedRegex(@"^[A-Za-z0-9._\-:/@]{1,253}\z")]
    private static partial Regex ServiceName();
}

/// <summary>What the catalog's targets map gives for a signal: the directories, and the key they were found by.</summary>
public sealed record MappedTarget(string Via, IReadOnlyList<string> Directories);
