using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeostat.Healing;
using Homeostat.Primitives;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Homeostat.Sqlite;

/// <summary>The store's integrity checks on its file (see docs/design/0014-store-integrity.md).</summary>
public sealed class SqliteStoreIntegrity(IOptions<SqliteStoreOptions> options) : IStoreIntegrity
{
    public StoreIntegrityReport QuickCheck()
    {
        var (connectionString, path) = SqliteStore.Locate(options.Value, createDirectory: false);
        var problems = SqliteIntegrity.Quick(connectionString, path);
        return new StoreIntegrityReport(path ?? "(in memory)", problems, 0);
    }

    public Task<StoreIntegrityReport> FullCheckAsync(CancellationToken cancellationToken)
    {
        var (connectionString, path) = SqliteStore.Locate(options.Value, createDirectory: false);
        return Task.Run(() => SqliteIntegrity.Full(connectionString, path, cancellationToken), cancellationToken);
    }
}

/// <summary>
/// The checks themselves. Each problem is one sentence naming where: the file, a page (as SQLite's own check names it)
/// or a record. Every check opens its own connection and only reads.
/// </summary>
internal static partial class SqliteIntegrity
{
    /// <summary>The most problems the start-up check asks SQLite for: the first one is what the refusal names.</summary>
    private const int QuickCheckRows = 5;

    private const int FullCheckRows = 50;

    /// <summary>How many of the newest audit records and incidents the start-up check decodes.</summary>
    private const int SampleSize = 64;

    private const string AuditCoreColumns = "seq, id, at, incident_id, service, type, actor, summary, payload, prev_hash, hash";

    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    /// <summary>The start-up check: header, <c>PRAGMA quick_check</c>, the schema, and the newest records decoding.</summary>
    public static IReadOnlyList<string> Quick(string connectionString, string? path)
    {
        if (path is not null && HeaderProblem(path) is { } header)
        {
            return [header];
        }

        try
        {
            using var connection = OpenForReading(connectionString);
            var problems = CheckedStructure(connection, path, $"PRAGMA quick_check({QuickCheckRows})");
            if (problems.Count > 0)
            {
                return problems;
            }

            if (SchemaProblem(connection) is { } schema)
            {
                return [schema];
            }

            var tables = Tables(connection);
            if (tables.Contains("audit"))
            {
                problems.AddRange(AuditProblems(connection, $"SELECT {AuditCoreColumns} FROM audit ORDER BY seq DESC LIMIT {SampleSize}", CancellationToken.None, out _));
            }

            if (tables.Contains("incidents"))
            {
                problems.AddRange(IncidentProblems(connection, $"SELECT id, body FROM incidents ORDER BY rowid DESC LIMIT {SampleSize}", CancellationToken.None));
            }

            return problems;
        }
        catch (SqliteException exception)
        {
            return [Unreadable(exception)];
        }
    }

    /// <summary>The full check: header, <c>PRAGMA integrity_check</c>, the schema, and every audit record and incident decoding.</summary>
    public static StoreIntegrityReport Full(string connectionString, string? path, CancellationToken cancellationToken)
    {
        var store = path ?? "(in memory)";
        if (path is not null && HeaderProblem(path) is { } header)
        {
            return new StoreIntegrityReport(store, [header], 0);
        }

        var problems = new List<string>();
        long checkedRecords = 0;
        try
        {
            using var connection = OpenForReading(connectionString);
            problems.AddRange(FullStructureProblems(connectionString, path));
            if (SchemaProblem(connection) is { } schema)
            {
                problems.Add(schema);
                return new StoreIntegrityReport(store, problems, 0);
            }

            // Damaged pages do not stop the decoding: it names the records a damaged page took with it.
            var tables = Tables(connection);
            if (tables.Contains("audit"))
            {
                problems.AddRange(AuditProblems(connection, $"SELECT {AuditCoreColumns} FROM audit ORDER BY seq", cancellationToken, out checkedRecords));
            }

            if (tables.Contains("incidents"))
            {
                problems.AddRange(IncidentProblems(connection, "SELECT id, body FROM incidents ORDER BY rowid", cancellationToken));
            }
        }
        catch (SqliteException exception)
        {
            problems.Add(Unreadable(exception));
        }

        return new StoreIntegrityReport(store, problems.Distinct().Take(FullCheckRows).ToList(), checkedRecords);
    }

    /// <summary>What is wrong with the file before SQLite reads it: empty, not a database, or not a whole number of pages.</summary>
    public static string? HeaderProblem(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var header = new byte[100];
        long length;
        int read;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            length = file.Length;
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (length == 0)
        {
            return "it is an empty file (0 bytes), not a store: a store homeostat wrote is never empty, so this one was truncated or replaced, "
                + "and homeostat will not create a new store over it (a missing file is a new store, an empty one is not; to start afresh on purpose, move the file away)";
        }

        if (read < header.Length || !header.AsSpan(0, SqliteMagic.Length).SequenceEqual(SqliteMagic))
        {
            return $"it is not a SQLite database ({length} bytes that do not start with the SQLite header): it was overwritten or replaced by another file";
        }

        var pageSize = (int)BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16, 2));
        if (pageSize == 1)
        {
            pageSize = 65536;
        }

        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        {
            return $"its header names a page size of {pageSize} bytes, which SQLite never writes: page 1 is damaged";
        }

        if (length % pageSize != 0)
        {
            return $"it is {length} bytes, not a whole number of {pageSize}-byte pages: it was cut short or added to";
        }

        return null;
    }

    /// <summary>
    /// <c>integrity_check</c>, which also compares every index with its table. Some damage stops it with an error rather
    /// than a report; <c>quick_check</c> then still names the page.
    /// </summary>
    private static List<string> FullStructureProblems(string connectionString, string? path)
    {
        using var connection = OpenForReading(connectionString);
        return CheckedStructure(connection, path, $"PRAGMA integrity_check({FullCheckRows})");
    }

    /// <summary>
    /// SQLite's check, or when the damage stops the check itself with an error, the damaged page found by walking
    /// the b-trees in the file (see <see cref="SqlitePages"/>), so that the refusal still names a page.
    /// </summary>
    private static List<string> CheckedStructure(SqliteConnection connection, string? path, string pragma)
    {
        try
        {
            return StructureProblems(connection, pragma);
        }
        catch (SqliteException exception)
        {
            var roots = new List<(string Name, int Root)>();
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0 ORDER BY rootpage";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    roots.Add((reader.GetString(0), reader.GetInt32(1)));
                }
            }
            catch (SqliteException)
            {
                // The schema itself is unreadable: page 1 is walked on its own below.
            }

            var found = path is null ? null : SqlitePages.FindDamage(path, roots);
            return [found is null ? Unreadable(exception) : $"{found} (SQLite: {Bare(exception)})"];
        }
    }

    /// <summary>The problems <c>quick_check</c> or <c>integrity_check</c> reports, each naming its page.</summary>
    private static List<string> StructureProblems(SqliteConnection connection, string pragma)
    {
        var problems = new List<string>();
        using var command = connection.CreateCommand();
        command.CommandText = pragma;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var line = reader.IsDBNull(0) ? string.Empty : reader.GetString(0);
            if (line == "ok")
            {
                break;
            }

            problems.Add(NamePage(line));
        }

        return problems;
    }

    /// <summary>schema_info present and sane, or no tables at all (a new store); anything else is not this store.</summary>
    private static string? SchemaProblem(SqliteConnection connection)
    {
        var tables = Tables(connection);
        if (tables.Count == 0)
        {
            return null;
        }

        if (!tables.Contains("audit") && !tables.Contains("schema_info"))
        {
            return $"it is a database but not a Homeostat store: it has tables ({string.Join(", ", tables.Order(StringComparer.Ordinal).Take(5))}) and neither an audit trail nor schema_info";
        }

        if (tables.Contains("schema_info"))
        {
            var versions = new List<object>();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT version FROM schema_info";
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    versions.Add(reader.GetValue(0));
                }
            }

            if (versions.Count > 1)
            {
                return $"schema_info holds {versions.Count} versions where a store keeps one";
            }

            if (versions.Count == 1 && versions[0] is not (long and > 0))
            {
                return $"schema_info holds the version {Quote(versions[0])}, which no homeostat writes";
            }

            if (versions.Count == 1 && !tables.Contains("audit"))
            {
                return "it has schema_info but no audit table: the audit trail is gone";
            }
        }

        return null;
    }

    private static List<string> AuditProblems(SqliteConnection connection, string sql, CancellationToken cancellationToken, out long decoded)
    {
        var problems = new List<string>();
        decoded = 0;
        long? lastSequence = null;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = ReadRow(reader);
                if (AuditRowProblem(row) is { } problem)
                {
                    problems.Add(problem);
                }
                else
                {
                    decoded++;
                }

                lastSequence = row.TryGetValue("seq", out var seq) && seq is long sequence ? sequence : lastSequence;
            }
        }
        catch (SqliteException exception)
        {
            problems.Add($"the audit trail cannot be read {(lastSequence is { } last ? $"beyond record seq {last}" : "at all")}: {Unreadable(exception)}");
        }

        return problems;
    }

    private static List<string> IncidentProblems(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (IncidentRowProblem(ReadRow(reader)) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }
        catch (SqliteException exception)
        {
            problems.Add($"the incidents cannot all be read: {Unreadable(exception)}");
        }

        return problems;
    }

    /// <summary>What keeps an audit row (by column name, as stored) from decoding into a record; null when it decodes.</summary>
    public static string? AuditRowProblem(IReadOnlyDictionary<string, object?> row)
    {
        if (!row.TryGetValue("seq", out var seqValue) || seqValue is not long seq)
        {
            return $"an audit record has no sequence number (seq: {Quote(row.GetValueOrDefault("seq"))})";
        }

        string? Text(string column, bool required)
        {
            var value = row.GetValueOrDefault(column);
            return value switch
            {
                string => null,
                null when !required => null,
                null => $"record seq {seq}: {column} is missing",
                _ => $"record seq {seq}: {column} is not text ({Quote(value)})",
            };
        }

        foreach (var (column, required) in new[] { ("id", true), ("at", true), ("incident_id", false), ("service", false), ("type", true), ("actor", true), ("summary", true), ("payload", true), ("prev_hash", true), ("hash", true) })
        {
            if (Text(column, required) is { } problem)
            {
                return problem;
            }
        }

        var at = (string)row["at"]!;
        if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out _))
        {
            return $"record seq {seq}: at is not a time ({Quote(at)})";
        }

        try
        {
            using var document = JsonDocument.Parse((string)row["payload"]!);
        }
        catch (JsonException exception)
        {
            return $"record seq {seq}: payload is not JSON ({exception.Message.Split(" Path:")[0].TrimEnd('.')})";
        }

        return null;
    }

    /// <summary>What keeps an incident row from decoding; null when its body reads as an incident.</summary>
    public static string? IncidentRowProblem(IReadOnlyDictionary<string, object?> row)
    {
        var id = row.GetValueOrDefault("id") as string ?? Quote(row.GetValueOrDefault("id"));
        if (row.GetValueOrDefault("body") is not string body)
        {
            return $"incident {id}: its body is not text";
        }

        try
        {
            if (JsonSerializer.Deserialize<Incident>(body, HomeostatJson.Options) is null)
            {
                return $"incident {id}: its body is empty";
            }
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or ArgumentException or FormatException or InvalidOperationException)
        {
            return $"incident {id}: its body does not read as an incident ({exception.Message.Split(" Path:")[0].TrimEnd('.')})";
        }

        return null;
    }

    public static Dictionary<string, object?> ReadRow(SqliteDataReader reader)
    {
        var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return row;
    }

    public static HashSet<string> Tables(SqliteConnection connection)
    {
        var tables = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    /// <summary>A read-only connection of its own, so a check never changes the file (nor checkpoints its log).</summary>
    public static SqliteConnection OpenForReading(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false };
        if (builder.Mode != SqliteOpenMode.Memory)
        {
            builder.Mode = SqliteOpenMode.ReadOnly;
        }

        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 30000;";
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>True for the errors that mean the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB), not busy or full.</summary>
    public static bool IsDamage(SqliteException exception) =>
        exception.SqliteErrorCode is 11 or 26 || (exception.SqliteExtendedErrorCode & 0xFF) is 11 or 26;

    /// <summary>SQLite's words for a read that failed, with the page when it names one.</summary>
    public static string Unreadable(SqliteException exception)
    {
        var message = exception.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal).TrimEnd('.');
        return IsDamage(exception) ? $"{message} (the file is damaged)" : message;
    }

    private static string Bare(SqliteException exception) => exception.Message.Replace("SQLite Error ", "error ", StringComparison.Ordinal).TrimEnd('.');

    /// <summary>"page 7: …" for a line of SQLite's check that names a page; the line as it is otherwise.</summary>
    private static string NamePage(string line)
    {
        var text = Collapse(line.Replace("*** in database main ***", string.Empty, StringComparison.Ordinal));
        return PageNumber().Match(text) is { Success: true } match ? $"page {match.Groups[1].Value}: {text}" : text;
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    private static string Quote(object? value)
    {
        var text = value switch
        {
            null => "null",
            byte[] bytes => $"{bytes.Length} bytes of binary",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        var clean = new StringBuilder();
        foreach (var c in text.Length > 60 ? text[..60] + "…" : text)
        {
            clean.Append(char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Surrogate ? '?' : c);
        }

        return $"'{clean}'";
    }

    [GeneratedRegex(@"\b[Pp]age (\d+)")]
    private static partial Regex PageNumber();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
