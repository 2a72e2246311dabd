using Homeostat.Host.Probes;
using Homeostat.Postgres;
using System.Globalization;
using System.Text.Json;
using Homeostat.Configuration;
using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Postgres.Actions;
using Homeostat.Postgres.Probes;
using Homeostat.Primitives;
using Homeostat.Probes;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Homeostat.Postgres.Tests.Probes;

/// <summary>
/// The story: an application opens connections and keeps them, on a real PostgreSQL server (max_connections 60). The
/// probe logs in as a monitoring role whose password must never show up in what it reports.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConnectionsProbeTests(PostgresServerFixture server) : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly List<NpgsqlConnection> _sessions = [];

    private string MonitorRole => $"homeostat_probe_{_suffix}";

    private string MonitorPassword => $"probe-secret-{_suffix}";

    private string Variable => $"HOMEOSTAT_PG_PROBE_{_suffix.ToUpperInvariant()}";

    public async Task InitializeAsync()
    {
        await server.ExecuteAsync($"CREATE ROLE {MonitorRole} LOGIN NOSUPERUSER PASSWORD '{MonitorPassword}'");
        Environment.SetEnvironmentVariable(Variable, server.For(user: MonitorRole, password: MonitorPassword, database: "postgres"));
    }

    public async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }

        Environment.SetEnvironmentVariable(Variable, null);
        await server.ExecuteAsync($"SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = '{MonitorRole}'");
        await server.ExecuteAsync($"DROP ROLE IF EXISTS {MonitorRole}");
    }

    [Fact]
    public async Task ManyIdleConnections_BreachALowThreshold_NotAHighOne_AndTheSignalClassifiesAsConnectionExhaustion()
    {
        await OpenIdleSessionsAsync(20);

        var low = new PostgresConnectionsProbe(Options(maxPercent: 20));
        var high = new PostgresConnectionsProbe(Options(maxPercent: 95));
        var breached = await low.MeasureAsync(CancellationToken.None);
        var within = await high.MeasureAsync(CancellationToken.None);

        breached.Breached.ShouldBeTrue(breached.Description);
        breached.Value.ShouldBeGreaterThanOrEqualTo(21); // the 20 sessions and the probe's own
        breached.Limit.ShouldBe(57); // max_connections 60 less 3 superuser_reserved_connections
        breached.Description.ShouldContain("client connections on PostgreSQL 127.0.0.1:");
        breached.Description.ShouldContain("of the 57 available to ordinary roles (max_connections 60 less 3 reserved), above the 20% threshold");
        within.Breached.ShouldBeFalse(within.Description);

        var signal = low.ToSignal(breached, PipelineHarness.Start, "s1");
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Title.ShouldBe("PostgresqlTooManyConnections");
        new RuleClassifier().Classify(signal, new ClassSet(FailureClasses.Seed)).Class.ShouldBe(FailureClasses.ConnectionPoolExhausted);
        ShouldHoldNoSecret(signal);
    }

    [Fact]
    public async Task AMonitoringRole_CountsExactlyTheClientBackends()
    {
        await server.ExecuteAsync($"GRANT pg_read_all_stats TO {MonitorRole}");
        var before = await new PostgresConnectionsProbe(Options(maxPercent: 90)).MeasureAsync(CancellationToken.None);
        await OpenIdleSessionsAsync(5);

        var after = await new PostgresConnectionsProbe(Options(maxPercent: 90)).MeasureAsync(CancellationToken.None);

        after.Value.ShouldBe(before.Value + 5);
    }

    [Fact]
    public async Task ClosingTheConnections_BringsTheReadingBackWithinTheThreshold()
    {
        await OpenIdleSessionsAsync(20);
        var probe = new PostgresConnectionsProbe(Options(maxPercent: 30));
        (await probe.MeasureAsync(CancellationToken.None)).Breached.ShouldBeTrue();

        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }

        _sessions.Clear();
        var after = await WaitForAsync(probe, r => !r.Breached);

        after.Breached.ShouldBeFalse(after.Description);
        ShouldHoldNoSecret(probe.ToSignal(after, PipelineHarness.Start, "s2"));
    }

    [Fact]
    public async Task ServerDown_MeasurementFails_WithoutThePassword_AndTheVerifierNeverSaysCleared()
    {
        var down = new NpgsqlConnectionStringBuilder(server.For(user: MonitorRole, password: MonitorPassword)) { Port = LoopbackPorts.Free() };
        Environment.SetEnvironmentVariable(Variable, down.ConnectionString);
        var options = Options(maxPercent: 50);
        var set = new ProbeSet(Microsoft.Extensions.Options.Options.Create(new ProbesOptions { Items = [options] }), [new PostgresConnectionsProbeKind()]);

        var error = await Should.ThrowAsync<InvalidOperationException>(() => set.Probes[0].MeasureAsync(CancellationToken.None));
        var verdict = await new ProbeVerifier(set).CheckAsync(Incident(set.Probes[0]), CancellationToken.None);

        error.Message.ShouldStartWith($"cannot count connections on 127.0.0.1:{down.Port}/postgres: ");
        error.InnerException.ShouldBeNull();
        verdict.Status.ShouldBe(VerificationStatus.Error);
        verdict.Status.ShouldNotBe(VerificationStatus.Cleared);
        foreach (var text in new[] { error.Message, verdict.Detail })
        {
            text.ShouldNotContain(MonitorPassword);
            text.ShouldNotContain(down.ConnectionString);
        }
    }

    [Fact]
    public async Task ServerDown_TheRunnerLogsTheFailureAndSendsNoSignal()
    {
        var down = new NpgsqlConnectionStringBuilder(server.For(user: MonitorRole, password: MonitorPassword)) { Port = LoopbackPorts.Free() };
        Environment.SetEnvironmentVariable(Variable, down.ConnectionString);
        await using var h = new PipelineHarness(
            settings: new Dictionary<string, string?>
            {
                ["Probes:0:Name"] = "pg",
                ["Probes:0:Kind"] = "postgres_connections",
                ["Probes:0:ConnectionStringEnv"] = Variable,
                ["Probes:0:MaxPercent"] = "1",
                ["Probes:0:Interval"] = "10s",
                ["Probes:0:Service"] = "orders",
            },
            configure: s => new HomeostatBuilder(s, new ConfigurationBuilder().Build()).AddPostgres());
        _ = h.Services.GetRequiredService<IOptions<ProbesOptions>>().Value; // valid: the variable is set and parses
        var logger = new FakeLogger<ProbeRunner>();
        List<string> Warnings() => logger.Collector.GetSnapshot()
            .Where(r => r.Level >= LogLevel.Warning)
            .Select(r => $"{r.Message}: {r.Exception?.Message}")
            .ToList();
        var runner = ActivatorUtilities.CreateInstance<ProbeRunner>(h.Services, logger);
        await runner.StartAsync(CancellationToken.None);
        try
        {
            // The same failure is logged once, then again at most hourly: go past the hour to see it measured again.
            for (var i = 0; i < 400 && Warnings().Count < 2; i++)
            {
                h.Time.Advance(TimeSpan.FromMinutes(1));
                await Task.Delay(20);
            }
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
        }

        var warnings = Warnings();
        warnings.Count.ShouldBeGreaterThanOrEqualTo(2);
        warnings[0].ShouldContain("Probe pg failed to measure");
        warnings[0].ShouldContain("cannot count connections on 127.0.0.1:");
        warnings.ShouldAllBe(w => !w.Contains(MonitorPassword, StringComparison.Ordinal));
        (await h.Store.ListIncidentsAsync(new IncidentQuery(), CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public void Validation_NamesTheProbeAndField_AndNeverTheConnectionString()
    {
        var unset = $"HOMEOSTAT_PG_PROBE_UNSET_{_suffix.ToUpperInvariant()}";
        var validator = new ProbesOptionsValidator([.. BuiltInProbeKinds.Create(TimeProvider.System), new PostgresConnectionsProbeKind()]);

        var result = validator.Validate(null, new ProbesOptions
        {
            Items =
            [
                Options(maxPercent: 80),
                new ProbeOptions { Name = "no-env", Kind = ProbeKinds.PostgresConnections, Service = "orders" },
                new ProbeOptions { Name = "unset", Kind = ProbeKinds.PostgresConnections, ConnectionStringEnv = unset, Service = "orders" },
                new ProbeOptions { Name = "with-path", Kind = ProbeKinds.PostgresConnections, Path = "/run/pg", ConnectionStringEnv = Variable, MaxBytes = ByteSize.Parse("1Gi"), Service = "orders" },
            ],
        });

        result.Failures.ShouldBe(
        [
            "probes[1] (no-env): connection_string_env is required (the environment variable that holds the connection string)",
            $"probes[2] (unset): the environment variable {unset} is not set",
            "probes[3] (with-path): a postgres_connections probe takes no path; it connects with the string in connection_string_env",
            "probes[3] (with-path): max_bytes does not apply to a postgres_connections probe (use max_percent)",
        ]);
    }

    [Fact]
    public void TheKind_IsRegisteredWithThePostgresActions_SoTheEngineValidatesAndBuildsIt()
    {
        var services = new ServiceCollection();
        services.AddHomeostat(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Probes:0:Name"] = "pg",
            ["Probes:0:Kind"] = "postgres_connections",
            ["Probes:0:ConnectionStringEnv"] = Variable,
            ["Probes:0:Service"] = "orders",
        }).Build()).AddPostgres();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ProbeSet>().Probes.ShouldHaveSingleItem().ShouldBeOfType<PostgresConnectionsProbe>();
    }

    private async Task OpenIdleSessionsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var session = new NpgsqlConnection(server.For(applicationName: "leaky-app"));
            await session.OpenAsync();
            _sessions.Add(session);
        }
    }

    private static async Task<ProbeReading> WaitForAsync(IProbe probe, Func<ProbeReading, bool> condition)
    {
        for (var i = 0; ; i++)
        {
            var reading = await probe.MeasureAsync(CancellationToken.None);
            if (condition(reading) || i == 100)
            {
                return reading;
            }

            // Closed sessions leave pg_stat_activity a moment after the client hangs up.
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    private void ShouldHoldNoSecret(Signal signal)
    {
        var json = JsonSerializer.Serialize(signal);
        json.ShouldNotContain(MonitorPassword);
        json.ShouldNotContain(MonitorRole);
        json.ShouldNotContain("Password", Case.Insensitive);
        signal.Labels["server"].ShouldStartWith("127.0.0.1:");
    }

    private ProbeOptions Options(double maxPercent) => new()
    {
        Name = "orders-pg",
        Kind = ProbeKinds.PostgresConnections,
        ConnectionStringEnv = Variable,
        MaxPercent = maxPercent,
        Service = "orders",
    };

    private static Incident Incident(IProbe probe) => new()
    {
        Id = "inc-1",
        Fingerprint = "fp",
        DeliveryKey = "fp",
        Service = "orders",
        State = IncidentState.Verifying,
        CreatedAt = PipelineHarness.Start,
        UpdatedAt = PipelineHarness.Start,
        Signal = probe.ToSignal(new ProbeReading(true, 50, 57, "50 client connections"), PipelineHarness.Start, "s1"),
    };
}
