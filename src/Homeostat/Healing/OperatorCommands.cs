using Homeostat.Audit;
using Homeostat.Catalog;

namespace Homeostat.Healing;

public sealed record OperatorResult(bool Changed, string Detail);

/// <summary>What a human does to the guardrails' state, from the API or the CLI; each is audited with who did it.</summary>
public sealed class OperatorCommands(IHomeostatStore store, ICatalogProvider catalog, WorkSignal workSignal, TimeProvider timeProvider)
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

                var detail = $"{by} resumed '{failureClass}' for '{service}'; it may act again within its rate limit";
                await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Resumed, detail, null, service, new { service, @class = failureClass }) with { Actor = by }, cancellationToken);
                return new OperatorResult(true, detail);
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

                var detail = $"{by} promoted spec {remediation.SpecHash} of '{failureClass}' out of its shadow period; it may now act for real";
                await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Promoted, detail, null, null, new { @class = failureClass, specHash = remediation.SpecHash }) with { Actor = by }, cancellationToken);
                return new OperatorResult(true, detail);
            },
            cancellationToken);
    }

    /// <summary>Approves the action a pending incident planned; the guardrails are evaluated again before it runs.</summary>
    public async Task<OperatorResult> ApproveAsync(string incidentId, string by, CancellationToken cancellationToken)
    {
        var result = await AnswerAsync(incidentId, by, approved: true, note: null, cancellationToken);
        if (result.Changed)
        {
            // The approved incident is due now; wake a worker rather than waiting for its next poll.
            workSignal.Notify();
        }

        return result;
    }

    public Task<OperatorResult> RejectAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        AnswerAsync(incidentId, by, approved: false, note, cancellationToken);

    /// <summary>A human closes an incident the source will not resolve (a log line, an API caller, a problem fixed by hand).</summary>
    public Task<OperatorResult> ResolveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async writer =>
            {
                var incident = await writer.GetIncidentAsync(incidentId, cancellationToken);
                if (incident is null)
                {
                    return new OperatorResult(false, $"no incident '{incidentId}'");
                }

                if (incident.IsClosed || incident.State == IncidentState.Acting)
                {
                    return new OperatorResult(false, $"incident {incidentId} is {incident.State.ToWord()}; only an incident that is not closed or acting can be resolved by hand");
                }

                var now = timeProvider.GetUtcNow();
                var detail = $"resolved by {by}{(string.IsNullOrWhiteSpace(note) ? string.Empty : ": " + note)} (was {incident.State.ToWord()}{(incident.Reason is null ? string.Empty : " " + incident.Reason)})";
                await SaveAsync(writer, incident, incident with { State = IncidentState.Resolved, Detail = detail, NextDueAt = null, PendingNotification = null, UpdatedAt = now }, cancellationToken);
                await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Resolved, detail, incident.Id, incident.Service, new { by, note }) with { Actor = by }, cancellationToken);
                return new OperatorResult(true, detail);
            },
            cancellationToken);

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

        return store.WriteAsync(
            async writer =>
            {
                var incident = await writer.GetIncidentAsync(incidentId, cancellationToken);
                if (incident is null)
                {
                    return new OperatorResult(false, $"no incident '{incidentId}'");
                }

                var detail = $"{by} labelled incident {incident.Id} as {failureClass} (classified {incident.Classification?.Class ?? "not yet"})";
                await writer.AppendAuditAsync(
                    AuditEntry.For(AuditTypes.Labelled, detail, incident.Id, incident.Service, new { label = failureClass, classified = incident.Classification?.Class, signal = incident.Signal }) with { Actor = by },
                    cancellationToken);
                return new OperatorResult(true, detail);
            },
            cancellationToken);
    }

    private Task<OperatorResult> AnswerAsync(string incidentId, string by, bool approved, string? note, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async writer =>
            {
                var incident = await writer.GetIncidentAsync(incidentId, cancellationToken);
                if (incident is null)
                {
                    return new OperatorResult(false, $"no incident '{incidentId}'");
                }

                if (incident.State != IncidentState.PendingApproval)
                {
                    return new OperatorResult(false, $"incident {incidentId} is {incident.State.ToWord()}, not pending_approval");
                }

                var now = timeProvider.GetUtcNow();
                Incident next;
                string detail;
                if (approved)
                {
                    detail = $"{by} approved {incident.Action}; the guardrails are checked again before it runs";
                    next = incident with { State = IncidentState.Open, ApprovedBy = by, NextDueAt = now, UpdatedAt = now, Detail = detail };
                }
                else
                {
                    detail = $"{by} rejected {incident.Action}{(string.IsNullOrWhiteSpace(note) ? string.Empty : ": " + note)}";
                    next = incident with
                    {
                        State = IncidentState.Escalated,
                        Reason = EscalationReasons.ApprovalRejected,
                        Detail = detail,
                        NextDueAt = null,
                        PendingNotification = null,
                        UpdatedAt = now,
                    };
                }

                await SaveAsync(writer, incident, next, cancellationToken);
                await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.ApprovalAnswered, detail, incident.Id, incident.Service, new { approved, by, note }) with { Actor = by }, cancellationToken);
                if (!approved)
                {
                    await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Escalated, $"escalated: {EscalationReasons.ApprovalRejected}: {detail}", incident.Id, incident.Service, new { reason = EscalationReasons.ApprovalRejected, detail }), cancellationToken);
                }

                return new OperatorResult(true, detail);
            },
            cancellationToken);

    private static async Task SaveAsync(IStoreWriter writer, Incident current, Incident next, CancellationToken cancellationToken)
    {
        if (!await writer.UpdateIncidentAsync(next, current.Version, cancellationToken))
        {
            throw new InvalidOperationException($"incident {current.Id} changed inside a serialisable transaction");
        }
    }
}
