using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Homeostat.Postgres;

/// <summary>
/// Client connections of a PostgreSQL server against the slots ordinary roles may use — max_connections less
/// superuser_reserved_connections and (PostgreSQL 16+) reserved_connections, because once those are taken every
/// application gets "remaining connection slots are reserved" — and, for one database, its connections against its own
/// CONNECTION LIMIT when it has one. Counted exactly (client backends in pg_stat_activity) with pg_read_all_stats or
/// pg_monitor; otherwise from pg_stat_database.numbackends, which also counts background workers attached to a database.
/// </summary>
internal sealed record ConnectionUsage(long Used, int MaxConnections, int Reserved, DatabaseConnections? Database)
{
    // Every client backend counts, Homeostat's own included: it holds a slot too. $1 is the database, or null.
    private const string Sql = """
        SELECT CASE WHEN pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE')
                    THEN (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')
                    ELSE (SELECT coalesce(sum(numbackends), 0)::bigint FROM pg_catalog.pg_stat_database) END AS used,
               pg_catalog.current_setting('max_connections')::int AS max_connections,
               pg_catalog.current_setting('superuser_reserved_connections')::int AS superuser_reserved,
               coalesce(pg_catalog.current_setting('reserved_connections', true)::int, 0) AS reserved,
               (SELECT d.datconnlimit FROM pg_catalog.pg_database d WHERE d.datname = $1::text) AS database_limit,
               CASE WHEN $1::text IS NULL THEN NULL
                    WHEN pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE')
                    THEN (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend' AND datname = $1::text)
                    ELSE (SELECT numbackends::bigint FROM pg_catalog.pg_stat_database WHERE datname = $1::text) END AS database_used
        """;

    /// <summary>The slots ordinary roles may use.</summary>
    public int Available => Math.Max(1, MaxConnections - Reserved);

    public double Ratio => (double)Used / Available;

    public static async Task<ConnectionUsage> ReadAsync(NpgsqlConnection connection, string? database, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)database ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        DatabaseConnections? perDatabase = null;
        if (database is not null)
        {
            perDatabase = reader.IsDBNull(4)
                ? new DatabaseConnections(database, Exists: false, 0, null)
                : new DatabaseConnections(database, Exists: true, reader.IsDBNull(5) ? 0 : reader.GetInt64(5), reader.GetInt32(4) is var limit and >= 0 ? limit : null);
        }

        return new ConnectionUsage(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2) + reader.GetInt32(3), perDatabase);
    }

    /// <summary>"5 client connections, 8.8% of the 57 slots ordinary roles may use (max_connections 60 less 3 reserved)".</summary>
    public string DescribeServer() => string.Create(CultureInfo.InvariantCulture,
        $"{Used} client connections, {100 * Ratio:0.0}% of the {Available} slots ordinary roles may use (max_connections {MaxConnections} less {Reserved} reserved)");
}

/// <summary>One database's client connections and its CONNECTION LIMIT (null when it has none, datconnlimit -1).</summary>
internal sealed record DatabaseConnections(string Name, bool Exists, long Used, int? Limit)
{
    public double? Ratio => Limit is { } limit ? (limit == 0 ? 1.0 : (double)Used / limit) : null;

    public string Describe() => Limit is { } limit
        ? string.Create(CultureInfo.InvariantCulture, $"database {Name}: {Used} of its connection limit {limit} ({100 * Ratio!.Value:0.0}%)")
        : $"database {Name}: {Used} connections, no connection limit of its own";
}
