using Homeostat.Signals;

namespace Homeostat.TestKit;

/// <summary>Signals as monitoring would send them, for tests that read as the story of an incident.</summary>
public static class SignalBuilder
{
    private static int _sequence;

    public static Signal DiskFull(string service = "checkout", string? path = null, DateTimeOffset? startsAt = null, string? fingerprint = null) => new()
    {
        Id = NextId(),
        Source = SignalSources.Api,
        Service = service,
        Title = "NodeFilesystemAlmostOutOfSpace",
        Text = $"filesystem /var/log on {service} has 3% space left",
        Labels = new Dictionary<string, string> { ["alertname"] = "NodeFilesystemAlmostOutOfSpace", ["severity"] = "critical", ["service"] = service, ["path"] = path ?? "/var/log" },
        StartsAt = startsAt,
        Fingerprint = fingerprint,
    };

    public static Signal Oom(string service = "checkout", DateTimeOffset? startsAt = null) => new()
    {
        Id = NextId(),
        Source = SignalSources.Alertmanager,
        Service = service,
        Title = "KubeContainerOOMKilled",
        Text = $"container app in pod {service}-7d9f was OOMKilled (exit code 137)",
        Labels = new Dictionary<string, string> { ["alertname"] = "KubeContainerOOMKilled", ["namespace"] = "shop", ["pod"] = $"{service}-7d9f", ["container"] = "app" },
        StartsAt = startsAt,
    };

    public static Signal Timeout(string service = "checkout") => new()
    {
        Id = NextId(),
        Source = SignalSources.Log,
        Service = service,
        Title = "UpstreamTimeout",
        Text = "upstream request timeout calling payments after 30s",
    };

    public static Signal Unclassifiable(string service = "checkout") => new()
    {
        Id = NextId(),
        Source = SignalSources.Api,
        Service = service,
        Title = "HighCpuUsage",
        Text = "CPU usage above 95% for 10 minutes",
    };

    public static Signal Resolved(Signal firing) => firing with { Id = NextId(), Status = SignalStatus.Resolved };

    private static string NextId() => $"sig-{Interlocked.Increment(ref _sequence)}";
}
