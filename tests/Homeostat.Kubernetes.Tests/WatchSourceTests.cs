using Homeostat.Diagnosis;
using Homeostat.Kubernetes.Sources;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

/// <summary>The watch source against the fake API server: what it sends, and that a dropped or expired watch sends nothing twice.</summary>
public sealed class WatchSourceTests : IAsyncLifetime
{
    private const string CheckoutPod = "checkout-7d9f-x2k4p";
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private FakeApiServer Server => _cluster.Server;

    [Fact]
    public async Task OomKills_InTheWatchStream_OneSignalEachWithTheOwningWorkload()
    {
        await using var source = await RunningSource.StartAsync(_cluster);

        Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1));
        Server.Modify<V1Pod>("shop", "db-0", PodStates.OomKilledNow("app", PodStates.FirstKill, restartCount: 0));
        await source.SignalsAsync(2, "both OOM kills were sent");

        // The same kills seen again: touched, and db-0 restarted (the kill moves from state to lastState).
        Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.Relabelled("again"));
        Server.Modify<V1Pod>("shop", "db-0", PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1));
        // A later kill of the checkout container is a new termination; it is the barrier for everything above.
        Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.OomKilledAndRestarted("app", PodStates.FirstKill.AddMinutes(1), restartCount: 2));
        await source.SignalsAsync(3, "the second checkout kill was sent");

        var signals = source.Sink.Signals;
        signals.Count.ShouldBe(3);
        var checkout = signals[0];
        checkout.Source.ShouldBe("kubernetes");
        checkout.Title.ShouldBe("OOMKilled");
        checkout.Service.ShouldBe("checkout");
        checkout.Resource.ShouldNotBeNull();
        checkout.Resource.Kind.ShouldBe("Deployment");
        checkout.Resource.Namespace.ShouldBe("shop");
        checkout.Resource.Name.ShouldBe("checkout");
        checkout.Resource.Container.ShouldBe("app");
        checkout.Label("pod").ShouldBe(CheckoutPod);
        checkout.Label("deployment").ShouldBe("checkout");
        checkout.Label("exit_code").ShouldBe("137");
        checkout.Label("restart_count").ShouldBe("1");
        checkout.Label("memory_limit").ShouldBe("512Mi");
        checkout.StartsAt.ShouldBe(new DateTimeOffset(PodStates.FirstKill));
        PodStates.Classify(checkout).ShouldBe(FailureClasses.Oom);

        var db = signals[1];
        db.Resource!.Kind.ShouldBe("StatefulSet");
        db.Resource.Name.ShouldBe("db");
        db.Label("pod").ShouldBe("db-0");
        db.Label("restart_count").ShouldBe("0");

        signals[2].Label("restart_count").ShouldBe("2");
        signals[2].Fingerprint.ShouldBe(checkout.Fingerprint, "kills of one workload's container are one incident");
        signals[2].StartsAt.ShouldNotBe(checkout.StartsAt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disconnect_MidStream_ResumesFromTheLastResourceVersionWithoutDuplicates(bool reset)
    {
        await using var source = await RunningSource.StartAsync(_cluster);
        Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1));
        await source.SignalsAsync(1, "the first kill was sent");

        Server.DropWatches(abort: reset);
        // Changed while nobody watched: the re-watch from the last resourceVersion replays it.
        Server.Modify<V1Pod>("shop", "db-0", PodStates.OomKilledNow("app", PodStates.FirstKill, restartCount: 0));
        await source.SignalsAsync(2, "the kill made during the disconnect was sent after resuming");
        await Eventually.UntilAsync(() => source.Calls("watch", "pods") >= 2 && Server.OpenWatches == 2, "both watches are open again", _cluster.Time);

        Server.Modify<V1Pod>("shop", "debug", PodStates.OomKilledNow("app", PodStates.FirstKill, restartCount: 0));
        await source.SignalsAsync(3, "a later kill was still seen");

        source.Sink.Signals.Select(s => s.Label("pod")).ShouldBe([CheckoutPod, "db-0", "debug"]);
        source.Calls("list", "pods").ShouldBe(1, "a plain disconnect resumes the watch, it does not relist");
    }

    [Theory]
    [InlineData(FakeApiServer.GoneStyle.InStream)]
    [InlineData(FakeApiServer.GoneStyle.Http)]
    public async Task Gone_WatchTooOld_RelistsAndResumesWithoutDuplicates(FakeApiServer.GoneStyle style)
    {
        await using var source = await RunningSource.StartAsync(_cluster);
        Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1));
        await source.SignalsAsync(1, "the first kill was sent");

        Server.ExpireResourceVersions(style);
        Server.DropWatches();
        await Eventually.UntilAsync(() => source.Calls("list", "pods") == 2 && Server.OpenWatches == 2, "the source listed again and watches from the fresh version", _cluster.Time);
        var gone = Server.Requests.Where(r => r.Verb == "watch" && r.Resource == "pods").ToList();
        if (style == FakeApiServer.GoneStyle.Http)
        {
            gone.ShouldContain(r => r.Status == 410);
        }

        Server.Modify<V1Pod>("shop", "db-0", PodStates.OomKilledNow("app", PodStates.FirstKill, restartCount: 0));
        await source.SignalsAsync(2, "a kill after the relist was seen");

        source.Sink.Signals.Select(s => s.Label("pod")).ShouldBe([CheckoutPod, "db-0"], "the relisted checkout pod was not sent again");
    }

    [Fact]
    public async Task Bookmark_MovesTheResourceVersion_SoAResumeAfterCompactionNeedsNoRelist()
    {
        await using var source = await RunningSource.StartAsync(_cluster);

        // Nothing about pods changes, but the cluster's resourceVersion moves on; the bookmark tells the pod watch so.
        Server.Seed(new V1Node { Metadata = new V1ObjectMeta { Name = "node-4" }, Spec = new V1NodeSpec() });
        var current = Server.CurrentResourceVersion;
        Server.SendBookmarks();
        Server.ExpireResourceVersions(FakeApiServer.GoneStyle.InStream, below: current);
        Server.DropWatches();
        await Eventually.UntilAsync(() => Server.WatchesFrom.Count(w => w.Resource == "pods") == 2 && Server.OpenWatches == 2, "the pod watch resumed", _cluster.Time);

        Server.WatchesFrom.Last(w => w.Resource == "pods").ResourceVersion.ShouldBe(current);
        source.Calls("list", "pods").ShouldBe(1, "resuming from the bookmark is not too old, so there is no relist");
    }

    [Fact]
    public async Task Evictions_MemoryAndDisk_ClassifiedAsOomAndDiskFull()
    {
        Server.Modify<V1Pod>("shop", CheckoutPod, PodStates.Evicted("The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container app was using 600Mi, request is 256Mi, has larger consumption of memory."));
        Server.Modify<V1Pod>("shop", "db-0", PodStates.Evicted("The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 2Gi. Container app was using 8Gi, request is 0, has larger consumption of ephemeral-storage."));
        Server.Modify<V1Pod>("shop", "debug", PodStates.Evicted("The node had condition: [DiskPressure]. "));

        await using var source = await RunningSource.StartAsync(_cluster);
        await source.SignalsAsync(3, "the three evictions in the first list were sent");

        var byPod = source.Sink.Signals.ToDictionary(s => s.Label("pod")!);
        byPod[CheckoutPod].Title.ShouldBe(PodSignals.EvictedMemory);
        byPod[CheckoutPod].Label("evicted_for").ShouldBe("memory");
        PodStates.Classify(byPod[CheckoutPod]).ShouldBe(FailureClasses.Oom);
        byPod["db-0"].Title.ShouldBe(PodSignals.EvictedEphemeralStorage);
        PodStates.Classify(byPod["db-0"]).ShouldBe(FailureClasses.DiskFull);
        byPod["debug"].Title.ShouldBe(PodSignals.EvictedDisk);
        byPod["debug"].Resource!.Kind.ShouldBe("Pod");
        PodStates.Classify(byPod["debug"]).ShouldBe(FailureClasses.DiskFull);
        PodStates.Classify(PodSignals.From(Pod(PodStates.Evicted("Pod was rejected: Predicate NodeAffinity failed")), new PodOwner("Pod", "x")).Single().Signal)
            .ShouldBe(Classification.Unknown, "an eviction that names neither memory nor disk is not guessed");
    }

    [Fact]
    public async Task FailedMount_RepeatingEvent_OneSignalPerInvolvedObjectAndReason()
    {
        await using var source = await RunningSource.StartAsync(_cluster);
        Server.Seed(MountEvent("checkout-7d9f-x2k4p.1", count: 1));
        await source.SignalsAsync(1, "the failed mount was sent");

        // The kubelet repeats the failure: count goes up, and after the event expires a fresh one is written.
        Server.Modify<Corev1Event>("shop", "checkout-7d9f-x2k4p.1", e => e.Message += " ");
        Server.Modify<Corev1Event>("shop", "checkout-7d9f-x2k4p.1", e => e.Count = 2);
        Server.Modify<Corev1Event>("shop", "checkout-7d9f-x2k4p.1", e => e.Count = 3);
        Server.Seed(MountEvent("checkout-7d9f-x2k4p.2", count: 1));
        Server.DropWatches();
        Server.ExpireResourceVersions(FakeApiServer.GoneStyle.InStream);
        await Eventually.UntilAsync(() => source.Calls("list", "events") == 2 && Server.OpenWatches == 2, "relisted", _cluster.Time);
        // A different reason for another pod is new; it is the barrier for everything above.
        Server.Seed(MountEvent("db-0.1", count: 1, pod: "db-0", reason: "FailedAttachVolume"));
        await source.SignalsAsync(2, "the attach failure was sent");

        var signals = source.Sink.Signals;
        signals.Count.ShouldBe(2);
        signals[0].Title.ShouldBe("FailedMount");
        signals[0].Resource!.Kind.ShouldBe("Deployment");
        signals[0].Resource!.Name.ShouldBe("checkout");
        signals[0].Label("pod").ShouldBe(CheckoutPod);
        signals[0].Label("count").ShouldBe("1");
        signals[0].Text!.ShouldContain("secret \"tls\" not found");
        signals[1].Title.ShouldBe("FailedAttachVolume");
        signals[1].Resource!.Kind.ShouldBe("StatefulSet");
        source.Calls("get", "pods").ShouldBe(2, "each involved pod is read once, not once per repeat");
    }

    [Fact]
    public async Task HostileText_IsCappedAndStaysInSignalFields()
    {
        var message = "memory " + new string('x', 100_000);
        var finding = PodSignals.From(Pod(PodStates.Evicted(message)), new PodOwner("Pod", "x")).Single();
        finding.Signal.Text!.Length.ShouldBeLessThanOrEqualTo(1100);
        await Task.CompletedTask;
    }

    private static V1Pod Pod(Action<V1Pod> change)
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "x", NamespaceProperty = "shop", Uid = "u" }, Status = new V1PodStatus() };
        change(pod);
        return pod;
    }

    private static Corev1Event MountEvent(string name, int count, string pod = CheckoutPod, string reason = "FailedMount") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop", Uid = $"ev-{name}" },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = "shop" },
        Reason = reason,
        Type = "Warning",
        Count = count,
        FirstTimestamp = PodStates.FirstKill,
        Message = "MountVolume.SetUp failed for volume \"tls\" : secret \"tls\" not found",
    };
}
