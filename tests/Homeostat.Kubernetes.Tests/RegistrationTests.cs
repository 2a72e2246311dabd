using Homeostat.Configuration;
using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Tests;

public sealed class RegistrationTests : IDisposable
{
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), $"homeostat-kubeconfig-{Guid.NewGuid():N}.yaml");

    public RegistrationTests() => File.WriteAllText(_kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: https://127.0.0.1:6443
        users:
        - name: homeostat
          user:
            token: not-a-real-token
        contexts:
        - name: test
          context:
            cluster: test
            user: homeostat
        current-context: test
        """);

    public void Dispose() => File.Delete(_kubeconfig);

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        new HomeostatBuilder(services, configuration).AddKubernetes();
        services.AddSingleton<IActionRegistry, ActionRegistry>();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddKubernetes_Enabled_ReplacesThePlaceholdersAndReadsTheKubeconfig()
    {
        using var provider = Build(new()
        {
            ["Kubernetes:Enabled"] = "true",
            ["Kubernetes:Kubeconfig"] = _kubeconfig,
            ["Kubernetes:AllowedNamespaces:0"] = "shop",
        });

        var registry = provider.GetRequiredService<IActionRegistry>();

        registry.Find("scale_memory_limit").ShouldBeOfType<ScaleMemoryLimitAction>();
        registry.Find("restart_workload").ShouldBeOfType<RestartWorkloadAction>();
        registry.Find("scale_replicas").ShouldBeOfType<ScaleReplicasAction>();
        registry.Find("delete_pod").ShouldBeOfType<DeletePodAction>();
        registry.Find("cordon_node").ShouldBeOfType<CordonNodeAction>();
        registry.Find("open_circuit_breaker").ShouldBeOfType<OpenCircuitBreakerAction>();
        provider.GetServices<Homeostat.Remediation.Certificates.ICertManagerRenewal>().ShouldHaveSingleItem().ShouldBeOfType<CertManagerRenewal>();
        provider.GetRequiredService<IKubernetes>().BaseUri.ShouldBe(new Uri("https://127.0.0.1:6443/"));
        provider.GetRequiredService<IOptions<KubernetesOptions>>().Value.AllowedNamespaces.ShouldBe(["shop"]);
    }

    [Fact]
    public void AddKubernetes_Disabled_KeepsThePlaceholders()
    {
        using var provider = Build(new() { ["Kubernetes:Enabled"] = "false" });

        provider.GetRequiredService<IActionRegistry>().Find("scale_memory_limit").ShouldBeOfType<UnavailableAction>()
            .Descriptor.UnavailableReason.ShouldBe("scale_memory_limit needs the kubernetes module, which the config turns off: set kubernetes.enabled: true");
        provider.GetService<IKubernetes>().ShouldBeNull();
    }

    [Fact]
    public void Options_InvalidNamespaceAndUnknownKey_ReportedAtStartUp()
    {
        using var provider = Build(new()
        {
            ["Kubernetes:Enabled"] = "false",
            ["Kubernetes:AllowedNamespaces:0"] = "Bad_Namespace",
        });

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        error.Message.ShouldContain("'Bad_Namespace' is not a namespace name");

        using var typo = Build(new() { ["Kubernetes:AllowedNamespace:0"] = "shop" });
        Should.Throw<InvalidOperationException>(() => typo.GetRequiredService<IOptions<KubernetesOptions>>().Value);
    }

    [Fact]
    public void AddKubernetes_WatchEnabled_RegistersTheSourceAndTheVerifier()
    {
        var services = new ServiceCollection();
        new HomeostatBuilder(services, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubernetes:Enabled"] = "true",
            ["Kubernetes:Kubeconfig"] = _kubeconfig,
            ["Kubernetes:AllowedNamespaces:0"] = "shop",
            ["Kubernetes:Watch:Enabled"] = "true",
            ["Kubernetes:Watch:MaxBackoff"] = "1m",
        }).Build()).AddKubernetes();

        services.ShouldContain(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService) && d.ImplementationType == typeof(Sources.KubernetesWatchSource));
        services.ShouldContain(d => d.ServiceType == typeof(Homeostat.Verification.IVerifier) && d.ImplementationType == typeof(Verification.KubernetesVerifier));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOptions<KubernetesOptions>>().Value.Watch.MaxBackoff.Value.ShouldBe(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void AddKubernetes_WatchDisabled_NoSource()
    {
        var services = new ServiceCollection();
        new HomeostatBuilder(services, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubernetes:Enabled"] = "true",
            ["Kubernetes:Kubeconfig"] = _kubeconfig,
        }).Build()).AddKubernetes();

        services.ShouldNotContain(d => d.ImplementationType == typeof(Sources.KubernetesWatchSource));
    }

    [Fact]
    public void Options_WatchWithoutKubernetesOrNamespacesOrWithBadBackoff_AllReportedAtOnce()
    {
        using var provider = Build(new()
        {
            ["Kubernetes:Enabled"] = "false",
            ["Kubernetes:Watch:Enabled"] = "true",
            ["Kubernetes:Watch:InitialBackoff"] = "10s",
            ["Kubernetes:Watch:MaxBackoff"] = "1s",
            ["Kubernetes:Watch:SeenCapacity"] = "5",
        });

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        error.Failures.Count().ShouldBe(4);
        error.Message.ShouldContain("Kubernetes:Watch:Enabled: the watch source needs Kubernetes:Enabled");
        error.Message.ShouldContain("AllowedNamespaces is empty");
        error.Message.ShouldContain("Kubernetes:Watch:MaxBackoff");
        error.Message.ShouldContain("Kubernetes:Watch:SeenCapacity");
    }
}
