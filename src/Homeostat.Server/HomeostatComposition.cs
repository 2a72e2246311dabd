using Homeostat.Audit;
using Homeostat.Configuration;
using Homeostat.Host;
using Homeostat.Kubernetes;
using Homeostat.Learning;
using Homeostat.Llm;
using Homeostat.Postgres;
using Homeostat.Prometheus;
using Homeostat.Server.Access;
using Homeostat.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Server;

/// <summary>
/// The one composition every mode uses: <c>run</c>, every CLI command and <c>validate</c> read the same configuration
/// (the YAML file, then <c>HOMEOSTAT__</c> environment variables, then flags) and add the same modules.
/// </summary>
public static class HomeostatComposition
{
    /// <summary>The prefix of environment variables that override config keys: <c>HOMEOSTAT__GUARDRAILS__DRYRUN=false</c>.</summary>
    public const string EnvironmentPrefix = "HOMEOSTAT__";

    /// <summary>Where the embedded store lives when neither <c>--data</c> nor <c>data:</c> says.</summary>
    public const string DefaultDataDirectory = ".homeostat";

    /// <summary>Adds the configuration sources in their order of precedence, the last winning.</summary>
    public static IConfigurationBuilder AddHomeostatSources(this IConfigurationBuilder builder, string? configPath, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        if (configPath is not null)
        {
            builder.AddYamlFile(configPath);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        return builder;
    }

    public static IConfigurationRoot BuildConfiguration(string? configPath, IReadOnlyDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder().AddHomeostatSources(configPath, overrides).Build();

    /// <summary>Every module this build contains. <paramref name="dataDirectory"/> (<c>--data</c>) wins over the config's <c>data:</c>.</summary>
    public static HomeostatBuilder AddHomeostatModules(this IServiceCollection services, IConfiguration configuration, string? dataDirectory = null)
    {
        var data = dataDirectory ?? configuration["Data"] ?? DefaultDataDirectory;
        return services.AddHomeostat(configuration)
            .AddAuditChain()
            .AddSqliteStore(o => o.DataDirectory = data)
            .AddHostActions()
            .AddHostProbes()
            .AddPrometheus()
            .AddKubernetes()
            .AddLearning()
            .AddLlm()
            .AddPostgres()
            .AddServer();
    }

    /// <summary>The HTTP API's module: <c>server.*</c>, refused at start-up when a token source is broken or it would listen beyond loopback without a token.</summary>
    public static HomeostatBuilder AddServer(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.Server, module =>
    {
        module.Options<ServerOptions, ServerOptionsValidator>(ServerOptions.Section);
        module.Services.AddSingleton<TokenStore>();
        module.Services.AddSingleton<IPostConfigureOptions<Signals.IntakeLimits>, LegacyBodyLimit>();
    });
}
