using Homeostat.Configuration;
using Homeostat.Diagnosis;
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

        // The same composition as every other command; the store is registered but never opened here.
        return OfflineServices.Build(configPath, dataDirectory: null, overrides);
    }

    public static IClassifier Resolve(IServiceProvider services, string choice) => choice switch
    {
        // The loop's classifier: the catalog's declarations, then the ensemble.
        ClassifierNames.Ensemble => services.GetRequiredService<DeclaredClassifier>(),
        _ => services.GetServices<IClassifierMember>().FirstOrDefault(m => m.Name == choice)
            ?? throw new ConfigFileException($"the {choice} classifier is not enabled (for the LLM: llm.enabled: true in the config given with --config; for the model: classifier.disable_model is set)"),
    };
}
