using Homeostat.Postgres.Probes;
using Homeostat.Probes;
using Homeostat.Remediation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Homeostat.Postgres.Actions;

public static class PostgresActionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <c>terminate_idle_connections</c> and binds <see cref="PostgresActionOptions"/> (section
    /// <c>Actions:TerminateIdleConnections</c>, unknown keys rejected, every target checked at start-up, including that
    /// its environment variable holds a connection string), and the <c>postgres_connections</c> probe kind.
    /// </summary>
    public static IServiceCollection AddHomeostatPostgresActions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PostgresActionOptions>()
            .Bind(configuration.GetSection(PostgresActionOptions.Section), b => b.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresActionOptions>, PostgresActionOptionsValidator>());
        services.AddLogging();
        services.AddSingleton<IRemediationAction, TerminateIdleConnectionsAction>();
        services.AddProbeKind<PostgresConnectionsProbeKind>();
        return services;
    }
}
