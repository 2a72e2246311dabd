using System.Text.Json.Serialization;
using Homeostat.Diagnosis;
using Homeostat.Guardrails;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.Verification;

namespace Homeostat.Audit;

/// <summary>
/// The structured part of one audit record. There is one payload type per audit type; readers deserialize the type
/// instead of looking properties up by name, so renaming a field is a compile error, not a silently broken query.
/// Property names are the ones the first release wrote, so stores written by it read back into these types.
/// </summary>
public abstract record AuditPayload
{
    /// <summary>Bumped when a payload's shape changes incompatibly; records without it were written as version 1.</summary>
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")]
    public int SchemaVersion { get; init; } = CurrentVersion;

    /// <summary>The audit type this payload is written as (see <see cref="AuditTypes"/>).</summary>
    [JsonIgnore]
    public abstract string Type { get; }

    /// <summary>What the store keeps in real columns, for queries such as the rate limit.</summary>
    [JsonIgnore]
    public virtual AuditFacts Facts => AuditFacts.None;
}

/// <summary>Columns queries rely on: the action, whether it was a dry run, the class and the decision.</summary>
public sealed record AuditFacts(string? Action = null, bool? DryRun = null, string? Class = null, string? Decision = null)
{
    public static readonly AuditFacts None = new();
}

public sealed record SignalReceivedPayload(Signal Signal, string Fingerprint) : AuditPayload
{
    public override string Type => AuditTypes.SignalReceived;
}

/// <summary>
/// A repeated delivery. Version 2 records a <see cref="DeliveryReference"/> to what was delivered, not the signal again:
/// resends of a large alert would otherwise grow the trail by the alert's size each time. Version 1 records (earlier
/// releases) hold the whole <see cref="Signal"/> and no reference.
/// </summary>
public sealed record DuplicatePayload : AuditPayload
{
    public const int ReferenceVersion = 2;

    public override string Type => AuditTypes.Duplicate;

    /// <summary>The repeated signal in full; only in version 1 records.</summary>
    public Signal? Signal { get; init; }

    /// <summary>What was delivered again; version 2 onwards.</summary>
    public DeliveryReference? Delivery { get; init; }

    /// <summary>The signal fired again after its source said it resolved.</summary>
    public bool Refired { get; init; }

    public static DuplicatePayload Of(Signal signal, string fingerprint, bool refired = false) =>
        new() { Delivery = DeliveryReference.Of(signal, fingerprint), Refired = refired, SchemaVersion = ReferenceVersion };
}

/// <summary>
/// Names a delivery without copying it: the incident's <c>signal_received</c> record (same fingerprint) holds the signal as
/// first received, and <see cref="ContentHash"/> tells whether this delivery's content was the same.
/// </summary>
/// <summary>
/// A resolved notification that matched no open incident. Only a reference and a short title are kept: a source that
/// resends the resolution of a large alert would otherwise grow the trail by the alert's size each time.
/// </summary>
public sealed record ResolvedUnmatchedPayload(DeliveryReference Delivery, string? Title) : AuditPayload
{
    public const int MaxTitleLength = 200;

    public override string Type => AuditTypes.ResolvedUnmatched;

    public static ResolvedUnmatchedPayload Of(Signal signal, string fingerprint) =>
        new(DeliveryReference.Of(signal, fingerprint), signal.Title is null ? null : PolledSignalBounds.Cut(signal.Title, MaxTitleLength));
}

public sealed record DeliveryReference(string SignalId, string Source, SignalStatus Status, string Fingerprint, string DeliveryKey, DateTimeOffset? StartsAt, string ContentHash)
{
    public static DeliveryReference Of(Signal signal, string fingerprint) => new(
        signal.Id.Length > 128 ? signal.Id[..128] : signal.Id,
        signal.Source,
        signal.Status,
        fingerprint,
        Healing.Incident.DeliveryKeyOf(fingerprint, signal),
        signal.StartsAt,
        Primitives.Hashing.Sha256Hex(System.Text.Json.JsonSerializer.Serialize(signal, Primitives.HomeostatJson.Options)));
}

public sealed record ClassifiedPayload : AuditPayload
{
    public override string Type => AuditTypes.Classified;

    public override AuditFacts Facts => new(Class: Class);

    public string? Id { get; init; }

    public required string Class { get; init; }

    public required double Confidence { get; init; }

    public required string Classifier { get; init; }

    public required string Reasoning { get; init; }

    public IReadOnlyList<string> Evidence { get; init; } = [];

    public IReadOnlyDictionary<string, double>? Scores { get; init; }

    public IReadOnlyList<Classification>? Votes { get; init; }

    public static ClassifiedPayload From(Classification c) => new()
    {
        Id = c.Id,
        Class = c.Class,
        Confidence = c.Confidence,
        Classifier = c.Classifier,
        Reasoning = c.Reasoning,
        Evidence = c.Evidence,
        Scores = c.Scores,
        Votes = c.Votes,
    };
}

public sealed record GuardrailPayload(string Guardrail, VerdictKind Kind, string Reason) : AuditPayload
{
    public override string Type => AuditTypes.Guardrail;

    public string? EscalationReason { get; init; }

    public bool SuspendRemediation { get; init; }

    public static GuardrailPayload From(GuardrailVerdict verdict) =>
        new(verdict.Guardrail, verdict.Kind, verdict.Reason) { EscalationReason = verdict.EscalationReason, SuspendRemediation = verdict.SuspendRemediation };
}

public sealed record DecidedPayload(string Decision, string Detail) : AuditPayload
{
    public override string Type => AuditTypes.Decided;

    public override AuditFacts Facts => new(Action: Action, Class: Remediation, Decision: Decision);

    public string? Reason { get; init; }

    public string? Remediation { get; init; }

    public string? Action { get; init; }

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    public string? SpecHash { get; init; }

    public string? CatalogVersion { get; init; }

    public string? CatalogLocation { get; init; }
}

/// <summary>A preview: as a dry run (<c>dry_run</c>) or just before a real execution (<c>action_previewed</c>).</summary>
public sealed record PreviewPayload(string Action, bool DryRun, bool CanRun, string Summary) : AuditPayload
{
    public override string Type => DryRun ? AuditTypes.DryRun : AuditTypes.ActionPreviewed;

    public override AuditFacts Facts => new(Action: Action, DryRun: DryRun);

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    public IReadOnlyList<string> Changes { get; init; } = [];

    public double DurationMs { get; init; }

    /// <summary>What the preview saw of the action's premise on the target; absent when the action cannot observe it.</summary>
    public PremiseObservation? Premise { get; init; }
}

/// <summary>Written in the same transaction as the decision to act: the rate limit counts these.</summary>
public sealed record ActionStartedPayload(string Action, bool DryRun) : AuditPayload
{
    public override string Type => AuditTypes.ActionStarted;

    public override AuditFacts Facts => new(Action: Action, DryRun: DryRun);

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    public string? SpecHash { get; init; }

    public string? ApprovedBy { get; init; }
}

public sealed record ActionExecutedPayload(string Action, ActionStatus Status, string Summary) : AuditPayload
{
    public override string Type => AuditTypes.ActionExecuted;

    public override AuditFacts Facts => new(Action: Action, DryRun: DryRun);

    public bool DryRun { get; init; }

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    public IReadOnlyList<string> Changes { get; init; } = [];

    public double DurationMs { get; init; }

    /// <summary>The incident had already moved on (given up as interrupted, or resolved by hand) when the outcome came.</summary>
    public bool Late { get; init; }

    /// <summary>What execution saw of the action's premise just before acting; absent when the action cannot observe it.</summary>
    public PremiseObservation? Premise { get; init; }
}

public sealed record VerificationPayload(string Verifier, int Attempt, VerificationStatus Status, string Detail, string Deadline) : AuditPayload
{
    public override string Type => AuditTypes.Verification;
}

public sealed record RemediatedPayload(string? Action) : AuditPayload
{
    public override string Type => AuditTypes.Remediated;

    public override AuditFacts Facts => new(Action: Action);
}

public sealed record EscalatedPayload(string Reason, string Detail) : AuditPayload
{
    public override string Type => AuditTypes.Escalated;

    /// <summary>For <c>premise_not_met</c> and <c>not_applicable</c>: what the action saw on its target.</summary>
    public string? Observed { get; init; }
}

/// <summary>One delivery attempt of one notifier for one escalation (an outbox entry).</summary>
public sealed record NotifiedPayload(string Notifier, bool Delivered, int Attempts, string Detail) : AuditPayload
{
    public override string Type => AuditTypes.Notified;

    /// <summary>The escalation reason, or <c>pending_approval</c>.</summary>
    public string? Reason { get; init; }

    /// <summary><c>delivered</c>, <c>retrying</c> or <c>given_up</c>.</summary>
    public string? Outcome { get; init; }

    public long? NotificationId { get; init; }

    public string? NextAttemptAt { get; init; }
}

/// <summary>The source reported the signal resolved, or a human resolved the incident (<see cref="By"/>).</summary>
public sealed record ResolvedPayload : AuditPayload
{
    public override string Type => AuditTypes.Resolved;

    public Signal? Signal { get; init; }

    public string? By { get; init; }

    public string? Note { get; init; }

    /// <summary>The name the caller gave (<c>by</c>), a comment beside <see cref="By"/>, the actor.</summary>
    public string? StatedBy { get; init; }
}

public sealed record SuspendedPayload(string Service, string Class, string Action, string Reason, DateTimeOffset CreatedAt) : AuditPayload
{
    public override string Type => AuditTypes.Suspended;

    public override AuditFacts Facts => new(Action: Action, Class: Class);

    public string? IncidentId { get; init; }
}

public sealed record ResumedPayload(string Service, string Class) : AuditPayload
{
    public override string Type => AuditTypes.Resumed;

    /// <summary>The name the caller gave (<c>by</c>), a comment beside the actor, who is the API token's name.</summary>
    public string? StatedBy { get; init; }

    public override AuditFacts Facts => new(Class: Class);
}

public sealed record PromotedPayload(string Class, string SpecHash) : AuditPayload
{
    public override string Type => AuditTypes.Promoted;

    /// <summary>The name the caller gave (<c>by</c>), a comment beside the actor, who is the API token's name.</summary>
    public string? StatedBy { get; init; }

    public override AuditFacts Facts => new(Class: Class);
}

public sealed record ApprovalRequestedPayload(string Action, string Deadline) : AuditPayload
{
    public override string Type => AuditTypes.ApprovalRequested;

    public override AuditFacts Facts => new(Action: Action);

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
}

public sealed record ApprovalAnsweredPayload(bool Approved, string By) : AuditPayload
{
    public override string Type => AuditTypes.ApprovalAnswered;

    /// <summary>The name the caller gave (<c>by</c>), a comment beside the actor, who is the API token's name.</summary>
    public string? StatedBy { get; init; }

    public string? Note { get; init; }
}

public sealed record ReconcileFailedPayload(int Failures, string Error) : AuditPayload
{
    public override string Type => AuditTypes.ReconcileFailed;
}

/// <summary>A human's word on which class an incident really was; <c>homeostat train --from-audit</c> learns from it.</summary>
public sealed record LabelledPayload(string Label, Signal Signal) : AuditPayload
{
    public override string Type => AuditTypes.Labelled;

    /// <summary>The name the caller gave (<c>by</c>), a comment beside the actor, who is the API token's name.</summary>
    public string? StatedBy { get; init; }

    public override AuditFacts Facts => new(Class: Label);

    public string? Classified { get; init; }
}

public sealed record TruncatedAlertsPayload(string GroupKey, string Receiver, int TruncatedAlerts, int ReceivedAlerts) : AuditPayload
{
    public override string Type => AuditTypes.TruncatedAlerts;
}
