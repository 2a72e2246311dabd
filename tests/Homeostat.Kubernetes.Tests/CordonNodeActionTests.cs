using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using Homeostat.TestKit;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

public sealed class CordonNodeActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    /// <summary>The story: node-3 reports DiskPressure.</summary>
    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        _cluster.DiskPressure();
    }

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
    public async Task ExecuteAsync_NodeUnderPressure_ReportsTheCondition()
    {
        var outcome = await Action.ExecuteAsync(Cordon(), default);

        outcome.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.Holds, "node node-3 reports DiskPressure=True (KubeletHasDiskPressure)"));
    }

    [Fact]
    public async Task ExecuteAndPreview_HealthyNode_PremiseNotMetAndTheNodeStaysSchedulable()
    {
        _cluster.Server.Modify<V1Node>(null, "node-3", n => n.Status.Conditions.Single(c => c.Type == "DiskPressure").Status = "False");
        var before = _cluster.Server.GetJson("nodes", null, "node-3")!.ToJsonString();

        var preview = await Action.PreviewAsync(Cordon(), default);
        var outcome = await Action.ExecuteAsync(Cordon(), default);

        const string Observed = "node node-3 reports no problem: MemoryPressure=False, DiskPressure=False, PIDPressure=False, Ready=True";
        preview.CanRun.ShouldBeFalse();
        preview.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        _cluster.Server.Requests.ShouldAllBe(r => r.Verb == "get");
        _cluster.Server.GetJson("nodes", null, "node-3")!.ToJsonString().ShouldBe(before);
        Unschedulable.ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_NodeNotReady_PremiseHolds()
    {
        _cluster.Server.Modify<V1Node>(null, "node-3", n =>
        {
            var ready = n.Status.Conditions.Single(c => c.Type == "Ready");
            ready.Status = "Unknown";
            ready.Reason = "NodeStatusUnknown";
        });

        var outcome = await Action.ExecuteAsync(Cordon(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise!.Observed.ShouldBe("node node-3 reports DiskPressure=True (KubeletHasDiskPressure), Ready=Unknown (NodeStatusUnknown)");
    }

    [Fact]
    public async Task ExecuteAsync_MissingNode_NotApplicable()
    {
        var outcome = await Action.ExecuteAsync(Cordon("node-9"), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("not found");
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_NodeActionsOff_NotApplicableWithoutAnApiCall()
    {
        var action = new CordonNodeAction(_cluster.Client, StaticOptionsMonitor.Of(new KubernetesOptions { Enabled = true, AllowedNamespaces = ["shop"] }));

        var outcome = await action.ExecuteAsync(Cordon(), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("AllowNodeActions");
        _cluster.Server.Requests.ShouldBeEmpty();
    }
}
