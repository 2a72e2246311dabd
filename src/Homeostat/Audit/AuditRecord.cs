using System.Globalization;
using System.Text;
using System.Text.Json;
using Homeostat.Primitives;

namespace Homeostat.Audit;

/// <summary>What is appended: the store adds the sequence number, the time it was chained and the hashes.</summary>
public sealed record AuditEntry(string Type, string Summary)
{
    public string? IncidentId { get; init; }

    public string? Service { get; init; }

    public string Actor { get; init; } = "homeostat";

    /// <summary>Structured details as JSON. Never holds secrets: tokens and credentials are not passed here.</summary>
    public string Payload { get; init; } = "{}";

    /// <summary>What the store keeps in real columns beside the payload.</summary>
    public AuditFacts Facts { get; init; } = AuditFacts.None;

    /// <summary>An entry with a typed payload; its type and its columns come from the payload.</summary>
    public static AuditEntry Of(AuditPayload payload, string summary, string? incidentId, string? service) => new(payload.Type, summary)
    {
        IncidentId = incidentId,
        Service = service,
        Payload = AuditJson.Serialize(payload),
        Facts = payload.Facts,
    };
}

/// <summary>One append-only audit record, chained to the previous one by <see cref="PreviousHash"/>.</summary>
public sealed record AuditRecord
{
    public required long Sequence { get; init; }

    public required string Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? IncidentId { get; init; }

    public string? Service { get; init; }

    public required string Type { get; init; }

    public required string Actor { get; init; }

    public required string Summary { get; init; }

    public required string Payload { get; init; }

    public required string PreviousHash { get; init; }

    public required string Hash { get; init; }

    public string? Action { get; init; }

    public bool? DryRun { get; init; }

    public string? Class { get; init; }

    public string? Decision { get; init; }

    /// <summary>What produced <see cref="Hash"/>: <see cref="AuditChain.Sha256"/> (also when null: records of earlier releases) or <see cref="AuditChain.HmacSha256"/>.</summary>
    public string? Algorithm { get; init; }

    /// <summary>The fingerprint of the key a keyed record was written with (<see cref="AuditKey.Id"/>), never the key.</summary>
    public string? KeyId { get; init; }

    /// <summary>The typed payload; null when the record is of another type or its payload does not read as one.</summary>
    public T? Read<T>()
        where T : AuditPayload => AuditJson.Read<T>(this);

    public JsonElement PayloadJson()
    {
        using var document = JsonDocument.Parse(Payload);
        return document.RootElement.Clone();
    }
}

/// <summary>
/// The tamper-evident chain: each record's hash covers its content and the previous record's hash. Unkeyed records
/// (those of earlier releases, or written without a key) use plain SHA-256, which anyone who can write the store can
/// recompute; keyed records use HMAC-SHA256 over the same content plus the algorithm and key id, which only the key's
/// holder can.
/// </summary>
public static class AuditChain
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public const string Sha256 = "sha256";

    public const string HmacSha256 = "hmac-sha256";

    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The text a record's hash is computed over; <paramref name="at"/> is the stored text of its time.</summary>
    public static string Canonical(long sequence, string id, string at, string? incidentId, string? service, string type, string actor, string summary, string payload, string previousHash) =>
        new StringBuilder()
            .Append(sequence.ToString(CultureInfo.InvariantCulture)).Append('\u001f')
            .Append(id).Append('\u001f')
            .Append(at).Append('\u001f')
            .Append(incidentId).Append('\u001f')
            .Append(service).Append('\u001f')
            .Append(type).Append('\u001f')
            .Append(actor).Append('\u001f')
            .Append(summary).Append('\u001f')
            .Append(payload).Append('\u001f')
            .Append(previousHash)
            .ToString();

    /// <summary>The hash of a record with this canonical text: keyed with <paramref name="key"/>, plain SHA-256 without one.</summary>
    public static string Seal(string canonical, AuditKey? key) =>
        key is null ? Hashing.Sha256Hex(canonical) : key.Sign(KeyedText(canonical, key.Id));

    /// <summary>What a keyed record's HMAC covers: the algorithm and key id too, so neither can be swapped unnoticed.</summary>
    public static string KeyedText(string canonical, string keyId) => canonical + '\u001f' + HmacSha256 + '\u001f' + keyId;

    public static string ComputeHash(long sequence, string id, DateTimeOffset at, string? incidentId, string? service, string type, string actor, string summary, string payload, string previousHash) =>
        Seal(Canonical(sequence, id, FormatTime(at), incidentId, service, type, actor, summary, payload, previousHash), null);

    public static string ComputeHash(AuditRecord record) => ComputeHash(
        record.Sequence, record.Id, record.At, record.IncidentId, record.Service, record.Type, record.Actor, record.Summary, record.Payload, record.PreviousHash);
}

public sealed record AuditQuery
{
    public string? Service { get; init; }

    public string? IncidentId { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    public string? Type { get; init; }

    /// <summary>Only records with a sequence number above this one: the cursor of the previous page's last record.</summary>
    public long? AfterSequence { get; init; }

    public int Limit { get; init; } = 1000;
}

/// <summary>The record types of the trail; every path of the loop writes at least one.</summary>
public static class AuditTypes
{
    public const string SignalReceived = "signal_received";
    public const string Duplicate = "duplicate";
    public const string Classified = "classified";
    public const string Guardrail = "guardrail";
    public const string Decided = "decided";
    public const string ActionPreviewed = "action_previewed";
    public const string ActionStarted = "action_started";
    public const string ActionExecuted = "action_executed";
    public const string Verification = "verification";
    public const string Remediated = "remediated";
    public const string DryRun = "dry_run";
    public const string Escalated = "escalated";
    public const string Notified = "notified";
    public const string Resolved = "resolved";
    public const string Suspended = "suspended";
    public const string Resumed = "resumed";
    public const string ShadowStarted = "shadow_started";
    public const string Promoted = "promoted";
    public const string ApprovalRequested = "approval_requested";
    public const string ApprovalAnswered = "approval_answered";
    public const string ReconcileFailed = "reconcile_failed";
    public const string Labelled = "labelled";
    public const string TruncatedAlerts = "truncated_alerts";
    public const string ResolvedUnmatched = "resolved_unmatched";
}
