using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

public sealed class DeletePodActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    /// <summary>The story: the checkout pod is crash-looping (container app in CrashLoopBackOff after an OOM kill).</summary>
    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        _cluster.OomKill(crashLooping: true);
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private DeletePodAction Action => new(_cluster.Client, _cluster.Monitor);

    private static ActionRequest Delete(string pod) =>
        TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("pod", pod)), "delete_pod");

    [Fact]
    public async Task ExecuteAsync_OwnedPod_DeletesIt()
    {
        var outcome = await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldContain("owned by ReplicaSet checkout-7d9f");
        _cluster.Server.Get<V1Pod>("shop", "checkout-7d9f-x2k4p").ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_PodAlreadyGone_ReportsNoChange()
    {
        (await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default)).Status.ShouldBe(ActionStatus.Succeeded);

        var repeat = await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default);

        repeat.Status.ShouldBe(ActionStatus.NoChange);
        repeat.Summary.ShouldContain("already gone");
    }

    [Fact]
    public async Task ExecuteAsync_UnhealthyPod_ReportsWhatWasWrong()
    {
        var outcome = await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default);

        outcome.Premise.ShouldBe(new PremiseObservation(
            PremiseVerdict.Holds,
            "pod shop/checkout-7d9f-x2k4p is unhealthy: container app not ready: waiting (CrashLoopBackOff), 1 restart, last terminated OOMKilled (exit 137) at 2026-11-28 09:58:00Z"));
    }

    [Fact]
    public async Task ExecuteAndPreview_HealthyPod_PremiseNotMetAndThePodIsKept()
    {
        _cluster.Healthy();
        var before = _cluster.Server.GetJson("pods", "shop", "checkout-7d9f-x2k4p")!.ToJsonString();

        var preview = await Action.PreviewAsync(Delete("checkout-7d9f-x2k4p"), default);
        var outcome = await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default);

        const string Observed = "pod shop/checkout-7d9f-x2k4p is healthy: phase Running, Ready, containers ready 2/2, 0 restarts";
        preview.CanRun.ShouldBeFalse();
        preview.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        _cluster.Server.Requests.ShouldAllBe(r => r.Verb == "get", "not even a dry-run delete is sent");
        _cluster.Server.GetJson("pods", "shop", "checkout-7d9f-x2k4p")!.ToJsonString().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_EvictedPod_PremiseHolds()
    {
        _cluster.Server.Modify<V1Pod>("shop", "checkout-7d9f-x2k4p", PodStates.Evicted("The node was low on resource: memory."));

        var outcome = await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise!.Observed.ShouldBe("pod shop/checkout-7d9f-x2k4p is unhealthy: phase Failed (Evicted)");
    }

    [Fact]
    public async Task ExecuteAsync_PodOutsideTheAllowlist_NotApplicableWithoutAnApiCall()
    {
        var outcome = await Action.ExecuteAsync(TestCluster.Request(TestCluster.Alert(("namespace", "payments"), ("pod", "checkout-7d9f-x2k4p")), "delete_pod"), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldBe("not applicable: namespace 'payments' is not in Kubernetes:AllowedNamespaces (shop)");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_BarePod_NotApplicableAndKept()
    {
        var outcome = await Action.ExecuteAsync(Delete("debug"), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("has no owner");
        _cluster.Server.Get<V1Pod>("shop", "debug").ShouldNotBeNull();
        _cluster.Server.Requests.ShouldAllBe(r => r.Verb == "get");
    }

    [Fact]
    public async Task PreviewAsync_OwnedPod_DryRunKeepsThePod()
    {
        var preview = await Action.PreviewAsync(Delete("checkout-7d9f-x2k4p"), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Changes.ShouldHaveSingleItem().ShouldContain("delete");
        _cluster.Server.Requests.ShouldContain(r => r.Verb == "delete" && r.DryRun && r.Status == 200);
        _cluster.Server.Get<V1Pod>("shop", "checkout-7d9f-x2k4p").ShouldNotBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_FirstDeleteConflicts_ReReadsAndSucceeds()
    {
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Server.Requests.Where(r => r.Verb == "delete").Select(r => r.Status).ShouldBe([409, 200]);
        _cluster.Server.Get<V1Pod>("shop", "checkout-7d9f-x2k4p").ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_DeleteForbidden_FailsWithTheApiServersMessage()
    {
        _cluster.Server.Forbid("delete", "pods");

        var outcome = await Action.ExecuteAsync(Delete("checkout-7d9f-x2k4p"), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("cannot delete resource \"pods\" in API group \"\" in the namespace \"shop\"");
        _cluster.Server.Get<V1Pod>("shop", "checkout-7d9f-x2k4p").ShouldNotBeNull();
    }
}

public sealed class UnreachableApiServerTests
{
    [Fact]
    public async Task ExecuteAsync_ApiServerDown_FailsWithTheReason()
    {
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        var options = Homeostat.TestKit.StaticOptionsMonitor.Of(new KubernetesOptions { Enabled = true, AllowedNamespaces = ["shop"] });

        var outcome = await new DeletePodAction(client, options).ExecuteAsync(TestCluster.Request(TestCluster.OomInCheckoutPod(), "delete_pod"), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("could not be reached");
    }
}
