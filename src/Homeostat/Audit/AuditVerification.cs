using System.Globalization;
using System.Text.Json;
using Homeostat.Healing;
using Homeostat.Remediation;

namespace Homeostat.Audit;

/// <summary>
/// One audit row as stored, every column as text (null when empty), before anything is parsed: a verifier must be able
/// to name a record whose time or payload no longer reads.
/// </summary>
public sealed record StoredAuditRow
{
    public required long Sequence { get; init; }

    public string? Id { get; init; }

    public string? At { get; init; }

    public string? IncidentId { get; init; }

    public string? Service { get; init; }

    public string? Type { get; init; }

    public string? Actor { get; init; }

    public string? Summary { get; init; }

    public string? Payload { get; init; }

    public string? PreviousHash { get; init; }

    public string? Hash { get; init; }

    public string? Action { get; init; }

    /// <summary>"1", "0" or null as stored.</summary>
    public string? DryRun { get; init; }

    public string? Class { get; init; }

    public string? Decision { get; init; }

    public string? Algorithm { get; init; }

    public string? KeyId { get; init; }
}

/// <summary>One problem a verification found: the record (when there is one) and what is wrong, in a sentence.</summary>
public sealed record AuditFinding(long? Sequence, string? RecordId, string Problem)
{
    public override string ToString() => Sequence is { } seq ? $"record {seq}{(RecordId is null ? string.Empty : $" ({RecordId})")}: {Problem}" : Problem;
}

/// <summary>What a verification checked and found; <see cref="Limits"/> says plainly what it could not detect.</summary>
public sealed record AuditChainReport
{
    public long RecordsChecked { get; init; }

    public long KeyedRecords { get; init; }

    /// <summary>Keyed records whose HMAC could not be checked because their key was not given.</summary>
    public long KeyedUnchecked { get; init; }

    public long UnkeyedRecords { get; init; }

    public long IncidentsChecked { get; init; }

    public long CheckpointsChecked { get; init; }

    public long? HeadSequence { get; init; }

    public string? HeadHash { get; init; }

    public IReadOnlyList<AuditFinding> Findings { get; init; } = [];

    /// <summary>Findings beyond those listed (a damaged store can hold many; the first ones say enough).</summary>
    public long MoreFindings { get; init; }

    public IReadOnlyList<string> Limits { get; init; } = [];

    public bool IsIntact => Findings.Count == 0;

    public AuditFinding? FirstBroken => Findings.Count == 0 ? null : Findings[0];

    public string? Problem => FirstBroken?.ToString();
}

/// <summary>
/// Walks a chain record by record (streamed, in sequence order) and collects every problem: gaps, broken links,
/// hashes and HMACs that do not match, unkeyed records after keyed ones, query columns that disagree with their
/// payload, times and payloads that do not parse, and disagreement with checkpoints taken earlier.
/// </summary>
public sealed class AuditChainVerifier
{
    public const int MaxListedFindings = 50;

    private readonly AuditKeyRing _keys;
    private readonly Dictionary<long, List<AuditCheckpoint>> _checkpointsBySequence;
    private readonly IReadOnlyList<AuditCheckpoint> _checkpoints;
    private readonly List<AuditFinding> _findings = [];
    private long _moreFindings;
    private long _expectedSequence;
    private string? _expectedPrevious;
    private long _records;
    private long _keyed;
    private long _keyedUnchecked;
    private long _unkeyed;
    private long? _firstKeyedSequence;
    private long? _headSequence;
    private string? _headHash;
    private readonly bool _linked;
    private bool _firstRow = true;
    private bool _ended;

    /// <param name="firstSequence">The sequence number the rows start at (1 for a whole store; an export may start later).</param>
    /// <param name="previousHash">The hash the first row must point at; null when it cannot be known (a partial export).</param>
    /// <param name="linked">False for rows that are not consecutive (one incident's): each is checked on its own, not its links.</param>
    public AuditChainVerifier(AuditKeyRing keys, IReadOnlyList<AuditCheckpoint>? checkpoints = null, long firstSequence = 1, string? previousHash = AuditChain.GenesisHash, bool linked = true)
    {
        _linked = linked;
        _keys = keys;
        _checkpoints = checkpoints ?? [];
        _checkpointsBySequence = _checkpoints.GroupBy(c => c.Sequence).ToDictionary(g => g.Key, g => g.ToList());
        _expectedSequence = firstSequence;
        _expectedPrevious = previousHash;
    }

    public long? HeadSequence => _headSequence;

    public string? HeadHash => _headHash;

    public void Add(StoredAuditRow row)
    {
        _records++;
        var seq = row.Sequence;
        if (_firstRow && _expectedSequence <= 0)
        {
            _expectedSequence = seq;
        }

        if (_linked && seq != _expectedSequence)
        {
            Report(row, seq > _expectedSequence
                ? (_firstRow && _expectedSequence == 1
                    ? $"the trail starts at record {seq}: records 1 to {seq - 1} were removed"
                    : $"record {_expectedSequence}{(seq - 1 > _expectedSequence ? $" to {seq - 1}" : string.Empty)} is missing: the next record is {seq}")
                : $"record {seq} is out of order (expected {_expectedSequence})");
        }

        _firstRow = false;
        _expectedSequence = seq + 1;

        var missing = new[] { ("id", row.Id), ("at", row.At), ("type", row.Type), ("actor", row.Actor), ("summary", row.Summary), ("payload", row.Payload), ("prev_hash", row.PreviousHash), ("hash", row.Hash) }
            .Where(c => c.Item2 is null).Select(c => c.Item1).ToList();
        if (missing.Count > 0)
        {
            Report(row, $"column(s) {string.Join(", ", missing)} are empty");
        }
        else
        {
            if (_linked && _expectedPrevious is not null && row.PreviousHash != _expectedPrevious)
            {
                Report(row, $"does not point at the hash of record {seq - 1}: a record before it was changed, removed or rewritten");
            }

            CheckTime(row);
            CheckHash(row);
            CheckPayload(row);
        }

        CheckCheckpoints(row);
        _expectedPrevious = row.Hash;
        _headSequence = seq;
        _headHash = row.Hash;
    }

    /// <summary>Something wrong that is not one record's: a store that cannot be read further, a damaged checkpoint.</summary>
    public void Report(string problem) => Add(new AuditFinding(null, null, problem));

    /// <summary>Checks the checkpoints against where the chain ended; call once every row was added (<see cref="Finish"/> does when nobody did).</summary>
    public void EndOfChain()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        foreach (var checkpoint in _checkpoints)
        {
            CheckSignature(checkpoint);
            if (_headSequence is null || checkpoint.Sequence > _headSequence)
            {
                Report(_headSequence is null
                    ? $"the store holds no records, but the checkpoint of {checkpoint.At} saw record {checkpoint.Sequence} (hash {Short(checkpoint.Hash)}): the store was emptied or replaced"
                    : $"the trail ends at record {_headSequence}, but the checkpoint of {checkpoint.At} saw record {checkpoint.Sequence}: records {_headSequence + 1} to {checkpoint.Sequence} were removed (a truncated tail)");
            }
        }
    }

    public AuditChainReport Finish(long incidentsChecked = 0)
    {
        EndOfChain();

        var limits = new List<string>();
        if (!_keys.HasKeys)
        {
            limits.Add(_keyed > 0
                ? $"no key was given: the HMAC of {_keyedUnchecked} keyed record(s) was not checked, only their links"
                : "the chain is not keyed: it shows records edited or removed in place, but someone with write access to the store can rewrite records and recompute every later hash, and that is not detected");
        }
        else if (_unkeyed > 0)
        {
            limits.Add($"{_unkeyed} record(s) were written without a key (before one was configured): they are checked with plain SHA-256, which someone with write access could recompute");
        }

        if (_checkpoints.Count == 0)
        {
            limits.Add("no checkpoints were given: removing records from the end, or emptying or replacing the whole store, is not detected (pass --checkpoints DIR)");
        }
        else if (_checkpoints.Any(c => c.Signature is null))
        {
            limits.Add("some checkpoints are unsigned (written without a key): whoever can write the checkpoint file could have changed them");
        }

        return new AuditChainReport
        {
            RecordsChecked = _records,
            KeyedRecords = _keyed,
            KeyedUnchecked = _keyedUnchecked,
            UnkeyedRecords = _unkeyed,
            IncidentsChecked = incidentsChecked,
            CheckpointsChecked = _checkpoints.Count,
            HeadSequence = _headSequence,
            HeadHash = _headHash,
            Findings = _findings,
            MoreFindings = _moreFindings,
            Limits = limits,
        };
    }

    public void Add(AuditFinding finding)
    {
        if (_findings.Count < MaxListedFindings)
        {
            _findings.Add(finding);
        }
        else
        {
            _moreFindings++;
        }
    }

    private void Report(StoredAuditRow row, string problem) => Add(new AuditFinding(row.Sequence, row.Id, problem));

    private void CheckTime(StoredAuditRow row)
    {
        if (!DateTimeOffset.TryParseExact(row.At, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            Report(row, $"its time '{Printable(row.At!)}' is not a time Homeostat writes");
        }
    }

    private void CheckHash(StoredAuditRow row)
    {
        var canonical = AuditChain.Canonical(row.Sequence, row.Id!, row.At!, row.IncidentId, row.Service, row.Type!, row.Actor!, row.Summary!, row.Payload!, row.PreviousHash!);
        switch (row.Algorithm)
        {
            case null or AuditChain.Sha256:
                _unkeyed++;
                if (_firstKeyedSequence is { } keyedAt)
                {
                    Report(row, $"is not keyed although record {keyedAt} before it was: it was written without the key, or the chain was rewritten from here by someone without it");
                }

                if (AuditChain.Seal(canonical, null) != row.Hash)
                {
                    Report(row, "was changed after it was written: its content no longer matches its hash");
                }

                break;
            case AuditChain.HmacSha256:
                _keyed++;
                _firstKeyedSequence ??= row.Sequence;
                if (_keys.Find(row.KeyId) is { } key)
                {
                    if (!key.Verifies(AuditChain.KeyedText(canonical, key.Id), row.Hash))
                    {
                        Report(row, $"was changed after it was written: its HMAC (key {key.Id}) does not match its content");
                    }
                }
                else if (_keys.HasKeys)
                {
                    Report(row, $"is keyed with key {Printable(row.KeyId ?? "(none)")}, which is not among the keys given ({string.Join(", ", _keys.All.Select(k => k.Id))}): add it to audit.previous_key_files, or the record was forged");
                }
                else
                {
                    _keyedUnchecked++;
                }

                break;
            default:
                Report(row, $"names an unknown hash algorithm '{Printable(row.Algorithm)}'");
                break;
        }
    }

    private void CheckPayload(StoredAuditRow row)
    {
        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(row.Payload!);
            payload = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            Report(row, $"its payload is not JSON ({exception.Message})");
            return;
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            Report(row, "its payload is not a JSON object");
            return;
        }

        var typed = AuditJson.ReadAny(row.Type!, row.Payload!)?.Facts;
        var generic = GenericFacts(row.Type!, payload);
        var mismatched = new List<string>();
        Compare("action", row.Action, typed?.Action, generic.Action);
        Compare("dry_run", row.DryRun, Bit(typed?.DryRun), Bit(generic.DryRun));
        Compare("class", row.Class, typed?.Class, generic.Class);
        Compare("decision", row.Decision, typed?.Decision, generic.Decision);
        if (mismatched.Count > 0)
        {
            Report(row, $"its query column(s) disagree with its payload: {string.Join("; ", mismatched)}");
        }

        void Compare(string column, string? stored, string? fromType, string? fromJson)
        {
            if (stored != fromJson && !(typed is not null && stored == fromType))
            {
                mismatched.Add($"{column} is {Show(stored)}, the payload says {Show(fromType ?? fromJson)}");
            }
        }
    }

    /// <summary>The columns as migration 2 derived them from the JSON of a record of an earlier release.</summary>
    private static AuditFacts GenericFacts(string type, JsonElement payload)
    {
        string? Text(string name) => payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        bool? dryRun = payload.TryGetProperty("dryRun", out var d) && d.ValueKind is JsonValueKind.True or JsonValueKind.False ? d.GetBoolean() : null;
        var cls = type switch
        {
            AuditTypes.Classified or AuditTypes.Suspended or AuditTypes.Resumed or AuditTypes.Promoted => Text("class"),
            AuditTypes.Decided => Text("remediation"),
            AuditTypes.Labelled => Text("label"),
            _ => null,
        };
        return new AuditFacts(Text("action"), dryRun, cls, type == AuditTypes.Decided ? Text("decision") : null);
    }

    private void CheckCheckpoints(StoredAuditRow row)
    {
        if (!_checkpointsBySequence.TryGetValue(row.Sequence, out var checkpoints))
        {
            return;
        }

        foreach (var checkpoint in checkpoints.Where(c => c.Hash != row.Hash))
        {
            Report(row, $"its hash {Short(row.Hash)} is not the hash {Short(checkpoint.Hash)} the checkpoint of {checkpoint.At} saw: the chain was rewritten or the store replaced");
        }
    }

    private void CheckSignature(AuditCheckpoint checkpoint)
    {
        if (checkpoint.Signature is null)
        {
            if (_keys.HasKeys)
            {
                Report($"the checkpoint of {checkpoint.At} (record {checkpoint.Sequence}) is unsigned although a key is configured: it was written without the key, or added by hand");
            }

            return;
        }

        if (_keys.Find(checkpoint.KeyId) is { } key)
        {
            if (!checkpoint.IsSignedBy(key))
            {
                Report($"the checkpoint of {checkpoint.At} (record {checkpoint.Sequence}) does not match its signature: the checkpoint file was edited");
            }
        }
        else if (_keys.HasKeys)
        {
            Report($"the checkpoint of {checkpoint.At} (record {checkpoint.Sequence}) is signed with key {Printable(checkpoint.KeyId ?? "(none)")}, which is not among the keys given");
        }
    }

    private static string? Bit(bool? value) => value is { } b ? (b ? "1" : "0") : null;

    private static string Show(string? value) => value is null ? "empty" : $"'{Printable(value)}'";

    internal static string Short(string? hash) => hash is null ? "(none)" : hash.Length > 16 ? hash[..16] + "…" : hash;

    internal static string Printable(string text) => IncidentStory.Clean(text.Length > 80 ? text[..80] + "…" : text);
}

/// <summary>
/// The state an incident's own records imply, replayed record by record as <see cref="IncidentLifecycle"/> writes
/// them: every state change leaves a record of a type that says what the state became.
/// </summary>
public sealed class IncidentReplay
{
    public IncidentState? State { get; private set; }

    /// <summary>Why the replay could not go on (a record that does not read); null when it did.</summary>
    public string? Problem { get; private set; }

    public void Apply(long sequence, string? type, string? payload)
    {
        if (Problem is not null || type is null || payload is null)
        {
            return;
        }

        IncidentState? next = type switch
        {
            AuditTypes.SignalReceived => IncidentState.Open,
            AuditTypes.Decided => Read<DecidedPayload>(sequence, type, payload)?.Decision switch
            {
                "act" => IncidentState.Acting,
                "dry_run" => IncidentState.DryRun,
                "pending_approval" => IncidentState.PendingApproval,
                _ => null,
            },
            AuditTypes.ActionStarted => Read<ActionStartedPayload>(sequence, type, payload) is { DryRun: false } ? IncidentState.Acting : null,
            AuditTypes.ActionExecuted => Read<ActionExecutedPayload>(sequence, type, payload) is { Late: false, DryRun: false } executed && executed.Status is ActionStatus.Succeeded or ActionStatus.NoChange && State == IncidentState.Acting
                ? IncidentState.Verifying
                : null,
            AuditTypes.Remediated => IncidentState.Remediated,
            AuditTypes.Escalated => IncidentState.Escalated,
            AuditTypes.Resolved => Read<ResolvedPayload>(sequence, type, payload) is { } resolved
                && (resolved.By is not null || State is not (IncidentState.Acting or IncidentState.Verifying))
                    ? IncidentState.Resolved
                    : null,
            AuditTypes.ApprovalAnswered => Read<ApprovalAnsweredPayload>(sequence, type, payload) is { Approved: true } ? IncidentState.Open : null,
            _ => null,
        };
        if (next is { } state)
        {
            State = state;
        }
    }

    private T? Read<T>(long sequence, string type, string payload)
        where T : AuditPayload
    {
        if (AuditJson.ReadAny(type, payload) is T typed)
        {
            return typed;
        }

        Problem = $"its record {sequence} ({type}) does not read as one, so its state cannot be replayed";
        return null;
    }
}
