using Homeostat.Catalog;
using Homeostat.Primitives;
using Homeostat.Remediation;

namespace Homeostat.Kubernetes.Actions;

/// <summary>The parameter schemas of the actions this adapter adds (scale_memory_limit's lives in <see cref="KnownActions"/>).</summary>
public static class KubernetesActionDescriptors
{
    public static readonly ActionDescriptor RestartWorkload = new(
        "restart_workload",
        "Rollout-restart the Deployment or StatefulSet the signal names (or that owns the signal's pod), as kubectl rollout restart does, at most once per min_interval.",
        [
            new ParameterSpec("min_interval", ParameterKind.Duration, "a restart within this time counts as already done") { Default = Duration.Parse("5m"), Minimum = 0 },
        ]);

    public static readonly ActionDescriptor ScaleReplicas = new(
        "scale_replicas",
        "Set a Deployment's or StatefulSet's replica count through its scale subresource: to replicas, or by step, always within min and max.",
        [
            new ParameterSpec("max", ParameterKind.Integer, "the most replicas the action may set") { Required = true, Minimum = 0, Maximum = 10000 },
            new ParameterSpec("min", ParameterKind.Integer, "the fewest replicas the action may set") { Default = 1L, Minimum = 0, Maximum = 10000 },
            new ParameterSpec("replicas", ParameterKind.Integer, "the replica count to set; when absent the current count changes by step") { Minimum = 0, Maximum = 10000 },
            new ParameterSpec("step", ParameterKind.Integer, "how many replicas one remediation adds (negative removes) when replicas is absent") { Default = 1L, Minimum = -10000, Maximum = 10000 },
        ]);

    public static readonly ActionDescriptor DeletePod = new(
        "delete_pod",
        "Delete the pod the signal names so its controller replaces it; bare pods (no owner) are refused.",
        []);

    public static readonly ActionDescriptor CordonNode = new(
        "cordon_node",
        "Mark the node the signal names unschedulable (kubectl cordon); running pods stay.",
        []);
}
