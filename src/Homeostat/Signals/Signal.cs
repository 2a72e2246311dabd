using System.Text.Json.Serialization;

namespace Homeostat.Signals;

/// <summary>One observation that something may be wrong. Everything inside is untrusted input.</summary>
public sealed record Signal
{
    public required string Id { get; init; }

    public required string Source { get; init; }

    public string? Service { get; init; }

    public SignalResource? Resource { get; init; }

    public string? Title { get; init; }

    public string? Text { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyStrings;

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = EmptyStrings;

    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; init; }

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public SignalStatus Status { get; init; } = SignalStatus.Firing;

    public DateTimeOffset? StartsAt { get; init; }

    public string? Fingerprint { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyStrings = new Dictionary<string, string>();

    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

public sealed record SignalResource
{
    public string? Kind { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? Container { get; init; }

    public string? Host { get; init; }

    public string? Path { get; init; }
}

public enum SignalStatus
{
    Firing,
    Resolved,
}

public static class SignalSources
{
    public const string Alertmanager = "alertmanager";
    public const string Prometheus = "prometheus";
    public const string Kubernetes = "kubernetes";
    public const string Probe = "probe";
    public const string Log = "log";
    public const string Api = "api";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Alertmanager, Prometheus, Kubernetes, Probe, Log, Api,
    };
}
