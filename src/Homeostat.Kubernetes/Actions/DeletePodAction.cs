using Homeostat.Remediation;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// Deletes a pod so its controller replaces it. Premise: the pod is unhealthy (<see cref="PodHealth.Problems"/>); a Running
/// pod whose containers are all ready is left alone (premise_not_met). Bare pods are not applicable (nothing would bring them
/// back); a pod already gone is NoChange. The delete carries the resourceVersion read as a precondition, so a pod changed
/// meanwhile is re-read (and its health checked again) first.
/// </summary>
public sealed class DeletePodAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options)
    : KubernetesAction<ObjectTarget>(client, options)
{
    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.DeletePod;

    protected override bool TryTarget(ActionRequest request, out ObjectTarget target, out string problem) =>
        KubernetesTargets.TryPod(request.Signal, Options, out target, out problem);

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, ObjectTarget target, CancellationToken cancellationToken)
    {
        V1Pod pod;
        try
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync(target.Name, target.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException exception) when (IsNotFound(exception))
        {
            return KubernetesPlan.NoChange($"{target} is already gone");
        }

        if (pod.Metadata.DeletionTimestamp is not null)
        {
            return KubernetesPlan.NoChange($"{target} is already being deleted (since {pod.Metadata.DeletionTimestamp:O})");
        }

        var owner = Workloads.Controller(pod.Metadata) ?? pod.Metadata.OwnerReferences?.FirstOrDefault();
        if (owner is null)
        {
            return KubernetesPlan.NotApplicable($"{target} has no owner, so nothing would recreate it after deletion");
        }

        var problems = PodHealth.Problems(pod);
        if (problems.Count == 0)
        {
            return KubernetesPlan.PremiseNotMet($"{target} is healthy: {PodHealth.Summary(pod)}");
        }

        var preconditions = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = pod.Metadata.ResourceVersion, Uid = pod.Metadata.Uid } };
        var observed = $"{target} is unhealthy: {string.Join("; ", problems)}";
        return KubernetesPlan.Change(
            $"delete {target} (owned by {owner.Kind} {owner.Name}, which replaces it)",
            [$"{target}: delete (phase {pod.Status?.Phase ?? "unknown"}, owner {owner.Kind} {owner.Name})"],
            async (dryRun, ct) =>
            {
                try
                {
                    await Client.CoreV1.DeleteNamespacedPodAsync(target.Name, target.Namespace, body: preconditions, dryRun: DryRun(dryRun), cancellationToken: ct);
                }
                catch (HttpOperationException exception) when (!dryRun && IsNotFound(exception))
                {
                    // Gone between the read and the delete: the outcome we wanted.
                }
            }).Observed(observed);
    }
}
