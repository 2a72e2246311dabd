using Homeostat.Kubernetes.Actions;
using Homeostat.Kubernetes.Sources;
using Homeostat.Kubernetes.Verification;
using Homeostat.Remediation;
using Homeostat.Remediation.Certificates;
using Homeostat.Verification;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="KubernetesOptions"/> (section <c>Kubernetes</c>, unknown keys rejected, validated at start-up) and, when
    /// <c>Enabled</c>, registers an <see cref="IKubernetes"/> client (the kubeconfig file, or the in-cluster service account when
    /// none is set), the Kubernetes actions (open_circuit_breaker among them) and the cert-manager half of trigger_cert_renewal
    /// (<see cref="ICertManagerRenewal"/>) and the <see cref="KubernetesVerifier"/>; with <c>Watch:Enabled</c> also the
    /// <see cref="KubernetesWatchSource"/> hosted service. Call it after <c>AddHomeostatEngine</c>: the action registry keeps the last
    /// action of a name, so these replace the engine's placeholders.
    /// </summary>
    public static IServiceCollection AddHomeostatKubernetes(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(KubernetesOptions.Section);
        services.AddOptions<KubernetesOptions>()
            .Bind(section, b => b.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesOptions>, KubernetesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        var options = new KubernetesOptions();
        section.Bind(options);
        if (!options.Enabled)
        {
            return services;
        }

        services.TryAddSingleton<IKubernetes>(provider =>
        {
            var current = provider.GetRequiredService<IOptions<KubernetesOptions>>().Value;
            return new k8s.Kubernetes(KubernetesClientConfigurations.Load(current));
        });
        services.AddSingleton<IRemediationAction, RestartWorkloadAction>();
        services.AddSingleton<IRemediationAction, ScaleReplicasAction>();
        services.AddSingleton<IRemediationAction, DeletePodAction>();
        services.AddSingleton<IRemediationAction, CordonNodeAction>();
        services.AddSingleton<IRemediationAction, ScaleMemoryLimitAction>();
        services.AddSingleton<IRemediationAction, OpenCircuitBreakerAction>();
        services.AddSingleton<ICertManagerRenewal, CertManagerRenewal>();
        services.TryAddSingleton<IActionStartTime, AuditActionStartTime>();
        services.AddSingleton<IVerifier, KubernetesVerifier>();
        if (options.Watch.Enabled)
        {
            services.TryAddSingleton<IPodOwnerResolver, PodOwnerResolver>();
            services.TryAddSingleton<IKubernetesSignalSink, IntakeSignalSink>();
            services.AddHostedService<KubernetesWatchSource>();
        }

        return services;
    }
}
