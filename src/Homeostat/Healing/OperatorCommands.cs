using Homeostat.Catalog;

namespace Homeostat.Healing;

public sealed record OperatorResult(bool Changed, string Detail);

/// <summary>
/// Who carries out an operator command. <see cref="Actor"/> is the identity the audit trail records: the API token's
/// name when the call came through the API with a token, the local user offline. <see cref="StatedBy"/> is the name the
/// caller gave (<c>by</c>), recorded beside the actor as a comment, never as the identity.
/// </summary>
public sealed record OperatorCall(string Actor)
{
    public string? StatedBy { get; init; }

    /// <summary>Why, in the operator's words; recorded in the audit record of the answer.</summary>
    public string? Note { get; init; }
}

/// <summary>What a human does to incidents and the guardrails' state, from the API or the CLI; each is audited with who did it.</summary>
public sealed class OperatorCommands(IHomeostatStore store, ICatalogProvider catalog, TransitionWriter transitions, WorkSignal workSignal, TimeProvider timeProvider)
{
    public Task<OperatorResult> ResumeAsync(string service, string failureClass, string by, CancellationToken cancellationToken) =>
        ResumeAsync(service, failureClass, new OperatorCall(by), cancellationToken);

    public Task<OperatorResult> ResumeAsync(string service, string failureClass, OperatorCall call, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async writer =>
            {
                var now = timeProvider.GetUtcNow();
                if (!await writer.ResumeAsync(service, failureClass, call.Actor, now, cancellationToken))
                {
                    return new OperatorResult(false, $"'{failureClass}' is not suspended for '{service}'");
                }

                return await SaveAsync(writer, IncidentLifecycle.Apply(null, new Resumed(service, failureClass, call.Actor) { StatedBy = call.StatedBy }, now), cancellationToken);
            },
            cancellationToken);

    public Task<OperatorResult> PromoteAsync(string failureClass, string by, CancellationToken cancellationToken) =>
        PromoteAsync(failureClass, new OperatorCall(by), cancellationToken);

    public Task<OperatorResult> PromoteAsync(string failureClass, OperatorCall call, CancellationToken cancellationToken)
    {
        var remediation = catalog.Current.Find(failureClass);
        if (remediation is null)
        {
            return Task.FromResult(new OperatorResult(false, $"the catalog has no remediation for '{failureClass}'"));
        }

        return store.WriteAsync(
            async writer =>
            {
                var now = timeProvider.GetUtcNow();
                if (!await writer.PromoteAsync(failureClass, remediation.SpecHash, call.Actor, now, cancellationToken))
                {
                    return new OperatorResult(false, $"spec {remediation.SpecHash} of '{failureClass}' is already promoted");
                }

                return await SaveAsync(writer, IncidentLifecycle.Apply(null, new Promoted(failureClass, remediation.SpecHash, call.Actor) { StatedBy = call.StatedBy }, now), cancellationToken);
            },
            cancellationToken);
    }

    /// <summary>Approves the action a pending incident planned; the guardrails are evaluated again before it runs.</summary>
    public Task<OperatorResult> ApproveAsync(string incidentId, string by, CancellationToken cancellationToken) =>
        ApproveAsync(incidentId, new OperatorCall(by), cancellationToken);

    /// <summary>Approves the action a pending incident planned, the call's note recorded with the answer.</summary>
    public async Task<OperatorResult> ApproveAsync(string incidentId, OperatorCall call, CancellationToken cancellationToken)
    {
        var result = await ApplyAsync(incidentId, new ApprovalAnswered(true, call.Actor, call.Note) { StatedBy = call.StatedBy }, cancellationToken);
        if (result.Changed)
        {
            // The approved incident is due now; wake a worker rather than waiting for its next poll.
            workSignal.Notify();
        }

        return result;
    }

    public Task<OperatorResult> RejectAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        RejectAsync(incidentId, new OperatorCall(by) { Note = note }, cancellationToken);

    public Task<OperatorResult> RejectAsync(string incidentId, OperatorCall call, CancellationToken cancellationToken) =>
        ApplyAsync(incidentId, new ApprovalAnswered(false, call.Actor, call.Note) { StatedBy = call.StatedBy }, cancellationToken);

    /// <summary>A human closes an incident the source will not resolve (a log line, an API caller, a problem fixed by hand).</summary>
    public Task<OperatorResult> ResolveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        ResolveAsync(incidentId, new OperatorCall(by) { Note = note }, cancellationToken);

    public Task<OperatorResult> ResolveAsync(string incidentId, OperatorCall call, CancellationToken cancellationToken) =>
        ApplyAsync(incidentId, new ResolvedByOperator(call.Actor, call.Note) { StatedBy = call.StatedBy }, cancellationToken);

    /// <summary>
    /// A human says which class an incident really was. The label goes into the audit trail with the signal, and
    /// <c>homeostat train --from-audit</c> learns from it.
    /// </summary>
    public Task<OperatorResult> LabelAsync(string incidentId, string failureClass, string by, CancellationToken cancellationToken) =>
        LabelAsync(incidentId, failureClass, new OperatorCall(by), cancellationToken);

    public Task<OperatorResult> LabelAsync(string incidentId, string failureClass, OperatorCall call, CancellationToken cancellationToken)
    {
        if (!Diagnosis.FailureClasses.Seed.Contains(failureClass) && catalog.Current.Find(failureClass) is null && failureClass != Diagnosis.Classification.Unknown)
        {
            return Task.FromResult(new OperatorResult(false, $"'{failureClass}' is not a known class; use one of the catalog's classes or unknown"));
        }

        return ApplyAsync(incidentId, new LabelledByOperator(failureClass, call.Actor) { StatedBy = call.StatedBy }, cancellationToken);
    }

    private Task<OperatorResult> ApplyAsync(string incidentId, IncidentEvent @event, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async writer =>
            {
                var incident = await writer.GetIncidentAsync(incidentId, cancellationToken);
                if (incident is null)
                {
                    return new OperatorResult(false, $"no incident '{incidentId}'");
                }

                return IncidentLifecycle.TryApply(incident, @event, timeProvider.GetUtcNow(), out var transition, out var refusal)
                    ? await SaveAsync(writer, transition!, cancellationToken)
                    : new OperatorResult(false, refusal!);
            },
            cancellationToken);

    private async Task<OperatorResult> SaveAsync(IStoreWriter writer, Transition transition, CancellationToken cancellationToken)
    {
        await transitions.SaveAsync(writer, transition, cancellationToken);
        return new OperatorResult(true, transition.Records[0].Summary);
    }
}
