namespace Homeostat.Postgres.Actions;

/// <summary>
/// The PostgreSQL servers <c>terminate_idle_connections</c> may act on, by name. A signal can only pick one of these
/// names; it never supplies a host or a connection string. Empty means the action refuses everything.
/// </summary>
public sealed class PostgresActionOptions
{
    public const string Section = "Actions:TerminateIdleConnections";

    /// <summary>Named targets, e.g. <c>Targets: { orders: { ConnectionStringEnv: "ORDERS_PG" } }</c>.</summary>
    public Dictionary<string, PostgresTarget> Targets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Seconds allowed to connect and for each statement; a slower server fails the action with a reason.</summary>
    public int TimeoutSeconds { get; set; } = 10;
}

/// <summary>One PostgreSQL server. The connection string is read from the environment, never from configuration files or signals.</summary>
public sealed class PostgresTarget
{
    /// <summary>The environment variable that holds the Npgsql connection string (with its password).</summary>
    public string? ConnectionStringEnv { get; set; }
}
