using System.Text.Json.Nodes;
using Homeostat.Remediation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>Sets the replica count through the scale subresource, to <c>replicas</c> or by <c>step</c>, clamped to [min, max].</summary>
public sealed class ScaleReplicasAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options)
    : KubernetesAction<ObjectTarget>(client, options)
{
    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.ScaleReplicas;

    protected override bool TryTarget(ActionRequest request, out ObjectTarget target, out string problem)
    {
        var min = request.Parameters.Integer("min") ?? 1;
        var max = request.Parameters.Integer("max");
        if (max is null || min > max)
        {
            target = null!;
            problem = max is null ? "scale_replicas needs a max parameter" : $"refused: min {min} is above max {max}";
            return false;
        }

        return KubernetesTargets.TryWorkloadOrPod(request.Signal, Options, out target, out problem);
    }

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, ObjectTarget target, CancellationToken cancellationToken)
    {
        var (workload, problem) = await Workloads.ResolveAsync(Client, target, cancellationToken);
        if (workload is null)
        {
            return KubernetesPlan.Refuse(problem);
        }

        var statefulSet = workload.Kind == KubernetesTargets.StatefulSet;
        var scale = statefulSet
            ? await Client.AppsV1.ReadNamespacedStatefulSetScaleAsync(workload.Name, workload.Namespace, cancellationToken: cancellationToken)
            : await Client.AppsV1.ReadNamespacedDeploymentScaleAsync(workload.Name, workload.Namespace, cancellationToken: cancellationToken);
        var current = scale.Spec?.Replicas ?? 0;
        var parameters = request.Parameters;
        var min = parameters.Integer("min") ?? 1;
        var max = parameters.Integer("max")!.Value;
        var wanted = parameters.Integer("replicas") ?? current + (parameters.Integer("step") ?? 1);
        var desired = (int)Math.Clamp(wanted, min, max);
        if (desired == current)
        {
            return KubernetesPlan.NoChange($"{workload} already has {current} replicas (wanted {wanted}, bounds {min}..{max})");
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = scale.Metadata?.ResourceVersion },
            ["spec"] = new JsonObject { ["replicas"] = desired },
        };
        var body = new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch);
        var clamped = desired == wanted ? "" : $" (wanted {wanted}, held to bounds {min}..{max})";
        return KubernetesPlan.Change(
            $"scale {workload} from {current} to {desired} replicas{clamped}",
            [$"{workload}/scale: spec.replicas: {current} -> {desired}"],
            (dryRun, ct) => statefulSet
                ? Client.AppsV1.PatchNamespacedStatefulSetScaleAsync(body, workload.Name, workload.Namespace, dryRun: DryRun(dryRun), fieldManager: Workloads.FieldManager, cancellationToken: ct)
                : Client.AppsV1.PatchNamespacedDeploymentScaleAsync(body, workload.Name, workload.Namespace, dryRun: DryRun(dryRun), fieldManager: Workloads.FieldManager, cancellationToken: ct));
    }
}
