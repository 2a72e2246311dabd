using Homeostat.Healing;
using Microsoft.Data.Sqlite;

namespace Homeostat.Sqlite;

/// <summary>A backup written and checked: where, how big, and the audit records it holds.</summary>
public sealed record SqliteBackupResult(string Source, string Destination, long Bytes, long AuditRecords, long LastSequence);

/// <summary>
/// A consistent copy of a store that may be in use: SQLite's online backup reads one snapshot while the service goes
/// on writing. The copy is written beside its destination, checked, and only then moved into place.
/// </summary>
public static class SqliteBackup
{
    public static SqliteBackupResult Run(string sourcePath, string destinationPath, bool overwrite)
    {
        var source = Path.GetFullPath(sourcePath);
        var destination = Path.GetFullPath(destinationPath);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var making = $"{destination}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString()))
            using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = making, Pooling = false }.ToString()))
            {
                from.Open();
                Execute(from, "PRAGMA busy_timeout = 30000; PRAGMA query_only = 1;");
                to.Open();
                from.BackupDatabase(to);

                // The copy stands alone: one file, no write-ahead log beside it.
                Execute(to, "PRAGMA journal_mode = DELETE;");
            }

            var copy = new SqliteConnectionStringBuilder { DataSource = making, Pooling = false }.ToString();
            if (SqliteIntegrity.Quick(copy, making).FirstOrDefault() is { } problem)
            {
                throw new StoreDamagedException(source, $"its copy does not pass the integrity check ({problem}), so no backup was written");
            }

            var (records, last) = CountAudit(copy);
            File.Move(making, destination, overwrite);
            return new SqliteBackupResult(source, destination, new FileInfo(destination).Length, records, last);
        }
        finally
        {
            File.Delete(making);
            File.Delete(making + "-journal");
        }
    }

    private static (long Records, long Last) CountAudit(string connectionString)
    {
        using var connection = SqliteIntegrity.OpenForReading(connectionString);
        if (!SqliteIntegrity.Tables(connection).Contains("audit"))
        {
            return (0, 0);
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM audit";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
