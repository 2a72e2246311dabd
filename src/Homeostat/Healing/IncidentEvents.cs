using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.Verification;

namespace Homeostat.Healing;

/// <summary>Something that happened to an incident (or, for promote and resume, to the guardrails' state).</summary>
public abstract record IncidentEvent
{
    /// <summary>The event's name in refusals and in the state machine's table.</summary>
    public abstract string Name { get; }
}

/// <summary>A firing signal with no active incident: a new incident opens.</summary>
public sealed record SignalOpened(string IncidentId, Signal Signal, string Fingerprint, string DeliveryKey, string Service) : IncidentEvent
{
    public override string Name => "signal received";
}

/// <summary>A repeated delivery of a signal already handled.</summary>
public sealed record DeliveryRepeated(Signal Signal) : IncidentEvent
{
    public override string Name => "duplicate";
}

/// <summary>The signal fired again after the source had reported it resolved.</summary>
public sealed record SignalRefired(Signal Signal) : IncidentEvent
{
    public override string Name => "signal fired again";
}

public sealed record SourceResolved(Signal Signal) : IncidentEvent
{
    public override string Name => "resolved by the source";
}

public sealed record Classified(Classification Classification, string CatalogVersion) : IncidentEvent
{
    public override string Name => "classified";
}

/// <summary>The guardrails' decision, with every verdict.</summary>
/// <param name="ApprovalTimeout">How long a planned action waits for a human.</param>
/// <param name="ActingGrace">How long after the decision a worker that died mid-action is given up on.</param>
public sealed record Decided(GuardrailDecision Decision, RemediationSpec? Remediation, string CatalogVersion, TimeSpan ApprovalTimeout, TimeSpan ActingGrace) : IncidentEvent
{
    public override string Name => "decided";
}

/// <summary>The preview of a dry run; a preview that cannot run escalates.</summary>
public sealed record DryRunPreviewed(RemediationSpec Remediation, ActionPreview Preview, TimeSpan Duration) : IncidentEvent
{
    public override string Name => "dry-run previewed";
}

/// <summary>The preview just before a real execution.</summary>
public sealed record ActionPreviewed(RemediationSpec Remediation, ActionPreview Preview, TimeSpan Duration) : IncidentEvent
{
    public override string Name => "action previewed";
}

public sealed record ActionFinished(RemediationSpec Remediation, ActionOutcome Outcome, TimeSpan Duration, VerifySpec Verify) : IncidentEvent
{
    public override string Name => "action finished";
}

/// <summary>An incident found acting with no worker on it: the outcome is unknown and the action is never rerun.</summary>
public sealed record ActionInterrupted : IncidentEvent
{
    public override string Name => "action interrupted";
}

public sealed record VerificationChecked(string Verifier, VerificationResult Result, TimeSpan Interval) : IncidentEvent
{
    public override string Name => "verification";
}

public sealed record ApprovalExpired : IncidentEvent
{
    public override string Name => "approval expired";
}

/// <summary>
/// An operator's word. <c>By</c> is the actor the audit trail names (the API token's name, or the local user offline);
/// <see cref="OperatorEvent.StatedBy"/> is the name the caller gave, kept beside it as a comment.
/// </summary>
public abstract record OperatorEvent : IncidentEvent
{
    public string? StatedBy { get; init; }
}

public sealed record ApprovalAnswered(bool Approved, string By, string? Note) : OperatorEvent
{
    public override string Name => Approved ? "approved" : "rejected";
}

public sealed record ResolvedByOperator(string By, string? Note) : OperatorEvent
{
    public override string Name => "resolved by an operator";
}

public sealed record LabelledByOperator(string Class, string By) : OperatorEvent
{
    public override string Name => "labelled";
}

public sealed record ReconcileFailed(string Error, int MaxFailures) : IncidentEvent
{
    public override string Name => "processing failed";
}

/// <summary>One delivery attempt of one outbox entry.</summary>
public sealed record NotificationAttempted(OutboxEntry Entry, NotificationResult Result, NotificationOutcome Outcome, DateTimeOffset? NextAttemptAt) : IncidentEvent
{
    public override string Name => "notification outcome";
}

/// <summary>A finished incident that is still due (from an older release): nothing is left to do.</summary>
public sealed record Settled : IncidentEvent
{
    public override string Name => "settled";
}

/// <summary>An operator took a remediation's spec out of its shadow period. Not about one incident.</summary>
public sealed record Promoted(string Class, string SpecHash, string By) : OperatorEvent
{
    public override string Name => "promoted";
}

/// <summary>An operator resumed a suspended remediation for a service. Not about one incident.</summary>
public sealed record Resumed(string Service, string Class, string By) : OperatorEvent
{
    public override string Name => "resumed";
}
