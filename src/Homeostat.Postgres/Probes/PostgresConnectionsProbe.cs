using System.Globalization;
using Homeostat.Postgres.Actions;
using Homeostat.Probes;
using Homeostat.Signals;
using Npgsql;

namespace Homeostat.Postgres.Probes;

/// <summary>
/// Client connections of a PostgreSQL server (counted exactly with pg_read_all_stats or pg_monitor, else the sum of
/// pg_stat_database.numbackends) against the slots ordinary roles may use: max_connections less
/// superuser_reserved_connections and (PostgreSQL 16+) reserved_connections, as <see cref="ConnectionUsage"/> counts them.
/// Breached above max_percent (90 by default).
/// The connection string comes from the environment variable named by connection_string_env and never reaches a
/// signal, a log line or an error: only its host, port and database do.
/// </summary>
public sealed class PostgresConnectionsProbe(ProbeOptions options) : IProbe
{
    public const double DefaultMaxPercent = 90;

    public ProbeOptions Options { get; } = options;

    public async Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken)
    {
        if (!PostgresConnections.TryConnectionString(Target, out var connectionString, out var problem))
        {
            throw new InvalidOperationException($"probe {Options.Name}: {problem}");
        }

        var server = Server(connectionString);
        long used;
        int maxConnections;
        int reserved;
        try
        {
            var timeoutSeconds = (int)Math.Clamp(Math.Ceiling(Options.Timeout.Value.TotalSeconds), 1, 300);
            await using var connection = PostgresConnections.Create(connectionString, timeoutSeconds);
            await connection.OpenAsync(cancellationToken);
            var usage = await ConnectionUsage.ReadAsync(connection, database: null, cancellationToken);
            used = usage.Used;
            maxConnections = usage.MaxConnections;
            reserved = usage.Reserved;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The inner exception is dropped on purpose: its text is not guaranteed free of the connection string.
            throw new InvalidOperationException($"cannot count connections on {server}: {PostgresConnections.Describe(exception, connectionString)}");
        }

        var limit = Math.Max(1, maxConnections - reserved);
        var maxPercent = Options.MaxPercent ?? DefaultMaxPercent;
        var percent = 100.0 * used / limit;
        var breached = percent > maxPercent;
        var description = string.Create(CultureInfo.InvariantCulture,
            $"{used} client connections on PostgreSQL {server}, {percent:0.0}% of the {limit} available to ordinary roles (max_connections {maxConnections} less {reserved} reserved), {(breached ? "above" : "within")} the {maxPercent:0.#}% threshold");
        return new ProbeReading(breached, used, limit, description)
        {
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["server"] = server },
        };
    }

    public Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id)
    {
        var server = reading.Labels.TryGetValue("server", out var s) ? s : "";
        return ProbeSignals.Create(
            Options,
            reading,
            since,
            id,
            "PostgresqlTooManyConnections",
            new SignalResource { Kind = "PostgreSQL", Name = server, Host = server.Split('/')[0] },
            [ProbeSignals.Label("server", server)],
            new Dictionary<string, double>
            {
                ["pg_stat_activity_count"] = reading.Value,
                ["connection_slots"] = reading.Limit,
                ["usage_ratio"] = ProbeSignals.UsageRatio(reading),
            });
    }

    internal PostgresTarget Target => new() { ConnectionStringEnv = Options.ConnectionStringEnv };

    /// <summary>host:port/database: what the signal may say about the server; never the user or the password.</summary>
    private static string Server(NpgsqlConnectionStringBuilder connection) =>
        string.Create(CultureInfo.InvariantCulture, $"{connection.Host}:{connection.Port}/{connection.Database ?? connection.Username}");
}

/// <summary><c>postgres_connections</c>: needs connection_string_env (set, and holding a connection string) and no path.</summary>
public sealed class PostgresConnectionsProbeKind : IProbeKind
{
    public string Kind => ProbeKinds.PostgresConnections;

    public IProbe Create(ProbeOptions options) => new PostgresConnectionsProbe(options);

    public IEnumerable<string> Validate(ProbeOptions options)
    {
        if (!string.IsNullOrEmpty(options.Path))
        {
            yield return "a postgres_connections probe takes no path; it connects with the string in connection_string_env";
        }

        if (options.MaxBytes is not null)
        {
            yield return "max_bytes does not apply to a postgres_connections probe (use max_percent)";
        }

        if (options.Timeout.Value <= TimeSpan.Zero || options.Timeout.Value > TimeSpan.FromSeconds(PostgresActionOptionsValidator.MaxTimeoutSeconds))
        {
            yield return $"timeout must be longer than zero and at most {PostgresActionOptionsValidator.MaxTimeoutSeconds}s (got {options.Timeout})";
        }

        if (!PostgresConnections.TryConnectionString(new PostgresTarget { ConnectionStringEnv = options.ConnectionStringEnv }, out _, out var problem))
        {
            yield return problem.Replace("ConnectionStringEnv", "connection_string_env", StringComparison.Ordinal);
        }
    }
}
