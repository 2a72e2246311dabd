using Homeostat.Diagnosis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Homeostat.Learning;

public static class LearningServiceCollectionExtensions
{
    /// <summary>
    /// Makes the ensemble of rules and the learned model (plus any other registered member, such as the LLM) the
    /// classifier the loop uses. The model is loaded once, from the configured file or the one shipped in the assembly.
    /// </summary>
    public static IServiceCollection AddHomeostatLearning(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LearningOptions>().Bind(configuration.GetSection(LearningOptions.Section), b => b.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddOptions<EnsembleOptions>().Bind(configuration.GetSection(EnsembleOptions.Section), b => b.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EnsembleOptions>, EnsembleOptionsValidator>();
        if (!configuration.GetValue<bool>($"{LearningOptions.Section}:DisableModel"))
        {
            services.AddSingleton<ModelClassifier>();
            services.AddSingleton<IClassifierMember>(sp => sp.GetRequiredService<ModelClassifier>());
            services.AddSingleton<ICalibrationSource>(sp => sp.GetRequiredService<ModelClassifier>());
        }

        services.RemoveAll<IClassifier>();
        services.AddSingleton<EnsembleClassifier>();
        services.AddSingleton<IClassifier>(sp => sp.GetRequiredService<EnsembleClassifier>());
        return services;
    }
}
