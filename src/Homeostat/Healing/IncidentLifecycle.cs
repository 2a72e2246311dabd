using Homeostat.Audit;
using Homeostat.Catalog;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Remediation;
using Homeostat.Verification;

namespace Homeostat.Healing;

/// <summary>
/// What one event does to an incident: its next state, the audit records that say why, the notification it owes and
/// the suspension it causes. <see cref="Next"/> is null when the incident does not change (only records are written).
/// </summary>
public sealed record Transition(Incident? Before, Incident? Next, IReadOnlyList<AuditEntry> Records)
{
    /// <summary>A notification owed to the humans; the store queues one outbox entry per notifier.</summary>
    public NotificationIntent? Notify { get; init; }

    /// <summary>The notification's entries, one per notifier; filled by <see cref="TransitionWriter"/> before saving.</summary>
    public IReadOnlyList<OutboxEntry> Outbox { get; init; } = [];

    public Suspension? Suspend { get; init; }

    /// <summary>Pending notifications of this incident are no longer owed (a human closed it).</summary>
    public bool CancelNotifications { get; init; }

    /// <summary>The incident as it stands after the transition.</summary>
    public Incident? Current => Next ?? Before;

    /// <summary>Applies a second event to this transition's result, as one transition.</summary>
    public Transition Then(IncidentEvent next, DateTimeOffset now)
    {
        var second = IncidentLifecycle.Apply(Current, next, now);
        return new Transition(Before, second.Next ?? Next, [.. Records, .. second.Records])
        {
            Notify = second.Notify ?? Notify,
            Suspend = second.Suspend ?? Suspend,
            CancelNotifications = CancelNotifications || second.CancelNotifications,
        };
    }
}

/// <summary>Who must be told what; the store turns it into one outbox entry per notifier.</summary>
public sealed record NotificationIntent(string Reason, string Detail);

/// <summary>An event that does not apply to the incident's state; the caller's bug or a human's stale view.</summary>
public sealed class IllegalTransitionException(string message) : InvalidOperationException(message);

/// <summary>
/// The incident lifecycle as one pure function from (incident, event, now) to a <see cref="Transition"/>. Everything
/// that changes an incident goes through <see cref="Apply"/>; callers do the I/O and hand the result to the store.
/// </summary>
public static class IncidentLifecycle
{
    public const string PendingApprovalReason = "pending_approval";

    public static Transition Apply(Incident? incident, IncidentEvent @event, DateTimeOffset now) =>
        TryApply(incident, @event, now, out var transition, out var refusal) ? transition! : throw new IllegalTransitionException(refusal!);

    /// <summary>The transition, or a sentence saying why the event does not apply to the incident as it stands.</summary>
    public static bool TryApply(Incident? incident, IncidentEvent @event, DateTimeOffset now, out Transition? transition, out string? refusal)
    {
        refusal = Refusal(incident, @event, now);
        transition = refusal is null ? Transition(incident, @event, now) : null;
        return refusal is null;
    }

    /// <summary>Whether the event applies to an incident in <paramref name="incident"/>'s state; null when it does.</summary>
    public static string? Refusal(Incident? incident, IncidentEvent @event, DateTimeOffset now)
    {
        if (@event is SignalOpened or Promoted or Resumed)
        {
            return incident is null ? null : $"'{@event.Name}' does not apply to an existing incident ({incident.Id})";
        }

        if (incident is null)
        {
            return $"'{@event.Name}' needs an incident";
        }

        var state = incident.State;
        bool allowed = @event switch
        {
            // Outcomes of work already under way are recorded whatever the incident became meanwhile.
            DeliveryRepeated or LabelledByOperator or NotificationAttempted or ActionFinished or ActionPreviewed or DryRunPreviewed => true,
            SignalRefired => !incident.IsClosed && incident.SourceResolvedAt is not null,
            SourceResolved => !incident.IsClosed,
            Classified or Decided => state == IncidentState.Open,
            ActionInterrupted => state == IncidentState.Acting,
            VerificationChecked => state == IncidentState.Verifying,
            ApprovalExpired => state == IncidentState.PendingApproval && incident.ApprovalDeadline <= now,
            ApprovalAnswered => state == IncidentState.PendingApproval,
            ResolvedByOperator => !incident.IsClosed && state != IncidentState.Acting,
            ReconcileFailed => !incident.IsClosed,
            Settled => state is IncidentState.Remediated or IncidentState.Resolved or IncidentState.DryRun or IncidentState.Escalated,
            _ => false,
        };
        if (allowed)
        {
            return null;
        }

        return @event switch
        {
            ApprovalExpired when state == IncidentState.PendingApproval =>
                $"the approval of incident {incident.Id} does not expire before {AuditChain.FormatTime(incident.ApprovalDeadline ?? now)}",
            ApprovalAnswered => $"incident {incident.Id} is {state.ToWord()}, not pending_approval",
            ResolvedByOperator => $"incident {incident.Id} is {state.ToWord()}; only an incident that is not closed or acting can be resolved by hand",
            _ => $"'{@event.Name}' does not apply to incident {incident.Id}: it is {state.ToWord()}",
        };
    }

    private static Transition Transition(Incident? incident, IncidentEvent @event, DateTimeOffset now) => @event switch
    {
        SignalOpened e => Opened(e, now),
        DeliveryRepeated e => Records(incident!, Entry(DuplicatePayload.Of(e.Signal, incident!.Fingerprint), $"repeated delivery of incident {incident!.Id} ({incident.State.ToWord()}); not acted on again", incident)),
        SignalRefired e => new(incident, incident! with { SourceResolvedAt = null, UpdatedAt = now },
            [Entry(DuplicatePayload.Of(e.Signal, incident!.Fingerprint, refired: true), $"the signal fired again after {incident.Signal.Source} reported it resolved; incident {incident.Id} ({incident.State.ToWord()}) is not cleared", incident)]),
        SourceResolved e => ResolvedBySource(incident!, e, now),
        Classified e => Classify(incident!, e),
        Decided e => Decide(incident!, e, now),
        DryRunPreviewed e => DryRunPreview(incident!, e, now),
        ActionPreviewed e => Records(incident!, PreviewRecord(incident!, e.Remediation, e.Preview, e.Duration, dryRun: false)),
        ActionFinished e => Finish(incident!, e, now),
        ActionInterrupted => Escalate(incident!, EscalationReasons.ActionFailed, $"the outcome of {incident!.Action} is unknown: the worker running it stopped before recording a result; not retried", now),
        VerificationChecked e => Verify(incident!, e, now),
        ApprovalExpired => Escalate(incident!, EscalationReasons.ApprovalExpired, $"nobody approved {incident!.Action} before {AuditChain.FormatTime(incident.ApprovalDeadline!.Value)}", now),
        ApprovalAnswered e => Answer(incident!, e, now),
        ResolvedByOperator e => ResolveByHand(incident!, e, now),
        LabelledByOperator e => Records(incident!, Entry(
            new LabelledPayload(e.Class, incident!.Signal) { Classified = incident.Classification?.Class, StatedBy = e.StatedBy },
            $"{Who(e, e.By)} labelled incident {incident.Id} as {e.Class} (classified {incident.Classification?.Class ?? "not yet"})",
            incident) with { Actor = e.By }),
        ReconcileFailed e => Failed(incident!, e, now),
        NotificationAttempted e => Records(incident!, Notified(incident!, e)),
        Settled => new(incident, incident! with { NextDueAt = null }, []),
        Promoted e => new(null, null, [AuditEntry.Of(new PromotedPayload(e.Class, e.SpecHash) { StatedBy = e.StatedBy },
            $"{Who(e, e.By)} promoted spec {e.SpecHash} of '{e.Class}' out of its shadow period; it may now act for real", null, null) with { Actor = e.By }]),
        Resumed e => new(null, null, [AuditEntry.Of(new ResumedPayload(e.Service, e.Class) { StatedBy = e.StatedBy },
            $"{Who(e, e.By)} resumed '{e.Class}' for '{e.Service}'; it may act again within its rate limit", null, e.Service) with { Actor = e.By }]),
        _ => throw new IllegalTransitionException($"no transition is defined for '{@event.Name}'"),
    };

    private static Transition Opened(SignalOpened e, DateTimeOffset now)
    {
        var incident = new Incident
        {
            Id = e.IncidentId,
            Fingerprint = e.Fingerprint,
            DeliveryKey = e.DeliveryKey,
            Service = e.Service,
            State = IncidentState.Open,
            Detail = "received; waiting to be classified",
            Signal = e.Signal,
            CreatedAt = now,
            UpdatedAt = now,
            NextDueAt = now,
        };
        var title = e.Signal.Title ?? e.Signal.Label("alertname") ?? Shorten(e.Signal.Text) ?? "(untitled)";
        return new(null, incident, [Entry(new SignalReceivedPayload(e.Signal, e.Fingerprint), $"{e.Signal.Source} signal '{title}' opened incident {incident.Id} for {e.Service}", incident)]);
    }

    private static Transition ResolvedBySource(Incident incident, SourceResolved e, DateTimeOffset now)
    {
        if (incident.SourceResolvedAt is not null)
        {
            return Records(incident, Entry(DuplicatePayload.Of(e.Signal, incident.Fingerprint), $"repeated resolved notification for incident {incident.Id}", incident));
        }

        Incident next;
        string summary;
        if (incident.State is IncidentState.Acting or IncidentState.Verifying)
        {
            // The action's verification decides; make it look now.
            next = incident with { SourceResolvedAt = now, UpdatedAt = now, NextDueAt = incident.State == IncidentState.Verifying ? now : incident.NextDueAt };
            summary = $"{e.Signal.Source} reported the signal resolved while incident {incident.Id} was {incident.State.ToWord()}";
        }
        else
        {
            next = incident with
            {
                State = IncidentState.Resolved,
                SourceResolvedAt = now,
                UpdatedAt = now,
                NextDueAt = null,
                Detail = incident.State == IncidentState.Open
                    ? $"{e.Signal.Source} reported it resolved before any action"
                    : $"{e.Signal.Source} reported it resolved after the incident was {incident.State.ToWord()}{(incident.Reason is null ? string.Empty : " (" + incident.Reason + ")")}",
            };
            summary = $"incident {incident.Id} resolved: {next.Detail}";
        }

        return new(incident, next, [Entry(new ResolvedPayload { Signal = e.Signal }, summary, incident)]);
    }

    private static Transition Classify(Incident incident, Classified e)
    {
        var classification = e.Classification;
        var next = incident with { Classification = classification, CatalogVersion = e.CatalogVersion };
        IReadOnlyList<AuditEntry> records = incident.Classification is null
            ? [Entry(ClassifiedPayload.From(classification), $"classified as {classification.Class} with confidence {classification.Confidence:0.00} by {classification.Classifier}: {classification.Reasoning}", incident)]
            : [];
        return new(incident, next, records);
    }

    private static Transition Decide(Incident incident, Decided e, DateTimeOffset now)
    {
        var decision = e.Decision;
        var remediation = e.Remediation;
        var records = decision.Verdicts
            .Select(v => Entry(GuardrailPayload.From(v), $"{v.Guardrail}: {v.Kind.ToString().ToLowerInvariant()}: {v.Reason}", incident))
            .ToList();
        var word = Word(decision);
        records.Add(Entry(
            new DecidedPayload(word, decision.Detail)
            {
                Reason = decision.EscalationReason,
                Remediation = remediation?.Class,
                Action = remediation?.Action,
                Parameters = remediation?.Parameters.Describe(),
                SpecHash = remediation?.SpecHash,
                CatalogVersion = e.CatalogVersion,
                CatalogLocation = remediation?.Location.ToString(),
            },
            $"decision: {word}: {decision.Detail}",
            incident));

        var common = incident with { UpdatedAt = now, Action = remediation?.Action, SpecHash = remediation?.SpecHash, Detail = decision.Detail };
        switch (decision.Kind)
        {
            case DecisionKind.Escalate:
            {
                var escalated = Escalate(common, decision.EscalationReason!, decision.Detail, now);
                records.AddRange(escalated.Records);
                Suspension? suspension = null;
                if (decision.Blocking!.SuspendRemediation && remediation is not null)
                {
                    suspension = new Suspension(incident.Service, remediation.Class, remediation.Action, decision.Detail, now) { IncidentId = incident.Id };
                    records.Add(Entry(
                        new SuspendedPayload(suspension.Service, suspension.Class, suspension.Action, suspension.Reason, suspension.CreatedAt) { IncidentId = incident.Id },
                        $"suspended {remediation.Class} ({remediation.Action}) for {incident.Service} until a human resumes it",
                        incident));
                }

                return escalated with { Before = incident, Records = records, Suspend = suspension };
            }

            case DecisionKind.PendingApproval:
            {
                var deadline = now + e.ApprovalTimeout;
                records.Add(Entry(
                    new ApprovalRequestedPayload(remediation!.Action, AuditChain.FormatTime(deadline)) { Parameters = remediation.Parameters.Describe() },
                    $"waiting until {AuditChain.FormatTime(deadline)} for a human to approve {remediation.Action}",
                    incident));
                var next = common with { State = IncidentState.PendingApproval, ApprovalDeadline = deadline, NextDueAt = deadline };
                return new(incident, next, records) { Notify = new NotificationIntent(PendingApprovalReason, decision.Detail) };
            }

            case DecisionKind.DryRun:
                return new(incident, common with { State = IncidentState.DryRun, NextDueAt = null }, records);

            default:
                records.Add(Entry(
                    new ActionStartedPayload(remediation!.Action, DryRun: false) { Parameters = remediation.Parameters.Describe(), SpecHash = remediation.SpecHash, ApprovedBy = incident.ApprovedBy },
                    $"starting {remediation.Action} for real",
                    incident));

                // If the worker dies mid-action, another picks the incident up once the action could have finished,
                // and escalates it rather than running it again.
                return new(incident, common with { State = IncidentState.Acting, ActedForReal = true, NextDueAt = now + e.ActingGrace }, records);
        }
    }

    private static Transition DryRunPreview(Incident incident, DryRunPreviewed e, DateTimeOffset now)
    {
        var record = PreviewRecord(incident, e.Remediation, e.Preview, e.Duration, dryRun: true);
        if (e.Preview.CanRun || incident.State != IncidentState.DryRun)
        {
            return Records(incident, record);
        }

        var action = e.Remediation.Action;
        switch (e.Preview.Premise)
        {
            case { Verdict: PremiseVerdict.NotApplicable } premise:
            {
                // A dry run that could not even find its target is no fault of anything: it is recorded, never paged.
                var detail = $"dry run: {action} is not applicable here: {premise.Observed}; nothing would change and nobody is paged";
                return new(incident, incident with { Reason = EscalationReasons.NotApplicable, Detail = detail, UpdatedAt = now }, [record]);
            }

            case { Verdict: PremiseVerdict.NotMet } premise:
            {
                var escalated = Escalate(incident, EscalationReasons.PremiseNotMet, PremiseNotMetDetail(incident, action, premise.Observed, dryRun: true), now, premise.Observed);
                return escalated with { Records = [record, .. escalated.Records] };
            }

            default:
            {
                var escalated = Escalate(incident, EscalationReasons.ActionFailed, $"dry-run preview of {action}: {e.Preview.Summary}", now);
                return escalated with { Records = [record, .. escalated.Records] };
            }
        }
    }

    /// <summary>Says what the action saw and that nothing changed: the class the incident was given is suspect.</summary>
    private static string PremiseNotMetDetail(Incident incident, string action, string observed, bool dryRun) =>
        $"{(dryRun ? "dry-run preview of " : string.Empty)}{action}: premise not met: {observed}; nothing was changed. "
        + $"The signal may not be {incident.Classification?.Class ?? "the class it was given"} (a suspected misclassification): label it with 'homeostat label {incident.Id} CLASS'";

    /// <summary>The words an operator greps for: <c>premise_not_met</c>, not <c>premisenotmet</c>.</summary>
    private static string StatusWord(ActionStatus status) => status switch
    {
        ActionStatus.PremiseNotMet => EscalationReasons.PremiseNotMet,
        ActionStatus.NotApplicable => EscalationReasons.NotApplicable,
        ActionStatus.NoChange => "no_change",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static Transition Finish(Incident incident, ActionFinished e, DateTimeOffset now)
    {
        var outcome = e.Outcome;
        var late = incident.State != IncidentState.Acting;
        var record = Entry(
            new ActionExecutedPayload(e.Remediation.Action, outcome.Status, outcome.Summary)
            {
                Premise = outcome.Premise,
                Parameters = e.Remediation.Parameters.Describe(),
                Changes = outcome.Changes,
                DurationMs = Math.Round(e.Duration.TotalMilliseconds, 1),
                Late = late,
            },
            $"{e.Remediation.Action} {StatusWord(outcome.Status)}: {outcome.Summary}{(late ? $" (late: the incident was already {incident.State.ToWord()})" : string.Empty)}",
            incident);
        if (late)
        {
            return Records(incident, record);
        }

        if (outcome.Status is ActionStatus.Failed or ActionStatus.PremiseNotMet or ActionStatus.NotApplicable)
        {
            var observed = outcome.Premise?.Observed ?? outcome.Summary;
            var escalated = outcome.Status switch
            {
                ActionStatus.PremiseNotMet => Escalate(incident, EscalationReasons.PremiseNotMet, PremiseNotMetDetail(incident, e.Remediation.Action, observed, dryRun: false), now, observed),
                ActionStatus.NotApplicable => Escalate(incident, EscalationReasons.NotApplicable, $"{e.Remediation.Action} is not applicable here: {observed}; nothing was changed", now, observed),
                _ => Escalate(incident, EscalationReasons.ActionFailed, $"{e.Remediation.Action} failed: {outcome.Summary}", now),
            };
            return escalated with { Records = [record, .. escalated.Records] };
        }

        var next = incident with
        {
            State = IncidentState.Verifying,
            Detail = $"{e.Remediation.Action}: {outcome.Summary}; verifying from {e.Verify.After} after, for up to {e.Verify.Timeout}",
            NextDueAt = incident.SourceResolvedAt is null ? now + e.Verify.After.Value : now,
            VerifyDeadline = now + e.Verify.Timeout.Value,
            UpdatedAt = now,
        };
        return new(incident, next, [record]);
    }

    private static Transition Verify(Incident incident, VerificationChecked e, DateTimeOffset now)
    {
        var result = e.Result;
        var attempt = incident.VerificationAttempts + 1;
        var deadline = incident.VerifyDeadline ?? now;
        var check = Entry(
            new VerificationPayload(e.Verifier, attempt, result.Status, result.Detail, AuditChain.FormatTime(deadline)),
            $"verification {attempt} by {e.Verifier}: {result.Status.ToString().ToLowerInvariant()}: {result.Detail}",
            incident);
        if (result.IsCleared)
        {
            var remediated = incident with { State = IncidentState.Remediated, Detail = $"verified: {result.Detail}", NextDueAt = null, VerificationAttempts = attempt, UpdatedAt = now };
            return new(incident, remediated, [check, Entry(new RemediatedPayload(incident.Action), $"remediated: {incident.Action} acted and verification saw the signal clear", incident)]);
        }

        if (now >= deadline)
        {
            var escalated = Escalate(
                incident with { VerificationAttempts = attempt },
                EscalationReasons.VerifyFailed,
                $"the signal did not clear within the verification window ({attempt} check(s), last: {result.Detail}); escalating rather than retrying",
                now);
            return escalated with { Before = incident, Records = [check, .. escalated.Records] };
        }

        var due = now + e.Interval;
        var waiting = incident with { NextDueAt = due < deadline ? due : deadline, Detail = $"verifying: {result.Detail}", VerificationAttempts = attempt, UpdatedAt = now };
        return new(incident, waiting, [check]);
    }

    private static Transition Answer(Incident incident, ApprovalAnswered e, DateTimeOffset now)
    {
        if (e.Approved)
        {
            var detail = $"{Who(e, e.By)} approved {incident.Action}{(string.IsNullOrWhiteSpace(e.Note) ? string.Empty : ": " + e.Note)}; the guardrails are checked again before it runs";
            var next = incident with { State = IncidentState.Open, ApprovedBy = e.By, NextDueAt = now, UpdatedAt = now, Detail = detail };
            return new(incident, next, [Entry(new ApprovalAnsweredPayload(true, e.By) { Note = e.Note, StatedBy = e.StatedBy }, detail, incident) with { Actor = e.By }]);
        }

        var rejected = $"{Who(e, e.By)} rejected {incident.Action}{(string.IsNullOrWhiteSpace(e.Note) ? string.Empty : ": " + e.Note)}";
        var escalated = incident with { State = IncidentState.Escalated, Reason = EscalationReasons.ApprovalRejected, Detail = rejected, NextDueAt = null, UpdatedAt = now };

        // A human said no: nobody else needs paging about it, and the approval request is no longer owed.
        return new(incident, escalated,
        [
            Entry(new ApprovalAnsweredPayload(false, e.By) { Note = e.Note, StatedBy = e.StatedBy }, rejected, incident) with { Actor = e.By },
            Entry(new EscalatedPayload(EscalationReasons.ApprovalRejected, rejected), $"escalated: {EscalationReasons.ApprovalRejected}: {rejected}", incident),
        ])
        { CancelNotifications = true };
    }

    /// <summary>The actor, and beside it the name the caller stated when that is another one.</summary>
    private static string Who(OperatorEvent e, string actor) =>
        string.IsNullOrEmpty(e.StatedBy) || e.StatedBy == actor ? actor : $"{actor} (stated by: {e.StatedBy})";

    private static Transition ResolveByHand(Incident incident, ResolvedByOperator e, DateTimeOffset now)
    {
        var detail = $"resolved by {Who(e, e.By)}{(string.IsNullOrWhiteSpace(e.Note) ? string.Empty : ": " + e.Note)} (was {incident.State.ToWord()}{(incident.Reason is null ? string.Empty : " " + incident.Reason)})";
        var next = incident with { State = IncidentState.Resolved, Detail = detail, NextDueAt = null, UpdatedAt = now };
        return new(incident, next, [Entry(new ResolvedPayload { By = e.By, Note = e.Note, StatedBy = e.StatedBy }, detail, incident) with { Actor = e.By }]) { CancelNotifications = true };
    }

    private static Transition Failed(Incident incident, ReconcileFailed e, DateTimeOffset now)
    {
        var failures = incident.FailedReconciles + 1;
        var record = Entry(new ReconcileFailedPayload(failures, e.Error), $"processing failed ({failures} of {e.MaxFailures}): {e.Error}", incident);
        if (failures >= e.MaxFailures && incident.State is not (IncidentState.Acting or IncidentState.Escalated))
        {
            var escalated = Escalate(
                incident with { FailedReconciles = failures },
                EscalationReasons.ActionFailed,
                $"Homeostat could not process this incident after {failures} attempts (last: {e.Error}); a human must look",
                now);
            return escalated with { Before = incident, Records = [record, .. escalated.Records] };
        }

        var backOff = TimeSpan.FromSeconds(30 * Math.Pow(2, Math.Min(failures - 1, 6)));
        return new(incident, incident with { FailedReconciles = failures, NextDueAt = now + backOff, UpdatedAt = now }, [record]);
    }

    private static AuditEntry Notified(Incident incident, NotificationAttempted e)
    {
        var r = e.Result;
        var next = e.NextAttemptAt is { } at ? $"; next attempt at {AuditChain.FormatTime(at)}" : string.Empty;
        var verdict = e.Outcome switch
        {
            NotificationOutcome.Delivered => "delivered",
            NotificationOutcome.Retrying => "not delivered, will retry",
            _ => "not delivered, given up",
        };
        return Entry(
            new NotifiedPayload(e.Entry.Notifier, r.Delivered, e.Entry.Attempts, r.Detail)
            {
                Reason = e.Entry.Reason,
                Outcome = e.Outcome.ToWord(),
                NotificationId = e.Entry.Id,
                NextAttemptAt = e.NextAttemptAt is { } t ? AuditChain.FormatTime(t) : null,
            },
            $"{e.Entry.Notifier}: {verdict} (attempt {e.Entry.Attempts}): {r.Detail}{next}",
            incident);
    }

    private static Transition Escalate(Incident incident, string reason, string detail, DateTimeOffset now, string? observed = null) =>
        new(incident, incident with { State = IncidentState.Escalated, Reason = reason, Detail = detail, NextDueAt = null, UpdatedAt = now },
            [Entry(new EscalatedPayload(reason, detail) { Observed = observed }, $"escalated: {reason}: {detail}", incident)])
        {
            Notify = new NotificationIntent(reason, detail),
        };

    private static Transition Records(Incident incident, params AuditEntry[] records) => new(incident, null, records);

    private static AuditEntry PreviewRecord(Incident incident, RemediationSpec remediation, ActionPreview preview, TimeSpan duration, bool dryRun) => Entry(
        new PreviewPayload(remediation.Action, dryRun, preview.CanRun, preview.Summary)
        {
            Premise = preview.Premise,
            Parameters = remediation.Parameters.Describe(),
            Changes = preview.Changes,
            DurationMs = Math.Round(duration.TotalMilliseconds, 1),
        },
        (dryRun ? "dry-run, nothing changed: " : "preview: ") + preview.Summary,
        incident);

    private static AuditEntry Entry(AuditPayload payload, string summary, Incident incident) => AuditEntry.Of(payload, summary, incident.Id, incident.Service);

    public static string Word(GuardrailDecision decision) => decision.Kind switch
    {
        DecisionKind.Act => "act",
        DecisionKind.DryRun => "dry_run",
        DecisionKind.PendingApproval => "pending_approval",
        _ => "escalated",
    };

    private static string? Shorten(string? text) => text is null ? null : text.Length > 60 ? text[..60] + "…" : text;
}
