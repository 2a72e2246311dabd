using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

public sealed class ScaleMemoryLimitActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private ScaleMemoryLimitAction Action => new(_cluster.Client, _cluster.Monitor);

    private static ActionRequest Raise(params (string, object?)[] parameters) =>
        TestCluster.Request(TestCluster.OomInCheckoutPod(), "scale_memory_limit", parameters);

    private static readonly (string, object?)[] Seed = [("max_increase", TestCluster.Size("512Mi")), ("step", TestCluster.Size("256Mi"))];

    private V1ResourceRequirements AppResources => _cluster.Checkout.Spec.Template.Spec.Containers.Single(c => c.Name == "app").Resources;

    private string? Baseline =>
        _cluster.Checkout.Metadata.Annotations is { } a && a.TryGetValue(ScaleMemoryLimitAction.BaselineAnnotationPrefix + "app", out var v) ? v : null;

    [Fact]
    public async Task ExecuteAsync_OomKilledPod_RaisesTheOwningDeploymentsLimitAndRecordsTheBaseline()
    {
        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        AppResources.Limits["memory"].ToInt64().ShouldBe(768L << 20);
        AppResources.Requests["memory"].ToInt64().ShouldBe(256L << 20);
        Baseline.ShouldBe("512Mi");
        outcome.Changes.ShouldBe([
            "deployment shop/checkout: container app resources.limits.memory: 512Mi -> 768Mi",
            "deployment shop/checkout: metadata.annotations[homeostat.dev/memory-baseline-app]: (unset) -> 512Mi (the limit this first remediation found)",
        ]);
        _cluster.Checkout.Spec.Template.Spec.Containers.Select(c => c.Name).ShouldBe(["app", "sidecar"]);
    }

    [Fact]
    public async Task ExecuteAsync_Repeated_StopsAtBaselinePlusMaxIncreaseWithNoChange()
    {
        (await Action.ExecuteAsync(Raise(Seed), default)).Status.ShouldBe(ActionStatus.Succeeded);
        (await Action.ExecuteAsync(Raise(Seed), default)).Status.ShouldBe(ActionStatus.Succeeded);
        AppResources.Limits["memory"].ToInt64().ShouldBe(1L << 30);

        var third = await Action.ExecuteAsync(Raise(Seed), default);

        third.Status.ShouldBe(ActionStatus.NoChange);
        third.Summary.ShouldContain("at its bound");
        Baseline.ShouldBe("512Mi");
        _cluster.Server.PersistedWrites.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ExecuteAsync_Ceiling_HoldsTheLimitBelowMaxIncrease()
    {
        var request = Raise(("max_increase", TestCluster.Size("2Gi")), ("step", TestCluster.Size("1Gi")), ("ceiling", TestCluster.Size("640Mi")));

        var outcome = await Action.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldContain("ceiling 640Mi");
        AppResources.Limits["memory"].ToInt64().ShouldBe(640L << 20);
        (await Action.ExecuteAsync(request, default)).Status.ShouldBe(ActionStatus.NoChange);
    }

    [Fact]
    public async Task ExecuteAsync_IncludeRequest_RaisesTheRequestByTheSameStep()
    {
        var outcome = await Action.ExecuteAsync(Raise([.. Seed, ("include_request", true)]), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        AppResources.Requests["memory"].ToInt64().ShouldBe(512L << 20);
        outcome.Changes.ShouldContain("deployment shop/checkout: container app resources.requests.memory: 256Mi -> 512Mi");
    }

    [Fact]
    public async Task PreviewAsync_OomKilledPod_ShowsTheDiffAndPersistsNothing()
    {
        var preview = await Action.PreviewAsync(Raise(Seed), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Summary.ShouldContain("from 512Mi to 768Mi");
        preview.Changes.Count.ShouldBe(2);
        _cluster.Server.Requests.ShouldContain(r => r.Resource == "deployments" && r.Verb == "patch" && r.DryRun && r.Status == 200);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        AppResources.Limits["memory"].ToInt64().ShouldBe(512L << 20);
        Baseline.ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_FirstWriteConflicts_ReReadsAndSucceeds()
    {
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Server.Requests.Where(r => r.Verb == "patch").Select(r => r.Status).ShouldBe([409, 200]);
        AppResources.Limits["memory"].ToInt64().ShouldBe(768L << 20);
    }

    [Fact]
    public async Task ExecuteAsync_PatchForbidden_FailsWithTheApiServersMessage()
    {
        _cluster.Server.Forbid("patch", "deployments");

        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("is forbidden: User \"system:serviceaccount:homeostat:homeostat\" cannot patch resource \"deployments\"");
    }

    [Fact]
    public async Task ExecuteAsync_BarePod_RefusedBecauseNoWorkloadOwnsIt()
    {
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("pod", "debug"), ("container", "app")), "scale_memory_limit", Seed);

        var outcome = await Action.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("no controlling owner");
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }
}
