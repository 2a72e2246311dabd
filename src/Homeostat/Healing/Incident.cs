using System.Text.Json.Serialization;
using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Healing;

/// <summary>
/// Where an incident stands. The terminal words are the decision vocabulary: <c>remediated</c>, <c>dry_run</c>,
/// <c>pending_approval</c>, <c>escalated</c> (with a reason) and <c>resolved</c>; <c>open</c>, <c>acting</c> and
/// <c>verifying</c> are the steps between.
/// </summary>
public enum IncidentState
{
    Open,
    Acting,
    Verifying,
    PendingApproval,
    Remediated,
    DryRun,
    Escalated,
    Resolved,
}

/// <summary>Why an incident went to a human; the words are part of the public contract.</summary>
public static class EscalationReasons
{
    public const string UnknownClass = "unknown_class";
    public const string NoRemediation = "no_remediation";
    public const string NotAuto = "not_auto";
    public const string BelowFloor = "below_floor";
    public const string RateLimited = "rate_limited";
    public const string Suspended = "suspended";
    public const string BlastRadius = "blast_radius";
    public const string Maintenance = "maintenance";
    public const string ActionFailed = "action_failed";
    public const string VerifyFailed = "verify_failed";
    public const string ApprovalRejected = "approval_rejected";
    public const string ApprovalExpired = "approval_expired";

    /// <summary>The action checked its premise on the target and it did not hold: nothing changed, the class is suspect.</summary>
    public const string PremiseNotMet = "premise_not_met";

    /// <summary>The action cannot resolve the signal's target inside what it may touch: nothing changed, nothing failed.</summary>
    public const string NotApplicable = "not_applicable";

    /// <summary>Two or more catalog classes declare the same signal; a human decides which.</summary>
    public const string AmbiguousDeclaration = "ambiguous_declaration";
}

/// <summary>A group of signals with one fingerprint, and everything the loop decided about it.</summary>
public sealed record Incident
{
    public required string Id { get; init; }

    public required string Fingerprint { get; init; }

    /// <summary>Fingerprint plus the source's start time: one occurrence of the problem.</summary>
    public required string DeliveryKey { get; init; }

    public required string Service { get; init; }

    public required IncidentState State { get; init; }

    /// <summary>For <see cref="IncidentState.Escalated"/>: one of <see cref="EscalationReasons"/>.</summary>
    public string? Reason { get; init; }

    /// <summary>A sentence saying why the incident is where it is.</summary>
    public string? Detail { get; init; }

    public required Signal Signal { get; init; }

    public Classification? Classification { get; init; }

    public string? Action { get; init; }

    public string? SpecHash { get; init; }

    public string? CatalogVersion { get; init; }

    public bool ActedForReal { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the worker should look at this incident next; null when nothing is scheduled.</summary>
    public DateTimeOffset? NextDueAt { get; init; }

    public DateTimeOffset? VerifyDeadline { get; init; }

    public DateTimeOffset? SourceResolvedAt { get; init; }

    public int VerificationAttempts { get; init; }

    /// <summary>For <see cref="IncidentState.PendingApproval"/>: when the request expires and escalates with <c>approval_expired</c>.</summary>
    public DateTimeOffset? ApprovalDeadline { get; init; }

    /// <summary>Who approved the planned action; the approval guardrail then passes once.</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>How many times reconciling this incident failed with an unexpected error.</summary>
    public int FailedReconciles { get; init; }

    public long Version { get; init; }

    [JsonIgnore]
    public bool IsClosed => State is IncidentState.Remediated or IncidentState.Resolved;

    [JsonIgnore]
    public bool IsInFlight => ActedForReal && State is IncidentState.Acting or IncidentState.Verifying;

    public static string DeliveryKeyOf(string fingerprint, Signal signal) =>
        signal.StartsAt is { } startsAt ? $"{fingerprint}@{Audit.AuditChain.FormatTime(startsAt)}" : fingerprint;
}

public sealed record IncidentQuery
{
    public string? Service { get; init; }

    public IncidentState? State { get; init; }

    public DateTimeOffset? Since { get; init; }

    /// <summary>Only incidents listed after this one (newest first): the cursor of the previous page's last incident.</summary>
    public IncidentCursor? Before { get; init; }

    public int Limit { get; init; } = 200;
}

/// <summary>A position in the newest-first list of incidents: the creation time and id of the last incident seen.</summary>
public sealed record IncidentCursor(DateTimeOffset CreatedAt, string Id);
