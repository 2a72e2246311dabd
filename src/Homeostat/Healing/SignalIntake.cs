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
public sealed class SignalIntake(IHomeostatStore store, WorkSignal workSignal, TimeProvider timeProvider)
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
        var service = SignalIdentity.ServiceOf(signal);
        var active = await writer.FindActiveIncidentAsync(fingerprint, cancellationToken);

        // Without a start time a delivery cannot be told from a new occurrence once its incident closed.
        var existing = active ?? (signal.StartsAt is null ? null : await writer.FindIncidentByDeliveryAsync(deliveryKey, cancellationToken));
        if (existing is not null)
        {
            if (active is not null && active.SourceResolvedAt is not null && active.DeliveryKey != deliveryKey)
            {
                // The source said resolved, then the problem came back while the action was being verified: it did not clear.
                var refired = active with { SourceResolvedAt = null, UpdatedAt = now };
                if (!await writer.UpdateIncidentAsync(refired, active.Version, cancellationToken))
                {
                    throw new InvalidOperationException($"incident {active.Id} changed inside a serialisable transaction");
                }

                var refiredDetail = $"the signal fired again after {active.Signal.Source} reported it resolved; incident {active.Id} ({active.State.ToWord()}) is not cleared";
                await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Duplicate, refiredDetail, active.Id, active.Service, new { signal, refired = true }), cancellationToken);
                return new IntakeResult(signal.Id, active.Id, IntakeDecision.Duplicate, refiredDetail);
            }

            var detail = $"repeated delivery of incident {existing.Id} ({existing.State.ToWord()}); not acted on again";
            await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Duplicate, detail, existing.Id, existing.Service, new { signal }), cancellationToken);
            return new IntakeResult(signal.Id, existing.Id, IntakeDecision.Duplicate, detail);
        }

        var incident = new Incident
        {
            Id = Guid.CreateVersion7(now).ToString("N")[..20],
            Fingerprint = fingerprint,
            DeliveryKey = deliveryKey,
            Service = service,
            State = IncidentState.Open,
            Detail = "received; waiting to be classified",
            Signal = signal,
            CreatedAt = now,
            UpdatedAt = now,
            NextDueAt = now,
        };
        await writer.InsertIncidentAsync(incident, cancellationToken);
        await writer.AppendAuditAsync(
            AuditEntry.For(AuditTypes.SignalReceived, $"{signal.Source} signal '{Describe(signal)}' opened incident {incident.Id} for {service}", incident.Id, service, new { signal, fingerprint }),
            cancellationToken);
        return new IntakeResult(signal.Id, incident.Id, IntakeDecision.Accepted, "opened a new incident");
    }

    private async Task<IntakeResult> ResolveAsync(IStoreWriter writer, Signal signal, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var fingerprint = SignalIdentity.FingerprintOf(signal);
        var incident = await writer.FindActiveIncidentAsync(fingerprint, cancellationToken);
        if (incident is null)
        {
            var detail = "resolved notification for no open incident; nothing to do";
            await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.SignalReceived, detail, null, SignalIdentity.ServiceOf(signal), new { signal, fingerprint }), cancellationToken);
            return new IntakeResult(signal.Id, null, IntakeDecision.Ignored, detail);
        }

        if (incident.SourceResolvedAt is not null)
        {
            var detail = $"repeated resolved notification for incident {incident.Id}";
            await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Duplicate, detail, incident.Id, incident.Service, new { signal }), cancellationToken);
            return new IntakeResult(signal.Id, incident.Id, IntakeDecision.Duplicate, detail);
        }

        Incident updated;
        string summary;
        if (incident.State is IncidentState.Acting or IncidentState.Verifying)
        {
            // The action's verification decides; make it look now.
            updated = incident with { SourceResolvedAt = now, UpdatedAt = now, NextDueAt = incident.State == IncidentState.Verifying ? now : incident.NextDueAt };
            summary = $"{signal.Source} reported the signal resolved while incident {incident.Id} was {incident.State.ToWord()}";
        }
        else
        {
            updated = incident with
            {
                State = IncidentState.Resolved,
                SourceResolvedAt = now,
                UpdatedAt = now,
                NextDueAt = null,
                Detail = incident.State == IncidentState.Open
                    ? $"{signal.Source} reported it resolved before any action"
                    : $"{signal.Source} reported it resolved after the incident was {incident.State.ToWord()}{(incident.Reason is null ? string.Empty : " (" + incident.Reason + ")")}",
            };
            summary = $"incident {incident.Id} resolved: {updated.Detail}";
        }

        if (!await writer.UpdateIncidentAsync(updated, incident.Version, cancellationToken))
        {
            throw new InvalidOperationException($"incident {incident.Id} changed inside a serialisable transaction");
        }

        await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Resolved, summary, incident.Id, incident.Service, new { signal }), cancellationToken);
        return new IntakeResult(signal.Id, incident.Id, IntakeDecision.Resolved, summary);
    }

    private static string Describe(Signal signal) => signal.Title ?? signal.Label("alertname") ?? Truncate(signal.Text) ?? "(untitled)";

    private static string? Truncate(string? text) => text is null ? null : text.Length > 60 ? text[..60] + "…" : text;
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
