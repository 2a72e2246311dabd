using Homeostat.Catalog;
using Homeostat.Postgres.Actions;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;
using Npgsql;

namespace Homeostat.Postgres.Tests.Actions;

/// <summary>
/// The story: an application leaks connections that sit idle (some inside a transaction) on a real PostgreSQL server, until
/// its database is at its CONNECTION LIMIT. Each test has its own database and login role, so a run never sees another
/// test's sessions; every run names that database, so the action never touches anything else on a shared server, and the
/// premise is that database's connections against its own limit (the server's 60 slots are far from full).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TerminateIdleConnectionsActionTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string Target = "orders";
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly List<NpgsqlConnection> _sessions = [];
    private readonly List<string> _variables = [];

    private string Database => $"homeostat_t_{_suffix}";

    private string AppRole => $"homeostat_app_{_suffix}";

    private string MonitorRole => $"homeostat_mon_{_suffix}";

    private string AppPassword => $"app-{_suffix}";

    private string SuperuserPassword => new NpgsqlConnectionStringBuilder(server.ConnectionString).Password ?? "";

    public async Task InitializeAsync()
    {
        await server.ExecuteAsync($"CREATE ROLE {AppRole} LOGIN NOSUPERUSER PASSWORD '{AppPassword}'");
        await server.ExecuteAsync($"CREATE ROLE {MonitorRole} LOGIN NOSUPERUSER PASSWORD 'mon-{_suffix}' IN ROLE pg_read_all_stats");
        await server.ExecuteAsync($"CREATE DATABASE {Database} OWNER {AppRole}");
        await server.ExecuteAsync("CREATE TABLE x (id int)", Database);
    }

    public async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }

        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        await server.ExecuteAsync($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await server.ExecuteAsync($"SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename IN ('{AppRole}', '{MonitorRole}')");
        await server.ExecuteAsync($"DROP ROLE IF EXISTS {AppRole}");
        await server.ExecuteAsync($"DROP ROLE IF EXISTS {MonitorRole}");
    }

    [Fact]
    public async Task Preview_lists_exactly_the_idle_sessions_of_normal_roles_and_terminates_nothing()
    {
        var scene = await LeakyApplicationAsync();
        var action = Action(server.ConnectionString);

        var preview = await action.PreviewAsync(Request(Parameters()), CancellationToken.None);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.Holds);
        preview.Premise.Observed.ShouldEndWith($"; database {Database}: 4 of its connection limit 5 (80.0%); at or above min_usage 80%");
        preview.Summary.ShouldContain("would terminate 2 session(s) on target orders");
        preview.Changes.Count.ShouldBe(2);
        preview.Changes[0].ShouldStartWith($"terminate pid {scene.Idle.ProcessID} (user \"{AppRole}\", application \"shop-api\", database \"{Database}\", idle for ");
        preview.Changes[1].ShouldStartWith($"terminate pid {scene.IdleInTransaction.ProcessID} (user \"{AppRole}\", application \"shop-worker\", database \"{Database}\", idle in transaction for ");
        foreach (var session in scene.All)
        {
            (await IsAliveAsync(session)).ShouldBeTrue("a preview terminates nothing");
        }

        ShouldHoldNoSecret(preview.Summary, preview.Changes);
    }

    [Fact]
    public async Task Execute_terminates_the_idle_sessions_and_spares_superusers_homeostat_and_other_databases_then_changes_nothing()
    {
        var scene = await LeakyApplicationAsync();
        var action = Action(server.ConnectionString);

        var outcome = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldStartWith("terminated 2 session(s) on target orders, idle or idle in transaction for more than 1s in database " + Database);
        outcome.Changes.Count.ShouldBe(2);
        outcome.Changes[0].ShouldStartWith($"terminated pid {scene.Idle.ProcessID} ");
        outcome.Changes[1].ShouldStartWith($"terminated pid {scene.IdleInTransaction.ProcessID} ");
        ShouldHoldNoSecret(outcome.Summary, outcome.Changes);

        await Should.ThrowAsync<NpgsqlException>(() => QueryAsync(scene.Idle));
        await Should.ThrowAsync<NpgsqlException>(() => QueryAsync(scene.IdleInTransaction));
        (await IsAliveAsync(scene.Superuser)).ShouldBeTrue("superusers are never terminated");
        (await IsAliveAsync(scene.Homeostat)).ShouldBeTrue("Homeostat's own sessions are never terminated");
        (await IsAliveAsync(scene.OtherDatabase)).ShouldBeTrue("only the named database is touched");

        var again = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        again.Status.ShouldBe(ActionStatus.PremiseNotMet, again.Summary);
        again.Changes.ShouldBeEmpty();
        again.Premise!.Observed.ShouldEndWith($"; database {Database}: 2 of its connection limit 5 (40.0%); below min_usage 80%");
    }

    [Fact]
    public async Task Execute_terminates_the_oldest_first_and_at_most_max_per_run()
    {
        await LimitConnectionsAsync(3);
        var first = await OpenIdleAsync(AppRole, AppPassword, Database, "batch-1");
        await Task.Delay(300);
        var second = await OpenIdleAsync(AppRole, AppPassword, Database, "batch-2");
        await Task.Delay(300);
        var third = await OpenIdleAsync(AppRole, AppPassword, Database, "batch-3");
        await WaitIdleAsync(first, second, third);
        var action = Action(server.ConnectionString);

        // A third of the limit still counts as near it here, so the later run may take the one left.
        var parameters = Parameters(maxPerRun: 2, minUsage: 0.3);
        var preview = await action.PreviewAsync(Request(parameters), CancellationToken.None);
        var outcome = await action.ExecuteAsync(Request(parameters), CancellationToken.None);

        preview.Summary.ShouldEndWith("; 1 more left for a later run (max_per_run 2)");
        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.Select(c => c.Split(' ')[2]).ShouldBe([$"{first.ProcessID}", $"{second.ProcessID}"]);
        outcome.Summary.ShouldEndWith("; 1 more left for a later run (max_per_run 2)");
        (await IsConnectedAsync(third)).ShouldBeTrue("beyond max_per_run");

        var next = await action.ExecuteAsync(Request(parameters), CancellationToken.None);

        next.Status.ShouldBe(ActionStatus.Succeeded, next.Summary);
        next.Changes.ShouldHaveSingleItem().ShouldStartWith($"terminated pid {third.ProcessID} ");
        (await action.ExecuteAsync(Request(parameters), CancellationToken.None)).Status.ShouldBe(ActionStatus.PremiseNotMet, "no connection is left");
    }

    [Fact]
    public async Task Sessions_idle_for_less_than_idle_seconds_or_in_a_transaction_when_excluded_are_left_alone()
    {
        await LimitConnectionsAsync(2);
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        var inTransaction = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-worker", inTransaction: true);
        await WaitIdleAsync(idle, inTransaction);
        var action = Action(server.ConnectionString);

        var young = await action.ExecuteAsync(Request(Parameters(idleSeconds: 3600)), CancellationToken.None);

        young.Status.ShouldBe(ActionStatus.NoChange, young.Summary);
        (await IsConnectedAsync(idle)).ShouldBeTrue();

        var outcome = await action.ExecuteAsync(Request(Parameters(includeIdleInTransaction: false)), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldHaveSingleItem().ShouldStartWith($"terminated pid {idle.ProcessID} ");
        (await IsAliveAsync(inTransaction)).ShouldBeTrue("idle in transaction was excluded");
    }

    [Theory]
    [InlineData("instance")]
    [InlineData("database")]
    [InlineData("db")]
    public async Task The_signal_may_pick_a_configured_target_by_its_exact_name(string label)
    {
        await LimitConnectionsAsync(1);
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        await WaitIdleAsync(idle);
        var action = Action(server.ConnectionString);

        var outcome = await action.ExecuteAsync(Request(Parameters(target: null), (label, Target)), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldHaveSingleItem().ShouldStartWith($"terminated pid {idle.ProcessID} ");
    }

    [Theory]
    [InlineData("instance", "billing")]
    [InlineData("instance", "ORDERS")]
    [InlineData("database", "orders; DROP TABLE x")]
    [InlineData("db", "../../etc")]
    [InlineData("instance", "orders' OR '1'='1")]
    [InlineData("instance", "orders\n")]
    public async Task A_label_that_names_no_configured_target_is_not_applicable_and_nothing_is_terminated(string label, string value)
    {
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        await WaitIdleAsync(idle);
        var action = Action(server.ConnectionString);
        var request = Request(Parameters(target: null), (label, value));

        var preview = await action.PreviewAsync(request, CancellationToken.None);
        var outcome = await action.ExecuteAsync(request, CancellationToken.None);

        preview.CanRun.ShouldBeFalse();
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        preview.Summary.ShouldStartWith("not applicable: no configured target is named by the signal's");
        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: no configured target is named by the signal's");
        outcome.Summary.ShouldContain("configured: orders");
        outcome.Changes.ShouldBeEmpty();
        (await IsAliveAsync(idle)).ShouldBeTrue();
        (await CountAsync("SELECT count(*) FROM x")).ShouldBe(0, "table x is still there");
    }

    [Fact]
    public async Task Without_a_target_parameter_or_label_the_action_is_not_applicable()
    {
        var outcome = await Action(server.ConnectionString).ExecuteAsync(Request(Parameters(target: null)), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldBe("not applicable: the catalog sets no target and the signal has no instance, database or db label naming one");
    }

    [Fact]
    public async Task Labels_naming_two_different_targets_are_not_applicable_as_ambiguous()
    {
        var variable = Variable(server.ConnectionString);
        var action = new TerminateIdleConnectionsAction(StaticOptionsMonitor.Of(new PostgresActionOptions
        {
            Targets = new(StringComparer.Ordinal) { [Target] = new() { ConnectionStringEnv = variable }, ["billing"] = new() { ConnectionStringEnv = variable } },
        }));

        var outcome = await action.ExecuteAsync(Request(Parameters(target: null), ("instance", "orders"), ("db", "billing")), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldContain("more than one target (billing, orders)");
    }

    [Fact]
    public async Task A_database_that_is_not_an_identifier_is_refused()
    {
        var outcome = await Action(server.ConnectionString).ExecuteAsync(Request(Parameters(database: "x'; DROP TABLE x; --")), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("refused: database ");
        (await CountAsync("SELECT count(*) FROM x")).ShouldBe(0);
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_a_reason_that_holds_no_password()
    {
        var port = LoopbackPorts.Free();
        const string password = "S3cret-unreachable-pw";
        var action = Action($"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=postgres");

        var preview = await action.PreviewAsync(Request(Parameters()), CancellationToken.None);
        var outcome = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        preview.CanRun.ShouldBeFalse();
        preview.Summary.ShouldStartWith("cannot preview on target orders: ");
        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("failed on target orders after terminating 0 of 0 session(s): ");
        outcome.Summary.ShouldContain("127.0.0.1");
        outcome.Summary.ShouldNotContain(password);
        preview.Summary.ShouldNotContain(password);
    }

    [Fact]
    public async Task A_wrong_password_fails_as_an_authentication_error_without_the_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = AppRole, Password = "Wr0ng-password-value" };
        var action = Action(builder.ConnectionString);

        var outcome = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("authentication failed (28P01)");
        outcome.Summary.ShouldNotContain("Wr0ng-password-value");
    }

    [Fact]
    public async Task A_role_that_may_see_but_not_signal_other_sessions_fails_with_permission_denied()
    {
        await LimitConnectionsAsync(1);
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        await WaitIdleAsync(idle);
        var action = Action(server.For(MonitorRole, $"mon-{_suffix}"));

        var preview = await action.PreviewAsync(Request(Parameters()), CancellationToken.None);
        var outcome = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        preview.Changes.ShouldHaveSingleItem().ShouldStartWith($"terminate pid {idle.ProcessID} ");
        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("after terminating 0 of 1 session(s): permission denied (42501)");
        outcome.Summary.ShouldNotContain($"mon-{_suffix}");
        (await IsAliveAsync(idle)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_target_whose_environment_variable_is_gone_fails_and_names_the_variable()
    {
        var variable = "HOMEOSTAT_TEST_PG_MISSING_" + _suffix.ToUpperInvariant();
        var action = new TerminateIdleConnectionsAction(StaticOptionsMonitor.Of(new PostgresActionOptions
        {
            Targets = new(StringComparer.Ordinal) { [Target] = new() { ConnectionStringEnv = variable } },
        }));

        var outcome = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldBe($"target orders: the environment variable {variable} is not set");
    }

    [Fact]
    public async Task Connections_far_from_every_limit_are_premise_not_met_naming_the_numbers_and_nothing_is_terminated()
    {
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        var inTransaction = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-worker", inTransaction: true);
        await WaitIdleAsync(idle, inTransaction);
        var maxConnections = await SettingAsync("max_connections");
        var reserved = await SettingAsync("superuser_reserved_connections");
        var action = Action(server.ConnectionString);

        var preview = await action.PreviewAsync(Request(Parameters()), CancellationToken.None);
        var outcome = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        preview.CanRun.ShouldBeFalse();
        preview.Changes.ShouldBeEmpty();
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotMet);
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Changes.ShouldBeEmpty();
        outcome.Premise!.Observed.ShouldMatch(
            $@"^target orders: \d+ client connections, \d+\.\d% of the {maxConnections - reserved} slots ordinary roles may use \(max_connections {maxConnections} less {reserved} reserved\); " +
            $"database {Database}: 2 connections, no connection limit of its own; below min_usage 80%$");
        outcome.Summary.ShouldBe("premise not met: " + outcome.Premise.Observed);
        (await IsAliveAsync(idle)).ShouldBeTrue();
        (await IsAliveAsync(inTransaction)).ShouldBeTrue();
    }

    [Fact]
    public async Task Execute_checks_the_premise_again_and_terminates_nothing_when_the_connections_fell_since_the_preview()
    {
        await LimitConnectionsAsync(2);
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        var leaving = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-batch");
        await WaitIdleAsync(idle, leaving);
        var action = Action(server.ConnectionString);
        (await action.PreviewAsync(Request(Parameters()), CancellationToken.None)).Changes.Count.ShouldBe(2);

        var leavingPid = leaving.ProcessID;
        await leaving.CloseAsync();
        await WaitGoneAsync(leavingPid);
        var outcome = await action.ExecuteAsync(Request(Parameters()), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise!.Observed.ShouldEndWith($"database {Database}: 1 of its connection limit 2 (50.0%); below min_usage 80%");
        (await IsAliveAsync(idle)).ShouldBeTrue();
    }

    [Fact]
    public async Task Without_a_database_limit_the_server_wide_count_decides()
    {
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        await WaitIdleAsync(idle);
        var action = Action(server.ConnectionString);

        var outcome = await action.ExecuteAsync(Request(Parameters(minUsage: 0.01)), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise!.Observed.ShouldEndWith("no connection limit of its own; at or above min_usage 1%");
        outcome.Changes.ShouldHaveSingleItem().ShouldStartWith($"terminated pid {idle.ProcessID} ");
    }

    [Fact]
    public async Task A_database_the_server_does_not_have_is_not_applicable()
    {
        var outcome = await Action(server.ConnectionString).ExecuteAsync(Request(Parameters(database: "no_such_db_" + _suffix)), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldBe($"not applicable: database no_such_db_{_suffix} does not exist on target orders");
    }

    [Fact]
    public void The_descriptor_says_what_the_premise_is()
    {
        var descriptor = PostgresActions.TerminateIdleConnections;

        descriptor.Premise.IsObservable.ShouldBeTrue();
        descriptor.Premise.Checks!.ShouldContain("min_usage");
        descriptor.Parameter("min_usage")!.Default.ShouldBe(0.8);
    }

    private async Task<int> SettingAsync(string name)
    {
        await using var connection = new NpgsqlConnection(server.For());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_catalog.current_setting($1)::int", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A closed session leaves pg_stat_activity a moment later: wait for the server to see it gone.</summary>
    private async Task WaitGoneAsync(int pid)
    {
        await using var connection = new NpgsqlConnection(server.For());
        await connection.OpenAsync();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = pid });
            if ((long)(await command.ExecuteScalarAsync())! == 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the closed session stayed on the server");
    }

    [Fact]
    public async Task A_cancelled_run_fails_instead_of_throwing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var outcome = await Action(server.ConnectionString).ExecuteAsync(Request(Parameters()), cancelled.Token);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("stopped by the time limit on target orders");
    }

    private sealed record Scene(NpgsqlConnection Idle, NpgsqlConnection IdleInTransaction, NpgsqlConnection Superuser, NpgsqlConnection Homeostat, NpgsqlConnection OtherDatabase)
    {
        public IEnumerable<NpgsqlConnection> All => [Idle, IdleInTransaction, Superuser, Homeostat, OtherDatabase];
    }

    /// <summary>Two leaked sessions of the application, and three that must survive: a superuser's, Homeostat's own, and one in another database.</summary>
    private async Task<Scene> LeakyApplicationAsync()
    {
        await LimitConnectionsAsync(5);
        var idle = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-api");
        var inTransaction = await OpenIdleAsync(AppRole, AppPassword, Database, "shop-worker", inTransaction: true);
        var superuser = await OpenIdleAsync(null, null, Database, "psql-admin", inTransaction: true);
        var homeostat = await OpenIdleAsync(AppRole, AppPassword, Database, PostgresConnectionsName);
        var other = await OpenIdleAsync(AppRole, AppPassword, "postgres", "shop-api");
        var scene = new Scene(idle, inTransaction, superuser, homeostat, other);
        await WaitIdleAsync([.. scene.All]);
        return scene;
    }

    private const string PostgresConnectionsName = "homeostat";

    /// <summary>The database's own CONNECTION LIMIT, set as its owner would for an application that must not take the server's every slot.</summary>
    private Task LimitConnectionsAsync(int limit) =>
        server.ExecuteAsync($"ALTER DATABASE {Database} CONNECTION LIMIT {limit}");

    private async Task<NpgsqlConnection> OpenIdleAsync(string? user, string? password, string database, string application, bool inTransaction = false)
    {
        var connection = new NpgsqlConnection(server.For(user, password, database, application));
        _sessions.Add(connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(inTransaction ? "BEGIN; SELECT 1" : "SELECT 1", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>PostgreSQL's own clock decides idleness, so the test waits (briefly) until the server sees the sessions idle for over a second.</summary>
    private async Task WaitIdleAsync(params NpgsqlConnection[] sessions)
    {
        var pids = sessions.Select(s => s.ProcessID).ToArray();
        await using var connection = new NpgsqlConnection(server.For());
        await connection.OpenAsync();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1) AND state LIKE 'idle%' AND state_change < clock_timestamp() - interval '1.1 seconds'",
                connection);
            command.Parameters.Add(new NpgsqlParameter { Value = pids });
            if ((long)(await command.ExecuteScalarAsync())! == pids.Length)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the sessions did not become idle on the server");
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(server.For(database: Database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Asks the server, so the session itself is not used and stays idle.</summary>
    private async Task<bool> IsConnectedAsync(NpgsqlConnection session)
    {
        await using var connection = new NpgsqlConnection(server.For());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = session.ProcessID });
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    private static async Task QueryAsync(NpgsqlConnection session)
    {
        await using var command = new NpgsqlCommand("SELECT 1", session);
        await command.ExecuteScalarAsync();
    }

    private static async Task<bool> IsAliveAsync(NpgsqlConnection session)
    {
        try
        {
            await QueryAsync(session);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private void ShouldHoldNoSecret(string summary, IEnumerable<string> changes)
    {
        foreach (var text in changes.Prepend(summary))
        {
            text.ShouldNotContain(SuperuserPassword);
            text.ShouldNotContain(AppPassword);
            text.ShouldNotContain("Password=", Case.Insensitive);
        }
    }

    private string Variable(string connectionString)
    {
        var variable = $"HOMEOSTAT_TEST_PG_{_suffix.ToUpperInvariant()}_{_variables.Count}";
        Environment.SetEnvironmentVariable(variable, connectionString);
        _variables.Add(variable);
        return variable;
    }

    private TerminateIdleConnectionsAction Action(string connectionString) =>
        new(StaticOptionsMonitor.Of(new PostgresActionOptions
        {
            Targets = new(StringComparer.Ordinal) { [Target] = new() { ConnectionStringEnv = Variable(connectionString) } },
            TimeoutSeconds = 5,
        }));

    private Dictionary<string, object?> Parameters(
        long idleSeconds = 1, bool includeIdleInTransaction = true, long maxPerRun = 20, string? database = "", string? target = Target, double minUsage = PostgresActions.DefaultMinUsage) => new()
    {
        ["min_usage"] = minUsage,
        ["idle_seconds"] = idleSeconds,
        ["include_idle_in_transaction"] = includeIdleInTransaction,
        ["max_per_run"] = maxPerRun,
        ["database"] = database == "" ? Database : database,
        ["target"] = target,
    };

    private static ActionRequest Request(Dictionary<string, object?> parameters, params (string Name, string Value)[] labels)
    {
        var signal = new Signal
        {
            Id = "sig-pg-1",
            Source = SignalSources.Alertmanager,
            Service = "orders",
            Title = "PostgresTooManyConnections",
            Labels = labels.ToDictionary(l => l.Name, l => l.Value),
        };
        var remediation = new RemediationSpec
        {
            Class = "too_many_connections",
            Action = PostgresActions.TerminateIdleConnections.Name,
            ConfidenceFloor = 0.8,
            Parameters = new ActionParameters(parameters),
            Location = new SourceLocation("catalog.yaml", 1, 1),
        };
        return new ActionRequest("inc-1", signal, remediation);
    }
}
