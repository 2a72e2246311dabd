using Homeostat.Configuration;
using Homeostat.Diagnosis;
using Homeostat.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>The classifiers without a store: for classify and eval.</summary>
internal static class ClassifierServices
{
    public static readonly string[] Choices = [ClassifierNames.Ensemble, ClassifierNames.Rules, ClassifierNames.Model, ClassifierNames.Llm];

    public static ServiceProvider Build(string? catalogPath, string? modelPath, string? configPath = null)
    {
        var overrides = new Dictionary<string, string?>();
        if (catalogPath is not null)
        {
            overrides["Catalog:Path"] = Path.GetFullPath(catalogPath);
        }

        if (modelPath is not null)
        {
            overrides["Classifier:ModelPath"] = Path.GetFullPath(modelPath);
        }

        var configuration = HomeostatComposition.BuildConfiguration(configPath, overrides);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddHomeostatModules(configuration);
        var provider = services.BuildServiceProvider();
        var report = StartupCheck.Check(provider, configuration, forRun: false);
        if (!report.IsValid)
        {
            provider.Dispose();
            throw new StartupException(report.Errors);
        }

        return provider;
    }

    public static IClassifier Resolve(IServiceProvider services, string choice) => choice switch
    {
        ClassifierNames.Ensemble => services.GetRequiredService<IClassifier>(),
        _ => services.GetServices<IClassifierMember>().FirstOrDefault(m => m.Name == choice)
            ?? throw new ConfigFileException($"the {choice} classifier is not enabled (for the LLM: llm.enabled: true in the config given with --config; for the model: classifier.disable_model is set)"),
    };
}
