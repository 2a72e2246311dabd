using Homeostat.Configuration;
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
    public static HomeostatBuilder AddLearning(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.Learning, module =>
    {
        var services = module.Services;
        var configuration = module.Configuration;
        services.AddOptions<LearningOptions>().Bind(configuration.GetSection(LearningOptions.Section), b => b.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddOptions<EnsembleOptions>().Bind(configuration.GetSection(EnsembleOptions.Section), b => b.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EnsembleOptions>, EnsembleOptionsValidator>();
        module.Section(LearningOptions.Section, typeof(LearningOptions), typeof(LearningOptions))
            .Section(EnsembleOptions.Section, typeof(EnsembleOptions), typeof(EnsembleOptions));
        if (!configuration.GetValue<bool>($"{LearningOptions.Section}:DisableModel"))
        {
            services.AddSingleton<ModelClassifier>();
            services.AddSingleton<IClassifierMember>(sp => sp.GetRequiredService<ModelClassifier>());
            services.AddSingleton<ICalibrationSource>(sp => sp.GetRequiredService<ModelClassifier>());
        }

        // The ensemble replaces the core's rule classifier on purpose: the rules stay one of its members.
        services.AddSingleton<EnsembleClassifier>();
        services.Replace(ServiceDescriptor.Singleton<IClassifier>(sp => sp.GetRequiredService<EnsembleClassifier>()));
    });
}
