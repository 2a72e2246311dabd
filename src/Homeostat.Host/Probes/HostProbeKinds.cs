using Homeostat.Probes;


namespace Homeostat.Host.Probes;

/// <summary>The host probe kinds, for code that builds probes without a container.</summary>
public static class BuiltInProbeKinds
{
    public static IReadOnlyList<IProbeKind> Create(TimeProvider timeProvider) =>
    [
        new DirectorySizeProbeKind(),
        new FilesystemUsageProbeKind(),
        new FilesystemInodesProbeKind(),
        new MemoryUsageProbeKind(),
        new CertificateExpiryProbeKind(timeProvider),
        new HttpLatencyProbeKind(timeProvider),
    ];

    public static ProbeKindCatalog Catalog(TimeProvider timeProvider) => new(Create(timeProvider));
}

/// <summary>Checks several kinds share.</summary>
public static class ProbeChecks
{
    public static IEnumerable<string> AbsolutePath(ProbeOptions probe)
    {
        if (string.IsNullOrEmpty(probe.Path))
        {
            yield return "path is required";
        }
        else if (!Path.IsPathFullyQualified(probe.Path))
        {
            yield return $"path '{probe.Path}' must be absolute (or relative to the config file)";
        }
    }

    public static IEnumerable<string> NoMaxBytes(ProbeOptions probe)
    {
        if (probe.MaxBytes is not null)
        {
            yield return $"max_bytes does not apply to a {probe.Kind} probe (use max_percent)";
        }
    }
}

public sealed class DirectorySizeProbeKind : IProbeKind
{
    public string Kind => ProbeKinds.DirectorySize;

    public IProbe Create(ProbeOptions options) => new DirectorySizeProbe(options);

    public IEnumerable<string> Validate(ProbeOptions options)
    {
        foreach (var error in ProbeChecks.AbsolutePath(options))
        {
            yield return error;
        }

        if (options.MaxBytes is null)
        {
            yield return "a directory_size probe needs max_bytes";
        }
    }
}

public sealed class FilesystemUsageProbeKind : IProbeKind
{
    public string Kind => ProbeKinds.FilesystemUsage;

    public IProbe Create(ProbeOptions options) => new FilesystemUsageProbe(options);

    public IEnumerable<string> Validate(ProbeOptions options) => ProbeChecks.AbsolutePath(options);
}

public sealed class FilesystemInodesProbeKind : IProbeKind
{
    public string Kind => ProbeKinds.FilesystemInodes;

    public IProbe Create(ProbeOptions options) => new FilesystemInodesProbe(options);

    public IEnumerable<string> Validate(ProbeOptions options) => ProbeChecks.AbsolutePath(options).Concat(ProbeChecks.NoMaxBytes(options));
}

public sealed class MemoryUsageProbeKind : IProbeKind
{
    public string Kind => ProbeKinds.MemoryUsage;

    public IProbe Create(ProbeOptions options) => new MemoryUsageProbe(options);

    public IEnumerable<string> Validate(ProbeOptions options)
    {
        foreach (var error in ProbeChecks.AbsolutePath(options))
        {
            yield return error;
        }

        if (options.MaxBytes is { Bytes: <= 0 })
        {
            yield return $"max_bytes must be more than zero (got {options.MaxBytes})";
        }
    }
}

public sealed class CertificateExpiryProbeKind(TimeProvider timeProvider) : IProbeKind
{
    public string Kind => ProbeKinds.CertificateExpiry;

    public IProbe Create(ProbeOptions options) => new CertificateExpiryProbe(options, timeProvider);

    public IEnumerable<string> Validate(ProbeOptions options)
    {
        var isUrl = NetworkProbeChecks.IsHttpUrl(options.Path, out var uri);
        if (string.IsNullOrEmpty(options.Path))
        {
            yield return "path is required";
        }
        else if (isUrl && uri!.Scheme != "https")
        {
            yield return $"a certificate_expiry probe reads https://host:port endpoints, not {uri.Scheme} (got '{options.Path}')";
        }
        else if (!isUrl && !Path.IsPathFullyQualified(options.Path))
        {
            yield return $"a certificate_expiry probe needs path to be an absolute PEM file or https://host:port (got '{options.Path}')";
        }

        if (options.MinRemaining.Value <= TimeSpan.Zero)
        {
            yield return $"a certificate_expiry probe needs min_remaining longer than zero (got {options.MinRemaining})";
        }

        if (options.Timeout.Value <= TimeSpan.Zero)
        {
            yield return $"timeout must be longer than zero (got {options.Timeout})";
        }
    }
}

public sealed class HttpLatencyProbeKind(TimeProvider timeProvider) : IProbeKind
{
    public string Kind => ProbeKinds.HttpLatency;

    public IProbe Create(ProbeOptions options) => new HttpLatencyProbe(options, timeProvider);

    public IEnumerable<string> Validate(ProbeOptions options)
    {
        if (string.IsNullOrEmpty(options.Path))
        {
            yield return "path is required";
        }
        else if (!NetworkProbeChecks.IsHttpUrl(options.Path, out _))
        {
            yield return $"an http_latency probe needs path to be an absolute http(s) URL (got '{options.Path}')";
        }

        if (options.MaxLatency.Value <= TimeSpan.Zero)
        {
            yield return $"an http_latency probe needs max_latency longer than zero (got {options.MaxLatency})";
        }

        if (options.Timeout.Value <= TimeSpan.Zero)
        {
            yield return $"timeout must be longer than zero (got {options.Timeout})";
        }
        else if (options.MaxLatency.Value > options.Timeout.Value)
        {
            yield return $"max_latency ({options.MaxLatency}) must not be longer than timeout ({options.Timeout})";
        }
    }
}

internal static class NetworkProbeChecks
{
    public static bool IsHttpUrl(string path, out Uri? uri) =>
        Uri.TryCreate(path, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https" && !string.IsNullOrEmpty(uri.Host);
}
