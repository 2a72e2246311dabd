using k8s;
using k8s.Models;

namespace Homeostat.Kubernetes.Sources;

/// <summary>List and watch one resource type in one namespace: the two calls a list-then-watch loop needs.</summary>
public interface IWatchApi<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    string Resource { get; }

    Task<(IList<T> Items, string? ResourceVersion)> ListAsync(string ns, CancellationToken cancellationToken);

    /// <summary>A watch from <paramref name="resourceVersion"/> with bookmarks; an in-stream ERROR Status reaches <paramref name="onError"/>.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Item)> WatchAsync(string ns, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);
}

public sealed class PodWatchApi(IKubernetes client) : IWatchApi<V1Pod>
{
    public string Resource => "pods";

    public async Task<(IList<V1Pod> Items, string? ResourceVersion)> ListAsync(string ns, CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancellationToken);
        return (list.Items ?? [], list.Metadata?.ResourceVersion);
    }

    public IAsyncEnumerable<(WatchEventType Type, V1Pod Item)> WatchAsync(string ns, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken) =>
        client.CoreV1.WatchListNamespacedPodAsync(ns, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken);
}

public sealed class EventWatchApi(IKubernetes client) : IWatchApi<Corev1Event>
{
    public string Resource => "events";

    public async Task<(IList<Corev1Event> Items, string? ResourceVersion)> ListAsync(string ns, CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: cancellationToken);
        return (list.Items ?? [], list.Metadata?.ResourceVersion);
    }

    public IAsyncEnumerable<(WatchEventType Type, Corev1Event Item)> WatchAsync(string ns, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken) =>
        client.CoreV1.WatchListNamespacedEventAsync(ns, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken);
}
