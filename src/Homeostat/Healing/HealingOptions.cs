using System.ComponentModel.DataAnnotations;
using Homeostat.Primitives;

namespace Homeostat.Healing;

public sealed class HealingOptions
{
    public const string Section = "Healing";

    /// <summary>Concurrent workers in this process. Each claims one incident at a time through the store.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 2;

    /// <summary>How long a worker's claim on an incident lasts before another worker or replica may take it over.</summary>
    public Duration ClaimLease { get; set; } = Duration.Parse("10m");

    /// <summary>The longest one preview or execution may run before it counts as failed.</summary>
    public Duration ActionTimeout { get; set; } = Duration.Parse("5m");

    /// <summary>How often an idle worker looks at the store even without a wake-up (another replica may have written).</summary>
    public Duration IdlePoll { get; set; } = Duration.Parse("30s");

    /// <summary>How long a planned action waits for a human's approval before it escalates with <c>approval_expired</c>.</summary>
    public Duration ApprovalTimeout { get; set; } = Duration.Parse("1h");

    /// <summary>Unexpected failures processing one incident before it is escalated instead of retried.</summary>
    [Range(1, 100)]
    public int MaxReconcileFailures { get; set; } = 3;

    /// <summary>This replica's name in claims and the audit trail. Defaults to the host name and process id.</summary>
    public string? ReplicaId { get; set; }

    public VerificationDefaults Verify { get; set; } = new();

    public NotificationRetry Notifications { get; set; } = new();
}

/// <summary>How the outbox retries each notifier's delivery: exponential back-off from the first delay up to the longest, until it gives up.</summary>
public sealed class NotificationRetry
{
    public Duration FirstRetry { get; set; } = Duration.Parse("30s");

    public Duration LongestRetry { get; set; } = Duration.Parse("10m");

    /// <summary>How long after the escalation a notifier that keeps failing is given up on (the attempt is audited).</summary>
    public Duration GiveUpAfter { get; set; } = Duration.Parse("24h");

    public TimeSpan DelayBefore(int attempt)
    {
        var delay = FirstRetry.Value * Math.Pow(2, Math.Min(attempt - 1, 20));
        return delay < LongestRetry.Value ? delay : LongestRetry.Value;
    }
}

/// <summary>Used when a remediation has no <c>verify:</c> block of its own.</summary>
public sealed class VerificationDefaults
{
    public Duration After { get; set; } = Duration.Parse("30s");

    public Duration Timeout { get; set; } = Duration.Parse("5m");

    public Duration Interval { get; set; } = Duration.Parse("15s");
}
