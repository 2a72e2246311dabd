using System.ComponentModel.DataAnnotations;
using Homeostat.Primitives;

namespace Homeostat.Probes;

public sealed class ProbesOptions
{
    public const string Section = "Probes";

    public List<ProbeOptions> Items { get; set; } = [];
}

public static class ProbeKinds
{
    /// <summary>Bytes under a directory against <see cref="ProbeOptions.MaxBytes"/>.</summary>
    public const string DirectorySize = "directory_size";

    /// <summary>The used share of the filesystem holding a path against <see cref="ProbeOptions.MaxPercent"/>.</summary>
    public const string FilesystemUsage = "filesystem_usage";

    public static readonly IReadOnlyList<string> All = [DirectorySize, FilesystemUsage];
}

/// <summary>One host probe: what it measures, its threshold, and how often it looks.</summary>
public sealed class ProbeOptions
{
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9_.-]{0,62}$", ErrorMessage = "a probe name uses lower case letters, digits, '.', '_' and '-'")]
    public string Name { get; set; } = string.Empty;

    [Required]
    public string Kind { get; set; } = string.Empty;

    [Required]
    public string Path { get; set; } = string.Empty;

    public ByteSize? MaxBytes { get; set; }

    [Range(1, 100)]
    public double? MaxPercent { get; set; }

    public Duration Interval { get; set; } = Duration.Parse("30s");

    [Required]
    public string Service { get; set; } = string.Empty;

    public Dictionary<string, string> Labels { get; set; } = [];
}
