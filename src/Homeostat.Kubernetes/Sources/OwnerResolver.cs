using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Homeostat.Kubernetes.Sources;

/// <summary>Finds the workload that owns a pod.</summary>
public interface IPodOwnerResolver
{
    Task<PodOwner> ResolveAsync(V1Pod pod, CancellationToken cancellationToken);

    /// <summary>The owner of a pod known only by name (an event's involved object); the pod itself when it cannot be read.</summary>
    Task<PodOwner> ResolveAsync(string ns, string podName, CancellationToken cancellationToken);
}

/// <summary>
/// Follows the controlling owner reference: a ReplicaSet is read once to find its Deployment (and remembered, bounded); a
/// StatefulSet, DaemonSet or Job owns its pods directly; a pod without a controller is its own owner. A failed read falls
/// back to the nearest owner known, so a signal is never lost for want of a name.
/// </summary>
public sealed class PodOwnerResolver(IKubernetes client) : IPodOwnerResolver
{
    private const int CacheCapacity = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Ns, string ReplicaSet), PodOwner> _replicaSets = [];

    public async Task<PodOwner> ResolveAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var self = new PodOwner("Pod", pod.Metadata.Name);
        var controller = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        if (controller?.Name is null || controller.Kind is null || !KubernetesNames.IsSubdomain(controller.Name))
        {
            return self;
        }

        if (controller.Kind != "ReplicaSet")
        {
            return new PodOwner(controller.Kind, controller.Name);
        }

        var ns = pod.Metadata.NamespaceProperty;
        lock (_gate)
        {
            if (_replicaSets.TryGetValue((ns, controller.Name), out var known))
            {
                return known;
            }
        }

        var owner = new PodOwner("ReplicaSet", controller.Name);
        try
        {
            var replicaSet = await client.AppsV1.ReadNamespacedReplicaSetAsync(controller.Name, ns, cancellationToken: cancellationToken);
            var rsController = replicaSet.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
            if (rsController is { Kind: "Deployment", Name: { } deployment } && KubernetesNames.IsSubdomain(deployment))
            {
                owner = new PodOwner("Deployment", deployment);
            }
        }
        catch (HttpOperationException)
        {
            return owner;
        }

        lock (_gate)
        {
            if (_replicaSets.Count >= CacheCapacity)
            {
                _replicaSets.Clear();
            }

            _replicaSets[(ns, controller.Name)] = owner;
        }

        return owner;
    }

    public async Task<PodOwner> ResolveAsync(string ns, string podName, CancellationToken cancellationToken)
    {
        if (!KubernetesNames.IsSubdomain(podName))
        {
            return new PodOwner("Pod", podName);
        }

        try
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: cancellationToken);
            return await ResolveAsync(pod, cancellationToken);
        }
        catch (HttpOperationException)
        {
            return new PodOwner("Pod", podName);
        }
    }
}
