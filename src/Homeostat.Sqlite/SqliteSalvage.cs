using System.Globalization;
using System.Text;
using System.Text.Json;
using Homeostat.Healing;
using Microsoft.Data.Sqlite;

namespace Homeostat.Sqlite;

/// <summary>What a salvage kept and dropped of one table.</summary>
public sealed class SalvagedTable(string name)
{
    public string Name { get; } = name;

    public long Kept { get; internal set; }

    /// <summary>Rows that were read but not kept; each is in the sidecar file.</summary>
    public long Dropped { get; internal set; }

    /// <summary>What could not be read or kept, in words (for the audit trail: the sequence ranges).</summary>
    public List<string> Notes { get; } = [];
}

/// <summary>The outcome of <see cref="SqliteSalvage.Copy"/>.</summary>
public sealed class SalvageReport(string from)
{
    public string From { get; } = from;

    public List<SalvagedTable> Tables { get; } = [];

    public SalvagedTable Audit => Tables.Single(t => t.Name == "audit");

    /// <summary>The last audit record kept: every record up to it is in the new store, none after it.</summary>
    public long LastAuditKept { get; internal set; }

    /// <summary>Rows written to the sidecar file.</summary>
    public long SidecarRows { get; internal set; }
}

/// <summary>
/// Copies what can still be read of a damaged store into a new one, never writing to the damaged file (it works on a
/// copy). Every table row that reads is kept; the audit trail is kept from its first record up to the first gap: a
/// record missing, unreadable or not decoding ends it, and every record after that goes to a sidecar JSON Lines file
/// with the reason, so that nothing readable is lost silently. The caller then verifies the chain of the new store
/// and calls <see cref="DropAuditAfter"/> for a chain broken inside the kept prefix.
/// </summary>
public static class SqliteSalvage
{
    private static readonly string[] OtherTables = ["incidents", "suspensions", "shadows", "notifications"];

    /// <param name="from">The damaged store; only read, through a copy.</param>
    /// <param name="target">The new store's file; must not exist yet.</param>
    /// <param name="sidecar">Where the rows that are not kept are written, one JSON object a line.</param>
    public static SalvageReport Copy(string from, string target, string sidecar)
    {
        var report = new SalvageReport(Path.GetFullPath(from));
        var header = SqliteIntegrity.HeaderProblem(from);
        if (header is not null && !header.Contains("whole number of", StringComparison.Ordinal) && !header.Contains("page 1", StringComparison.Ordinal))
        {
            throw new StoreDamagedException(report.From, $"{header}; there is nothing in it to salvage");
        }

        var work = $"{target}.damaged-{Guid.NewGuid():N}";
        File.Copy(from, work);
        if (File.Exists(from + "-wal"))
        {
            File.Copy(from + "-wal", work + "-wal");
        }

        try
        {
            using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = work, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
            using var rejects = new SidecarWriter(sidecar);
            HashSet<string> tables;
            int version;
            try
            {
                source.Open();
                tables = SqliteIntegrity.Tables(source);
                version = SourceVersion(source, tables);
            }
            catch (SqliteException exception)
            {
                throw new StoreDamagedException(report.From, $"its list of tables cannot be read ({SqliteIntegrity.Unreadable(exception)}); there is nothing in it to salvage", exception);
            }

            if (version > Schema.Latest)
            {
                throw new StoreIncompatibleException($"the store {report.From} has schema version {version}, newer than this homeostat understands ({Schema.Latest}): salvage it with the release that wrote it");
            }

            destination.Open();
            SqliteBackup.Execute(destination, "PRAGMA journal_mode = DELETE;");
            SqliteStore.ApplyMigrations(destination, upTo: Math.Max(version, 1));
            var targetTables = SqliteIntegrity.Tables(destination);

            foreach (var table in OtherTables.Where(t => tables.Contains(t) && targetTables.Contains(t)))
            {
                report.Tables.Add(CopyTable(source, destination, table, rejects));
            }

            report.Tables.Insert(0, tables.Contains("audit") ? CopyAudit(source, destination, rejects, report) : Missing("audit"));
            report.SidecarRows = rejects.Rows;
            return report;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var leftover in new[] { work, work + "-wal", work + "-shm", work + "-journal" })
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>
    /// Moves the audit records after <paramref name="keep"/> out of the new store at <paramref name="target"/> into the
    /// sidecar, for a chain that does not verify beyond it. Returns how many were moved.
    /// </summary>
    public static long DropAuditAfter(string target, long keep, string reason, string sidecar, SalvageReport report)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        connection.Open();
        using var rejects = new SidecarWriter(sidecar, append: true);
        long moved = 0;
        long? first = null;
        long last = 0;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT * FROM audit WHERE seq > $keep ORDER BY seq";
            command.Parameters.AddWithValue("$keep", keep);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var row = SqliteIntegrity.ReadRow(reader);
                rejects.Write("audit", reason, row);
                last = (long)row["seq"]!;
                first ??= last;
                moved++;
            }
        }

        // The trail is append-only through its trigger; this new file is not the operator's store yet, so the trigger is
        // lifted for this one cut and put back as it was.
        string trigger;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_no_delete'";
            trigger = (string)command.ExecuteScalar()!;
        }

        using (var transaction = connection.BeginTransaction())
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > {keep.ToString(CultureInfo.InvariantCulture)}; {trigger};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }

        if (moved > 0)
        {
            report.Audit.Kept -= moved;
            report.Audit.Dropped += moved;
            report.Audit.Notes.Add($"seq {first}-{last} ({moved}): {reason}");
            report.LastAuditKept = keep;
            report.SidecarRows += moved;
        }

        return moved;
    }

    /// <summary>Makes the new store one file (no write-ahead log beside it) and checks it; the first problem, or null.</summary>
    public static string? Seal(string target)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            SqliteBackup.Execute(connection, "PRAGMA journal_mode = DELETE;");
        }

        return SqliteIntegrity.Quick(connectionString, target).FirstOrDefault();
    }

    private static SalvagedTable CopyAudit(SqliteConnection source, SqliteConnection destination, SidecarWriter rejects, SalvageReport report)
    {
        var table = new SalvagedTable("audit");
        var columns = SharedColumns(source, destination, "audit");
        using var transaction = destination.BeginTransaction();
        using var insert = InsertCommand(destination, transaction, "audit", columns);
        long expected = 1;
        string? broken = null;
        var dropped = new DroppedRanges();
        Scan(
            source,
            "audit",
            columns,
            row =>
            {
                var problem = SqliteIntegrity.AuditRowProblem(row);
                if (broken is null && problem is null && row["seq"] is long seq && seq == expected)
                {
                    try
                    {
                        Insert(insert, columns, row);
                        table.Kept++;
                        report.LastAuditKept = seq;
                        expected++;
                        return;
                    }
                    catch (SqliteException exception)
                    {
                        problem = $"record seq {seq}: the new store refused it ({exception.Message})";
                    }
                }

                broken ??= problem ?? $"record seq {expected} is missing";
                rejects.Write("audit", $"after the first gap in the chain ({broken})", row);
                table.Dropped++;
                dropped.Add(row["seq"] as long?);
            },
            (after, resumeAt, error) =>
            {
                var range = resumeAt is { } next ? $"seq {(after ?? 0) + 1}-{next - 1}" : $"every record after seq {after ?? 0}";
                table.Notes.Add($"{range} could not be read: {error}");
                broken ??= $"{range} could not be read";
            });
        transaction.Commit();
        table.Notes.InsertRange(0, dropped.Describe(broken));
        return table;
    }

    private static SalvagedTable CopyTable(SqliteConnection source, SqliteConnection destination, string name, SidecarWriter rejects)
    {
        var table = new SalvagedTable(name);
        var columns = SharedColumns(source, destination, name);
        using var transaction = destination.BeginTransaction();
        using var insert = InsertCommand(destination, transaction, name, columns);
        Scan(
            source,
            name,
            columns,
            row =>
            {
                var problem = name == "incidents" ? SqliteIntegrity.IncidentRowProblem(row) : null;
                if (problem is null)
                {
                    try
                    {
                        Insert(insert, columns, row);
                        table.Kept++;
                        return;
                    }
                    catch (SqliteException exception)
                    {
                        problem = $"the new store refused it: {exception.Message}";
                    }
                }

                rejects.Write(name, problem, row);
                table.Dropped++;
            },
            (after, resumeAt, error) => table.Notes.Add($"rows after rowid {after ?? 0}{(resumeAt is { } next ? $" and before rowid {next}" : string.Empty)} could not be read: {error}"));
        transaction.Commit();
        return table;
    }

    /// <summary>
    /// Reads every row of a table that can be read, in rowid order. When a damaged page stops the read, it looks for
    /// the next row that reads (trying further and further ahead) and goes on from there, reporting the gap.
    /// </summary>
    private static void Scan(SqliteConnection connection, string table, IReadOnlyList<string> columns, Action<Dictionary<string, object?>> onRow, Action<long?, long?, string> onUnreadable)
    {
        var select = $"SELECT rowid AS salvage_rowid, {string.Join(", ", columns.Select(Quote))} FROM {Quote(table)} WHERE rowid > $after ORDER BY rowid";
        long? after = null;
        while (true)
        {
            string error;
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = select;
                command.Parameters.AddWithValue("$after", after ?? long.MinValue);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var row = SqliteIntegrity.ReadRow(reader);
                    after = (long)row["salvage_rowid"]!;
                    row.Remove("salvage_rowid");
                    onRow(row);
                }

                return;
            }
            catch (SqliteException exception)
            {
                error = SqliteIntegrity.Unreadable(exception);
            }

            var resumeAt = NextReadable(connection, table, after ?? 0);
            onUnreadable(after, resumeAt, error);
            if (resumeAt is not { } next)
            {
                return;
            }

            after = next - 1;
        }
    }

    private static long? NextReadable(SqliteConnection connection, string table, long after)
    {
        for (long step = 1; step is > 0 and < 1L << 62; step *= 2)
        {
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT rowid FROM {Quote(table)} WHERE rowid > $from ORDER BY rowid LIMIT 1";
                command.Parameters.AddWithValue("$from", after + step);
                return command.ExecuteScalar() is long rowid ? rowid : null;
            }
            catch (SqliteException)
            {
                // Still inside the damage: look further ahead.
            }
        }

        return null;
    }

    private static int SourceVersion(SqliteConnection connection, HashSet<string> tables)
    {
        if (tables.Contains("schema_info"))
        {
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT MAX(version) FROM schema_info";
                if (command.ExecuteScalar() is long version)
                {
                    return (int)version;
                }
            }
            catch (SqliteException)
            {
                // Unreadable: judge by the audit table's columns below.
            }
        }

        return tables.Contains("notifications") ? 2 : 1;
    }

    private static List<string> SharedColumns(SqliteConnection source, SqliteConnection destination, string table)
    {
        var theirs = Columns(source, table);
        return Columns(destination, table).Where(theirs.Contains).ToList();
    }

    private static List<string> Columns(SqliteConnection connection, string table)
    {
        var columns = new List<string>();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info({Literal(table)})";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static SqliteCommand InsertCommand(SqliteConnection connection, SqliteTransaction transaction, string table, IReadOnlyList<string> columns)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(Quote))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$c{i}"))})";
        for (var i = 0; i < columns.Count; i++)
        {
            command.Parameters.Add(new SqliteParameter($"$c{i}", DBNull.Value));
        }

        return command;
    }

    private static void Insert(SqliteCommand insert, IReadOnlyList<string> columns, Dictionary<string, object?> row)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            insert.Parameters[i].Value = row.GetValueOrDefault(columns[i]) ?? DBNull.Value;
        }

        insert.ExecuteNonQuery();
    }

    private static SalvagedTable Missing(string name)
    {
        var table = new SalvagedTable(name);
        table.Notes.Add("the damaged store has no such table");
        return table;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The sequence numbers of the audit records read but dropped, as ranges.</summary>
    private sealed class DroppedRanges
    {
        private readonly List<(long From, long To)> _ranges = [];
        private long _withoutSequence;

        public void Add(long? sequence)
        {
            if (sequence is not { } seq)
            {
                _withoutSequence++;
            }
            else if (_ranges.Count > 0 && _ranges[^1].To + 1 == seq)
            {
                _ranges[^1] = (_ranges[^1].From, seq);
            }
            else
            {
                _ranges.Add((seq, seq));
            }
        }

        public IEnumerable<string> Describe(string? reason)
        {
            var text = string.Join(", ", _ranges.Select(r => r.From == r.To ? $"{r.From}" : $"{r.From}-{r.To}"));
            if (text.Length > 0)
            {
                yield return $"seq {text} read but dropped, after the first gap in the chain ({reason})";
            }

            if (_withoutSequence > 0)
            {
                yield return $"{_withoutSequence} record(s) without a readable sequence number dropped";
            }
        }
    }

    /// <summary>The rows a salvage does not keep, one JSON object a line: table, reason, and the row's columns as stored.</summary>
    private sealed class SidecarWriter : IDisposable
    {
        private readonly string _path;
        private readonly bool _append;
        private StreamWriter? _writer;

        public SidecarWriter(string path, bool append = false)
        {
            _path = path;
            _append = append;
        }

        public long Rows { get; private set; }

        public void Write(string table, string reason, IReadOnlyDictionary<string, object?> row)
        {
            _writer ??= new StreamWriter(_path, _append, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("table", table);
                json.WriteString("reason", reason);
                json.WriteStartObject("row");
                foreach (var (column, value) in row)
                {
                    switch (value)
                    {
                        case null:
                            json.WriteNull(column);
                            break;
                        case long number:
                            json.WriteNumber(column, number);
                            break;
                        case double number when double.IsFinite(number):
                            json.WriteNumber(column, number);
                            break;
                        case byte[] bytes:
                            json.WriteStartObject(column);
                            json.WriteBase64String("base64", bytes);
                            json.WriteEndObject();
                            break;
                        default:
                            json.WriteString(column, Convert.ToString(value, CultureInfo.InvariantCulture));
                            break;
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            _writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            Rows++;
        }

        public void Dispose() => _writer?.Dispose();
    }
}
