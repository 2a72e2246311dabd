namespace Homeostat.Postgres;

/// <summary>Marks the PostgreSQL adapter assembly.</summary>
public static class PostgresAssembly;
