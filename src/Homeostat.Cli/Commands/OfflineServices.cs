using Homeostat.Configuration;
using Homeostat.Learning;
using Homeostat.Llm;
using Homeostat.Postgres.Actions;
using Homeostat.Kubernetes;
using Homeostat.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>The engine and store without the HTTP host, for commands that read or change the store directly.</summary>
internal static class OfflineServices
{
    public static ServiceProvider Build(string? configPath, string? dataDirectory, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            builder.AddYamlFile(configPath);
        }

        builder.AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        var configuration = builder.Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddHomeostatEngine(configuration);
        services.AddHomeostatLearning(configuration);
        services.AddHomeostatLlm(configuration);
        services.AddHomeostatPostgresActions(configuration);
        services.AddHomeostatKubernetes(configuration);
        var data = dataDirectory ?? configuration["Data"] ?? ".homeostat";
        services.AddHomeostatSqlite(o => o.DataDirectory = data);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
    }

    public static bool StoreExists(string? configPath, string? dataDirectory, out string path)
    {
        string? data = dataDirectory;
        if (data is null && configPath is not null)
        {
            var configuration = new ConfigurationBuilder().AddYamlFile(configPath).Build();
            data = configuration["Data"];
        }

        path = Path.GetFullPath(Path.Combine(data ?? ".homeostat", SqliteStoreOptions.FileName));
        return File.Exists(path);
    }
}
