using System.ComponentModel.DataAnnotations;
using Homeostat.Primitives;

namespace Homeostat.Guardrails;

public sealed class GuardrailOptions
{
    public const string Section = "Guardrails";

    /// <summary>Global dry-run: preview every action and change nothing. The default is true; <c>run --live</c> turns it off.</summary>
    public bool DryRun { get; set; } = true;

    /// <summary>Stops every automatic action at once; incidents escalate with <c>maintenance</c>.</summary>
    public bool KillSwitch { get; set; }

    public List<MaintenanceWindow> Maintenance { get; set; } = [];

    public RateLimitOptions RateLimit { get; set; } = new();

    public BlastRadiusOptions BlastRadius { get; set; } = new();

    /// <summary>How long a new or changed remediation runs in dry-run before it may act. The default is 14 days.</summary>
    public Duration ShadowPeriod { get; set; } = Duration.Parse("14d");
}

public sealed class RateLimitOptions
{
    /// <summary>Real executions allowed per service and action within <see cref="Per"/>. The default is 3.</summary>
    [Range(1, 10_000)]
    public int Max { get; set; } = 3;

    /// <summary>The sliding window. The default is one hour.</summary>
    public Duration Per { get; set; } = Duration.Parse("1h");
}

public sealed class BlastRadiusOptions
{
    /// <summary>The most real remediations running or awaiting verification at once, across all services.</summary>
    [Range(1, 10_000)]
    public int MaxInFlight { get; set; } = 3;
}

/// <summary>A time range in which nothing acts automatically, for all services or the ones listed.</summary>
public sealed class MaintenanceWindow
{
    public DateTimeOffset Start { get; set; }

    public DateTimeOffset End { get; set; }

    public List<string> Services { get; set; } = [];

    public string? Reason { get; set; }

    public bool Covers(string service, DateTimeOffset at) =>
        at >= Start && at < End && (Services.Count == 0 || Services.Contains(service, StringComparer.Ordinal));
}
