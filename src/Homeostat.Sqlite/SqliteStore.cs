using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Healing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Homeostat.Sqlite;

public sealed class SqliteStoreOptions
{
    public const string FileName = "homeostat.db";

    /// <summary>The folder holding the database. Created when missing.</summary>
    public string DataDirectory { get; set; } = ".homeostat";

    /// <summary>A full connection string instead of <see cref="DataDirectory"/> (tests use an in-memory database).</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. Writes are serialised (BEGIN IMMEDIATE), so the
/// audit chain, claims and counts stay consistent for every worker of this process.
/// </summary>
public sealed class SqliteStore : IHomeostatStore, IStoreWriteProbe, IAuditTrail, IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly StoreHealth? _health;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection? _keepAlive;
    private readonly AuditKeyRing _auditKeys;
    private volatile string? _damage;

    public SqliteStore(IOptions<SqliteStoreOptions> options, TimeProvider timeProvider, StoreHealth? health = null, AuditKeyRing? auditKeys = null)
        : this(options, timeProvider, NullLogger<SqliteStore>.Instance, health, auditKeys)
    {
    }

    /// <summary>
    /// Opens the store, or creates it when its file is missing (the first run). A file that is there but empty, not a
    /// database or damaged is refused with <see cref="StoreDamagedException"/>: it is never used or replaced silently.
    /// </summary>
    public SqliteStore(IOptions<SqliteStoreOptions> options, TimeProvider timeProvider, ILogger<SqliteStore> logger, StoreHealth? health = null, AuditKeyRing? auditKeys = null)
    {
        _timeProvider = timeProvider;
        _logger = logger;
        _health = health;
        _auditKeys = auditKeys ?? AuditKeyRing.None;
        (ConnectionString, DatabasePath) = Locate(options.Value, createDirectory: true);
        if (ConnectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
        {
            // A shared in-memory database lives only while a connection to it is open.
            _keepAlive = new SqliteConnection(ConnectionString);
            _keepAlive.Open();
        }
        else if (DatabasePath is { } path && !File.Exists(path))
        {
            CreateNew(path);
        }
        else if (SqliteIntegrity.Quick(ConnectionString, DatabasePath).FirstOrDefault() is { } problem)
        {
            throw new StoreDamagedException(DatabasePath ?? "(in memory)", problem);
        }

        Migrate();
    }

    /// <summary>The connection string and, for a store in a file, the file's full path.</summary>
    internal static (string ConnectionString, string? Path) Locate(SqliteStoreOptions settings, bool createDirectory)
    {
        if (settings.ConnectionString is { } connectionString)
        {
            var source = new SqliteConnectionStringBuilder(connectionString);
            var inMemory = source.Mode == SqliteOpenMode.Memory || source.DataSource is "" or ":memory:";
            return (connectionString, inMemory ? null : Path.GetFullPath(source.DataSource));
        }

        if (createDirectory)
        {
            Directory.CreateDirectory(settings.DataDirectory);
        }

        var path = Path.GetFullPath(Path.Combine(settings.DataDirectory, SqliteStoreOptions.FileName));
        return (new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30, Pooling = true }.ToString(), path);
    }

    /// <summary>
    /// A new store is written beside its place and moved there complete, so that no crash of a first run leaves an
    /// empty or half-made file behind (which the next start would rightly refuse).
    /// </summary>
    private static void CreateNew(string path)
    {
        var making = $"{path}.new-{Guid.NewGuid():N}";
        try
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = making, Pooling = false }.ToString()))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode = DELETE;";
                command.ExecuteNonQuery();
                ApplyMigrations(connection);
            }

            File.Move(making, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process starting on the same folder made it first: open that one.
        }
        finally
        {
            File.Delete(making);
            File.Delete(making + "-journal");
        }
    }

    public string ConnectionString { get; }

    /// <summary>Set once a read or write met a damaged page: the store is unhealthy until a restart, which refuses it.</summary>
    public string? Damage => _damage;

    public string? DatabasePath { get; }

    /// <summary>The schema version of this store after start-up.</summary>
    public int SchemaVersion { get; private set; }

    public async Task<T> WriteAsync<T>(Func<IStoreWriter, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                // BEGIN IMMEDIATE: the write lock is taken up front, so transactions are serialisable.
                await using var connection = Open();
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                var result = await work(new SqliteSession(connection, transaction, _timeProvider, _auditKeys.Current));
                await transaction.CommitAsync(cancellationToken);
                _health?.WriteSucceeded();
                return result;
            }
            catch (SqliteException exception) when (CannotWrite(exception) is { } reason)
            {
                _health?.WriteFailed(reason);
                throw new StoreUnavailableException(reason, exception);
            }
            catch (SqliteException exception) when (IsBusy(exception) && attempt < MaxWriteAttempts)
            {
                // Another process held the database past the busy timeout: run the work again from the start.
            }
            catch (SqliteException exception) when (SqliteIntegrity.IsDamage(exception))
            {
                throw MarkDamaged(exception);
            }
            finally
            {
                _writeLock.Release();
            }

            // Real time on purpose: this waits for another process's lock, not for anything the fake clock drives.
            await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), TimeProvider.System, cancellationToken);
        }
    }

    private const int MaxWriteAttempts = 10;

    private static bool IsBusy(SqliteException exception) => exception.SqliteErrorCode is 5 or 6;

    /// <summary>What stops the store from writing, in words fit for /readyz (no paths); null for other errors.</summary>
    private static string? CannotWrite(SqliteException exception) => exception.SqliteErrorCode switch
    {
        13 => "the store cannot write: the disk is full (SQLITE_FULL)",
        10 => "the store cannot write: an I/O error (SQLITE_IOERR)",
        8 => "the store cannot write: the database file is read-only (SQLITE_READONLY)",
        14 => "the store cannot write: the database file cannot be opened (SQLITE_CANTOPEN)",
        _ => null,
    };

    public Task ProbeWriteAsync(CancellationToken cancellationToken) =>
        WriteAsync(
            async writer =>
            {
                await ((SqliteSession)writer).TouchWriteProbeAsync(_timeProvider.GetUtcNow(), cancellationToken);
                return true;
            },
            cancellationToken);

    public async Task<OutboxEntry?> ClaimNextNotificationAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE notifications SET claim_owner = $owner, claim_until = $until
                WHERE id = (
                    SELECT id FROM notifications
                    WHERE status = 'pending' AND next_attempt_at <= $now AND (claim_until IS NULL OR claim_until <= $now)
                    ORDER BY next_attempt_at, id LIMIT 1)
                RETURNING id, incident_id, notifier, reason, detail, created_at, attempts, next_attempt_at, status, last_detail
                """;
            command.Parameters.AddWithValue("$owner", owner);
            command.Parameters.AddWithValue("$until", AuditChain.FormatTime(now + lease));
            command.Parameters.AddWithValue("$now", AuditChain.FormatTime(now));
            var claimed = await SqliteSession.ReadOutboxAsync(command, cancellationToken);
            return claimed.Count == 0 ? null : claimed[0];
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> ListNotificationsAsync(string? incidentId, CancellationToken cancellationToken) =>
        ReadAsync(s => s.ListNotificationsAsync(incidentId, cancellationToken));

    private void Migrate()
    {
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        var found = ReadSchemaVersion(connection, null);
        if (found > Schema.Latest)
        {
            throw new StoreIncompatibleException(
                $"the store {DatabasePath ?? "(in memory)"} has schema version {found}, newer than this homeostat understands ({Schema.Latest}): run the release that wrote it, or point --data at another folder");
        }

        ApplyMigrations(connection);

        SchemaVersion = ReadSchemaVersion(connection, null);
    }

    /// <summary>Applies the migrations newer than the store's version, in one transaction each.</summary>
    internal static void ApplyMigrations(SqliteConnection connection, int upTo = int.MaxValue)
    {
        foreach (var (version, sql) in Schema.Migrations.Where(m => m.Version <= upTo))
        {
            using var transaction = connection.BeginTransaction();
            if (ReadSchemaVersion(connection, transaction) >= version)
            {
                continue;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql + $"\nDELETE FROM schema_info; INSERT INTO schema_info (version) VALUES ({version});";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <summary>0 for an empty database; 1 for a store of the first release, which left schema_info empty.</summary>
    private static int ReadSchemaVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_info'") > 0
            && Scalar("SELECT COUNT(*) FROM schema_info") > 0)
        {
            return (int)Scalar("SELECT MAX(version) FROM schema_info");
        }

        return Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit'") > 0 ? 1 : 0;
    }

    public async Task<Incident?> ClaimNextDueAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE incidents SET claim_owner = $owner, claim_until = $until
                WHERE id = (
                    SELECT id FROM incidents
                    WHERE next_due_at IS NOT NULL AND next_due_at <= $now AND (claim_until IS NULL OR claim_until <= $now)
                    ORDER BY next_due_at LIMIT 1)
                RETURNING body, version
                """;
            command.Parameters.AddWithValue("$owner", owner);
            command.Parameters.AddWithValue("$until", AuditChain.FormatTime(now + lease));
            command.Parameters.AddWithValue("$now", AuditChain.FormatTime(now));
            var claimed = await SqliteSession.ReadIncidentsAsync(command, cancellationToken);
            return claimed.Count == 0 ? null : claimed[0];
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task ReleaseClaimAsync(string incidentId, string owner, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE incidents SET claim_owner = NULL, claim_until = NULL WHERE id = $id AND claim_owner = $owner";
            command.Parameters.AddWithValue("$id", incidentId);
            command.Parameters.AddWithValue("$owner", owner);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<int> ReleaseClaimsAsync(string replica, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = Open();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var released = 0;
            foreach (var table in (string[])["incidents", "notifications"])
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;

                // A prefix compared as text, not LIKE: a replica id may hold '%' or '_'.
                command.CommandText = $"""
                    UPDATE {table} SET claim_owner = NULL, claim_until = NULL
                    WHERE claim_owner = $replica OR substr(claim_owner, 1, length($prefix)) = $prefix
                    """;
                command.Parameters.AddWithValue("$replica", replica);
                command.Parameters.AddWithValue("$prefix", replica + "/");
                released += await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return released;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await NextDueAtCoreAsync(cancellationToken);
        }
        catch (SqliteException exception) when (SqliteIntegrity.IsDamage(exception))
        {
            throw MarkDamaged(exception);
        }
    }

    private async Task<DateTimeOffset?> NextDueAtCoreAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        using var command = connection.CreateCommand();

        // A claimed incident is not due for others before its claim ends.
        command.CommandText = """
            SELECT MIN(due) FROM (
                SELECT MIN(CASE WHEN claim_until IS NOT NULL AND claim_until > $now AND claim_until > next_due_at THEN claim_until ELSE next_due_at END) AS due
                FROM incidents WHERE next_due_at IS NOT NULL
                UNION ALL
                SELECT MIN(CASE WHEN claim_until IS NOT NULL AND claim_until > $now AND claim_until > next_attempt_at THEN claim_until ELSE next_attempt_at END)
                FROM notifications WHERE status = 'pending')
            """;
        command.Parameters.AddWithValue("$now", AuditChain.FormatTime(_timeProvider.GetUtcNow()));
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is string text ? SqliteSession.ParseTime(text) : null;
    }

    public Task<AuditChainReport> VerifyAuditChainAsync(CancellationToken cancellationToken) =>
        AuditTrailVerification.VerifyAsync(this, _auditKeys, [], [], cancellationToken);

    public async Task<AuditHead?> GetAuditHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new AuditHead(reader.GetInt64(0), reader.GetValue(1) as string ?? string.Empty) : null;
    }

    public async IAsyncEnumerable<StoredAuditRow> ReadChainAsync(AuditRange range, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {SqliteSession.AuditColumns} FROM audit
            WHERE ($incident IS NULL OR incident_id = $incident)
              AND ($since IS NULL OR at >= $since)
              AND ($until IS NULL OR at < $until)
            ORDER BY seq
            """;
        command.Parameters.AddWithValue("$incident", (object?)range.IncidentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$since", range.Since is { } since ? AuditChain.FormatTime(since) : DBNull.Value);
        command.Parameters.AddWithValue("$until", range.Until is { } until ? AuditChain.FormatTime(until) : DBNull.Value);
        await foreach (var row in SqliteSession.ReadStoredAuditAsync(command, cancellationToken))
        {
            yield return row;
        }
    }

    public async IAsyncEnumerable<IncidentTrailRow> ReadIncidentTrailsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = Open();
        using (var command = connection.CreateCommand())
        {
            // Incident by incident through the audit_incident index: one pass, nothing held but the current incident.
            command.CommandText = """
                SELECT i.id, i.state, i.body, a.seq, a.type, a.payload
                FROM incidents i LEFT JOIN audit a ON a.incident_id = i.id
                ORDER BY i.id, a.seq
                """;
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            string? previous = null;
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetValue(0) as string ?? Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                var isFirst = id != previous;
                previous = id;
                yield return new IncidentTrailRow(
                    id,
                    HasIncidentRow: true,
                    StoredState: reader.GetValue(1) as string,
                    Body: isFirst ? reader.GetValue(2) as string : null,
                    Sequence: reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    Type: reader.GetValue(4) as string,
                    Payload: reader.GetValue(5) as string);
            }
        }

        using var orphans = connection.CreateCommand();
        orphans.CommandText = """
            SELECT incident_id, seq, type, payload FROM audit
            WHERE incident_id IS NOT NULL AND incident_id NOT IN (SELECT id FROM incidents)
            ORDER BY incident_id, seq
            """;
        using var orphanReader = await orphans.ExecuteReaderAsync(cancellationToken);
        while (await orphanReader.ReadAsync(cancellationToken))
        {
            yield return new IncidentTrailRow(orphanReader.GetString(0), HasIncidentRow: false, null, null, orphanReader.GetInt64(1), orphanReader.GetValue(2) as string, orphanReader.GetValue(3) as string);
        }
    }

    public Task<Incident?> GetIncidentAsync(string id, CancellationToken cancellationToken) => ReadAsync(s => s.GetIncidentAsync(id, cancellationToken));

    public Task<IReadOnlyList<Incident>> ListIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken) => ReadAsync(s => s.ListIncidentsAsync(query, cancellationToken));

    public Task<int> CountExecutionsAsync(string service, string action, DateTimeOffset since, CancellationToken cancellationToken) =>
        ReadAsync(s => s.CountExecutionsAsync(service, action, since, cancellationToken));

    public Task<int> CountInFlightAsync(CancellationToken cancellationToken) => ReadAsync(s => s.CountInFlightAsync(cancellationToken));

    public Task<Suspension?> FindActiveSuspensionAsync(string service, string failureClass, CancellationToken cancellationToken) =>
        ReadAsync(s => s.FindActiveSuspensionAsync(service, failureClass, cancellationToken));

    public Task<IReadOnlyList<Suspension>> ListSuspensionsAsync(bool activeOnly, CancellationToken cancellationToken) =>
        ReadAsync(s => s.ListSuspensionsAsync(activeOnly, cancellationToken));

    public Task<ShadowState?> GetShadowAsync(string failureClass, string specHash, CancellationToken cancellationToken) =>
        ReadAsync(s => s.GetShadowAsync(failureClass, specHash, cancellationToken));

    public Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
        ReadAsync(s => s.QueryAuditAsync(query, cancellationToken));

    public void Dispose()
    {
        _keepAlive?.Dispose();
        _writeLock.Dispose();
    }

    private async Task<T> ReadAsync<T>(Func<SqliteSession, Task<T>> read)
    {
        try
        {
            await using var connection = Open();
            return await read(new SqliteSession(connection, null, _timeProvider));
        }
        catch (SqliteException exception) when (SqliteIntegrity.IsDamage(exception))
        {
            throw MarkDamaged(exception);
        }
    }

    /// <summary>Remembers that the file is damaged, says so once in the log, and gives the exception to throw.</summary>
    private StoreDamagedException MarkDamaged(SqliteException exception)
    {
        var problem = SqliteIntegrity.Unreadable(exception);
        if (Interlocked.CompareExchange(ref _damage, problem, null) is null)
        {
            StoreLog.Damaged(_logger, DatabasePath ?? "(in memory)", problem);
        }

        return new StoreDamagedException(DatabasePath ?? "(in memory)", _damage!, exception);
    }

    private SqliteConnection Open()
    {
        if (_damage is { } damage)
        {
            // A damaged store answers nothing any more: not a write over a broken page, not a read of what it lost.
            throw new StoreDamagedException(DatabasePath ?? "(in memory)", damage);
        }

        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}

internal static partial class StoreLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Critical, Message = "the store {Store} is damaged: {Problem}. It takes no more reads or writes; restart homeostat to have it checked, then restore a backup or salvage it (see docs/operations.md)")]
    public static partial void Damaged(ILogger logger, string store, string problem);
}
