using Homeostat.Catalog;

namespace Homeostat.Healing;

public sealed record OperatorResult(bool Changed, string Detail);

/// <summary>What a human does to incidents and the guardrails' state, from the API or the CLI; each is audited with who did it.</summary>
public sealed class OperatorCommands(IHomeostatStore store, ICatalogProvider catalog, TransitionWriter transitions, WorkSignal workSignal, TimeProvider timeProvider)
{
    public Task<OperatorResult> ResumeAsync(string service, string failureClass, string by, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async writer =>
            {
                var now = timeProvider.GetUtcNow();
                if (!await writer.ResumeAsync(service, failureClass, by, now, cancellationToken))
                {
                    return new OperatorResult(false, $"'{failureClass}' is not suspended for '{service}'");
                }

                return await SaveAsync(writer, IncidentLifecycle.Apply(null, new Resumed(service, failureClass, by), now), cancellationToken);
            },
            cancellationToken);

    public Task<OperatorResult> PromoteAsync(string failureClass, string by, CancellationToken cancellationToken)
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
                if (!await writer.PromoteAsync(failureClass, remediation.SpecHash, by, now, cancellationToken))
                {
                    return new OperatorResult(false, $"spec {remediation.SpecHash} of '{failureClass}' is already promoted");
                }

                return await SaveAsync(writer, IncidentLifecycle.Apply(null, new Promoted(failureClass, remediation.SpecHash, by), now), cancellationToken);
            },
            cancellationToken);
    }

    /// <summary>Approves the action a pending incident planned; the guardrails are evaluated again before it runs.</summary>
    public async Task<OperatorResult> ApproveAsync(string incidentId, string by, CancellationToken cancellationToken)
    {
        var result = await ApplyAsync(incidentId, new ApprovalAnswered(true, by, null), cancellationToken);
        if (result.Changed)
        {
            // The approved incident is due now; wake a worker rather than waiting for its next poll.
            workSignal.Notify();
        }

        return result;
    }

    public Task<OperatorResult> RejectAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        ApplyAsync(incidentId, new ApprovalAnswered(false, by, note), cancellationToken);

    /// <summary>A human closes an incident the source will not resolve (a log line, an API caller, a problem fixed by hand).</summary>
    public Task<OperatorResult> ResolveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        ApplyAsync(incidentId, new ResolvedByOperator(by, note), cancellationToken);

    /// <summary>
    /// A human says which class an incident really was. The label goes into the audit trail with the signal, and
    /// <c>homeostat train --from-audit</c> learns from it.
    /// </summary>
    public Task<OperatorResult> LabelAsync(string incidentId, string failureClass, string by, CancellationToken cancellationToken)
    {
        if (!Diagnosis.FailureClasses.Seed.Contains(failureClass) && catalog.Current.Find(failureClass) is null && failureClass != Diagnosis.Classification.Unknown)
        {
            return Task.FromResult(new OperatorResult(false, $"'{failureClass}' is not a known class; use one of the catalog's classes or unknown"));
        }

        return ApplyAsync(incidentId, new LabelledByOperator(failureClass, by), cancellationToken);
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
