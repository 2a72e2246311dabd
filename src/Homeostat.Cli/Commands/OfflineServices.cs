using Homeostat.Configuration;
using Homeostat.Server;
using Homeostat.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>
/// The engine and store without the HTTP host, for commands that read or change the store directly. Composed exactly as
/// <c>run</c> composes (<see cref="HomeostatComposition"/>): the same config file, <c>HOMEOSTAT__</c> overrides and modules.
/// </summary>
internal static class OfflineServices
{
    public static ServiceProvider Build(string? configPath, string? dataDirectory, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var configuration = HomeostatComposition.BuildConfiguration(configPath, overrides);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddHomeostatModules(configuration, dataDirectory);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
        var report = StartupCheck.Check(provider, configuration, forRun: false);
        if (!report.IsValid)
        {
            provider.Dispose();
            throw new StartupException(report.Errors);
        }

        return provider;
    }

    public static bool StoreExists(string? configPath, string? dataDirectory, out string path)
    {
        var data = dataDirectory ?? HomeostatComposition.BuildConfiguration(configPath)["Data"];
        path = Path.GetFullPath(Path.Combine(data ?? HomeostatComposition.DefaultDataDirectory, SqliteStoreOptions.FileName));
        return File.Exists(path);
    }
}
