using Homeostat.Audit;
using Homeostat.Signals;

namespace Homeostat.Healing;

public enum IntakeDecision
{
    /// <summary>A new incident was opened for the signal.</summary>
    Accepted,

    /// <summary>A repeated delivery of a signal already handled; nothing acts again.</summary>
    Duplicate,

    /// <summary>The source reported the signal resolved and its incident was updated.</summary>
    Resolved,

    /// <summary>A resolution for which no open incident exists; recorded, nothing else.</summary>
    Ignored,
}

public sealed record IntakeResult(string SignalId, string? IncidentId, IntakeDecision Decision, string Detail);

/// <summary>
/// Turns signals into incidents, atomically per batch: a firing signal either opens an incident or is recorded
/// as a duplicate; a resolved signal resolves the open incident with its fingerprint.
/// </summary>
public sealed class SignalIntake(IHomeostatStore store, TransitionWriter transitions, WorkSignal workSignal, TimeProvider timeProvider)
{
    public Task<IReadOnlyList<IntakeResult>> IngestAsync(IReadOnlyList<Signal> signals, CancellationToken cancellationToken) =>
        IngestAsync(signals, note: null, cancellationToken);

    /// <summary>Ingests a batch; <paramref name="note"/>, when given, is audited in the same transaction (e.g. a truncated Alertmanager group).</summary>
    public async Task<IReadOnlyList<IntakeResult>> IngestAsync(IReadOnlyList<Signal> signals, AuditEntry? note, CancellationToken cancellationToken)
    {
        var results = await store.WriteAsync<IReadOnlyList<IntakeResult>>(
            async writer =>
            {
                if (note is not null)
                {
                    await writer.AppendAuditAsync(note, cancellationToken);
                }

                var batch = new List<IntakeResult>(signals.Count);
                foreach (var signal in signals)
                {
                    batch.Add(signal.Status == SignalStatus.Resolved
                        ? await ResolveAsync(writer, signal, cancellationToken)
                        : await OpenAsync(writer, signal, cancellationToken));
                }

                return batch;
            },
            cancellationToken);

        if (results.Any(r => r.Decision is IntakeDecision.Accepted or IntakeDecision.Resolved))
        {
            workSignal.Notify();
        }

        return results;
    }

    private async Task<IntakeResult> OpenAsync(IStoreWriter writer, Signal signal, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var fingerprint = SignalIdentity.FingerprintOf(signal);
        var deliveryKey = Incident.DeliveryKeyOf(fingerprint, signal);
        var active = await writer.FindActiveIncidentAsync(fingerprint, cancellationToken);

        // Without a start time a delivery cannot be told from a new occurrence once its incident closed.
        var existing = active ?? (signal.StartsAt is null ? null : await writer.FindIncidentByDeliveryAsync(deliveryKey, cancellationToken));
        if (existing is not null)
        {
            // The source said resolved, then the problem came back while the action was being verified: it did not clear.
            IncidentEvent repeated = active is not null && active.SourceResolvedAt is not null && active.DeliveryKey != deliveryKey
                ? new SignalRefired(signal)
                : new DeliveryRepeated(signal);
            var transition = IncidentLifecycle.Apply(existing, repeated, now);
            await transitions.SaveAsync(writer, transition, cancellationToken);
            return new IntakeResult(signal.Id, existing.Id, IntakeDecision.Duplicate, transition.Records[0].Summary);
        }

        var opened = IncidentLifecycle.Apply(
            null,
            new SignalOpened(Guid.CreateVersion7(now).ToString("N")[..20], signal, fingerprint, deliveryKey, SignalIdentity.ServiceOf(signal)),
            now);
        await transitions.SaveAsync(writer, opened, cancellationToken);
        return new IntakeResult(signal.Id, opened.Next!.Id, IntakeDecision.Accepted, "opened a new incident");
    }

    private async Task<IntakeResult> ResolveAsync(IStoreWriter writer, Signal signal, CancellationToken cancellationToken)
    {
        var fingerprint = SignalIdentity.FingerprintOf(signal);
        var incident = await writer.FindActiveIncidentAsync(fingerprint, cancellationToken);
        if (incident is null)
        {
            var detail = "resolved notification for no open incident; nothing to do";
            await writer.AppendAuditAsync(AuditEntry.Of(ResolvedUnmatchedPayload.Of(signal, fingerprint), detail, null, SignalIdentity.ServiceOf(signal)), cancellationToken);
            return new IntakeResult(signal.Id, null, IntakeDecision.Ignored, detail);
        }

        var transition = IncidentLifecycle.Apply(incident, new SourceResolved(signal), timeProvider.GetUtcNow());
        await transitions.SaveAsync(writer, transition, cancellationToken);
        var decision = transition.Next is null ? IntakeDecision.Duplicate : IntakeDecision.Resolved;
        return new IntakeResult(signal.Id, incident.Id, decision, transition.Records[0].Summary);
    }
}

public static class IncidentStateWords
{
    public static string ToWord(this IncidentState state) => state switch
    {
        IncidentState.Open => "open",
        IncidentState.Acting => "acting",
        IncidentState.Verifying => "verifying",
        IncidentState.PendingApproval => "pending_approval",
        IncidentState.Remediated => "remediated",
        IncidentState.DryRun => "dry_run",
        IncidentState.Escalated => "escalated",
        IncidentState.Resolved => "resolved",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string word, out IncidentState state)
    {
        foreach (var candidate in Enum.GetValues<IncidentState>())
        {
            if (candidate.ToWord() == word)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
