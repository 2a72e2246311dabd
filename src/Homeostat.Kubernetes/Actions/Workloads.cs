using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Homeostat.Kubernetes.Actions;

/// <summary>A Deployment or StatefulSet as read, with the resourceVersion every write from it carries.</summary>
public sealed record Workload(string Kind, string Namespace, string Name, V1ObjectMeta Metadata, V1PodTemplateSpec Template, int? Replicas)
{
    public string? ResourceVersion => Metadata.ResourceVersion;

    /// <summary>The equality part of the workload's selector (spec.selector.matchLabels): how its pods are listed.</summary>
    public IDictionary<string, string>? MatchLabels { get; init; }

    public override string ToString() => $"{Kind.ToLowerInvariant()} {Namespace}/{Name}";
}

/// <summary>
/// A target followed to its workload, or why it cannot be: <see cref="Forged"/> when an owner reference does not match what
/// the API server holds (refused outright), otherwise the target is simply not something a workload action applies to.
/// </summary>
public sealed record WorkloadResolution(Workload? Workload, string Problem, bool Forged)
{
    /// <summary>The plan for a target that did not resolve.</summary>
    public KubernetesPlan Unresolved() => Forged ? KubernetesPlan.Refuse(Problem) : KubernetesPlan.NotApplicable(Problem);
}

/// <summary>Reads workloads, follows a pod to the workload that owns it, and patches them.</summary>
public static class Workloads
{
    public const string FieldManager = "homeostat";

    /// <summary>
    /// The Deployment or StatefulSet a target names, following Pod → ReplicaSet → Deployment or Pod → StatefulSet. Owner
    /// references are written by whoever creates the object, so each step is taken only when the object read has the uid
    /// the reference carries; a Deployment named directly as a pod's controller is refused (real pods never have one).
    /// </summary>
    public static async Task<WorkloadResolution> ResolveTargetAsync(IKubernetes client, ObjectTarget target, CancellationToken cancellationToken)
    {
        if (target.Kind != KubernetesTargets.Pod)
        {
            return new(await ReadAsync(client, target.Kind, target.Namespace, target.Name, cancellationToken), "", false);
        }

        var ns = target.Namespace;
        var pod = await client.CoreV1.ReadNamespacedPodAsync(target.Name, ns, cancellationToken: cancellationToken);
        var owner = Controller(pod.Metadata);
        var described = $"pod {ns}/{target.Name}";
        if (owner is { Kind: "ReplicaSet" })
        {
            if (!KubernetesNames.IsSubdomain(owner.Name))
            {
                return new(null, $"refused: the owner name '{owner.Name}' is not a valid object name", true);
            }

            var replicaSet = await client.AppsV1.ReadNamespacedReplicaSetAsync(owner.Name, ns, cancellationToken: cancellationToken);
            if (string.IsNullOrEmpty(owner.Uid) || replicaSet.Metadata?.Uid != owner.Uid)
            {
                return new(null, Unconfirmed(described, owner), true);
            }

            var rsOwner = Controller(replicaSet.Metadata);
            if (rsOwner is not { Kind: KubernetesTargets.Deployment })
            {
                return new(null, $"refused: {described} belongs to replicaset {owner.Name}, which no Deployment owns", false);
            }

            described = $"replicaset {ns}/{owner.Name}";
            owner = rsOwner;
        }
        else if (owner is { Kind: KubernetesTargets.Deployment })
        {
            return new(null, $"refused: {described} names deployment {owner.Name} as its controller, which a real pod never does (pods belong to a ReplicaSet)", true);
        }

        if (owner is not { Kind: KubernetesTargets.Deployment or KubernetesTargets.StatefulSet })
        {
            return new(null, owner is null
                ? $"refused: {described} has no controlling owner, so there is no workload to change"
                : $"refused: {described} is owned by {owner.Kind} {owner.Name}; only Deployments and StatefulSets are supported", false);
        }

        if (!KubernetesNames.IsSubdomain(owner.Name))
        {
            return new(null, $"refused: the owner name '{owner.Name}' is not a valid object name", true);
        }

        var workload = await ReadAsync(client, owner.Kind, ns, owner.Name, cancellationToken);
        return string.IsNullOrEmpty(owner.Uid) || workload.Metadata?.Uid != owner.Uid ? new(null, Unconfirmed(described, owner), true) : new(workload, "", false);
    }

    public static async Task<(Workload? Workload, string Problem)> ResolveAsync(IKubernetes client, ObjectTarget target, CancellationToken cancellationToken)
    {
        var resolution = await ResolveTargetAsync(client, target, cancellationToken);
        return (resolution.Workload, resolution.Problem);
    }

    private static string Unconfirmed(string described, V1OwnerReference owner) =>
        $"refused: {described} names {owner.Kind.ToLowerInvariant()} {owner.Name} (uid {owner.Uid}) as its controller, but the API server's {owner.Kind.ToLowerInvariant()} of that name has another uid";

    public static async Task<Workload> ReadAsync(IKubernetes client, string kind, string ns, string name, CancellationToken cancellationToken)
    {
        if (kind == KubernetesTargets.StatefulSet)
        {
            var set = await client.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: cancellationToken);
            return new Workload(kind, ns, name, set.Metadata, set.Spec.Template, set.Spec.Replicas) { MatchLabels = set.Spec.Selector?.MatchLabels };
        }

        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);
        return new Workload(KubernetesTargets.Deployment, ns, name, deployment.Metadata, deployment.Spec.Template, deployment.Spec.Replicas) { MatchLabels = deployment.Spec.Selector?.MatchLabels };
    }

    /// <summary>A strategic merge patch carrying the resourceVersion read, so a concurrent change makes it fail with 409.</summary>
    public static Task PatchAsync(IKubernetes client, Workload workload, JsonObject patch, bool dryRun, CancellationToken cancellationToken)
    {
        var metadata = patch["metadata"] as JsonObject ?? [];
        patch["metadata"] = metadata;
        metadata["resourceVersion"] = workload.ResourceVersion;
        var body = new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch);
        var dryRunValue = dryRun ? "All" : null;
        return workload.Kind == KubernetesTargets.StatefulSet
            ? client.AppsV1.PatchNamespacedStatefulSetAsync(body, workload.Name, workload.Namespace, dryRun: dryRunValue, fieldManager: FieldManager, cancellationToken: cancellationToken)
            : client.AppsV1.PatchNamespacedDeploymentAsync(body, workload.Name, workload.Namespace, dryRun: dryRunValue, fieldManager: FieldManager, cancellationToken: cancellationToken);
    }

    public static string? Annotation(V1ObjectMeta? metadata, string key) =>
        metadata?.Annotations is { } annotations && annotations.TryGetValue(key, out var value) ? value : null;

    public static V1OwnerReference? Controller(V1ObjectMeta? metadata) =>
        metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
}
