using System.Text.Json.Nodes;
using Homeostat.Remediation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>kubectl cordon: sets <c>spec.unschedulable=true</c> on the node, so no new pod lands there; running pods stay.</summary>
public sealed class CordonNodeAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options)
    : KubernetesAction<string>(client, options)
{
    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.CordonNode;

    protected override bool TryTarget(ActionRequest request, out string target, out string problem) =>
        KubernetesTargets.TryNode(request.Signal, Options, out target, out problem);

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, string target, CancellationToken cancellationToken)
    {
        var node = await Client.CoreV1.ReadNodeAsync(target, cancellationToken: cancellationToken);
        if (node.Spec?.Unschedulable == true)
        {
            return KubernetesPlan.NoChange($"node {target} is already cordoned (spec.unschedulable=true)");
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = node.Metadata.ResourceVersion },
            ["spec"] = new JsonObject { ["unschedulable"] = true },
        };
        var body = new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch);
        return KubernetesPlan.Change(
            $"cordon node {target}",
            [$"node {target}: spec.unschedulable: {(node.Spec?.Unschedulable == false ? "false" : "(unset)")} -> true"],
            (dryRun, ct) => Client.CoreV1.PatchNodeAsync(body, target, dryRun: DryRun(dryRun), fieldManager: Workloads.FieldManager, cancellationToken: ct));
    }
}
