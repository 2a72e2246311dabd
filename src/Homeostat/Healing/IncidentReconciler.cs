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
/// open → classify and decide; acting (found after a crash) → escalate, never re-run; verifying → re-check the signal.
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
    public async Task ReconcileAsync(Incident incident, CancellationToken cancellationToken)
    {
        switch (incident.State)
        {
            case IncidentState.Open:
                await DecideAsync(incident, cancellationToken);
                break;
            case IncidentState.Acting:
                await EscalateInterruptedAsync(incident, cancellationToken);
                break;
            case IncidentState.Verifying:
                await VerifyAsync(incident, cancellationToken);
                break;
            default:
                await SaveAsync(incident, i => i with { NextDueAt = null }, [], cancellationToken);
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
                await writer.AppendAuditAsync(
                    AuditEntry.For(AuditTypes.Classified,
                        $"classified as {classification.Class} with confidence {classification.Confidence:0.00} by {classification.Classifier}: {classification.Reasoning}",
                        incident.Id, incident.Service, classification),
                    cancellationToken);

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

                if (decision.Kind == DecisionKind.Escalate)
                {
                    await writer.AppendAuditAsync(
                        AuditEntry.For(AuditTypes.Escalated, $"escalated: {decision.EscalationReason}: {decision.Detail}", incident.Id, incident.Service, new { reason = decision.EscalationReason, detail = decision.Detail }),
                        cancellationToken);
                    if (decision.Blocking!.SuspendRemediation && remediation is not null)
                    {
                        var suspension = new Suspension(incident.Service, remediation.Class, remediation.Action, decision.Detail, now) { IncidentId = incident.Id };
                        await writer.SuspendAsync(suspension, cancellationToken);
                        await writer.AppendAuditAsync(
                            AuditEntry.For(AuditTypes.Suspended, $"suspended {remediation.Class} ({remediation.Action}) for {incident.Service} until a human resumes it", incident.Id, incident.Service, suspension),
                            cancellationToken);
                    }
                }
                else if (decision.Kind == DecisionKind.PendingApproval)
                {
                    await writer.AppendAuditAsync(
                        AuditEntry.For(AuditTypes.ApprovalRequested, $"waiting for a human to approve {remediation!.Action}", incident.Id, incident.Service, new { action = remediation.Action, parameters = remediation.Parameters.Describe() }),
                        cancellationToken);
                }
                else if (decision.Kind == DecisionKind.Act)
                {
                    await writer.AppendAuditAsync(
                        AuditEntry.For(AuditTypes.ActionStarted, $"starting {remediation!.Action} for real", incident.Id, incident.Service, new
                        {
                            action = remediation.Action,
                            parameters = remediation.Parameters.Describe(),
                            dryRun = false,
                            specHash = remediation.SpecHash,
                        }),
                        cancellationToken);
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
            case DecisionKind.Escalate:
                await NotifyAsync(result.Incident, result.Decision.EscalationReason!, result.Decision.Detail, cancellationToken);
                break;
            case DecisionKind.PendingApproval:
                await NotifyAsync(result.Incident, "pending_approval", result.Decision.Detail, cancellationToken);
                break;
            case DecisionKind.DryRun:
                await PreviewOnlyAsync(result.Incident, remediation!, cancellationToken);
                break;
            case DecisionKind.Act:
                await ActAsync(result.Incident, remediation!, cancellationToken);
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
        return decision.Kind switch
        {
            DecisionKind.Escalate => common with { State = IncidentState.Escalated, Reason = decision.EscalationReason, NextDueAt = null },
            DecisionKind.DryRun => common with { State = IncidentState.DryRun, NextDueAt = null },
            DecisionKind.PendingApproval => common with { State = IncidentState.PendingApproval, NextDueAt = null },
            _ => common with
            {
                State = IncidentState.Acting,
                ActedForReal = true,

                // If this worker dies mid-action, another picks the incident up after the action's time limit and escalates it.
                NextDueAt = now + options.CurrentValue.ActionTimeout.Value + options.CurrentValue.ClaimLease.Value,
            },
        };
    }

    private async Task PreviewOnlyAsync(Incident incident, RemediationSpec remediation, CancellationToken cancellationToken)
    {
        var request = new ActionRequest(incident.Id, incident.Signal, remediation);
        var preview = await runner.PreviewAsync(request, cancellationToken);
        await store.WriteAsync(
            async writer =>
            {
                await writer.AppendAuditAsync(PreviewRecord(incident, remediation, preview, dryRun: true), cancellationToken);
                return true;
            },
            cancellationToken);

        if (!preview.Result.CanRun)
        {
            var detail = $"dry-run preview of {remediation.Action}: {preview.Result.Summary}";
            if (await EscalateAsync(incident, EscalationReasons.ActionFailed, detail, cancellationToken) is { } escalated)
            {
                await NotifyAsync(escalated, EscalationReasons.ActionFailed, detail, cancellationToken);
            }
        }
    }

    private async Task ActAsync(Incident incident, RemediationSpec remediation, CancellationToken cancellationToken)
    {
        var request = new ActionRequest(incident.Id, incident.Signal, remediation);
        var preview = await runner.PreviewAsync(request, cancellationToken);
        await store.WriteAsync(
            async writer =>
            {
                await writer.AppendAuditAsync(PreviewRecord(incident, remediation, preview, dryRun: false), cancellationToken);
                return true;
            },
            cancellationToken);

        var outcome = preview.Result.CanRun
            ? await runner.ExecuteAsync(request, cancellationToken)
            : new TimedOutcome<ActionOutcome>(ActionOutcome.Failed($"not run: {preview.Result.Summary}"), preview.Duration);
        var now = timeProvider.GetUtcNow();
        var verify = remediation.Verify ?? new VerifySpec(options.CurrentValue.Verify.After, options.CurrentValue.Verify.Timeout, options.CurrentValue.Verify.Interval);
        var failed = outcome.Result.Status == ActionStatus.Failed;
        var failureDetail = $"{remediation.Action} failed: {outcome.Result.Summary}";
        Incident Next(Incident current) => failed
            ? current with { State = IncidentState.Escalated, Reason = EscalationReasons.ActionFailed, Detail = failureDetail, NextDueAt = null, UpdatedAt = now }
            : current with
            {
                State = IncidentState.Verifying,
                Detail = $"{remediation.Action}: {outcome.Result.Summary}; verifying from {verify.After} after, for up to {verify.Timeout}",
                NextDueAt = now + verify.After.Value,
                VerifyDeadline = now + verify.Timeout.Value,
                UpdatedAt = now,
            };

        var saved = await store.WriteAsync(
            async writer =>
            {
                await writer.AppendAuditAsync(
                    AuditEntry.For(AuditTypes.ActionExecuted, $"{remediation.Action} {outcome.Result.Status.ToString().ToLowerInvariant()}: {outcome.Result.Summary}", incident.Id, incident.Service, new
                    {
                        action = remediation.Action,
                        parameters = remediation.Parameters.Describe(),
                        dryRun = false,
                        status = outcome.Result.Status,
                        summary = outcome.Result.Summary,
                        changes = outcome.Result.Changes,
                        durationMs = Math.Round(outcome.Duration.TotalMilliseconds, 1),
                    }),
                    cancellationToken);
                if (failed)
                {
                    await writer.AppendAuditAsync(
                        AuditEntry.For(AuditTypes.Escalated, $"escalated: {EscalationReasons.ActionFailed}: {failureDetail}", incident.Id, incident.Service, new { reason = EscalationReasons.ActionFailed, detail = failureDetail }),
                        cancellationToken);
                }

                // Only this worker acts on a claimed incident, but a resolved notification may have arrived meanwhile: keep it.
                var current = await writer.GetIncidentAsync(incident.Id, cancellationToken) ?? incident;
                var next = Next(current);
                await SaveOrThrowAsync(writer, next, current.Version, cancellationToken);
                return next with { Version = current.Version + 1 };
            },
            cancellationToken);

        LogActed(logger, incident.Id, remediation.Action, outcome.Result.Status.ToString(), outcome.Result.Summary);
        if (failed)
        {
            await NotifyAsync(saved, EscalationReasons.ActionFailed, saved.Detail!, cancellationToken);
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
            next = incident with { State = IncidentState.Escalated, Reason = EscalationReasons.VerifyFailed, Detail = escalation, NextDueAt = null };
        }
        else
        {
            var due = now + interval;
            next = incident with { NextDueAt = due < deadline ? due : deadline, Detail = $"verifying: {result.Detail}" };
        }

        next = next with { VerificationAttempts = attempt, UpdatedAt = now };
        var saved = await SaveAsync(
            incident,
            _ => next,
            [
                AuditEntry.For(AuditTypes.Verification, $"verification {attempt} by {verifier.Name}: {result.Status.ToString().ToLowerInvariant()}: {result.Detail}", incident.Id, incident.Service, new
                {
                    verifier = verifier.Name,
                    attempt,
                    status = result.Status,
                    detail = result.Detail,
                    deadline = AuditChain.FormatTime(deadline),
                }),
                .. result.IsCleared
                    ? [AuditEntry.For(AuditTypes.Remediated, $"remediated: {incident.Action} acted and verification saw the signal clear", incident.Id, incident.Service, new { action = incident.Action })]
                    : escalation is null
                        ? Array.Empty<AuditEntry>()
                        : [AuditEntry.For(AuditTypes.Escalated, $"escalated: {EscalationReasons.VerifyFailed}: {escalation}", incident.Id, incident.Service, new { reason = EscalationReasons.VerifyFailed, detail = escalation })],
            ],
            cancellationToken);

        if (saved is not null && escalation is not null)
        {
            await NotifyAsync(saved, EscalationReasons.VerifyFailed, escalation, cancellationToken);
        }
    }

    private async Task EscalateInterruptedAsync(Incident incident, CancellationToken cancellationToken)
    {
        var detail = $"the outcome of {incident.Action} is unknown: the worker running it stopped before recording a result; not retried";
        if (await EscalateAsync(incident, EscalationReasons.ActionFailed, detail, cancellationToken) is { } escalated)
        {
            await NotifyAsync(escalated, EscalationReasons.ActionFailed, detail, cancellationToken);
        }
    }

    private Task<Incident?> EscalateAsync(Incident incident, string reason, string detail, CancellationToken cancellationToken) =>
        SaveAsync(
            incident,
            i => i with { State = IncidentState.Escalated, Reason = reason, Detail = detail, NextDueAt = null, UpdatedAt = timeProvider.GetUtcNow() },
            [AuditEntry.For(AuditTypes.Escalated, $"escalated: {reason}: {detail}", incident.Id, incident.Service, new { reason, detail })],
            cancellationToken);

    private async Task NotifyAsync(Incident incident, string reason, string detail, CancellationToken cancellationToken)
    {
        var results = await escalations.DispatchAsync(EscalationNotice.From(incident, reason, detail, timeProvider.GetUtcNow()), cancellationToken);
        if (results.Count == 0)
        {
            return;
        }

        await store.WriteAsync(
            async writer =>
            {
                foreach (var result in results)
                {
                    await writer.AppendAuditAsync(
                        AuditEntry.For(AuditTypes.Notified, $"{result.Notifier}: {(result.Delivered ? "delivered" : "not delivered")} after {result.Attempts} attempt(s): {result.Detail}", incident.Id, incident.Service, result),
                        cancellationToken);
                }

                return true;
            },
            cancellationToken);
    }

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
