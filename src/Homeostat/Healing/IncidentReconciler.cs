using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Guardrails;
using Homeostat.Remediation;
using Homeostat.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Healing;

/// <summary>
/// Moves one incident one step on, deciding from its recorded state rather than from whatever woke the worker:
/// open → classify and decide; acting (found after a crash) → escalate, never re-run; verifying → re-check the
/// signal; pending approval past its deadline → escalate. It does the I/O (classifier, guardrails' reads, actions,
/// verifiers); what each result means for the incident is <see cref="IncidentLifecycle"/>'s to say, and each step is
/// saved with its audit records in one transaction.
/// </summary>
public sealed partial class IncidentReconciler(
    IHomeostatStore store,
    DeclaredClassifier classifier,
    IClassSetProvider classes,
    ICatalogProvider catalog,
    GuardrailPipeline guardrails,
    ActionRunner runner,
    VerifierSelector verifiers,
    TransitionWriter transitions,
    IOptionsMonitor<HealingOptions> options,
    TimeProvider timeProvider,
    ILogger<IncidentReconciler> logger)
{
    public const string PendingApprovalReason = IncidentLifecycle.PendingApprovalReason;

    public async Task ReconcileAsync(Incident incident, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        switch (incident.State)
        {
            case IncidentState.Open:
                await DecideAsync(incident, cancellationToken);
                break;
            case IncidentState.Acting:
                await ApplyAsync(incident, new ActionInterrupted(), cancellationToken);
                break;
            case IncidentState.Verifying:
                await VerifyAsync(incident, cancellationToken);
                break;
            case IncidentState.PendingApproval when incident.ApprovalDeadline <= now:
                await ApplyAsync(incident, new ApprovalExpired(), cancellationToken);
                break;
            case IncidentState.PendingApproval:
                break;
            default:
                if (incident.NextDueAt <= now)
                {
                    await ApplyAsync(incident, new Settled(), cancellationToken);
                }

                break;
        }
    }

    private async Task DecideAsync(Incident incident, CancellationToken cancellationToken)
    {
        var classification = incident.Classification ?? await ClassifyAsync(incident, cancellationToken);
        var currentCatalog = catalog.Current;
        var remediation = classification.IsUnknown ? null : currentCatalog.Find(classification.Class);
        var settings = options.CurrentValue;

        var outcome = await store.WriteAsync<(Incident Incident, GuardrailDecision Decision)?>(
            async writer =>
            {
                var current = await writer.GetIncidentAsync(incident.Id, cancellationToken);
                if (current is null || current.Version != incident.Version || current.State != IncidentState.Open)
                {
                    return null;
                }

                var now = timeProvider.GetUtcNow();
                var classified = IncidentLifecycle.Apply(current, new Classified(classification, currentCatalog.Version), now);
                var decision = await guardrails.EvaluateAsync(new GuardrailContext(classified.Current!, classification, remediation, now, writer), cancellationToken);
                // The preview and the execution share one action timeout (see ActAsync), and the lease covers recording
                // the outcome: a worker still alive has always finished by then, so an incident still acting is interrupted.
                var actingGrace = settings.ActionTimeout.Value + settings.ClaimLease.Value;
                var decided = classified.Then(new Decided(decision, remediation, currentCatalog.Version, settings.ApprovalTimeout.Value, actingGrace), now);
                var saved = await transitions.SaveAsync(writer, decided, cancellationToken);
                return (saved!, decision);
            },
            cancellationToken);

        if (outcome is not { } result)
        {
            return;
        }

        LogDecided(logger, incident.Id, incident.Service, classification.Class, classification.Confidence, IncidentLifecycle.Word(result.Decision), result.Decision.EscalationReason ?? string.Empty);
        switch (result.Decision.Kind)
        {
            case DecisionKind.DryRun:
                var preview = await runner.PreviewAsync(new ActionRequest(incident.Id, incident.Signal, remediation!) { Targets = currentCatalog.Targets }, CancellationToken.None);
                await ApplyToCurrentAsync(incident.Id, new DryRunPreviewed(remediation!, preview.Result, preview.Duration));
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

    /// <summary>
    /// Runs the action. Host shutdown does not cut it short (its own time limit does), and its outcome is recorded even
    /// while the host stops, so a deploy never leaves an action half-recorded. The preview and the execution share one
    /// <see cref="HealingOptions.ActionTimeout"/>, so the incident is never acting for longer than that plus the time to
    /// record the outcome.
    /// </summary>
    private async Task ActAsync(Incident incident, RemediationSpec remediation)
    {
        var request = new ActionRequest(incident.Id, incident.Signal, remediation) { Targets = catalog.Current.Targets };
        var settings = options.CurrentValue;
        var started = timeProvider.GetTimestamp();
        var preview = await runner.PreviewAsync(request, CancellationToken.None, settings.ActionTimeout.Value);
        await ApplyToCurrentAsync(incident.Id, new ActionPreviewed(remediation, preview.Result, preview.Duration));

        var left = settings.ActionTimeout.Value - timeProvider.GetElapsedTime(started);
        var outcome = !preview.Result.CanRun
            ? new TimedOutcome<ActionOutcome>(NotRun(preview.Result), preview.Duration)
            : left <= TimeSpan.Zero
                ? new TimedOutcome<ActionOutcome>(ActionOutcome.Failed($"not run: the preview used up the action timeout ({settings.ActionTimeout})"), TimeSpan.Zero)
                : await runner.ExecuteAsync(request, CancellationToken.None, left);
        var verify = remediation.Verify ?? new VerifySpec(settings.Verify.After, settings.Verify.Timeout, settings.Verify.Interval);

        // Only this worker acts on a claimed incident, but a resolved notification may have arrived meanwhile, or the
        // incident may have been given up on as interrupted: the outcome applies to the incident as it is now.
        await ApplyToCurrentAsync(incident.Id, new ActionFinished(remediation, outcome.Result, outcome.Duration, verify));
        LogActed(logger, incident.Id, remediation.Action, outcome.Result.Status.ToString(), outcome.Result.Summary);
    }

    /// <summary>
    /// The outcome of an action whose preview said it cannot run: a premise that does not hold or a target it cannot
    /// resolve keeps its verdict (nothing changed either way); anything else is a failure to act.
    /// </summary>
    private static ActionOutcome NotRun(ActionPreview preview) => preview.Premise switch
    {
        { Verdict: PremiseVerdict.NotMet } premise => ActionOutcome.PremiseNotMet(premise.Observed),
        { Verdict: PremiseVerdict.NotApplicable } premise => ActionOutcome.NotApplicable(premise.Observed),
        _ => ActionOutcome.Failed($"not run: {preview.Summary}"),
    };

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

        var remediation = catalog.Current.Find(incident.Classification?.Class ?? string.Empty);
        var interval = remediation?.Verify?.Interval.Value ?? options.CurrentValue.Verify.Interval.Value;
        await ApplyAsync(incident, new VerificationChecked(verifier.Name, result, interval), cancellationToken);
    }

    /// <summary>Applies one event and saves it, unless someone else changed the incident first.</summary>
    private Task<Incident?> ApplyAsync(Incident incident, IncidentEvent @event, CancellationToken cancellationToken) =>
        store.WriteAsync(writer => transitions.ApplyAsync(writer, incident.Id, incident.Version, @event, cancellationToken), cancellationToken);

    /// <summary>Records the outcome of work already under way against the incident as it is now; not cancelled by shutdown.</summary>
    private Task<Incident?> ApplyToCurrentAsync(string incidentId, IncidentEvent @event) =>
        store.WriteAsync(writer => transitions.ApplyAsync(writer, incidentId, expectedVersion: null, @event, CancellationToken.None), CancellationToken.None);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Incident {IncidentId} for {Service}: class {Class} ({Confidence:0.00}), decision {Decision} {Reason}")]
    private static partial void LogDecided(ILogger logger, string incidentId, string service, string @class, double confidence, string decision, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Incident {IncidentId}: {Action} {Status}: {Summary}")]
    private static partial void LogActed(ILogger logger, string incidentId, string action, string status, string summary);
}
