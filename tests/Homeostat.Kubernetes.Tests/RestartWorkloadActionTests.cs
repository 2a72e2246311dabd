using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;

namespace Homeostat.Kubernetes.Tests;

public sealed class RestartWorkloadActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private RestartWorkloadAction Action => new(_cluster.Client, _cluster.Monitor, _cluster.Time);

    private static ActionRequest Restart(params (string, string)[] labels) =>
        TestCluster.Request(TestCluster.Alert(labels), "restart_workload", ("min_interval", TestCluster.Interval("5m")));

    private string? RestartedAt(string kind = "deployment") =>
        (kind == "deployment"
            ? _cluster.Checkout.Spec.Template.Metadata.Annotations
            : _cluster.Server.Get<k8s.Models.V1StatefulSet>("shop", "db")!.Spec.Template.Metadata.Annotations)
        is { } annotations && annotations.TryGetValue(RestartWorkloadAction.RestartedAtAnnotation, out var value) ? value : null;

    [Fact]
    public async Task ExecuteAsync_DeploymentLabel_StampsRestartedAtOnThePodTemplate()
    {
        var outcome = await Action.ExecuteAsync(Restart(("namespace", "shop"), ("deployment", "checkout")), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        RestartedAt().ShouldBe("2026-11-28T10:00:00Z");
        outcome.Changes.ShouldHaveSingleItem().ShouldContain("(unset) -> 2026-11-28T10:00:00Z");
        _cluster.Server.PersistedWrites.ShouldHaveSingleItem().ContentType!.ShouldStartWith("application/strategic-merge-patch+json");
    }

    [Fact]
    public async Task ExecuteAsync_PodOfAStatefulSet_RestartsTheStatefulSet()
    {
        var outcome = await Action.ExecuteAsync(Restart(("namespace", "shop"), ("pod", "db-0")), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        RestartedAt("statefulset").ShouldBe("2026-11-28T10:00:00Z");
    }

    [Fact]
    public async Task ExecuteAsync_RepeatedWithinMinInterval_ReportsNoChangeUntilTheIntervalPasses()
    {
        var request = Restart(("namespace", "shop"), ("deployment", "checkout"));
        (await Action.ExecuteAsync(request, default)).Status.ShouldBe(ActionStatus.Succeeded);

        _cluster.Time.Advance(TimeSpan.FromMinutes(4));
        var repeat = await Action.ExecuteAsync(request, default);
        repeat.Status.ShouldBe(ActionStatus.NoChange);
        repeat.Summary.ShouldContain("min_interval");

        _cluster.Time.Advance(TimeSpan.FromMinutes(2));
        (await Action.ExecuteAsync(request, default)).Status.ShouldBe(ActionStatus.Succeeded);
        RestartedAt().ShouldBe("2026-11-28T10:06:00Z");
    }

    [Fact]
    public async Task PreviewAsync_Deployment_SendsDryRunAllAndPersistsNothing()
    {
        var before = _cluster.Checkout.Metadata.ResourceVersion;

        var preview = await Action.PreviewAsync(Restart(("namespace", "shop"), ("deployment", "checkout")), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Summary.ShouldContain("dryRun=All");
        preview.Changes.ShouldHaveSingleItem().ShouldContain("kubectl.kubernetes.io/restartedAt");
        _cluster.Server.Requests.ShouldContain(r => r.Verb == "patch" && r.DryRun && r.Status == 200);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        _cluster.Checkout.Metadata.ResourceVersion.ShouldBe(before);
        RestartedAt().ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_FirstWriteConflicts_ReReadsAndSucceeds()
    {
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Action.ExecuteAsync(Restart(("namespace", "shop"), ("deployment", "checkout")), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldContain("after 1 conflict");
        _cluster.Server.Requests.Where(r => r.Verb == "patch").Select(r => r.Status).ShouldBe([409, 200]);
        RestartedAt().ShouldBe("2026-11-28T10:00:00Z");
    }

    [Fact]
    public async Task ExecuteAsync_ConflictsEveryTime_GivesUpAfterThreeRetries()
    {
        _cluster.Server.ConflictOnNextWrites(10);

        var outcome = await Action.ExecuteAsync(Restart(("namespace", "shop"), ("deployment", "checkout")), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("the object has been modified");
        _cluster.Server.Requests.Count(r => r.Verb == "patch").ShouldBe(4);
    }

    [Fact]
    public async Task ExecuteAsync_PatchForbidden_FailsWithTheApiServersMessage()
    {
        _cluster.Server.Forbid("patch", "deployments");

        var outcome = await Action.ExecuteAsync(Restart(("namespace", "shop"), ("deployment", "checkout")), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("forbidden");
        outcome.Summary.ShouldContain("cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"");
    }

    [Theory]
    [InlineData("deployment", "checkout-old", "not found")]
    [InlineData("pod", "debug", "no controlling owner")]
    [InlineData("pod", "checkout-gone", "not found")]
    public async Task ExecuteAsync_NoWorkloadToRestart_NotApplicableAndNothingChanged(string label, string name, string reason)
    {
        var preview = await Action.PreviewAsync(Restart(("namespace", "shop"), (label, name)), default);
        var outcome = await Action.ExecuteAsync(Restart(("namespace", "shop"), (label, name)), default);

        preview.CanRun.ShouldBeFalse();
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain(reason);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        RestartedAt().ShouldBeNull();
    }

    [Fact]
    public void Descriptor_FaultInsideTheProcessesCannotBeObserved_SaysWhy()
    {
        Action.Descriptor.Premise.IsObservable.ShouldBeFalse();
        Action.Descriptor.Premise.CannotObserve!.ShouldContain("API server does not show");
    }
}
