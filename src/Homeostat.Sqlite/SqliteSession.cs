using System.Globalization;
using System.Text.Json;
using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Healing;
using Homeostat.Primitives;
using Microsoft.Data.Sqlite;

namespace Homeostat.Sqlite;

/// <summary>The store's queries over one connection, inside a write transaction or not.</summary>
internal sealed class SqliteSession(SqliteConnection connection, SqliteTransaction? transaction, TimeProvider timeProvider, AuditKey? auditKey = null) : IStoreWriter
{
    private const string IncidentColumns = "body, version";

    internal const string AuditColumns = "seq, id, at, incident_id, service, type, actor, summary, payload, prev_hash, hash, action, dry_run, class, decision, alg, key_id";

    private const string OutboxColumns = "id, incident_id, notifier, reason, detail, created_at, attempts, next_attempt_at, status, last_detail";

    public async Task<Incident?> GetIncidentAsync(string id, CancellationToken cancellationToken) =>
        await SingleIncidentAsync($"SELECT {IncidentColumns} FROM incidents WHERE id = $id", cancellationToken, ("$id", id));

    public async Task<IReadOnlyList<Incident>> ListIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken)
    {
        using var command = Command($"""
            SELECT {IncidentColumns} FROM incidents
            WHERE ($service IS NULL OR service = $service)
              AND ($state IS NULL OR state = $state)
              AND ($since IS NULL OR created_at >= $since)
              AND ($before_at IS NULL OR created_at < $before_at OR (created_at = $before_at AND id < $before_id))
            ORDER BY created_at DESC, id DESC LIMIT $limit
            """);
        command.Parameters.AddWithValue("$before_at", query.Before is { } before ? AuditChain.FormatTime(before.CreatedAt) : DBNull.Value);
        command.Parameters.AddWithValue("$before_id", (object?)query.Before?.Id ?? DBNull.Value);
        command.Parameters.AddWithValue("$service", (object?)query.Service ?? DBNull.Value);
        command.Parameters.AddWithValue("$state", query.State is { } state ? state.ToWord() : DBNull.Value);
        command.Parameters.AddWithValue("$since", query.Since is { } since ? AuditChain.FormatTime(since) : DBNull.Value);
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, 10_000));
        return await ReadIncidentsAsync(command, cancellationToken);
    }

    public async Task<int> CountExecutionsAsync(string service, string action, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // A run whose action found its premise missing or its target out of reach changed nothing: it is not a real run.
        using var command = Command("""
            SELECT COUNT(*) FROM audit AS started
            WHERE started.type = $type AND started.service = $service AND started.action = $action AND started.dry_run = 0 AND started.at >= $since
              AND NOT EXISTS (
                SELECT 1 FROM audit AS executed
                WHERE executed.incident_id = started.incident_id AND executed.seq > started.seq AND executed.type = $executed
                  AND json_extract(executed.payload, '$.status') IN ('premise_not_met', 'not_applicable'))
            """);
        command.Parameters.AddWithValue("$type", AuditTypes.ActionStarted);
        command.Parameters.AddWithValue("$executed", AuditTypes.ActionExecuted);
        command.Parameters.AddWithValue("$service", service);
        command.Parameters.AddWithValue("$since", AuditChain.FormatTime(since));
        command.Parameters.AddWithValue("$action", action);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<int> CountInFlightAsync(CancellationToken cancellationToken)
    {
        using var command = Command("SELECT COUNT(*) FROM incidents WHERE in_flight = 1");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<Suspension?> FindActiveSuspensionAsync(string service, string failureClass, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT service, class, action, reason, created_at, incident_id, resumed_at, resumed_by FROM suspensions WHERE service = $service AND class = $class AND resumed_at IS NULL");
        command.Parameters.AddWithValue("$service", service);
        command.Parameters.AddWithValue("$class", failureClass);
        var list = await ReadSuspensionsAsync(command, cancellationToken);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<IReadOnlyList<Suspension>> ListSuspensionsAsync(bool activeOnly, CancellationToken cancellationToken)
    {
        using var command = Command($"SELECT service, class, action, reason, created_at, incident_id, resumed_at, resumed_by FROM suspensions {(activeOnly ? "WHERE resumed_at IS NULL" : string.Empty)} ORDER BY id DESC");
        return await ReadSuspensionsAsync(command, cancellationToken);
    }

    public async Task<ShadowState?> GetShadowAsync(string failureClass, string specHash, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT class, spec_hash, first_seen_at, promoted_at, promoted_by FROM shadows WHERE class = $class AND spec_hash = $hash");
        command.Parameters.AddWithValue("$class", failureClass);
        command.Parameters.AddWithValue("$hash", specHash);
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new ShadowState(reader.GetString(0), reader.GetString(1), ParseTime(reader.GetString(2)))
        {
            PromotedAt = reader.IsDBNull(3) ? null : ParseTime(reader.GetString(3)),
            PromotedBy = reader.IsDBNull(4) ? null : reader.GetString(4),
        };
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        using var command = Command($"""
            SELECT {AuditColumns} FROM audit
            WHERE ($service IS NULL OR service = $service)
              AND ($incident IS NULL OR incident_id = $incident)
              AND ($since IS NULL OR at >= $since)
              AND ($until IS NULL OR at < $until)
              AND ($type IS NULL OR type = $type)
              AND ($after IS NULL OR seq > $after)
            ORDER BY seq LIMIT $limit
            """);
        command.Parameters.AddWithValue("$after", (object?)query.AfterSequence ?? DBNull.Value);
        command.Parameters.AddWithValue("$service", (object?)query.Service ?? DBNull.Value);
        command.Parameters.AddWithValue("$incident", (object?)query.IncidentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$since", query.Since is { } since ? AuditChain.FormatTime(since) : DBNull.Value);
        command.Parameters.AddWithValue("$until", query.Until is { } until ? AuditChain.FormatTime(until) : DBNull.Value);
        command.Parameters.AddWithValue("$type", (object?)query.Type ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, 1_000_000));
        return await ReadAuditAsync(command, cancellationToken);
    }

    public Task<Incident?> FindActiveIncidentAsync(string fingerprint, CancellationToken cancellationToken) =>
        SingleIncidentAsync($"SELECT {IncidentColumns} FROM incidents WHERE fingerprint = $fp AND closed = 0", cancellationToken, ("$fp", fingerprint));

    public Task<Incident?> FindIncidentByDeliveryAsync(string deliveryKey, CancellationToken cancellationToken) =>
        SingleIncidentAsync($"SELECT {IncidentColumns} FROM incidents WHERE delivery_key = $key ORDER BY created_at DESC LIMIT 1", cancellationToken, ("$key", deliveryKey));

    public async Task<long> SaveAsync(Transition transition, CancellationToken cancellationToken)
    {
        var version = transition.Before?.Version ?? 0;
        if (transition.Next is { } next)
        {
            if (transition.Before is null)
            {
                await InsertIncidentAsync(next, cancellationToken);
                version = 1;
            }
            else if (await UpdateIncidentAsync(next, version, cancellationToken))
            {
                version++;
            }
            else
            {
                throw new IncidentVersionConflictException(next.Id, version);
            }
        }

        foreach (var record in transition.Records)
        {
            await AppendAuditAsync(record, cancellationToken);
        }

        if (transition.CancelNotifications && transition.Current is { } incident)
        {
            using var cancel = Command("UPDATE notifications SET status = 'cancelled', last_detail = $detail, claim_owner = NULL, claim_until = NULL WHERE incident_id = $incident AND status = 'pending'");
            cancel.Parameters.AddWithValue("$incident", incident.Id);
            cancel.Parameters.AddWithValue("$detail", $"no longer owed: the incident is {incident.State.ToWord()}");
            await cancel.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var entry in transition.Outbox)
        {
            using var insert = Command("""
                INSERT INTO notifications (incident_id, notifier, reason, detail, created_at, attempts, next_attempt_at, status)
                VALUES ($incident, $notifier, $reason, $detail, $created, $attempts, $next, $status)
                """);
            insert.Parameters.AddWithValue("$incident", entry.IncidentId);
            insert.Parameters.AddWithValue("$notifier", entry.Notifier);
            insert.Parameters.AddWithValue("$reason", entry.Reason);
            insert.Parameters.AddWithValue("$detail", entry.Detail);
            insert.Parameters.AddWithValue("$created", AuditChain.FormatTime(entry.CreatedAt));
            insert.Parameters.AddWithValue("$attempts", entry.Attempts);
            insert.Parameters.AddWithValue("$next", AuditChain.FormatTime(entry.NextAttemptAt));
            insert.Parameters.AddWithValue("$status", entry.Status.ToWord());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (transition.Suspend is { } suspension)
        {
            await SuspendAsync(suspension, cancellationToken);
        }

        return version;
    }

    public async Task UpdateNotificationAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        using var command = Command("""
            UPDATE notifications SET attempts = $attempts, next_attempt_at = $next, status = $status, last_detail = $detail, claim_owner = NULL, claim_until = NULL
            WHERE id = $id AND status = 'pending'
            """);
        command.Parameters.AddWithValue("$id", entry.Id);
        command.Parameters.AddWithValue("$attempts", entry.Attempts);
        command.Parameters.AddWithValue("$next", AuditChain.FormatTime(entry.NextAttemptAt));
        command.Parameters.AddWithValue("$status", entry.Status.ToWord());
        command.Parameters.AddWithValue("$detail", (object?)entry.LastDetail ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListNotificationsAsync(string? incidentId, CancellationToken cancellationToken)
    {
        using var command = Command($"SELECT {OutboxColumns} FROM notifications WHERE ($incident IS NULL OR incident_id = $incident) ORDER BY id DESC LIMIT 10000");
        command.Parameters.AddWithValue("$incident", (object?)incidentId ?? DBNull.Value);
        return await ReadOutboxAsync(command, cancellationToken);
    }

    internal static async Task<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<OutboxEntry>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new OutboxEntry
            {
                Id = reader.GetInt64(0),
                IncidentId = reader.GetString(1),
                Notifier = reader.GetString(2),
                Reason = reader.GetString(3),
                Detail = reader.GetString(4),
                CreatedAt = ParseTime(reader.GetString(5)),
                Attempts = reader.GetInt32(6),
                NextAttemptAt = ParseTime(reader.GetString(7)),
                Status = OutboxWords.ParseStatus(reader.GetString(8)),
                LastDetail = reader.IsDBNull(9) ? null : reader.GetString(9),
            });
        }

        return list;
    }

    private async Task InsertIncidentAsync(Incident incident, CancellationToken cancellationToken)
    {
        using var command = Command("""
            INSERT INTO incidents (id, fingerprint, delivery_key, service, state, closed, in_flight, next_due_at, created_at, updated_at, version, body)
            VALUES ($id, $fp, $key, $service, $state, $closed, $inflight, $due, $created, $updated, 1, $body)
            """);
        Bind(command, incident with { Version = 1 });
        command.Parameters.AddWithValue("$fp", incident.Fingerprint);
        command.Parameters.AddWithValue("$key", incident.DeliveryKey);
        command.Parameters.AddWithValue("$created", AuditChain.FormatTime(incident.CreatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> UpdateIncidentAsync(Incident incident, long expectedVersion, CancellationToken cancellationToken)
    {
        using var command = Command("""
            UPDATE incidents SET service = $service, state = $state, closed = $closed, in_flight = $inflight, next_due_at = $due,
                updated_at = $updated, version = version + 1, body = $body
            WHERE id = $id AND version = $expected
            """);
        Bind(command, incident with { Version = expectedVersion + 1 });
        command.Parameters.AddWithValue("$expected", expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<AuditRecord> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        long previousSequence = 0;
        var previousHash = AuditChain.GenesisHash;
        using (var last = Command("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
        using (var reader = await last.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                previousSequence = reader.GetInt64(0);
                previousHash = reader.GetString(1);
            }
        }

        var at = timeProvider.GetUtcNow();
        var sequence = previousSequence + 1;
        var id = Guid.CreateVersion7(at).ToString("N");
        var canonical = AuditChain.Canonical(sequence, id, AuditChain.FormatTime(at), entry.IncidentId, entry.Service, entry.Type, entry.Actor, entry.Summary, entry.Payload, previousHash);
        var hash = AuditChain.Seal(canonical, auditKey);
        var algorithm = auditKey is null ? AuditChain.Sha256 : AuditChain.HmacSha256;
        using var command = Command("""
            INSERT INTO audit (seq, id, at, incident_id, service, type, actor, summary, payload, prev_hash, hash, action, dry_run, class, decision, alg, key_id)
            VALUES ($seq, $id, $at, $incident, $service, $type, $actor, $summary, $payload, $prev, $hash, $action, $dryRun, $class, $decision, $alg, $keyId)
            """);
        command.Parameters.AddWithValue("$alg", algorithm);
        command.Parameters.AddWithValue("$keyId", (object?)auditKey?.Id ?? DBNull.Value);
        command.Parameters.AddWithValue("$action", (object?)entry.Facts.Action ?? DBNull.Value);
        command.Parameters.AddWithValue("$dryRun", entry.Facts.DryRun is { } dryRun ? (dryRun ? 1 : 0) : DBNull.Value);
        command.Parameters.AddWithValue("$class", (object?)entry.Facts.Class ?? DBNull.Value);
        command.Parameters.AddWithValue("$decision", (object?)entry.Facts.Decision ?? DBNull.Value);
        command.Parameters.AddWithValue("$seq", sequence);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", AuditChain.FormatTime(at));
        command.Parameters.AddWithValue("$incident", (object?)entry.IncidentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$service", (object?)entry.Service ?? DBNull.Value);
        command.Parameters.AddWithValue("$type", entry.Type);
        command.Parameters.AddWithValue("$actor", entry.Actor);
        command.Parameters.AddWithValue("$summary", entry.Summary);
        command.Parameters.AddWithValue("$payload", entry.Payload);
        command.Parameters.AddWithValue("$prev", previousHash);
        command.Parameters.AddWithValue("$hash", hash);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new AuditRecord
        {
            Sequence = sequence,
            Id = id,
            At = ParseTime(AuditChain.FormatTime(at)),
            IncidentId = entry.IncidentId,
            Service = entry.Service,
            Type = entry.Type,
            Actor = entry.Actor,
            Summary = entry.Summary,
            Payload = entry.Payload,
            PreviousHash = previousHash,
            Hash = hash,
            Action = entry.Facts.Action,
            DryRun = entry.Facts.DryRun,
            Class = entry.Facts.Class,
            Decision = entry.Facts.Decision,
            Algorithm = algorithm,
            KeyId = auditKey?.Id,
        };
    }

    public async Task SuspendAsync(Suspension suspension, CancellationToken cancellationToken)
    {
        using var command = Command("""
            INSERT INTO suspensions (service, class, action, reason, created_at, incident_id)
            VALUES ($service, $class, $action, $reason, $created, $incident)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("$service", suspension.Service);
        command.Parameters.AddWithValue("$class", suspension.Class);
        command.Parameters.AddWithValue("$action", suspension.Action);
        command.Parameters.AddWithValue("$reason", suspension.Reason);
        command.Parameters.AddWithValue("$created", AuditChain.FormatTime(suspension.CreatedAt));
        command.Parameters.AddWithValue("$incident", (object?)suspension.IncidentId ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> ResumeAsync(string service, string failureClass, string resumedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var command = Command("UPDATE suspensions SET resumed_at = $at, resumed_by = $by WHERE service = $service AND class = $class AND resumed_at IS NULL");
        command.Parameters.AddWithValue("$at", AuditChain.FormatTime(at));
        command.Parameters.AddWithValue("$by", resumedBy);
        command.Parameters.AddWithValue("$service", service);
        command.Parameters.AddWithValue("$class", failureClass);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<ShadowState> RegisterShadowAsync(string failureClass, string specHash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using (var insert = Command("INSERT INTO shadows (class, spec_hash, first_seen_at) VALUES ($class, $hash, $at) ON CONFLICT DO NOTHING"))
        {
            insert.Parameters.AddWithValue("$class", failureClass);
            insert.Parameters.AddWithValue("$hash", specHash);
            insert.Parameters.AddWithValue("$at", AuditChain.FormatTime(at));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return (await GetShadowAsync(failureClass, specHash, cancellationToken))!;
    }

    public async Task<bool> PromoteAsync(string failureClass, string specHash, string promotedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await RegisterShadowAsync(failureClass, specHash, at, cancellationToken);
        using var command = Command("UPDATE shadows SET promoted_at = $at, promoted_by = $by WHERE class = $class AND spec_hash = $hash AND promoted_at IS NULL");
        command.Parameters.AddWithValue("$at", AuditChain.FormatTime(at));
        command.Parameters.AddWithValue("$by", promotedBy);
        command.Parameters.AddWithValue("$class", failureClass);
        command.Parameters.AddWithValue("$hash", specHash);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    internal async Task TouchWriteProbeAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var command = Command("INSERT INTO write_probe (id, at) VALUES (1, $at) ON CONFLICT (id) DO UPDATE SET at = excluded.at");
        command.Parameters.AddWithValue("$at", AuditChain.FormatTime(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    internal static async Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var records = new List<AuditRecord>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new AuditRecord
            {
                Sequence = reader.GetInt64(0),
                Id = reader.GetString(1),
                At = ParseTime(reader.GetString(2)),
                IncidentId = reader.IsDBNull(3) ? null : reader.GetString(3),
                Service = reader.IsDBNull(4) ? null : reader.GetString(4),
                Type = reader.GetString(5),
                Actor = reader.GetString(6),
                Summary = reader.GetString(7),
                Payload = reader.GetString(8),
                PreviousHash = reader.GetString(9),
                Hash = reader.GetString(10),
                Action = reader.IsDBNull(11) ? null : reader.GetString(11),
                DryRun = reader.IsDBNull(12) ? null : reader.GetInt64(12) != 0,
                Class = reader.IsDBNull(13) ? null : reader.GetString(13),
                Decision = reader.IsDBNull(14) ? null : reader.GetString(14),
                Algorithm = reader.IsDBNull(15) ? null : reader.GetString(15),
                KeyId = reader.IsDBNull(16) ? null : reader.GetString(16),
            });
        }

        return records;
    }

    /// <summary>Rows as stored, every column read as text whatever it holds, so a damaged row is named rather than thrown on.</summary>
    internal static async IAsyncEnumerable<StoredAuditRow> ReadStoredAuditAsync(SqliteCommand command, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int ordinal) => reader.GetValue(ordinal) switch
            {
                DBNull => null,
                string text => text,
                byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
                var other => Convert.ToString(other, CultureInfo.InvariantCulture),
            };

            yield return new StoredAuditRow
            {
                Sequence = reader.GetInt64(0),
                Id = Text(1),
                At = Text(2),
                IncidentId = Text(3),
                Service = Text(4),
                Type = Text(5),
                Actor = Text(6),
                Summary = Text(7),
                Payload = Text(8),
                PreviousHash = Text(9),
                Hash = Text(10),
                Action = Text(11),
                DryRun = Text(12),
                Class = Text(13),
                Decision = Text(14),
                Algorithm = Text(15),
                KeyId = Text(16),
            };
        }
    }

    internal static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    internal static async Task<IReadOnlyList<Incident>> ReadIncidentsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var incidents = new List<Incident>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var incident = JsonSerializer.Deserialize<Incident>(reader.GetString(0), HomeostatJson.Options)!;
            incidents.Add(incident with { Version = reader.GetInt64(1) });
        }

        return incidents;
    }

    private async Task<Incident?> SingleIncidentAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var list = await ReadIncidentsAsync(command, cancellationToken);
        return list.Count == 0 ? null : list[0];
    }

    private static void Bind(SqliteCommand command, Incident incident)
    {
        command.Parameters.AddWithValue("$id", incident.Id);
        command.Parameters.AddWithValue("$service", incident.Service);
        command.Parameters.AddWithValue("$state", incident.State.ToWord());
        command.Parameters.AddWithValue("$closed", incident.IsClosed ? 1 : 0);
        command.Parameters.AddWithValue("$inflight", incident.IsInFlight ? 1 : 0);
        command.Parameters.AddWithValue("$due", incident.NextDueAt is { } due ? AuditChain.FormatTime(due) : DBNull.Value);
        command.Parameters.AddWithValue("$updated", AuditChain.FormatTime(incident.UpdatedAt));
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(incident, HomeostatJson.Options));
    }

    private static async Task<IReadOnlyList<Suspension>> ReadSuspensionsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<Suspension>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new Suspension(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), ParseTime(reader.GetString(4)))
            {
                IncidentId = reader.IsDBNull(5) ? null : reader.GetString(5),
                ResumedAt = reader.IsDBNull(6) ? null : ParseTime(reader.GetString(6)),
                ResumedBy = reader.IsDBNull(7) ? null : reader.GetString(7),
            });
        }

        return list;
    }
}
