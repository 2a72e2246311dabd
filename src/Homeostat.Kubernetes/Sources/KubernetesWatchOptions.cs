using Homeostat.Primitives;

namespace Homeostat.Kubernetes.Sources;

/// <summary>How the pod and event watches run (<c>Kubernetes:Watch</c>).</summary>
public sealed class KubernetesWatchOptions
{
    /// <summary>Watch pods and events in the allowed namespaces and send signals. Needs <c>Kubernetes:Enabled</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Watch core/v1 events too (failed mounts). Pods are always watched when the source is on.</summary>
    public bool Events { get; set; } = true;

    /// <summary>The first wait after a failed list or watch; it doubles per failure up to <see cref="MaxBackoff"/>.</summary>
    public Duration InitialBackoff { get; set; } = Duration.Parse("1s");

    public Duration MaxBackoff { get; set; } = Duration.Parse("5m");

    /// <summary>How long the API server keeps one watch open before the source re-watches (the request's timeoutSeconds).</summary>
    public Duration WatchTimeout { get; set; } = Duration.Parse("5m");

    /// <summary>How many terminations and events the source remembers, so a relist does not even re-send them.</summary>
    public int SeenCapacity { get; set; } = 10_000;

    internal static IEnumerable<string> Validate(KubernetesOptions options)
    {
        const string prefix = KubernetesOptions.Section + ":Watch:";
        var watch = options.Watch;
        if (watch.Enabled && !options.Enabled)
        {
            yield return prefix + "Enabled: the watch source needs Kubernetes:Enabled to be true";
        }

        if (watch.Enabled && options.AllowedNamespaces.Count == 0)
        {
            yield return prefix + "Enabled: Kubernetes:AllowedNamespaces is empty, so there is no namespace to watch";
        }

        if (watch.InitialBackoff.Value <= TimeSpan.Zero)
        {
            yield return prefix + $"InitialBackoff: must be positive (was {watch.InitialBackoff})";
        }

        if (watch.MaxBackoff.Value < watch.InitialBackoff.Value)
        {
            yield return prefix + $"MaxBackoff: must be at least InitialBackoff ({watch.InitialBackoff}); was {watch.MaxBackoff}";
        }

        if (watch.WatchTimeout.Value < TimeSpan.FromSeconds(1) || watch.WatchTimeout.Value > TimeSpan.FromHours(1))
        {
            yield return prefix + $"WatchTimeout: must be between 1s and 1h (was {watch.WatchTimeout})";
        }

        if (watch.SeenCapacity is < 100 or > 1_000_000)
        {
            yield return prefix + $"SeenCapacity: must be between 100 and 1000000 (was {watch.SeenCapacity})";
        }
    }
}
