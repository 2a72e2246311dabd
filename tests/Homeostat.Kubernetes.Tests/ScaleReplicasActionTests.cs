using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;

namespace Homeostat.Kubernetes.Tests;

public sealed class ScaleReplicasActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private ScaleReplicasAction Action => new(_cluster.Client, _cluster.Monitor);

    private static ActionRequest Scale(params (string, object?)[] parameters) =>
        TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("deployment", "checkout")), "scale_replicas", parameters);

    [Fact]
    public async Task ExecuteAsync_StepWithinBounds_ScalesThroughTheScaleSubresource()
    {
        var outcome = await Action.ExecuteAsync(Scale(("min", 1L), ("max", 5L), ("step", 1L)), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Checkout.Spec.Replicas.ShouldBe(3);
        outcome.Changes.ShouldHaveSingleItem().ShouldBe("deployment shop/checkout/scale: spec.replicas: 2 -> 3");
        var write = _cluster.Server.PersistedWrites.ShouldHaveSingleItem();
        write.Resource.ShouldBe("deployments/scale");
        write.ContentType!.ShouldStartWith("application/merge-patch+json");
    }

    [Fact]
    public async Task ExecuteAsync_ReplicasAboveMax_HeldToMaxThenNoChange()
    {
        var request = Scale(("min", 1L), ("max", 4L), ("replicas", 10L));

        var first = await Action.ExecuteAsync(request, default);
        first.Status.ShouldBe(ActionStatus.Succeeded, first.Summary);
        first.Summary.ShouldContain("held to bounds 1..4");
        _cluster.Checkout.Spec.Replicas.ShouldBe(4);

        var repeat = await Action.ExecuteAsync(request, default);
        repeat.Status.ShouldBe(ActionStatus.NoChange);
        _cluster.Server.PersistedWrites.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ExecuteAsync_StatefulSetPod_ScalesTheStatefulSet()
    {
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("pod", "db-0")), "scale_replicas", ("max", 3L), ("replicas", 3L));

        var outcome = await Action.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Server.Get<k8s.Models.V1StatefulSet>("shop", "db")!.Spec.Replicas.ShouldBe(3);
    }

    [Fact]
    public async Task PreviewAsync_Scale_DryRunPersistsNothing()
    {
        var preview = await Action.PreviewAsync(Scale(("max", 5L), ("replicas", 5L)), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Changes.ShouldHaveSingleItem().ShouldContain("2 -> 5");
        _cluster.Server.Requests.ShouldContain(r => r.Resource == "deployments/scale" && r.Verb == "patch" && r.DryRun);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        _cluster.Checkout.Spec.Replicas.ShouldBe(2);
    }

    [Fact]
    public async Task ExecuteAsync_FirstWriteConflicts_ReReadsAndSucceeds()
    {
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Action.ExecuteAsync(Scale(("max", 5L), ("replicas", 4L)), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Server.Requests.Where(r => r.Verb == "patch").Select(r => r.Status).ShouldBe([409, 200]);
        _cluster.Checkout.Spec.Replicas.ShouldBe(4);
    }

    [Fact]
    public async Task ExecuteAsync_ScaleForbidden_FailsWithTheApiServersMessage()
    {
        _cluster.Server.Forbid("patch", "deployments/scale");

        var outcome = await Action.ExecuteAsync(Scale(("max", 5L), ("replicas", 4L)), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("cannot patch resource \"deployments/scale\"");
    }

    [Fact]
    public async Task ExecuteAsync_MinAboveMax_RefusedWithoutAnApiCall()
    {
        var outcome = await Action.ExecuteAsync(Scale(("min", 5L), ("max", 2L)), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("min 5 is above max 2");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("deployment", "checkout-old", "not found")]
    [InlineData("pod", "debug", "no controlling owner")]
    public async Task ExecuteAsync_NoWorkloadToScale_NotApplicableAndNothingChanged(string label, string name, string reason)
    {
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), (label, name)), "scale_replicas", ("max", 5L));

        var preview = await Action.PreviewAsync(request, default);
        var outcome = await Action.ExecuteAsync(request, default);

        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain(reason);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        _cluster.Checkout.Spec.Replicas.ShouldBe(2);
    }

    [Fact]
    public async Task Descriptor_LoadCannotBeObserved_SaysWhyAndActsWithoutAPremiseObservation()
    {
        Action.Descriptor.Premise.IsObservable.ShouldBeFalse();
        Action.Descriptor.Premise.CannotObserve!.ShouldContain("does not read");

        var outcome = await Action.ExecuteAsync(Scale(("max", 5L)), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise.ShouldBeNull();
    }
}
