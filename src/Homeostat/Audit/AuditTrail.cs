using System.Data.Common;
using System.Text.Json;
using Homeostat.Healing;
using Homeostat.Primitives;

namespace Homeostat.Audit;

/// <summary>Which records an export or a read covers; all of them when every field is null.</summary>
public sealed record AuditRange
{
    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    public string? IncidentId { get; init; }

    public bool IsWhole => Since is null && Until is null && IncidentId is null;
}

/// <summary>
/// One row of an incident's trail for the replay check, in incident order then sequence order. A row without
/// <see cref="Sequence"/> is an incident without records; <see cref="HasIncidentRow"/> false means records whose
/// incident has no row at all.
/// </summary>
public sealed record IncidentTrailRow(string IncidentId, bool HasIncidentRow, string? StoredState, string? Body, long? Sequence, string? Type, string? Payload);

/// <summary>The raw chain, streamed, for verification, checkpoints and export. The store implements it.</summary>
public interface IAuditTrail
{
    Task<AuditHead?> GetAuditHeadAsync(CancellationToken cancellationToken);

    /// <summary>The records in sequence order, every column as stored.</summary>
    IAsyncEnumerable<StoredAuditRow> ReadChainAsync(AuditRange range, CancellationToken cancellationToken);

    /// <summary>Every incident with its records (<see cref="IncidentTrailRow.Body"/> on the first row of each), then records whose incident has no row.</summary>
    IAsyncEnumerable<IncidentTrailRow> ReadIncidentTrailsAsync(CancellationToken cancellationToken);
}

/// <summary>The whole verification of a store: its chain, its checkpoints and its incidents against their records.</summary>
public static class AuditTrailVerification
{
    public static async Task<AuditChainReport> VerifyAsync(IAuditTrail trail, AuditKeyRing keys, IReadOnlyList<AuditCheckpoint> checkpoints, IReadOnlyList<string> checkpointProblems, CancellationToken cancellationToken)
    {
        var verifier = new AuditChainVerifier(keys, checkpoints);
        foreach (var problem in checkpointProblems)
        {
            verifier.Report(problem);
        }

        try
        {
            await foreach (var row in trail.ReadChainAsync(new AuditRange(), cancellationToken))
            {
                verifier.Add(row);
            }
        }
        catch (DbException exception)
        {
            verifier.Report($"the store cannot be read after record {verifier.HeadSequence ?? 0}: {exception.Message}");
        }

        verifier.EndOfChain();

        long incidents = 0;
        try
        {
            incidents = await CheckIncidentsAsync(trail, verifier, cancellationToken);
        }
        catch (DbException exception)
        {
            verifier.Report($"the incidents cannot be read: {exception.Message}");
        }

        return verifier.Finish(incidents);
    }

    /// <summary>Replays each incident's records and names every incident whose stored state they do not produce.</summary>
    public static async Task<long> CheckIncidentsAsync(IAuditTrail trail, AuditChainVerifier verifier, CancellationToken cancellationToken)
    {
        long count = 0;
        string? current = null;
        IncidentTrailRow? first = null;
        var replay = new IncidentReplay();
        var records = 0;
        await foreach (var row in trail.ReadIncidentTrailsAsync(cancellationToken))
        {
            if (row.IncidentId != current)
            {
                if (first is not null)
                {
                    Judge(first, replay, records, verifier);
                }

                current = row.IncidentId;
                first = row;
                replay = new IncidentReplay();
                records = 0;
                count++;
            }

            if (row.Sequence is { } seq)
            {
                records++;
                replay.Apply(seq, row.Type, row.Payload);
            }
        }

        if (first is not null)
        {
            Judge(first, replay, records, verifier);
        }

        return count;
    }

    /// <summary>Whether the incident's stored state is what its records replay to; the sentence saying why not otherwise.</summary>
    public static string? Disagreement(Incident incident, IReadOnlyList<AuditRecord> records)
    {
        var replay = new IncidentReplay();
        foreach (var record in records)
        {
            replay.Apply(record.Sequence, record.Type, record.Payload);
        }

        if (replay.Problem is not null)
        {
            return replay.Problem;
        }

        return replay.State == incident.State
            ? null
            : $"the stored state is {incident.State.ToWord()}, but its audit records say {replay.State?.ToWord() ?? "nothing (there are none)"}: the incident was changed outside Homeostat";
    }

    private static void Judge(IncidentTrailRow first, IncidentReplay replay, int records, AuditChainVerifier verifier)
    {
        var id = AuditChainVerifier.Printable(first.IncidentId);
        if (!first.HasIncidentRow)
        {
            verifier.Add(new AuditFinding(null, null, $"incident {id}: it has {records} audit record(s) but no row in the incidents table: the row was removed"));
            return;
        }

        if (replay.Problem is not null)
        {
            verifier.Add(new AuditFinding(null, null, $"incident {id}: {replay.Problem}"));
            return;
        }

        var expected = replay.State?.ToWord();
        if (expected is null)
        {
            verifier.Add(new AuditFinding(null, null, $"incident {id}: it has no audit records that say how it came to be {AuditChainVerifier.Printable(first.StoredState ?? "?")}"));
            return;
        }

        if (first.StoredState != expected)
        {
            verifier.Add(new AuditFinding(null, null, $"incident {id}: the incidents table says {AuditChainVerifier.Printable(first.StoredState ?? "nothing")}, but its audit records say {expected}: the row was changed outside Homeostat"));
        }

        string? bodyState;
        try
        {
            bodyState = first.Body is null ? null : JsonSerializer.Deserialize<Incident>(first.Body, HomeostatJson.Options)?.State.ToWord();
        }
        catch (JsonException)
        {
            verifier.Add(new AuditFinding(null, null, $"incident {id}: its stored body is not a readable incident"));
            return;
        }

        if (bodyState != expected)
        {
            verifier.Add(new AuditFinding(null, null, $"incident {id}: its stored body says {bodyState ?? "nothing"}, but its audit records say {expected}: the row was changed outside Homeostat"));
        }
    }
}
