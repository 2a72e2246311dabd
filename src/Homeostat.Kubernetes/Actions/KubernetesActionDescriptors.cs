using Homeostat.Catalog;
using Homeostat.Primitives;
using Homeostat.Remediation;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// The descriptors of this adapter's actions: their parameters and their premise (what each confirms on the target before it
/// changes anything, or why it cannot). scale_memory_limit's, trigger_cert_renewal's and open_circuit_breaker's parameters
/// live in <see cref="KnownActions"/>; their premises are added here.
/// </summary>
public static class KubernetesActionDescriptors
{
    public static readonly ActionDescriptor ScaleMemoryLimit = KnownActions.ScaleMemoryLimit with
    {
        Premise = PremiseDescriptor.Observes(
            "the container was OOM-killed (state or lastState terminated with reason OOMKilled in the signal's pod, or in a pod of the named workload), " +
            "or its working set is at least 90% of its memory limit, read from the metrics API (metrics.k8s.io) when the cluster serves one; " +
            "without a metrics API only the OOM kill is observable"),
    };

    public static readonly ActionDescriptor TriggerCertRenewal = KnownActions.TriggerCertRenewal with
    {
        UnavailableReason = null,
        Premise = PremiseDescriptor.Observes("the cert-manager Certificate's status.notAfter is less than min_remaining from now, or it was never issued"),
    };

    public static readonly ActionDescriptor OpenCircuitBreaker = KnownActions.OpenCircuitBreaker with
    {
        UnavailableReason = null,
        Premise = PremiseDescriptor.Unobservable(
            "the dependency's latency lives in the mesh's telemetry (Prometheus, Envoy statistics), which the action does not query, " +
            "so it cannot confirm the dependency is slower than a threshold; it checks only that the host resolves inside the namespace allowlist"),
    };

    public static readonly ActionDescriptor RestartWorkload = new(
        "restart_workload",
        "Rollout-restart the Deployment or StatefulSet the signal names (or that owns the signal's pod), as kubectl rollout restart does, at most once per min_interval.",
        [
            new ParameterSpec("min_interval", ParameterKind.Duration, "a restart within this time counts as already done") { Default = Duration.Parse("5m"), Minimum = 0 },
        ])
    {
        Premise = PremiseDescriptor.Unobservable(
            "a rollout restart answers faults inside the running processes (a leak, a stuck worker, stale configuration or connections) that the " +
            "API server does not show, and pod readiness does not reveal them; the action checks only that the workload exists"),
    };

    public static readonly ActionDescriptor ScaleReplicas = new(
        "scale_replicas",
        "Set a Deployment's or StatefulSet's replica count through its scale subresource: to replicas, or by step, always within min and max.",
        [
            new ParameterSpec("max", ParameterKind.Integer, "the most replicas the action may set") { Required = true, Minimum = 0, Maximum = 10000 },
            new ParameterSpec("min", ParameterKind.Integer, "the fewest replicas the action may set") { Default = 1L, Minimum = 0, Maximum = 10000 },
            new ParameterSpec("replicas", ParameterKind.Integer, "the replica count to set; when absent the current count changes by step") { Minimum = 0, Maximum = 10000 },
            new ParameterSpec("step", ParameterKind.Integer, "how many replicas one remediation adds (negative removes) when replicas is absent") { Default = 1L, Minimum = -10000, Maximum = 10000 },
        ])
    {
        Premise = PremiseDescriptor.Unobservable(
            "the load more replicas would absorb is measured by metrics (request rate, CPU, queue depth) the action does not read; " +
            "it checks only that the workload exists and keeps the count within min and max"),
    };

    public static readonly ActionDescriptor DeletePod = new(
        "delete_pod",
        "Delete the pod the signal names so its controller replaces it; bare pods (no owner) are not applicable.",
        [])
    {
        Premise = PremiseDescriptor.Observes(
            "the pod is unhealthy: phase Failed or Unknown, its Ready condition not True, or a container not ready (crash-looping, waiting or terminated)"),
    };

    public static readonly ActionDescriptor CordonNode = new(
        "cordon_node",
        "Mark the node the signal names unschedulable (kubectl cordon); running pods stay.",
        [])
    {
        Premise = PremiseDescriptor.Observes(
            "the node reports a problem: its Ready condition not True, or MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable True"),
    };
}
