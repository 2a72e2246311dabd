using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

public sealed class DeletePodActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

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
    public async Task ExecuteAsync_BarePod_RefusedAndKept()
    {
        var outcome = await Action.ExecuteAsync(Delete("debug"), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
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
