using Homeostat.Healing;
using Homeostat.Signals;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Sources;

/// <summary>Where the source's signals go: the engine's intake in the service, a recorder in tests.</summary>
public interface IKubernetesSignalSink
{
    Task<IReadOnlyList<IntakeResult>> IngestAsync(IReadOnlyList<Signal> signals, CancellationToken cancellationToken);
}

public sealed class IntakeSignalSink(SignalIntake intake, IOptions<IntakeLimits> limits, ILogger<IntakeSignalSink> logger) : IKubernetesSignalSink
{
    /// <summary>Pod and event texts, names and labels are the cluster's: the same intake limits as a posted signal, cut rather than refused.</summary>
    public Task<IReadOnlyList<IntakeResult>> IngestAsync(IReadOnlyList<Signal> signals, CancellationToken cancellationToken) =>
        intake.IngestAsync(signals.Select(signal => PolledSignalBounds.Bound(signal, limits.Value, logger)).ToList(), cancellationToken);
}

/// <summary>
/// Watches pods (and core/v1 events) in every allowed namespace and sends a signal per OOM kill, eviction, crash loop and
/// failed mount. A bounded seen-set keeps a relist from sending anything twice; the signals' stable start times make the
/// intake treat a repeat after a restart as a duplicate too.
/// </summary>
public sealed partial class KubernetesWatchSource(
    IKubernetes client,
    IOptions<KubernetesOptions> options,
    IKubernetesSignalSink sink,
    IPodOwnerResolver owners,
    TimeProvider timeProvider,
    ILogger<KubernetesWatchSource> logger) : BackgroundService
{
    private static readonly PodOwner Unresolved = new("Pod", "");

    private readonly SeenSet _seen = new(options.Value.Watch.SeenCapacity);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watch = options.Value.Watch;
        var loops = new List<Task>();
        foreach (var ns in options.Value.AllowedNamespaces)
        {
            loops.Add(Task.Run(() => new WatchLoop<V1Pod>(new PodWatchApi(client), ns, HandlePodAsync, watch, timeProvider, logger).RunAsync(stoppingToken), stoppingToken));
            if (watch.Events)
            {
                loops.Add(Task.Run(() => new WatchLoop<Corev1Event>(new EventWatchApi(client), ns, HandleEventAsync, watch, timeProvider, logger).RunAsync(stoppingToken), stoppingToken));
            }
        }

        return Task.WhenAll(loops);
    }

    internal async Task HandlePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        // The keys do not depend on the owner: look the owner up only when something new is there.
        var candidates = PodSignals.From(pod, Unresolved);
        if (candidates.All(f => _seen.Contains(f.Key)))
        {
            return;
        }

        var owner = await owners.ResolveAsync(pod, cancellationToken);
        await SendAsync(PodSignals.From(pod, owner), cancellationToken);
    }

    internal async Task HandleEventAsync(Corev1Event item, CancellationToken cancellationToken)
    {
        if (EventSignals.From(item, owner: null) is not { } candidate || _seen.Contains(candidate.Key))
        {
            return;
        }

        var owner = item.InvolvedObject is { Kind: "Pod", Name: { } pod }
            ? await owners.ResolveAsync(item.Metadata.NamespaceProperty, pod, cancellationToken)
            : null;
        await SendAsync([EventSignals.From(item, owner)!], cancellationToken);
    }

    private async Task SendAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken)
    {
        var fresh = findings.Where(f => !_seen.Contains(f.Key)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var results = await sink.IngestAsync(fresh.Select(f => f.Signal).ToList(), cancellationToken);
        for (var i = 0; i < fresh.Count; i++)
        {
            _seen.Add(fresh[i].Key);
            var signal = fresh[i].Signal;
            LogSignal(logger, signal.Title ?? "", signal.Resource?.Namespace ?? "", signal.Resource?.Name ?? "", i < results.Count ? results[i].Decision.ToString() : "");
        }
    }

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Kubernetes signal {Title} for {Namespace}/{Name} ({Decision})")]
    private static partial void LogSignal(ILogger logger, string title, string @namespace, string name, string decision);
}
