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

    /// <summary>
    /// A certificate's remaining lifetime against <see cref="ProbeOptions.MinRemaining"/>; the path is a PEM file or
    /// <c>https://host:port</c> (the certificate the endpoint presents).
    /// </summary>
    public const string CertificateExpiry = "certificate_expiry";

    /// <summary>How long a GET of an http(s) URL takes against <see cref="ProbeOptions.MaxLatency"/>.</summary>
    public const string HttpLatency = "http_latency";

    /// <summary>The used share of the inodes of the filesystem holding a path against <see cref="ProbeOptions.MaxPercent"/>.</summary>
    public const string FilesystemInodes = "filesystem_inodes";

    /// <summary>
    /// Memory of a cgroup (v2 or v1 directory) or of a process (by pid file) against its cgroup limit
    /// (<see cref="ProbeOptions.MaxPercent"/>) and/or <see cref="ProbeOptions.MaxBytes"/>.
    /// </summary>
    public const string MemoryUsage = "memory_usage";

    /// <summary>PostgreSQL client connections against the slots ordinary roles may use (in Homeostat.Postgres).</summary>
    public const string PostgresConnections = "postgres_connections";
}

/// <summary>One host probe: what it measures, its threshold, and how often it looks.</summary>
public sealed class ProbeOptions
{
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9_.-]{0,62}$", ErrorMessage = "a probe name uses lower case letters, digits, '.', '_' and '-'")]
    public string Name { get; set; } = string.Empty;

    [Required]
    public string Kind { get; set; } = string.Empty;

    /// <summary>What the probe looks at; each kind says whether it needs one and what it must be.</summary>
    public string Path { get; set; } = string.Empty;

    public ByteSize? MaxBytes { get; set; }

    [Range(1, 100)]
    public double? MaxPercent { get; set; }

    /// <summary>certificate_expiry: breached when the certificate expires sooner than this.</summary>
    public Duration MinRemaining { get; set; } = Duration.Parse("14d");

    /// <summary>http_latency: breached when the GET takes longer than this.</summary>
    public Duration MaxLatency { get; set; } = Duration.Parse("2s");

    /// <summary>
    /// http_latency and certificate_expiry of an endpoint: the request is abandoned (and breached) after this;
    /// postgres_connections: the connect and query timeout (a measurement failure, not a breach).
    /// </summary>
    public Duration Timeout { get; set; } = Duration.Parse("5s");

    /// <summary>postgres_connections: the environment variable holding the Npgsql connection string (a secret, so never in the config).</summary>
    public string? ConnectionStringEnv { get; set; }

    public Duration Interval { get; set; } = Duration.Parse("30s");

    [Required]
    public string Service { get; set; } = string.Empty;

    public Dictionary<string, string> Labels { get; set; } = [];
}
