using System.Text.Json.Nodes;
using Homeostat.Remediation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// Sets the replica count through the scale subresource, to <c>replicas</c> or by <c>step</c>, clamped to [min, max]. Its
/// premise (more load than the replicas absorb) is not observable here; a target that is not a workload is not applicable.
/// </summary>
public sealed class ScaleReplicasAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options)
    : KubernetesAction<ObjectTarget>(client, options)
{
    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.ScaleReplicas;

    protected override bool TryParameters(ActionRequest request, out string problem)
    {
        var min = request.Parameters.Integer("min") ?? 1;
        var max = request.Parameters.Integer("max");
        problem = max is null ? "scale_replicas needs a max parameter" : min > max ? $"refused: min {min} is above max {max}" : "";
        return problem.Length == 0;
    }

    protected override bool TryTarget(ActionRequest request, out ObjectTarget target, out string problem) =>
        KubernetesTargets.TryWorkloadOrPod(request.Signal, Options, out target, out problem);

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, ObjectTarget target, CancellationToken cancellationToken)
    {
        var resolution = await Workloads.ResolveTargetAsync(Client, target, cancellationToken);
        if (resolution.Workload is not { } workload)
        {
            return resolution.Unresolved();
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
