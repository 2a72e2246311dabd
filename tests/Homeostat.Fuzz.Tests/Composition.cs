using Homeostat.Catalog;
using Homeostat.Configuration;
using Homeostat.Remediation;
using Homeostat.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Fuzz.Tests;

/// <summary>What <c>homeostat validate</c> composes: every module of this build, so every action and config section is known.</summary>
internal static class Composition
{
    private static readonly Lazy<ServiceProvider> Defaults = new(() => Compose(new ConfigurationBuilder().Build()));

    public static CatalogLoader CatalogLoader => Defaults.Value.GetRequiredService<CatalogLoader>();

    public static IReadOnlyCollection<ActionDescriptor> Actions => Defaults.Value.GetRequiredService<IActionRegistry>().Descriptors;

    public static ServiceProvider Compose(IConfigurationRoot configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddHomeostatModules(configuration);
        return services.BuildServiceProvider();
    }
}
