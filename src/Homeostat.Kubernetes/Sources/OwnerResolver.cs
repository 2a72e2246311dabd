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
/// Follows the controlling owner reference, and believes it only when the API server confirms it: a pod's ownerReferences
/// are written by whoever creates the pod, so the named StatefulSet, DaemonSet or ReplicaSet is read and its uid must be the
/// one the reference carries; a ReplicaSet's Deployment is read and checked against the ReplicaSet's reference the same
/// way (a ReplicaSet without a controller owns its pods itself). A Deployment never owns a pod directly, and other controllers (Jobs, operators) are not read, so neither is
/// believed. Whatever is not confirmed, including a failed read, makes the pod its own owner with the claim kept as
/// <see cref="PodOwner.Unverified"/>. Confirmed and refuted claims are remembered for <see cref="CacheLifetime"/> (bounded),
/// so an adoption (a ReplicaSet orphaned and taken over by a new Deployment) is seen within that time; failed reads are not
/// remembered.
/// </summary>
public sealed class PodOwnerResolver(IKubernetes client, TimeProvider timeProvider) : IPodOwnerResolver
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(10);

    private const int CacheCapacity = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Ns, string Kind, string Name, string Uid), (PodOwner? Owner, DateTimeOffset At)> _owners = [];

    public async Task<PodOwner> ResolveAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var self = new PodOwner("Pod", pod.Metadata.Name);
        var controller = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        if (controller?.Name is null || controller.Kind is null)
        {
            return self;
        }

        var unverified = self with { Unverified = $"{controller.Kind}/{controller.Name}" };
        if (!KubernetesNames.IsSubdomain(controller.Name) || string.IsNullOrEmpty(controller.Uid) || controller.Kind is not ("ReplicaSet" or "StatefulSet" or "DaemonSet"))
        {
            return unverified;
        }

        var ns = pod.Metadata.NamespaceProperty;
        var key = (ns, controller.Kind, controller.Name, controller.Uid);
        lock (_gate)
        {
            if (_owners.TryGetValue(key, out var known) && timeProvider.GetUtcNow() - known.At < CacheLifetime)
            {
                return known.Owner ?? unverified;
            }
        }

        PodOwner? owner;
        try
        {
            owner = await VerifyAsync(ns, controller, cancellationToken);
        }
        catch (HttpOperationException)
        {
            return unverified;
        }

        lock (_gate)
        {
            if (_owners.Count >= CacheCapacity)
            {
                _owners.Clear();
            }

            _owners[key] = (owner, timeProvider.GetUtcNow());
        }

        return owner ?? unverified;
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

    /// <summary>The confirmed workload behind the pod's controller reference, or null when the API server contradicts it.</summary>
    private async Task<PodOwner?> VerifyAsync(string ns, V1OwnerReference controller, CancellationToken cancellationToken)
    {
        switch (controller.Kind)
        {
            case "StatefulSet":
            {
                var set = await client.AppsV1.ReadNamespacedStatefulSetAsync(controller.Name, ns, cancellationToken: cancellationToken);
                return set.Metadata?.Uid == controller.Uid ? new PodOwner("StatefulSet", controller.Name) : null;
            }

            case "DaemonSet":
            {
                var set = await client.AppsV1.ReadNamespacedDaemonSetAsync(controller.Name, ns, cancellationToken: cancellationToken);
                return set.Metadata?.Uid == controller.Uid ? new PodOwner("DaemonSet", controller.Name) : null;
            }

            default:
            {
                var replicaSet = await client.AppsV1.ReadNamespacedReplicaSetAsync(controller.Name, ns, cancellationToken: cancellationToken);
                if (replicaSet.Metadata?.Uid != controller.Uid)
                {
                    return null;
                }

                var rsController = replicaSet.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
                if (rsController is null)
                {
                    return new PodOwner("ReplicaSet", controller.Name);
                }

                if (rsController is not { Kind: "Deployment", Name: { } deployment, Uid: { Length: > 0 } deploymentUid } || !KubernetesNames.IsSubdomain(deployment))
                {
                    return null;
                }

                var owner = await client.AppsV1.ReadNamespacedDeploymentAsync(deployment, ns, cancellationToken: cancellationToken);
                return owner.Metadata?.Uid == deploymentUid ? new PodOwner("Deployment", deployment) : null;
            }
        }
    }
}
