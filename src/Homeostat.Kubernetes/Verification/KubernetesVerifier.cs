using System.Net;
using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Kubernetes.Actions;
using Homeostat.Kubernetes.Sources;
using Homeostat.Signals;
using Homeostat.Verification;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Verification;

/// <summary>When the action on an incident started, from its audit trail.</summary>
public interface IActionStartTime
{
    Task<DateTimeOffset?> ForAsync(Incident incident, CancellationToken cancellationToken);
}

/// <summary>The latest <c>action_started</c> record of the incident.</summary>
public sealed class AuditActionStartTime(IHomeostatStore store) : IActionStartTime
{
    public async Task<DateTimeOffset?> ForAsync(Incident incident, CancellationToken cancellationToken)
    {
        var records = await store.QueryAuditAsync(new AuditQuery { IncidentId = incident.Id, Type = AuditTypes.ActionStarted }, cancellationToken);
        return records.Count == 0 ? null : records.Max(r => r.At);
    }
}

/// <summary>
/// Verifies incidents about a Kubernetes workload by reading it: cleared only when the owning Deployment or StatefulSet has
/// finished rolling out (observedGeneration caught up; updated, ready and available replicas all at the desired count), every
/// pod it selects is Ready, and no container in them was OOM-killed after the action started. A bare pod must be Ready and
/// free of such kills. API errors are <see cref="VerificationStatus.Error"/> with the API server's words.
/// </summary>
public sealed class KubernetesVerifier(IKubernetes client, IOptionsMonitor<KubernetesOptions> options, IActionStartTime actionStart) : IVerifier
{
    private static readonly HashSet<string> Kinds = new(StringComparer.OrdinalIgnoreCase) { KubernetesTargets.Pod, KubernetesTargets.Deployment, KubernetesTargets.StatefulSet };

    public string Name => "kubernetes";

    public int Order => VerifierOrder.Kubernetes;

    public bool CanVerify(Incident incident)
    {
        var signal = incident.Signal;
        var kubernetes = signal.Source == SignalSources.Kubernetes
            || (signal.Resource is { Kind: { } kind, Namespace: not null, Name: not null } && Kinds.Contains(kind));
        return kubernetes && KubernetesTargets.TryWorkloadOrPod(signal, options.CurrentValue, out _, out _);
    }

    public async Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        if (!KubernetesTargets.TryWorkloadOrPod(incident.Signal, options.CurrentValue, out var target, out var problem))
        {
            return new VerificationResult(VerificationStatus.Error, problem);
        }

        var since = await actionStart.ForAsync(incident, cancellationToken) ?? incident.CreatedAt;
        try
        {
            return await CheckAsync(target, since, cancellationToken);
        }
        catch (HttpOperationException exception)
        {
            return new VerificationResult(VerificationStatus.Error, KubernetesAction<ObjectTarget>.Describe(exception, $"reading {target}"));
        }
        catch (HttpRequestException exception)
        {
            return new VerificationResult(VerificationStatus.Error, $"the API server could not be reached: {exception.Message}");
        }
    }

    private async Task<VerificationResult> CheckAsync(ObjectTarget target, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (target.Kind == KubernetesTargets.Pod)
        {
            V1Pod pod;
            try
            {
                pod = await client.CoreV1.ReadNamespacedPodAsync(target.Name, target.Namespace, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException exception) when (exception.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return new VerificationResult(VerificationStatus.NotCleared, $"{target} no longer exists, so it cannot be seen healthy");
            }

            var owner = Workloads.Controller(pod.Metadata);
            if (owner is null)
            {
                return Judge($"{target}", [pod], since) ?? new VerificationResult(VerificationStatus.Cleared, $"{target} is Ready with no OOM kill since {AuditChain.FormatTime(since)}");
            }

            var (workload, _) = await Workloads.ResolveAsync(client, target, cancellationToken);
            if (workload is null)
            {
                // A DaemonSet's or Job's pod restarts in place: the pod itself is what can be seen healthy.
                return Judge($"{target}", [pod], since)
                    ?? new VerificationResult(VerificationStatus.Cleared, $"{target} (owned by {owner.Kind.ToLowerInvariant()} {owner.Name}) is Ready with no OOM kill since {AuditChain.FormatTime(since)}");
            }

            target = new ObjectTarget(workload.Kind, workload.Namespace, workload.Name);
        }

        var (rollout, selector) = target.Kind == KubernetesTargets.StatefulSet
            ? await StatefulSetRolloutAsync(target, cancellationToken)
            : await DeploymentRolloutAsync(target, cancellationToken);
        if (rollout is not null)
        {
            return new VerificationResult(VerificationStatus.NotCleared, $"{target}: {rollout}");
        }

        if (selector.Length == 0)
        {
            return new VerificationResult(VerificationStatus.Error, $"{target} selects its pods with matchExpressions only, which this verifier does not follow");
        }

        var pods = await client.CoreV1.ListNamespacedPodAsync(target.Namespace, labelSelector: selector, cancellationToken: cancellationToken);
        var live = (pods.Items ?? []).Where(p => p.Metadata?.DeletionTimestamp is null).ToList();
        return Judge($"{target}", live, since)
            ?? new VerificationResult(VerificationStatus.Cleared, $"{target} rolled out, {live.Count}/{live.Count} pods Ready, no OOM kill since {AuditChain.FormatTime(since)}");
    }

    /// <summary>Not cleared when a pod is not Ready or a container was OOM-killed after <paramref name="since"/>; null when all is well.</summary>
    private static VerificationResult? Judge(string what, IReadOnlyList<V1Pod> pods, DateTimeOffset since)
    {
        foreach (var pod in pods)
        {
            foreach (var (status, terminated) in PodSignals.OomKills(pod))
            {
                if (PodSignals.ToUtc(terminated.FinishedAt) is { } at && at > since)
                {
                    return new VerificationResult(VerificationStatus.NotCleared,
                        $"{what}: pod {pod.Metadata.Name} container {status.Name} OOMKilled at {AuditChain.FormatTime(at)}, after the action started at {AuditChain.FormatTime(since)}");
                }
            }
        }

        var notReady = pods.Where(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true).Select(p => p.Metadata.Name).ToList();
        if (notReady.Count > 0)
        {
            return new VerificationResult(VerificationStatus.NotCleared, $"{what}: {pods.Count - notReady.Count}/{pods.Count} pods Ready; not Ready: {string.Join(", ", notReady.Take(5))}");
        }

        return pods.Count == 0 ? new VerificationResult(VerificationStatus.NotCleared, $"{what}: no pods found") : null;
    }

    private async Task<(string? Problem, string Selector)> DeploymentRolloutAsync(ObjectTarget target, CancellationToken cancellationToken)
    {
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(target.Name, target.Namespace, cancellationToken: cancellationToken);
        var status = deployment.Status;
        var problem = Rollout(deployment.Metadata.Generation, status?.ObservedGeneration, deployment.Spec?.Replicas ?? 1, status?.UpdatedReplicas, status?.ReadyReplicas, status?.AvailableReplicas);
        return (problem, Selector(deployment.Spec?.Selector));
    }

    private async Task<(string? Problem, string Selector)> StatefulSetRolloutAsync(ObjectTarget target, CancellationToken cancellationToken)
    {
        var set = await client.AppsV1.ReadNamespacedStatefulSetAsync(target.Name, target.Namespace, cancellationToken: cancellationToken);
        var status = set.Status;
        var problem = Rollout(set.Metadata.Generation, status?.ObservedGeneration, set.Spec?.Replicas ?? 1, status?.UpdatedReplicas, status?.ReadyReplicas, status?.AvailableReplicas);
        return (problem, Selector(set.Spec?.Selector));
    }

    internal static string? Rollout(long? generation, long? observed, int desired, int? updated, int? ready, int? available)
    {
        if ((observed ?? 0) < (generation ?? 1))
        {
            return $"rollout not yet observed by the controller (observedGeneration {observed ?? 0} < generation {generation ?? 1})";
        }

        if ((updated ?? 0) != desired)
        {
            return $"rollout {updated ?? 0}/{desired} updated";
        }

        if ((ready ?? 0) != desired)
        {
            return $"rollout {ready ?? 0}/{desired} ready";
        }

        return (available ?? 0) != desired ? $"rollout {available ?? 0}/{desired} available" : null;
    }

    private static string Selector(V1LabelSelector? selector) =>
        string.Join(',', (selector?.MatchLabels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
