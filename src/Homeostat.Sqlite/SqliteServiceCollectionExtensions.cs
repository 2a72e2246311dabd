using Homeostat.Healing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeostat.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>Uses the embedded SQLite store in <paramref name="dataDirectory"/>.</summary>
    public static IServiceCollection AddHomeostatSqlite(this IServiceCollection services, Action<SqliteStoreOptions> configure)
    {
        services.AddOptions<SqliteStoreOptions>().Configure(configure);
        services.TryAddSingleton<TimeProvider>(TimeProvider.System);
        services.AddSingleton<SqliteStore>();
        services.AddSingleton<IHomeostatStore>(sp => sp.GetRequiredService<SqliteStore>());
        return services;
    }
}
