using System.Collections.Concurrent;
using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Kubernetes.Sources;
using Homeostat.Signals;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Kubernetes.Tests;

/// <summary>Records what the watch source sends, as the intake would receive it.</summary>
public sealed class RecordingSink : IKubernetesSignalSink
{
    private readonly ConcurrentQueue<Signal> _signals = new();

    public IReadOnlyList<Signal> Signals => [.. _signals];

    public Task<IReadOnlyList<IntakeResult>> IngestAsync(IReadOnlyList<Signal> signals, CancellationToken cancellationToken)
    {
        foreach (var signal in signals)
        {
            _signals.Enqueue(signal);
        }

        return Task.FromResult<IReadOnlyList<IntakeResult>>(signals.Select(s => new IntakeResult(s.Id, "inc", IntakeDecision.Accepted, "recorded")).ToList());
    }
}

/// <summary>A started watch source over the test cluster, and ways to wait for what it does.</summary>
public sealed class RunningSource : IAsyncDisposable
{
    private readonly KubernetesWatchSource _source;

    private RunningSource(TestCluster cluster, KubernetesWatchSource source, RecordingSink sink)
    {
        Cluster = cluster;
        _source = source;
        Sink = sink;
    }

    public TestCluster Cluster { get; }

    public RecordingSink Sink { get; }

    public static async Task<RunningSource> StartAsync(TestCluster cluster, bool waitForWatches = true)
    {
        cluster.Options.Watch = new KubernetesWatchOptions { Enabled = true, InitialBackoff = TestCluster.Interval("1s"), MaxBackoff = TestCluster.Interval("2s") };
        var sink = new RecordingSink();
        var source = new KubernetesWatchSource(cluster.Client, Options.Create(cluster.Options), sink, new PodOwnerResolver(cluster.Client, cluster.Time), cluster.Time, NullLogger<KubernetesWatchSource>.Instance);
        var running = new RunningSource(cluster, source, sink);
        await source.StartAsync(CancellationToken.None);
        if (waitForWatches)
        {
            await Eventually.UntilAsync(() => cluster.Server.OpenWatches == 2, "the pod and event watches are open", cluster.Time);
        }

        return running;
    }

    public Task SignalsAsync(int count, string because) =>
        Eventually.UntilAsync(() => Sink.Signals.Count >= count, because, Cluster.Time);

    public int Calls(string verb, string resource) => Cluster.Server.Requests.Count(r => r.Verb == verb && r.Resource == resource);

    public async ValueTask DisposeAsync()
    {
        await _source.StopAsync(CancellationToken.None);
        _source.Dispose();
    }
}

public static class Eventually
{
    /// <summary>Waits until the condition holds, or fails after 15 s of real time. A fake clock is moved on a second per poll, so back-offs pass.</summary>
    public static async Task UntilAsync(Func<bool> condition, string because, FakeTimeProvider? clock = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"timed out waiting until {because}");
            }

            clock?.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }
}

/// <summary>Pod states as the kubelet reports them.</summary>
public static class PodStates
{
    public static readonly DateTime FirstKill = new(2026, 11, 28, 9, 58, 0, DateTimeKind.Utc);

    /// <summary>The container was OOM-killed and restarted: running again, the kill in lastState.</summary>
    public static Action<V1Pod> OomKilledAndRestarted(string container, DateTime finishedAt, int restartCount, bool crashLooping = false) => pod =>
        Status(pod, container, new V1ContainerStatus
        {
            Name = container,
            Image = "registry.example/app:1.0",
            ImageID = "",
            Ready = !crashLooping,
            RestartCount = restartCount,
            State = crashLooping
                ? new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off 40s restarting failed container" } }
                : new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = finishedAt.AddSeconds(1) } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { Reason = "OOMKilled", ExitCode = 137, FinishedAt = finishedAt, StartedAt = finishedAt.AddMinutes(-5) } },
        });

    /// <summary>The container was just OOM-killed and not yet restarted: the kill in state.</summary>
    public static Action<V1Pod> OomKilledNow(string container, DateTime finishedAt, int restartCount) => pod =>
        Status(pod, container, new V1ContainerStatus
        {
            Name = container,
            Image = "registry.example/app:1.0",
            ImageID = "",
            Ready = false,
            RestartCount = restartCount,
            State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { Reason = "OOMKilled", ExitCode = 137, FinishedAt = finishedAt, StartedAt = finishedAt.AddMinutes(-5) } },
        });

    public static Action<V1Pod> CrashLooping(string container, string lastReason, int exitCode) => pod =>
        Status(pod, container, new V1ContainerStatus
        {
            Name = container,
            Image = "registry.example/app:1.0",
            ImageID = "",
            Ready = false,
            RestartCount = 5,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { Reason = lastReason, ExitCode = exitCode, FinishedAt = FirstKill, Message = "panic: connection refused; no space left on device" } },
        });

    public static Action<V1Pod> Ready(bool ready = true) => pod =>
    {
        pod.Status ??= new V1PodStatus();
        pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }];
    };

    public static Action<V1Pod> Evicted(string message) => pod =>
    {
        pod.Status = new V1PodStatus { Phase = "Failed", Reason = "Evicted", Message = message };
    };

    public static Action<V1Pod> Relabelled(string value) => pod => pod.Metadata.Annotations = new Dictionary<string, string> { ["touched"] = value };

    public static string Classify(Signal signal) => new RuleClassifier().Classify(signal, new ClassSet(FailureClasses.Seed)).Class;

    private static void Status(V1Pod pod, string container, V1ContainerStatus status)
    {
        pod.Status ??= new V1PodStatus { Phase = "Running" };
        var statuses = (pod.Status.ContainerStatuses ?? []).Where(s => s.Name != container).ToList();
        statuses.Add(status);
        pod.Status.ContainerStatuses = statuses;
    }
}
