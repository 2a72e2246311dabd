using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

public sealed class ScaleMemoryLimitActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    /// <summary>The story: container app of the checkout pod was OOM-killed at 09:58 and restarted.</summary>
    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        _cluster.OomKill();
    }

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
    public async Task ExecuteAsync_BarePod_NotApplicableBecauseNoWorkloadOwnsIt()
    {
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("pod", "debug"), ("container", "app")), "scale_memory_limit", Seed);

        var outcome = await Action.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("no controlling owner");
        outcome.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_OomKilledPod_ReportsTheKillItSawAsThePremise()
    {
        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        outcome.Premise.ShouldBe(new PremiseObservation(
            PremiseVerdict.Holds,
            "container app in shop/checkout-7d9f-x2k4p was OOM-killed: OOMKilled (exit 137) at 2026-11-28 09:58:00Z; memory limit 512Mi"));
    }

    [Fact]
    public async Task ExecuteAndPreview_ContainerNeverOomKilled_PremiseNotMetAndTheDeploymentIsUntouched()
    {
        _cluster.Healthy();
        var before = DeploymentJson;

        var preview = await Action.PreviewAsync(Raise(Seed), default);
        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        const string Observed = "container app in shop/checkout-7d9f-x2k4p was not OOM-killed (running, 0 restarts); " +
            "working set not checked: the metrics API (metrics.k8s.io) answered HTTP 404 for pod shop/checkout-7d9f-x2k4p";
        preview.CanRun.ShouldBeFalse();
        preview.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        preview.Changes.ShouldBeEmpty();
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        outcome.Summary.ShouldBe("premise not met: " + Observed);
        _cluster.Server.Requests.ShouldNotContain(r => r.Verb == "patch", "not even a dry run is sent");
        DeploymentJson.ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_NeverKilledButWorkingSetNearTheLimit_PremiseHoldsAndTheLimitIsRaised()
    {
        _cluster.Healthy();
        _cluster.WorkingSet("480Mi");

        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise.ShouldBe(new PremiseObservation(
            PremiseVerdict.Holds,
            "container app in shop/checkout-7d9f-x2k4p was not OOM-killed (running, 0 restarts); working set 480Mi of 512Mi limit (94%), at or above 90%"));
        _cluster.Server.Requests.ShouldContain(r => r.ApiGroup == "metrics.k8s.io" && r.Resource == "pods" && r.Verb == "get" && r.Status == 200);
        AppResources.Limits["memory"].ToInt64().ShouldBe(768L << 20);
    }

    [Fact]
    public async Task ExecuteAsync_NeverKilledAndWorkingSetWellBelowTheLimit_PremiseNotMetNamingTheNumbers()
    {
        _cluster.Healthy();
        _cluster.WorkingSet("210Mi");
        var before = DeploymentJson;

        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise!.Observed.ShouldBe(
            "container app in shop/checkout-7d9f-x2k4p was not OOM-killed (running, 0 restarts); working set 210Mi of 512Mi limit (41%), below 90%");
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        DeploymentJson.ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_KillGoneSincePreview_ChecksThePremiseAgainAndChangesNothing()
    {
        (await Action.PreviewAsync(Raise(Seed), default)).CanRun.ShouldBeTrue();
        _cluster.Healthy();
        var before = DeploymentJson;

        var outcome = await Action.ExecuteAsync(Raise(Seed), default);

        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        DeploymentJson.ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_SignalNamesTheDeployment_LooksForTheKillInItsPods()
    {
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("deployment", "checkout"), ("container", "app")), "scale_memory_limit", Seed);

        var outcome = await Action.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise!.Observed.ShouldStartWith("container app in shop/checkout-7d9f-x2k4p was OOM-killed");
        _cluster.Server.Requests.ShouldContain(r => r.Resource == "pods" && r.Verb == "list");
        AppResources.Limits["memory"].ToInt64().ShouldBe(768L << 20);
    }

    [Fact]
    public async Task ExecuteAsync_SignalNamesTheDeploymentButNoPodWasKilled_PremiseNotMetNamingThePods()
    {
        _cluster.Healthy();
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("deployment", "checkout"), ("container", "app")), "scale_memory_limit", Seed);

        var outcome = await Action.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise!.Observed.ShouldStartWith(
            "container app was not OOM-killed in any of the 1 pod(s) of deployment shop/checkout (shop/checkout-7d9f-x2k4p: running, 0 restarts)");
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("shop", "checkout-gone", "not found")]
    [InlineData("kube-system", "checkout-7d9f-x2k4p", "not in Kubernetes:AllowedNamespaces")]
    public async Task ExecuteAndPreview_PodThatCannotBeResolved_NotApplicable(string ns, string pod, string reason)
    {
        var request = TestCluster.Request(TestCluster.Alert(("namespace", ns), ("pod", pod), ("container", "app")), "scale_memory_limit", Seed);

        var preview = await Action.PreviewAsync(request, default);
        var outcome = await Action.ExecuteAsync(request, default);

        preview.CanRun.ShouldBeFalse();
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldStartWith("not applicable: ");
        outcome.Summary.ShouldContain(reason);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }

    [Fact]
    public void Descriptor_SaysWhatThePremiseIsAndWhenTheWorkingSetCannotBeRead()
    {
        var premise = Action.Descriptor.Premise;

        premise.IsObservable.ShouldBeTrue();
        premise.Checks!.ShouldContain("OOMKilled");
        premise.Checks!.ShouldContain("working set is at least 90%");
        premise.Checks!.ShouldContain("without a metrics API only the OOM kill is observable");
    }

    private string DeploymentJson => _cluster.Server.GetJson("deployments", "shop", "checkout")!.ToJsonString();
}
