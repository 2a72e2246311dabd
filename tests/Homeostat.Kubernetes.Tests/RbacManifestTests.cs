using Homeostat.Healing;
using Homeostat.Kubernetes.Actions;
using Homeostat.Kubernetes.Verification;
using Homeostat.Signals;
using Homeostat.Verification;
using k8s.Models;
using Homeostat.Remediation;
using Homeostat.TestKit;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Kubernetes.Tests;

/// <summary>deploy/rbac.yaml grants exactly what the actions, the watch source and the verifier call: nothing missing, nothing extra.</summary>
public sealed class RbacManifestTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task ClusterRole_EveryActionPreviewedAndExecuted_GrantsExactlyTheCallsMade()
    {
        // Every premise holds: checkout's container was OOM-killed (and is crash-looping since), db-0's works at 94% of its
        // limit as metrics-server reports it, and node-3 reports DiskPressure.
        _cluster.OomKill(crashLooping: true);
        _cluster.WorkingSet("480Mi", "db-0");
        _cluster.DiskPressure();
        var oomInDbPod = TestCluster.Alert(("namespace", "shop"), ("pod", "db-0"), ("container", "app"));
        var runs = new (IRemediationAction Action, ActionRequest Request)[]
        {
            (new RestartWorkloadAction(_cluster.Client, _cluster.Monitor, _cluster.Time), TestCluster.Request(TestCluster.OomInCheckoutPod(), "restart_workload")),
            (new RestartWorkloadAction(_cluster.Client, _cluster.Monitor, _cluster.Time), TestCluster.Request(oomInDbPod, "restart_workload")),
            (new ScaleReplicasAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(TestCluster.OomInCheckoutPod(), "scale_replicas", ("max", 5L))),
            (new ScaleReplicasAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(oomInDbPod, "scale_replicas", ("max", 5L))),
            (new ScaleMemoryLimitAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(TestCluster.OomInCheckoutPod(), "scale_memory_limit", ("max_increase", TestCluster.Size("1Gi")))),
            (new ScaleMemoryLimitAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(oomInDbPod, "scale_memory_limit", ("max_increase", TestCluster.Size("1Gi")))),
            (new ScaleMemoryLimitAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("deployment", "checkout"), ("container", "app")), "scale_memory_limit", ("max_increase", TestCluster.Size("1Gi")))),
            (new CordonNodeAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(TestCluster.Alert(("node", "node-3")), "cordon_node")),
            (new DeletePodAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(TestCluster.OomInCheckoutPod(), "delete_pod")),
            (new OpenCircuitBreakerAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("destination_service_name", "checkout")), "open_circuit_breaker")),
            (new OpenCircuitBreakerAction(_cluster.Client, _cluster.Monitor), TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("destination_service_name", "checkout")), "open_circuit_breaker", ("max_pending_requests", 10L))),
        };
        foreach (var (action, request) in runs)
        {
            (await action.PreviewAsync(request, default)).CanRun.ShouldBeTrue(action.Descriptor.Name);
            (await action.ExecuteAsync(request, default)).Status.ShouldBe(ActionStatus.Succeeded, action.Descriptor.Name);
        }

        var certManager = new CertManagerRenewal(_cluster.Client, _cluster.Monitor, _cluster.Time);
        var renew = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("certificate", "api-tls")), "trigger_cert_renewal");
        (await certManager.PreviewAsync(renew, default)).CanRun.ShouldBeTrue("trigger_cert_renewal");
        (await certManager.ExecuteAsync(renew, default)).Status.ShouldBe(ActionStatus.Succeeded, "trigger_cert_renewal");

        _cluster.Server.Seed(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent", NamespaceProperty = "shop", Uid = "ds-uid" },
            Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } } },
        });
        _cluster.Server.Seed(TestCluster.Pod("agent-x7", TestCluster.Owner("DaemonSet", "agent", "ds-uid")));
        await using (var source = await RunningSource.StartAsync(_cluster))
        {
            _cluster.Server.Modify<V1Pod>("shop", "db-0", PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1));
            _cluster.Server.Modify<V1Pod>("shop", "agent-x7", PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1));
            _cluster.Server.Seed(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = "debug.1", NamespaceProperty = "shop" },
                InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "debug", NamespaceProperty = "shop" },
                Reason = "FailedMount",
                Type = "Warning",
                Message = "MountVolume.SetUp failed",
            });
            await source.SignalsAsync(3, "the source sent the kills and the failed mount");
        }

        var verifier = new KubernetesVerifier(_cluster.Client, _cluster.Monitor, new AuditActionStartTimeStub());
        var verified = TestCluster.Alert(("namespace", "shop"), ("pod", "db-0")) with { Resource = new SignalResource { Kind = "Pod", Namespace = "shop", Name = "db-0" } };
        (await verifier.CheckAsync(Incident(verified), default)).Status.ShouldNotBe(VerificationStatus.Error);
        verified = verified with { Resource = new SignalResource { Kind = "Deployment", Namespace = "shop", Name = "checkout" } };
        (await verifier.CheckAsync(Incident(verified), default)).Status.ShouldNotBe(VerificationStatus.Error);

        var called = _cluster.Server.Requests.Select(r => $"{r.ApiGroup}/{r.Resource}:{r.Verb}").ToHashSet();

        called.Order().ShouldBe(GrantedByManifest().Order());
        // The one expected refusal: open_circuit_breaker looks for its DestinationRule (404) before creating it.
        _cluster.Server.Requests.ShouldAllBe(r => r.Status < 400 || (r.Verb == "get" && r.Resource == "destinationrules" && r.Status == 404));
    }

    private static Incident Incident(Signal signal) => new()
    {
        Id = "inc-1",
        Fingerprint = "fp",
        DeliveryKey = "fp",
        Service = "checkout",
        State = IncidentState.Verifying,
        Signal = signal,
        CreatedAt = TestCluster.Start,
        UpdatedAt = TestCluster.Start,
    };

    private sealed class AuditActionStartTimeStub : IActionStartTime
    {
        public Task<DateTimeOffset?> ForAsync(Incident incident, CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(TestCluster.Start);
    }

    [Fact]
    public void Manifest_ServiceAccountBinding_BindsTheClusterRole()
    {
        var documents = Load();
        var binding = documents.Single(d => Scalar(d, "kind") == "ClusterRoleBinding");
        var subject = (YamlMappingNode)((YamlSequenceNode)binding.Children[new YamlScalarNode("subjects")]).Children.Single();
        Scalar(subject, "kind").ShouldBe("ServiceAccount");
        Scalar(subject, "name").ShouldBe("homeostat");
        Scalar((YamlMappingNode)binding.Children[new YamlScalarNode("roleRef")], "name").ShouldBe("homeostat-remediation");
        documents.ShouldContain(d => Scalar(d, "kind") == "ServiceAccount");
    }

    private static HashSet<string> GrantedByManifest()
    {
        var role = Load().Single(d => Scalar(d, "kind") == "ClusterRole");
        var granted = new HashSet<string>();
        foreach (YamlMappingNode rule in ((YamlSequenceNode)role.Children[new YamlScalarNode("rules")]).Children)
        {
            foreach (var group in List(rule, "apiGroups"))
            {
                foreach (var resource in List(rule, "resources"))
                {
                    foreach (var verb in List(rule, "verbs"))
                    {
                        granted.Add($"{group}/{resource}:{verb}").ShouldBeTrue($"{group}/{resource}:{verb} is granted twice");
                    }
                }
            }
        }

        return granted;
    }

    private static List<YamlMappingNode> Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(RepositoryPaths.File("deploy", "rbac.yaml"));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static IEnumerable<string> List(YamlMappingNode node, string key) =>
        ((YamlSequenceNode)node.Children[new YamlScalarNode(key)]).Children.Select(c => ((YamlScalarNode)c).Value ?? "");
}
