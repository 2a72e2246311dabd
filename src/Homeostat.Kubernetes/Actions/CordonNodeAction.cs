using System.Text.Json.Nodes;
using Homeostat.Remediation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// kubectl cordon: sets <c>spec.unschedulable=true</c> on the node, so no new pod lands there; running pods stay. Premise:
/// the node reports a problem (<see cref="NodeProblems"/>); a Ready node with no pressure condition is left alone.
/// </summary>
public sealed class CordonNodeAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options)
    : KubernetesAction<string>(client, options)
{
    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.CordonNode;

    protected override bool TryTarget(ActionRequest request, out string target, out string problem) =>
        KubernetesTargets.TryNode(request.Signal, Options, out target, out problem);

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, string target, CancellationToken cancellationToken)
    {
        var node = await Client.CoreV1.ReadNodeAsync(target, cancellationToken: cancellationToken);
        var problems = NodeProblems(node);
        if (problems.Count == 0)
        {
            var conditions = node.Status?.Conditions ?? [];
            return KubernetesPlan.PremiseNotMet(conditions.Count == 0
                ? $"node {target} reports no conditions, so no problem can be seen on it"
                : $"node {target} reports no problem: {string.Join(", ", conditions.Select(c => $"{c.Type}={c.Status}"))}");
        }

        var observed = $"node {target} reports {string.Join(", ", problems)}";
        if (node.Spec?.Unschedulable == true)
        {
            return KubernetesPlan.NoChange($"node {target} is already cordoned (spec.unschedulable=true)").Observed(observed);
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
            (dryRun, ct) => Client.CoreV1.PatchNodeAsync(body, target, dryRun: DryRun(dryRun), fieldManager: Workloads.FieldManager, cancellationToken: ct))
            .Observed(observed);
    }

    private static readonly string[] PressureConditions = ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"];

    /// <summary>The node's Ready condition when it is not True, and every pressure condition that is True, as "DiskPressure=True (reason)".</summary>
    public static IReadOnlyList<string> NodeProblems(V1Node node)
    {
        var problems = new List<string>();
        foreach (var condition in node.Status?.Conditions ?? [])
        {
            var bad = condition.Type == "Ready" ? condition.Status != "True" : PressureConditions.Contains(condition.Type) && condition.Status == "True";
            if (bad)
            {
                problems.Add($"{condition.Type}={condition.Status}{(condition.Reason is { } reason ? $" ({reason})" : "")}");
            }
        }

        return problems;
    }
}
