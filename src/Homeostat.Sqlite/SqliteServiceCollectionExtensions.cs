using Homeostat.Configuration;
using Homeostat.Healing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeostat.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>The embedded SQLite store, in the folder or at the connection string <paramref name="configure"/> sets.</summary>
    public static HomeostatBuilder AddSqliteStore(this HomeostatBuilder builder, Action<SqliteStoreOptions> configure) => builder.AddModule(ModuleNames.Sqlite, module =>
    {
        var services = module.Services;
        services.AddOptions<SqliteStoreOptions>().Configure(configure);
        services.TryAddSingleton<TimeProvider>(TimeProvider.System);
        services.AddSingleton<SqliteStore>();
        services.AddSingleton<IHomeostatStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IStoreIntegrity, SqliteStoreIntegrity>();
    });
}
