using Homeostat.Configuration;
using Homeostat.Kubernetes.Actions;
using Homeostat.Kubernetes.Sources;
using Homeostat.Kubernetes.Verification;
using Homeostat.Remediation;
using Homeostat.Remediation.Certificates;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>The key that turns the Kubernetes module on, as errors name it.</summary>
    public const string EnableWith = "kubernetes.enabled: true";

    /// <summary>The actions this module contains, whether or not the config turns it on.</summary>
    public static IReadOnlyList<ActionDescriptor> Actions { get; } =
    [
        KubernetesActionDescriptors.RestartWorkload,
        KubernetesActionDescriptors.ScaleReplicas,
        KubernetesActionDescriptors.DeletePod,
        KubernetesActionDescriptors.CordonNode,
        KubernetesActionDescriptors.ScaleMemoryLimit,
        KubernetesActionDescriptors.OpenCircuitBreaker,
    ];

    /// <summary>
    /// The Kubernetes module. Binds <see cref="KubernetesOptions"/> (section <c>kubernetes</c>, unknown keys rejected,
    /// validated at start-up). With <c>enabled: true</c> it registers an <see cref="IKubernetes"/> client (the kubeconfig
    /// file, or the in-cluster service account when none is set), the Kubernetes actions, the cert-manager half of
    /// trigger_cert_renewal (<see cref="ICertManagerRenewal"/>) and the <see cref="KubernetesVerifier"/>; with
    /// <c>watch.enabled</c> also the <see cref="KubernetesWatchSource"/>. Turned off, its actions are still declared,
    /// so a catalog naming them validates (with a warning) and <c>run</c> says to set <see cref="EnableWith"/>.
    /// </summary>
    public static HomeostatBuilder AddKubernetes(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.Kubernetes, module =>
    {
        var services = module.Services;
        var section = module.Configuration.GetSection(KubernetesOptions.Section);
        services.AddOptions<KubernetesOptions>()
            .Bind(section, b => b.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesOptions>, KubernetesOptionsValidator>());
        module.Section(KubernetesOptions.Section, typeof(KubernetesOptions), typeof(KubernetesOptions));
        services.TryAddSingleton(TimeProvider.System);

        var options = new KubernetesOptions();
        section.Bind(options);
        if (!options.Enabled)
        {
            foreach (var action in Actions)
            {
                module.DisabledAction(action, EnableWith);
            }

            return;
        }

        services.TryAddSingleton<IKubernetes>(provider =>
        {
            var current = provider.GetRequiredService<IOptions<KubernetesOptions>>().Value;
            return new k8s.Kubernetes(KubernetesClientConfigurations.Load(current));
        });
        module.Action<RestartWorkloadAction>(KubernetesActionDescriptors.RestartWorkload)
            .Action<ScaleReplicasAction>(KubernetesActionDescriptors.ScaleReplicas)
            .Action<DeletePodAction>(KubernetesActionDescriptors.DeletePod)
            .Action<CordonNodeAction>(KubernetesActionDescriptors.CordonNode)
            .Action<ScaleMemoryLimitAction>(KubernetesActionDescriptors.ScaleMemoryLimit)
            .Action<OpenCircuitBreakerAction>(KubernetesActionDescriptors.OpenCircuitBreaker)
            .Verifier<KubernetesVerifier>();
        services.AddSingleton<ICertManagerRenewal, CertManagerRenewal>();
        services.TryAddSingleton<IActionStartTime, AuditActionStartTime>();
        if (options.Watch.Enabled)
        {
            services.TryAddSingleton<IPodOwnerResolver, PodOwnerResolver>();
            services.TryAddSingleton<IKubernetesSignalSink, IntakeSignalSink>();
            module.Source<KubernetesWatchSource>();
        }
    });
}
