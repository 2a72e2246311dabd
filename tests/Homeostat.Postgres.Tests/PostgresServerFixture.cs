using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Homeostat.TestKit;
using Npgsql;

namespace Homeostat.Postgres.Tests;

/// <summary>
/// A real PostgreSQL server for the tests: HOMEOSTAT_TEST_POSTGRES (a superuser connection string) when set, otherwise a
/// throwaway server started with scripts/postgres.sh on a free port and stopped at the end.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "HOMEOSTAT_TEST_POSTGRES";

    private string? _directory;

    /// <summary>A superuser connection string.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        _directory = Path.Combine(Path.GetTempPath(), "homeostat-pg-" + Guid.NewGuid().ToString("N")[..10]);
        var output = await RunScriptAsync("start", _directory, LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture));
        ConnectionString = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
    }

    public async Task DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        await RunScriptAsync("stop", _directory);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A connection string for <paramref name="user"/> on <paramref name="database"/>, unpooled so a closed connection really closes.</summary>
    public string For(string? user = null, string? password = null, string? database = null, string? applicationName = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false };
        if (user is not null)
        {
            builder.Username = user;
            builder.Password = password;
        }

        if (database is not null)
        {
            builder.Database = database;
        }

        if (applicationName is not null)
        {
            builder.ApplicationName = applicationName;
        }

        return builder.ConnectionString;
    }

    public async Task ExecuteAsync(string sql, string? database = null)
    {
        await using var connection = new NpgsqlConnection(For(database: database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> RunScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryPaths.File("scripts", "postgres.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
