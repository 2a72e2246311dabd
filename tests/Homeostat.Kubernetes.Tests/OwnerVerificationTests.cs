using Homeostat.Kubernetes.Actions;
using Homeostat.Kubernetes.Sources;
using Homeostat.Remediation;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

/// <summary>A pod's ownerReferences are written by whoever creates the pod: the source and the actions believe only what the API server confirms.</summary>
public sealed class OwnerVerificationTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        Server.Seed(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "payments", NamespaceProperty = "shop", Uid = "payments-uid" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "payments" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "payments" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "registry.example/payments:1.0" }] },
                },
            },
        });
        Server.Seed(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent", NamespaceProperty = "shop", Uid = "ds-uid" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } },
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "registry.example/agent:1.0" }] } },
            },
        });
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private FakeApiServer Server => _cluster.Server;

    public static TheoryData<string, string, string> ForgedOwners => new()
    {
        // A Deployment never owns a pod directly, whatever its uid.
        { "Deployment", "payments", "payments-uid" },
        { "StatefulSet", "db", "not-the-sts-uid" },
        { "DaemonSet", "agent", "not-the-ds-uid" },
        { "ReplicaSet", "checkout-7d9f", "not-the-rs-uid" },
        { "StatefulSet", "missing", "any-uid" },
        { "Job", "nightly", "job-uid" },
    };

    [Theory]
    [MemberData(nameof(ForgedOwners))]
    public async Task ForgedOwnerReference_ThePodStandsForItself_WithTheClaimLabelled(string kind, string name, string uid)
    {
        var pod = TestCluster.Pod("intruder", TestCluster.Owner(kind, name, uid));

        var owner = await new PodOwnerResolver(_cluster.Client, _cluster.Time).ResolveAsync(pod, default);

        owner.ShouldBe(new PodOwner("Pod", "intruder", $"{kind}/{name}"));
    }

    [Fact]
    public async Task ReplicaSetClaimingAnotherDeployment_ThePodStandsForItself()
    {
        Server.Seed(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = "payments-forged",
                NamespaceProperty = "shop",
                Uid = "forged-rs-uid",
                OwnerReferences = [TestCluster.Owner("Deployment", "payments", "not-the-payments-uid")],
            },
            Spec = new V1ReplicaSetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "x" } } },
        });
        var pod = TestCluster.Pod("intruder", TestCluster.Owner("ReplicaSet", "payments-forged", "forged-rs-uid"));

        var owner = await new PodOwnerResolver(_cluster.Client, _cluster.Time).ResolveAsync(pod, default);

        owner.ShouldBe(new PodOwner("Pod", "intruder", "ReplicaSet/payments-forged"));
    }

    [Fact]
    public async Task ConfirmedOwners_AreTheWorkloads_AndEachIsReadOnce()
    {
        var resolver = new PodOwnerResolver(_cluster.Client, _cluster.Time);

        for (var i = 0; i < 2; i++)
        {
            (await resolver.ResolveAsync(TestCluster.Pod($"checkout-7d9f-{i}", TestCluster.Owner("ReplicaSet", "checkout-7d9f", "rs-uid")), default))
                .ShouldBe(new PodOwner("Deployment", "checkout"));
            (await resolver.ResolveAsync(TestCluster.Pod($"db-{i}", TestCluster.Owner("StatefulSet", "db", "sts-uid")), default))
                .ShouldBe(new PodOwner("StatefulSet", "db"));
            (await resolver.ResolveAsync(TestCluster.Pod($"agent-{i}", TestCluster.Owner("DaemonSet", "agent", "ds-uid")), default))
                .ShouldBe(new PodOwner("DaemonSet", "agent"));
        }

        Server.Requests.Select(r => $"{r.Verb} {r.Resource}/{r.Name}").ShouldBe(
            ["get replicasets/checkout-7d9f", "get deployments/checkout", "get statefulsets/db", "get daemonsets/agent"],
            ignoreOrder: true);
    }

    [Fact]
    public async Task RememberedOwners_AreReadAgainAfterTheCacheLifetime()
    {
        var resolver = new PodOwnerResolver(_cluster.Client, _cluster.Time);
        var pod = TestCluster.Pod("db-0", TestCluster.Owner("StatefulSet", "db", "sts-uid"));

        await resolver.ResolveAsync(pod, default);
        _cluster.Time.Advance(PodOwnerResolver.CacheLifetime - TimeSpan.FromSeconds(1));
        await resolver.ResolveAsync(pod, default);
        _cluster.Time.Advance(TimeSpan.FromSeconds(2));
        await resolver.ResolveAsync(pod, default);

        Server.Requests.Count(r => r.Verb == "get" && r.Resource == "statefulsets").ShouldBe(2);
    }

    [Fact]
    public async Task ForgedDeploymentOwner_OomKill_SignalTargetsThePodNotTheDeployment()
    {
        Server.Seed(TestCluster.Pod("intruder", TestCluster.Owner("Deployment", "payments", "payments-uid")));
        await using var source = await RunningSource.StartAsync(_cluster);

        Server.Modify<V1Pod>("shop", "intruder", PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1));
        await source.SignalsAsync(1, "the kill was sent");

        var signal = source.Sink.Signals.Single();
        signal.Resource!.Kind.ShouldBe("Pod");
        signal.Resource.Name.ShouldBe("intruder");
        signal.Service.ShouldBe("intruder");
        signal.Label("owner_kind").ShouldBe("Pod");
        signal.Label("unverified_owner").ShouldBe("Deployment/payments");
        signal.Label("deployment").ShouldBeNull();
        KubernetesTargets.TryWorkloadOrPod(signal, _cluster.Options, out var target, out _).ShouldBeTrue();
        target.ShouldBe(new ObjectTarget("Pod", "shop", "intruder"));
    }

    [Theory]
    [InlineData("Deployment", "payments", "payments-uid")]
    [InlineData("StatefulSet", "db", "not-the-sts-uid")]
    [InlineData("ReplicaSet", "checkout-7d9f", "not-the-rs-uid")]
    public async Task ForgedOwner_RestartWorkloadOnThePod_IsRefusedAndWritesNothing(string kind, string name, string uid)
    {
        Server.Seed(TestCluster.Pod("intruder", TestCluster.Owner(kind, name, uid)));
        var action = new RestartWorkloadAction(_cluster.Client, _cluster.Monitor, _cluster.Time);
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("pod", "intruder")), "restart_workload");

        var preview = await action.PreviewAsync(request, default);
        var outcome = await action.ExecuteAsync(request, default);

        preview.CanRun.ShouldBeFalse();
        outcome.Status.ShouldNotBe(ActionStatus.Succeeded);
        outcome.Summary.ShouldContain("refused");
        Server.PersistedWrites.ShouldBeEmpty();
    }
}
