using Homeostat.Healing;
using Homeostat.Kubernetes.Sources;
using Homeostat.Kubernetes.Verification;
using Homeostat.Signals;
using Homeostat.Verification;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

/// <summary>After scale_memory_limit on checkout: cleared only when the rollout finished, every pod is Ready and nothing was OOM-killed since.</summary>
public sealed class KubernetesVerifierTests : IAsyncLifetime
{
    private const string CheckoutPod = "checkout-7d9f-x2k4p";
    private static readonly DateTimeOffset ActionStarted = new(2026, 11, 28, 9, 59, 0, TimeSpan.Zero);

    private readonly TestCluster _cluster = new();

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        RolledOut(updated: 2, ready: 2, available: 2);
        _cluster.Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.Ready());
        _cluster.Server.Modify<V1Pod>("shop", "db-0", PodStates.Ready());
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private KubernetesVerifier Verifier => new(_cluster.Client, _cluster.Monitor, new FixedActionStart(ActionStarted));

    [Fact]
    public async Task Check_RolledOutAndReady_NoKillSinceTheAction_Cleared()
    {
        // A kill before the action is what the incident was about, not a new one.
        _cluster.Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.OomKilledAndRestarted("app", ActionStarted.UtcDateTime.AddMinutes(-2), restartCount: 1));
        _cluster.Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.Ready());

        var result = await Verifier.CheckAsync(Incident(OomSignal()), default);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        result.Detail.ShouldContain("deployment shop/checkout rolled out");
    }

    [Fact]
    public async Task Check_RolloutIncomplete_NotClearedSayingHowFar()
    {
        RolledOut(updated: 1, ready: 2, available: 2);

        var result = await Verifier.CheckAsync(Incident(OomSignal()), default);

        result.Status.ShouldBe(VerificationStatus.NotCleared);
        result.Detail.ShouldBe("deployment shop/checkout: rollout 1/2 updated");
    }

    [Fact]
    public async Task Check_GenerationNotObserved_NotCleared()
    {
        _cluster.Server.Modify<V1Deployment>("shop", "checkout", d => d.Metadata.Generation = 2);

        var result = await Verifier.CheckAsync(Incident(OomSignal()), default);

        result.Status.ShouldBe(VerificationStatus.NotCleared);
        result.Detail.ShouldContain("observedGeneration 1 < generation 2");
    }

    [Fact]
    public async Task Check_PodNotReady_NotClearedNamingThePod()
    {
        _cluster.Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.Ready(false));

        var result = await Verifier.CheckAsync(Incident(OomSignal()), default);

        result.Status.ShouldBe(VerificationStatus.NotCleared);
        result.Detail.ShouldBe($"deployment shop/checkout: 0/1 pods Ready; not Ready: {CheckoutPod}");
    }

    [Fact]
    public async Task Check_OomKilledAfterTheAction_NotCleared()
    {
        _cluster.Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.OomKilledAndRestarted("app", ActionStarted.UtcDateTime.AddMinutes(3), restartCount: 2));
        _cluster.Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.Ready());

        var result = await Verifier.CheckAsync(Incident(OomSignal()), default);

        result.Status.ShouldBe(VerificationStatus.NotCleared);
        result.Detail.ShouldBe($"deployment shop/checkout: pod {CheckoutPod} container app OOMKilled at 2026-11-28T10:02:00.0000000Z, after the action started at 2026-11-28T09:59:00.0000000Z");
    }

    [Fact]
    public async Task Check_PodTarget_FollowsItToItsStatefulSet()
    {
        _cluster.Server.Modify<V1StatefulSet>("shop", "db", s => s.Status = new V1StatefulSetStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1 });
        var signal = TestCluster.Alert(("namespace", "shop"), ("pod", "db-0")) with { Resource = new SignalResource { Kind = "Pod", Namespace = "shop", Name = "db-0" } };

        var result = await Verifier.CheckAsync(Incident(signal), default);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        result.Detail.ShouldStartWith("statefulset shop/db rolled out");
    }

    [Fact]
    public async Task Check_DaemonSetPod_JudgesThePodItself()
    {
        _cluster.Server.Seed(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "agent-x1",
                NamespaceProperty = "shop",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = "agent", Uid = "ds-uid", Controller = true }],
            },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "registry.example/agent:1.0" }] },
            Status = new V1PodStatus { Phase = "Running" },
        });
        var signal = TestCluster.Alert(("namespace", "shop")) with { Resource = new SignalResource { Kind = "Pod", Namespace = "shop", Name = "agent-x1" } };

        var notReady = await Verifier.CheckAsync(Incident(signal), default);
        _cluster.Server.Modify<V1Pod>("shop", "agent-x1", PodStates.Ready());
        var ready = await Verifier.CheckAsync(Incident(signal), default);

        notReady.Status.ShouldBe(VerificationStatus.NotCleared);
        notReady.Detail.ShouldBe("pod shop/agent-x1: 0/1 pods Ready; not Ready: agent-x1");
        ready.Status.ShouldBe(VerificationStatus.Cleared, ready.Detail);
        ready.Detail.ShouldContain("owned by daemonset agent");
    }

    [Fact]
    public async Task Check_PodGone_NotCleared()
    {
        var signal = TestCluster.Alert(("namespace", "shop")) with { Resource = new SignalResource { Kind = "Pod", Namespace = "shop", Name = "gone-1" } };

        var result = await Verifier.CheckAsync(Incident(signal), default);

        result.Status.ShouldBe(VerificationStatus.NotCleared);
        result.Detail.ShouldContain("no longer exists");
    }

    [Fact]
    public async Task Check_ApiServerError_IsErrorWithTheReason()
    {
        _cluster.Server.FailWith("get", "deployments");

        var result = await Verifier.CheckAsync(Incident(OomSignal()), default);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("HTTP 500");
        result.Detail.ShouldContain("scripted failure of get deployments");
    }

    [Fact]
    public void Selector_KubernetesIncident_ChoosesTheKubernetesVerifierBeforeSourceResolved()
    {
        var selector = new VerifierSelector([new SourceResolvedVerifier(), Verifier]);

        selector.For(Incident(OomSignal())).Name.ShouldBe("kubernetes");
        selector.For(Incident(TestCluster.Alert(("alertname", "HighLatency")))).Name.ShouldBe("source_resolved");
        var elsewhere = OomSignal() with { Resource = new SignalResource { Kind = "Deployment", Namespace = "kube-system", Name = "coredns" } };
        selector.For(Incident(elsewhere)).Name.ShouldBe("source_resolved", "a namespace that is not allowed is not read");
    }

    private void RolledOut(int updated, int ready, int available) =>
        _cluster.Server.Modify<V1Deployment>("shop", "checkout", d => d.Status = new V1DeploymentStatus
        {
            ObservedGeneration = 1,
            Replicas = 2,
            UpdatedReplicas = updated,
            ReadyReplicas = ready,
            AvailableReplicas = available,
        });

    private static Signal OomSignal()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = CheckoutPod, NamespaceProperty = "shop", Uid = "uid-1" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] },
        };
        PodStates.OomKilledAndRestarted("app", ActionStarted.UtcDateTime.AddMinutes(-2), restartCount: 1)(pod);
        return PodSignals.From(pod, new PodOwner("Deployment", "checkout")).Single().Signal;
    }

    private static Incident Incident(Signal signal) => new()
    {
        Id = "inc-1",
        Fingerprint = "fp",
        DeliveryKey = "fp",
        Service = "checkout",
        State = IncidentState.Verifying,
        Signal = signal,
        CreatedAt = ActionStarted.AddMinutes(-1),
        UpdatedAt = ActionStarted,
    };

    private sealed class FixedActionStart(DateTimeOffset at) : IActionStartTime
    {
        public Task<DateTimeOffset?> ForAsync(Incident incident, CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(at);
    }
}

/// <summary>The action's start time comes from the incident's own audit trail, written by the real engine.</summary>
public sealed class AuditActionStartTimeTests
{
    [Fact]
    public async Task ForAsync_AfterTheEngineActed_IsTheActionStartedRecordTime()
    {
        await using var harness = new Homeostat.TestKit.PipelineHarness();
        var before = await new AuditActionStartTime(harness.Store).ForAsync(new Incident
        {
            Id = "none",
            Fingerprint = "fp",
            DeliveryKey = "fp",
            Service = "checkout",
            State = IncidentState.Open,
            Signal = Homeostat.TestKit.SignalBuilder.Oom(),
            CreatedAt = harness.Time.GetUtcNow(),
            UpdatedAt = harness.Time.GetUtcNow(),
        }, default);
        before.ShouldBeNull();

        harness.Time.Advance(TimeSpan.FromMinutes(7));
        var incident = await harness.HandleAsync(Homeostat.TestKit.SignalBuilder.Oom());

        (await new AuditActionStartTime(harness.Store).ForAsync(incident, default)).ShouldBe(Homeostat.TestKit.PipelineHarness.Start.AddMinutes(7));
    }
}
