using Homeostat.Configuration;
using Homeostat.Postgres.Actions;
using Homeostat.Postgres.Probes;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Postgres;

public static class PostgresModule
{
    /// <summary>
    /// The PostgreSQL module: the <c>terminate_idle_connections</c> action with its section
    /// <c>actions.terminate_idle_connections</c> (unknown keys rejected, every target checked at start-up, including that
    /// its environment variable holds a connection string) and the <c>postgres_connections</c> probe kind.
    /// </summary>
    public static HomeostatBuilder AddPostgres(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.Postgres, module =>
    {
        module.Services.AddLogging();
        module.Options<PostgresActionOptions, PostgresActionOptionsValidator>(PostgresActionOptions.Section)
            .Action<TerminateIdleConnectionsAction>(PostgresActions.TerminateIdleConnections)
            .Probe<PostgresConnectionsProbeKind>();
    });
}
