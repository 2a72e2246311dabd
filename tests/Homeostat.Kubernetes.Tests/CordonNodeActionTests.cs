using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using Homeostat.TestKit;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

public sealed class CordonNodeActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private CordonNodeAction Action => new(_cluster.Client, _cluster.Monitor);

    private static ActionRequest Cordon(string node = "node-3") =>
        TestCluster.Request(TestCluster.Alert(("alertname", "NodeDiskPressure"), ("node", node)), "cordon_node");

    private bool? Unschedulable => _cluster.Server.Get<V1Node>(null, "node-3")!.Spec.Unschedulable;

    [Fact]
    public async Task ExecuteAsync_SchedulableNode_CordonsIt()
    {
        var outcome = await Action.ExecuteAsync(Cordon(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        Unschedulable.ShouldBe(true);
        outcome.Changes.ShouldHaveSingleItem().ShouldBe("node node-3: spec.unschedulable: (unset) -> true");
    }

    [Fact]
    public async Task ExecuteAsync_AlreadyCordoned_ReportsNoChange()
    {
        (await Action.ExecuteAsync(Cordon(), default)).Status.ShouldBe(ActionStatus.Succeeded);

        var repeat = await Action.ExecuteAsync(Cordon(), default);

        repeat.Status.ShouldBe(ActionStatus.NoChange);
        _cluster.Server.PersistedWrites.Count.ShouldBe(1);
    }

    [Fact]
    public async Task PreviewAsync_Node_DryRunPersistsNothing()
    {
        var preview = await Action.PreviewAsync(Cordon(), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        _cluster.Server.Requests.ShouldContain(r => r.Resource == "nodes" && r.Verb == "patch" && r.DryRun);
        Unschedulable.ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_FirstWriteConflicts_ReReadsAndSucceeds()
    {
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Action.ExecuteAsync(Cordon(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Server.Requests.Where(r => r.Verb == "patch").Select(r => r.Status).ShouldBe([409, 200]);
        Unschedulable.ShouldBe(true);
    }

    [Fact]
    public async Task ExecuteAsync_PatchForbidden_FailsWithTheApiServersMessage()
    {
        _cluster.Server.Forbid("patch", "nodes");

        var outcome = await Action.ExecuteAsync(Cordon(), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("cannot patch resource \"nodes\" in API group \"\" at the cluster scope");
    }

    [Fact]
    public async Task ExecuteAsync_NodeActionsOff_RefusedWithoutAnApiCall()
    {
        var action = new CordonNodeAction(_cluster.Client, StaticOptionsMonitor.Of(new KubernetesOptions { Enabled = true, AllowedNamespaces = ["shop"] }));

        var outcome = await action.ExecuteAsync(Cordon(), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("AllowNodeActions");
        _cluster.Server.Requests.ShouldBeEmpty();
    }
}
