using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Healing;
using Microsoft.Data.Sqlite;
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
public sealed class SqliteStore : IHomeostatStore, IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection? _keepAlive;

    public SqliteStore(IOptions<SqliteStoreOptions> options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        var settings = options.Value;
        if (settings.ConnectionString is { } connectionString)
        {
            ConnectionString = connectionString;
        }
        else
        {
            Directory.CreateDirectory(settings.DataDirectory);
            DatabasePath = Path.GetFullPath(Path.Combine(settings.DataDirectory, SqliteStoreOptions.FileName));
            ConnectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, DefaultTimeout = 30, Pooling = true }.ToString();
        }

        if (ConnectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
        {
            // A shared in-memory database lives only while a connection to it is open.
            _keepAlive = new SqliteConnection(ConnectionString);
            _keepAlive.Open();
        }

        Migrate();
    }

    public string ConnectionString { get; }

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
                var result = await work(new SqliteSession(connection, transaction, _timeProvider));
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (SqliteException exception) when (IsBusy(exception) && attempt < MaxWriteAttempts)
            {
                // Another process held the database past the busy timeout: run the work again from the start.
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

        foreach (var (version, sql) in Schema.Migrations)
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

        SchemaVersion = ReadSchemaVersion(connection, null);
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

    public async Task<AuditChainReport> VerifyAuditChainAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteSession.AuditColumns} FROM audit ORDER BY seq";
        var records = await SqliteSession.ReadAuditAsync(command, cancellationToken);
        var expectedPrevious = AuditChain.GenesisHash;
        long expectedSequence = 1;
        foreach (var record in records)
        {
            if (record.Sequence != expectedSequence)
            {
                return new AuditChainReport(expectedSequence - 1, record, $"record {expectedSequence} is missing: the next record is {record.Sequence}");
            }

            if (record.PreviousHash != expectedPrevious)
            {
                return new AuditChainReport(expectedSequence - 1, record, $"record {record.Sequence} does not point at the hash of record {record.Sequence - 1}: a record before it was changed or removed");
            }

            if (AuditChain.ComputeHash(record) != record.Hash)
            {
                return new AuditChainReport(expectedSequence - 1, record, $"record {record.Sequence} ({record.Id}) was changed after it was written: its content no longer matches its hash");
            }

            expectedPrevious = record.Hash;
            expectedSequence++;
        }

        return new AuditChainReport(records.Count, null, null);
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
        await using var connection = Open();
        return await read(new SqliteSession(connection, null, _timeProvider));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
