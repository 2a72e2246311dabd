using Homeostat.Audit;
using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Remediation;
using Homeostat.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Healing;

/// <summary>
/// Moves one incident one step on, deciding from its recorded state rather than from whatever woke the worker:
/// a pending notification is delivered first; open → classify and decide; acting (found after a crash) → escalate,
/// never re-run; verifying → re-check the signal; pending approval past its deadline → escalate.
/// Every step is written with its audit records in one transaction.
/// </summary>
public sealed partial class IncidentReconciler(
    IHomeostatStore store,
    IClassifier classifier,
    IClassSetProvider classes,
    ICatalogProvider catalog,
    GuardrailPipeline guardrails,
    ActionRunner runner,
    VerifierSelector verifiers,
    EscalationDispatcher escalations,
    IOptionsMonitor<HealingOptions> options,
    TimeProvider timeProvider,
    ILogger<IncidentReconciler> logger)
{
    public const string PendingApprovalReason = "pending_approval";

    public async Task ReconcileAsync(Incident incident, CancellationToken cancellationToken)
    {
        if (incident.PendingNotification is not null)
        {
            var delivered = await DeliverNotificationAsync(incident, cancellationToken);
            if (delivered is null || delivered.PendingNotification is not null)
            {
                return;
            }

            incident = delivered;
        }

        var now = timeProvider.GetUtcNow();
        switch (incident.State)
        {
            case IncidentState.Open:
                await DecideAsync(incident, cancellationToken);
                break;
            case IncidentState.Acting:
                await EscalateAndNotifyAsync(incident, EscalationReasons.ActionFailed, $"the outcome of {incident.Action} is unknown: the worker running it stopped before recording a result; not retried", cancellationToken);
                break;
            case IncidentState.Verifying:
                await VerifyAsync(incident, cancellationToken);
                break;
            case IncidentState.PendingApproval when incident.ApprovalDeadline <= now:
                await EscalateAndNotifyAsync(incident, EscalationReasons.ApprovalExpired, $"nobody approved {incident.Action} before {AuditChain.FormatTime(incident.ApprovalDeadline!.Value)}", cancellationToken);
                break;
            default:
                if (incident.NextDueAt <= now)
                {
                    await SaveAsync(incident, i => i with { NextDueAt = null }, [], cancellationToken);
                }

                break;
        }
    }

    private async Task DecideAsync(Incident incident, CancellationToken cancellationToken)
    {
        var classification = incident.Classification ?? await ClassifyAsync(incident, cancellationToken);
        var currentCatalog = catalog.Current;
        var remediation = classification.IsUnknown ? null : currentCatalog.Find(classification.Class);

        var outcome = await store.WriteAsync<(Incident Incident, GuardrailDecision Decision)?>(
            async writer =>
            {
                var current = await writer.GetIncidentAsync(incident.Id, cancellationToken);
                if (current is null || current.Version != incident.Version || current.State != IncidentState.Open)
                {
                    return null;
                }

                var now = timeProvider.GetUtcNow();
                var classified = current with { Classification = classification, CatalogVersion = currentCatalog.Version };
                if (current.Classification is null)
                {
                    await writer.AppendAuditAsync(
                        AuditEntry.For(AuditTypes.Classified,
                            $"classified as {classification.Class} with confidence {classification.Confidence:0.00} by {classification.Classifier}: {classification.Reasoning}",
                            incident.Id, incident.Service, classification),
                        cancellationToken);
                }

                var decision = await guardrails.EvaluateAsync(new GuardrailContext(classified, classification, remediation, now, writer), cancellationToken);
                foreach (var verdict in decision.Verdicts)
                {
                    await writer.AppendAuditAsync(
                        AuditEntry.For(AuditTypes.Guardrail, $"{verdict.Guardrail}: {verdict.Kind.ToString().ToLowerInvariant()}: {verdict.Reason}", incident.Id, incident.Service, verdict),
                        cancellationToken);
                }

                var decided = Apply(classified, decision, remediation, now);
                await writer.AppendAuditAsync(
                    AuditEntry.For(AuditTypes.Decided, $"decision: {Word(decision)}: {decision.Detail}", incident.Id, incident.Service, new
                    {
                        decision = Word(decision),
                        reason = decision.EscalationReason,
                        detail = decision.Detail,
                        remediation = remediation?.Class,
                        action = remediation?.Action,
                        parameters = remediation?.Parameters.Describe(),
                        specHash = remediation?.SpecHash,
                        catalogVersion = currentCatalog.Version,
                        catalogLocation = remediation?.Location.ToString(),
                    }),
                    cancellationToken);

                switch (decision.Kind)
                {
                    case DecisionKind.Escalate:
                        await writer.AppendAuditAsync(EscalatedRecord(incident, decision.EscalationReason!, decision.Detail), cancellationToken);
                        if (decision.Blocking!.SuspendRemediation && remediation is not null)
                        {
                            var suspension = new Suspension(incident.Service, remediation.Class, remediation.Action, decision.Detail, now) { IncidentId = incident.Id };
                            await writer.SuspendAsync(suspension, cancellationToken);
                            await writer.AppendAuditAsync(
                                AuditEntry.For(AuditTypes.Suspended, $"suspended {remediation.Class} ({remediation.Action}) for {incident.Service} until a human resumes it", incident.Id, incident.Service, suspension),
                                cancellationToken);
                        }

                        break;
                    case DecisionKind.PendingApproval:
                        await writer.AppendAuditAsync(
                            AuditEntry.For(AuditTypes.ApprovalRequested, $"waiting until {AuditChain.FormatTime(decided.ApprovalDeadline!.Value)} for a human to approve {remediation!.Action}", incident.Id, incident.Service, new
                            {
                                action = remediation.Action,
                                parameters = remediation.Parameters.Describe(),
                                deadline = AuditChain.FormatTime(decided.ApprovalDeadline!.Value),
                            }),
                            cancellationToken);
                        break;
                    case DecisionKind.Act:
                        await writer.AppendAuditAsync(
                            AuditEntry.For(AuditTypes.ActionStarted, $"starting {remediation!.Action} for real", incident.Id, incident.Service, new
                            {
                                action = remediation.Action,
                                parameters = remediation.Parameters.Describe(),
                                dryRun = false,
                                specHash = remediation.SpecHash,
                                approvedBy = current.ApprovedBy,
                            }),
                            cancellationToken);
                        break;
                }

                await SaveOrThrowAsync(writer, decided, current.Version, cancellationToken);
                return (decided with { Version = current.Version + 1 }, decision);
            },
            cancellationToken);

        if (outcome is not { } result)
        {
            return;
        }

        LogDecided(logger, incident.Id, incident.Service, classification.Class, classification.Confidence, Word(result.Decision), result.Decision.EscalationReason ?? string.Empty);
        switch (result.Decision.Kind)
        {
            case DecisionKind.Escalate or DecisionKind.PendingApproval:
                await DeliverNotificationAsync(result.Incident, cancellationToken);
                break;
            case DecisionKind.DryRun:
                await PreviewOnlyAsync(result.Incident, remediation!, cancellationToken);
                break;
            case DecisionKind.Act:
                await ActAsync(result.Incident, remediation!);
                break;
        }
    }

    private async Task<Classification> ClassifyAsync(Incident incident, CancellationToken cancellationToken)
    {
        var set = classes.Current;
        try
        {
            var result = await classifier.ClassifyAsync(incident.Signal, set, cancellationToken);
            return set.Constrain(result) with { Id = incident.Signal.Id };
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Classification.UnknownFrom(classifier.Name, $"the classifier failed: {exception.GetType().Name}: {exception.Message}") with { Id = incident.Signal.Id };
        }
    }

    private Incident Apply(Incident incident, GuardrailDecision decision, RemediationSpec? remediation, DateTimeOffset now)
    {
        var common = incident with { UpdatedAt = now, Action = remediation?.Action, SpecHash = remediation?.SpecHash, Detail = decision.Detail };
        var settings = options.CurrentValue;
        return decision.Kind switch
        {
            DecisionKind.Escalate => Escalated(common, decision.EscalationReason!, decision.Detail, now),
            DecisionKind.DryRun => common with { State = IncidentState.DryRun, NextDueAt = null },
            DecisionKind.PendingApproval => common with
            {
                State = IncidentState.PendingApproval,
                ApprovalDeadline = now + settings.ApprovalTimeout.Value,
                PendingNotification = new NotificationIntent(PendingApprovalReason, decision.Detail),
                NextDueAt = now,
            },
            _ => common with
            {
                State = IncidentState.Acting,
                ActedForReal = true,

                // If this worker dies mid-action, another picks the incident up once the preview and the execution
                // could both have timed out, and escalates it rather than running it again.
                NextDueAt = now + (2 * settings.ActionTimeout.Value) + settings.ClaimLease.Value,
            },
        };
    }

    private async Task PreviewOnlyAsync(Incident incident, RemediationSpec remediation, CancellationToken cancellationToken)
    {
        var preview = await runner.PreviewAsync(new ActionRequest(incident.Id, incident.Signal, remediation), CancellationToken.None);
        await AppendAsync(PreviewRecord(incident, remediation, preview, dryRun: true));
        if (!preview.Result.CanRun)
        {
            await EscalateAndNotifyAsync(incident, EscalationReasons.ActionFailed, $"dry-run preview of {remediation.Action}: {preview.Result.Summary}", cancellationToken);
        }
    }

    /// <summary>
    /// Runs the action. Host shutdown does not cut it short (its own time limit does), and its outcome is recorded even
    /// while the host stops, so a deploy never leaves an action half-recorded.
    /// </summary>
    private async Task ActAsync(Incident incident, RemediationSpec remediation)
    {
        var request = new ActionRequest(incident.Id, incident.Signal, remediation);
        var preview = await runner.PreviewAsync(request, CancellationToken.None);
        await AppendAsync(PreviewRecord(incident, remediation, preview, dryRun: false));

        var outcome = preview.Result.CanRun
            ? await runner.ExecuteAsync(request, CancellationToken.None)
            : new TimedOutcome<ActionOutcome>(ActionOutcome.Failed($"not run: {preview.Result.Summary}"), preview.Duration);
        var now = timeProvider.GetUtcNow();
        var settings = options.CurrentValue;
        var verify = remediation.Verify ?? new VerifySpec(settings.Verify.After, settings.Verify.Timeout, settings.Verify.Interval);
        var failed = outcome.Result.Status == ActionStatus.Failed;
        var failureDetail = $"{remediation.Action} failed: {outcome.Result.Summary}";

        var saved = await store.WriteAsync(
            async writer =>
            {
                // Only this worker acts on a claimed incident, but a resolved notification may have arrived meanwhile
                // (keep it), or the incident may have been given up on as interrupted (then only record the late outcome).
                var current = await writer.GetIncidentAsync(incident.Id, CancellationToken.None) ?? incident;
                var late = current.State != IncidentState.Acting;
                await writer.AppendAuditAsync(
                    AuditEntry.For(
                        AuditTypes.ActionExecuted,
                        $"{remediation.Action} {outcome.Result.Status.ToString().ToLowerInvariant()}: {outcome.Result.Summary}{(late ? $" (late: the incident was already {current.State.ToWord()})" : string.Empty)}",
                        incident.Id,
                        incident.Service,
                        new
                        {
                            action = remediation.Action,
                            parameters = remediation.Parameters.Describe(),
                            dryRun = false,
                            status = outcome.Result.Status,
                            summary = outcome.Result.Summary,
                            changes = outcome.Result.Changes,
                            durationMs = Math.Round(outcome.Duration.TotalMilliseconds, 1),
                            late,
                        }),
                    CancellationToken.None);
                if (late)
                {
                    return null;
                }

                Incident next;
                if (failed)
                {
                    next = Escalated(current, EscalationReasons.ActionFailed, failureDetail, now);
                    await writer.AppendAuditAsync(EscalatedRecord(incident, EscalationReasons.ActionFailed, failureDetail), CancellationToken.None);
                }
                else
                {
                    next = current with
                    {
                        State = IncidentState.Verifying,
                        Detail = $"{remediation.Action}: {outcome.Result.Summary}; verifying from {verify.After} after, for up to {verify.Timeout}",
                        NextDueAt = current.SourceResolvedAt is null ? now + verify.After.Value : now,
                        VerifyDeadline = now + verify.Timeout.Value,
                        UpdatedAt = now,
                    };
                }

                await SaveOrThrowAsync(writer, next, current.Version, CancellationToken.None);
                return next with { Version = current.Version + 1 };
            },
            CancellationToken.None);

        LogActed(logger, incident.Id, remediation.Action, outcome.Result.Status.ToString(), outcome.Result.Summary);
        if (saved?.PendingNotification is not null)
        {
            await DeliverNotificationAsync(saved, CancellationToken.None);
        }
    }

    private async Task VerifyAsync(Incident incident, CancellationToken cancellationToken)
    {
        var verifier = verifiers.For(incident);
        VerificationResult result;
        try
        {
            result = await verifier.CheckAsync(incident, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = new VerificationResult(VerificationStatus.Error, $"the check failed: {exception.GetType().Name}: {exception.Message}");
        }

        var now = timeProvider.GetUtcNow();
        var attempt = incident.VerificationAttempts + 1;
        var deadline = incident.VerifyDeadline ?? now;
        var remediation = catalog.Current.Find(incident.Classification?.Class ?? string.Empty);
        var interval = remediation?.Verify?.Interval.Value ?? options.CurrentValue.Verify.Interval.Value;
        Incident next;
        string? escalation = null;
        if (result.IsCleared)
        {
            next = incident with { State = IncidentState.Remediated, Detail = $"verified: {result.Detail}", NextDueAt = null };
        }
        else if (now >= deadline)
        {
            escalation = $"the signal did not clear within the verification window ({attempt} check(s), last: {result.Detail}); escalating rather than retrying";
            next = Escalated(incident, EscalationReasons.VerifyFailed, escalation, now);
        }
        else
        {
            var due = now + interval;
            next = incident with { NextDueAt = due < deadline ? due : deadline, Detail = $"verifying: {result.Detail}" };
        }

        next = next with { VerificationAttempts = attempt, UpdatedAt = now };
        var records = new List<AuditEntry>
        {
            AuditEntry.For(AuditTypes.Verification, $"verification {attempt} by {verifier.Name}: {result.Status.ToString().ToLowerInvariant()}: {result.Detail}", incident.Id, incident.Service, new
            {
                verifier = verifier.Name,
                attempt,
                status = result.Status,
                detail = result.Detail,
                deadline = AuditChain.FormatTime(deadline),
            }),
        };
        if (result.IsCleared)
        {
            records.Add(AuditEntry.For(AuditTypes.Remediated, $"remediated: {incident.Action} acted and verification saw the signal clear", incident.Id, incident.Service, new { action = incident.Action }));
        }
        else if (escalation is not null)
        {
            records.Add(EscalatedRecord(incident, EscalationReasons.VerifyFailed, escalation));
        }

        var saved = await SaveAsync(incident, _ => next, records, cancellationToken);
        if (saved?.PendingNotification is not null)
        {
            await DeliverNotificationAsync(saved, cancellationToken);
        }
    }

    private async Task EscalateAndNotifyAsync(Incident incident, string reason, string detail, CancellationToken cancellationToken)
    {
        var escalated = await SaveAsync(
            incident,
            i => Escalated(i, reason, detail, timeProvider.GetUtcNow()),
            [EscalatedRecord(incident, reason, detail)],
            cancellationToken);
        if (escalated is not null)
        {
            await DeliverNotificationAsync(escalated, cancellationToken);
        }
    }

    /// <summary>Delivers the incident's pending notification and clears it once any notifier took it; retried a minute later otherwise.</summary>
    private async Task<Incident?> DeliverNotificationAsync(Incident incident, CancellationToken cancellationToken)
    {
        var intent = incident.PendingNotification!;
        var now = timeProvider.GetUtcNow();
        var results = await escalations.DispatchAsync(EscalationNotice.From(incident, intent.Reason, intent.Detail, now), cancellationToken);
        var delivered = results.Count == 0 || results.Any(r => r.Delivered);
        return await SaveAsync(
            incident,
            i => delivered
                ? i with { PendingNotification = null, NextDueAt = i.State == IncidentState.PendingApproval ? i.ApprovalDeadline : null }
                : i with { NextDueAt = now + TimeSpan.FromMinutes(1) },
            results.Select(r => AuditEntry.For(
                AuditTypes.Notified,
                $"{r.Notifier}: {(r.Delivered ? "delivered" : "not delivered")} after {r.Attempts} attempt(s): {r.Detail}",
                incident.Id,
                incident.Service,
                new { r.Notifier, r.Delivered, r.Attempts, r.Detail, reason = intent.Reason })).ToList(),
            CancellationToken.None);
    }

    private static Incident Escalated(Incident incident, string reason, string detail, DateTimeOffset now) => incident with
    {
        State = IncidentState.Escalated,
        Reason = reason,
        Detail = detail,
        PendingNotification = new NotificationIntent(reason, detail),
        NextDueAt = now,
        UpdatedAt = now,
    };

    private static AuditEntry EscalatedRecord(Incident incident, string reason, string detail) =>
        AuditEntry.For(AuditTypes.Escalated, $"escalated: {reason}: {detail}", incident.Id, incident.Service, new { reason, detail });

    private Task AppendAsync(AuditEntry entry) =>
        store.WriteAsync(
            async writer =>
            {
                await writer.AppendAuditAsync(entry, CancellationToken.None);
                return true;
            },
            CancellationToken.None);

    /// <summary>Writes a new version of the incident with its audit records, unless someone else changed it first.</summary>
    private Task<Incident?> SaveAsync(Incident incident, Func<Incident, Incident> change, IReadOnlyList<AuditEntry> records, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async writer =>
            {
                var current = await writer.GetIncidentAsync(incident.Id, cancellationToken);
                if (current is null || current.Version != incident.Version)
                {
                    return null;
                }

                var next = change(current);
                foreach (var record in records)
                {
                    await writer.AppendAuditAsync(record, cancellationToken);
                }

                await SaveOrThrowAsync(writer, next, current.Version, cancellationToken);
                return next with { Version = current.Version + 1 };
            },
            cancellationToken);

    private static async Task SaveOrThrowAsync(IStoreWriter writer, Incident incident, long expectedVersion, CancellationToken cancellationToken)
    {
        if (!await writer.UpdateIncidentAsync(incident, expectedVersion, cancellationToken))
        {
            throw new InvalidOperationException($"incident {incident.Id} changed inside a serialisable transaction");
        }
    }

    private static AuditEntry PreviewRecord(Incident incident, RemediationSpec remediation, TimedOutcome<ActionPreview> preview, bool dryRun) =>
        AuditEntry.For(
            dryRun ? AuditTypes.DryRun : AuditTypes.ActionPreviewed,
            (dryRun ? "dry-run, nothing changed: " : "preview: ") + preview.Result.Summary,
            incident.Id,
            incident.Service,
            new
            {
                action = remediation.Action,
                parameters = remediation.Parameters.Describe(),
                dryRun,
                canRun = preview.Result.CanRun,
                summary = preview.Result.Summary,
                changes = preview.Result.Changes,
                durationMs = Math.Round(preview.Duration.TotalMilliseconds, 1),
            });

    private static string Word(GuardrailDecision decision) => decision.Kind switch
    {
        DecisionKind.Act => "act",
        DecisionKind.DryRun => "dry_run",
        DecisionKind.PendingApproval => "pending_approval",
        _ => "escalated",
    };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Incident {IncidentId} for {Service}: class {Class} ({Confidence:0.00}), decision {Decision} {Reason}")]
    private static partial void LogDecided(ILogger logger, string incidentId, string service, string @class, double confidence, string decision, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Incident {IncidentId}: {Action} {Status}: {Summary}")]
    private static partial void LogActed(ILogger logger, string incidentId, string action, string status, string summary);
}
