using Homeostat.Postgres;
using Homeostat.Configuration;
using Homeostat.Postgres.Actions;
using Homeostat.Remediation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Postgres.Tests.Actions;

/// <summary>Configuration mistakes are caught at start-up, all at once, and no error repeats a connection string or a password.</summary>
public sealed class PostgresActionOptionsValidatorTests : IDisposable
{
    private const string Secret = "Sup3r-secret-pw";
    private readonly string _good = "HOMEOSTAT_TEST_PGOPT_GOOD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _garbled = "HOMEOSTAT_TEST_PGOPT_BAD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public PostgresActionOptionsValidatorTests()
    {
        Environment.SetEnvironmentVariable(_good, $"Host=db.internal;Username=homeostat;Password={Secret};Database=orders");
        Environment.SetEnvironmentVariable(_garbled, $"Host=db.internal;Password={Secret};NoSuchKeyword=1");
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_good, null);
        Environment.SetEnvironmentVariable(_garbled, null);
    }

    [Fact]
    public void A_target_whose_variable_holds_a_connection_string_is_valid()
    {
        var result = new PostgresActionOptionsValidator().Validate(null, Options(("orders", _good)));

        result.Succeeded.ShouldBeTrue(result.FailureMessage);
    }

    [Fact]
    public void No_targets_is_valid_and_the_action_then_refuses_everything()
    {
        new PostgresActionOptionsValidator().Validate(null, new PostgresActionOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Every_error_is_reported_at_once_without_secrets()
    {
        var options = Options(
            ("orders", _garbled),
            ("billing", "HOMEOSTAT_TEST_PGOPT_UNSET_VARIABLE"),
            ("bad name!", _good),
            ("nameless", null),
            ("shell", "ORDERS;rm -rf"));
        options.TimeoutSeconds = 0;

        var result = new PostgresActionOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        var failures = result.Failures!.ToList();
        failures.ShouldBe(
        [
            "Actions:TerminateIdleConnections:TimeoutSeconds must be between 1 and 300, not 0",
            "Actions:TerminateIdleConnections:Targets:bad name!: a target name must be 1 to 63 letters, digits, '_', '-' or '.', starting with a letter or digit",
            "Actions:TerminateIdleConnections:Targets:billing: the environment variable HOMEOSTAT_TEST_PGOPT_UNSET_VARIABLE is not set",
            "Actions:TerminateIdleConnections:Targets:nameless: ConnectionStringEnv is required (the environment variable that holds the connection string)",
            $"Actions:TerminateIdleConnections:Targets:orders: the environment variable {_garbled} does not hold a valid PostgreSQL connection string",
            "Actions:TerminateIdleConnections:Targets:shell: ConnectionStringEnv must be an environment variable name (letters, digits and '_', not starting with a digit)",
        ]);
        result.FailureMessage.ShouldNotContain(Secret);
    }

    [Fact]
    public void The_host_registration_binds_the_section_validates_at_start_up_and_registers_the_action()
    {
        var services = new ServiceCollection();
        new HomeostatBuilder(services, Configuration(
            ("Actions:TerminateIdleConnections:Targets:orders:ConnectionStringEnv", _good),
            ("Actions:TerminateIdleConnections:TimeoutSeconds", "7"))).AddPostgres();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PostgresActionOptions>>().Value;
        options.Targets.Keys.ShouldBe(["orders"]);
        options.TimeoutSeconds.ShouldBe(7);
        provider.GetServices<IRemediationAction>().ShouldHaveSingleItem().Descriptor.Name.ShouldBe("terminate_idle_connections");
        provider.GetServices<IValidateOptions<PostgresActionOptions>>().OfType<PostgresActionOptionsValidator>().ShouldHaveSingleItem();
    }

    [Fact]
    public void An_unknown_key_or_a_missing_variable_stops_the_start()
    {
        var services = new ServiceCollection();
        new HomeostatBuilder(services, Configuration(
            ("Actions:TerminateIdleConnections:Targets:orders:ConnectionStringEnv", "HOMEOSTAT_TEST_PGOPT_UNSET_VARIABLE"))).AddPostgres();
        using var provider = services.BuildServiceProvider();

        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgresActionOptions>>().Value)
            .Message.ShouldContain("HOMEOSTAT_TEST_PGOPT_UNSET_VARIABLE is not set");

        var typo = new ServiceCollection();
        new HomeostatBuilder(typo, Configuration(
            ("Actions:TerminateIdleConnections:Targets:orders:ConnectionString", "Host=x;Password=" + Secret))).AddPostgres();
        using var typoProvider = typo.BuildServiceProvider();
        Should.Throw<InvalidOperationException>(() => typoProvider.GetRequiredService<IOptions<PostgresActionOptions>>().Value)
            .ToString().ShouldNotContain(Secret);
    }

    private static PostgresActionOptions Options(params (string Name, string? Variable)[] targets) => new()
    {
        Targets = targets.ToDictionary(t => t.Name, t => new PostgresTarget { ConnectionStringEnv = t.Variable }, StringComparer.Ordinal),
    };

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
