using System.Globalization;
using System.Text.Json.Nodes;
using Homeostat.Primitives;
using Homeostat.Remediation;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// Raises a container's memory limit on the owning Deployment or StatefulSet by <c>step</c>. Premise: the container was
/// OOM-killed — its state or lastState is terminated with reason OOMKilled in the pod the signal names, or in one of the
/// workload's pods when it names the workload — or its working set, read from the metrics API when the cluster has one, is
/// at least <see cref="NearLimit"/> of its limit. Without a metrics API only the OOM kill is observable. The limit the first remediation
/// found is kept in the workload annotation <c>homeostat.dev/memory-baseline-&lt;container&gt;</c>, and the limit never rises more
/// than <c>max_increase</c> above it, nor above <c>ceiling</c>. At the bound the action reports NoChange.
/// </summary>
public sealed class ScaleMemoryLimitAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options)
    : KubernetesAction<(ObjectTarget Target, string? Container)>(client, options)
{
    public const string BaselineAnnotationPrefix = "homeostat.dev/memory-baseline-";

    /// <summary>A working set at this share of the limit counts as near it: the kernel reclaims cache first, so 90% is close to an OOM kill.</summary>
    public const double NearLimit = 0.9;

    public const string MetricsGroup = "metrics.k8s.io";

    public const string MetricsVersion = "v1beta1";

    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.ScaleMemoryLimit;

    protected override bool TryParameters(ActionRequest request, out string problem)
    {
        problem = request.Parameters.ByteSize("max_increase") is null ? "scale_memory_limit needs a max_increase parameter" : "";
        return problem.Length == 0;
    }

    protected override bool TryTarget(ActionRequest request, out (ObjectTarget Target, string? Container) target, out string problem)
    {
        target = default;
        if (!KubernetesTargets.TryContainer(request.Signal, request.Parameters.String("container"), out var container, out problem)
            || !KubernetesTargets.TryWorkloadOrPod(request.Signal, Options, out var workload, out problem))
        {
            return false;
        }

        target = (workload, container);
        return true;
    }

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, (ObjectTarget Target, string? Container) target, CancellationToken cancellationToken)
    {
        var resolution = await Workloads.ResolveTargetAsync(Client, target.Target, cancellationToken);
        if (resolution.Workload is not { } workload)
        {
            return resolution.Unresolved();
        }

        var containers = workload.Template.Spec?.Containers ?? [];
        V1Container? container;
        if (target.Container is null)
        {
            if (containers.Count != 1)
            {
                return KubernetesPlan.NotApplicable($"{workload} has {containers.Count} containers and the signal names none (resource.container, label container or the container parameter)");
            }

            container = containers[0];
        }
        else
        {
            container = containers.FirstOrDefault(c => c.Name == target.Container);
            if (container is null)
            {
                return KubernetesPlan.NotApplicable($"{workload} has no container '{target.Container}' (it has {string.Join(", ", containers.Select(c => c.Name))})");
            }
        }

        var annotation = BaselineAnnotationPrefix + container.Name;
        if (annotation.Length - "homeostat.dev/".Length > 63)
        {
            return KubernetesPlan.Refuse($"refused: container name '{container.Name}' is too long to record its baseline in an annotation");
        }

        if (container.Resources?.Limits?.TryGetValue("memory", out var limitQuantity) != true || limitQuantity is null)
        {
            return KubernetesPlan.NotApplicable($"container {container.Name} of {workload} has no memory limit to raise");
        }

        var current = limitQuantity.ToInt64();
        var (holds, observed) = await PremiseAsync(target.Target, workload, container.Name, current, cancellationToken);
        if (!holds)
        {
            return KubernetesPlan.PremiseNotMet(observed);
        }

        var recorded = Workloads.Annotation(workload.Metadata, annotation);
        long baseline = current;
        if (recorded is not null && !TryParseQuantity(recorded, out baseline))
        {
            return KubernetesPlan.Refuse($"refused: annotation {annotation} on {workload} holds '{recorded}', which is not a memory quantity");
        }

        var parameters = request.Parameters;
        var step = (parameters.ByteSize("step") ?? ByteSize.Parse("256Mi")).Bytes;
        var bound = baseline + parameters.ByteSize("max_increase")!.Value.Bytes;
        var boundWhy = $"baseline {Format(baseline)} + max_increase {parameters.ByteSize("max_increase")}";
        if (parameters.ByteSize("ceiling") is { } ceiling && ceiling.Bytes < bound)
        {
            bound = ceiling.Bytes;
            boundWhy = $"ceiling {ceiling}";
        }

        var target2 = Math.Min(current + step, bound);
        if (target2 <= current)
        {
            return KubernetesPlan.NoChange($"container {container.Name} of {workload} is at its bound: memory limit {Format(current)}, bound {Format(bound)} ({boundWhy})").Observed(observed);
        }

        var raisedBy = target2 - current;
        var changes = new List<string> { $"{workload}: container {container.Name} resources.limits.memory: {Format(current)} -> {Format(target2)}" };
        var resources = new JsonObject { ["limits"] = new JsonObject { ["memory"] = Format(target2) } };
        if (parameters.Boolean("include_request") == true
            && container.Resources.Requests?.TryGetValue("memory", out var requestQuantity) == true && requestQuantity is not null)
        {
            var request0 = requestQuantity.ToInt64();
            var request1 = Math.Min(request0 + raisedBy, target2);
            if (request1 != request0)
            {
                resources["requests"] = new JsonObject { ["memory"] = Format(request1) };
                changes.Add($"{workload}: container {container.Name} resources.requests.memory: {Format(request0)} -> {Format(request1)}");
            }
        }

        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(new JsonObject { ["name"] = container.Name, ["resources"] = resources }),
                    },
                },
            },
        };
        if (recorded is null)
        {
            patch["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [annotation] = Format(baseline) } };
            changes.Add($"{workload}: metadata.annotations[{annotation}]: (unset) -> {Format(baseline)} (the limit this first remediation found)");
        }

        return KubernetesPlan.Change(
            $"raise the memory limit of container {container.Name} in {workload} from {Format(current)} to {Format(target2)} (bound {Format(bound)}: {boundWhy})",
            changes,
            (dryRun, ct) => Workloads.PatchAsync(Client, workload, patch, dryRun, ct))
            .Observed(observed);
    }

    /// <summary>
    /// Whether the container was OOM-killed, or its working set is at <see cref="NearLimit"/> of its limit, in the pod the
    /// signal names or in the pods the workload's selector matches; and what was seen, in the words an operator would check
    /// with kubectl describe and kubectl top.
    /// </summary>
    private async Task<(bool Holds, string Observed)> PremiseAsync(ObjectTarget target, Workload workload, string container, long limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<V1Pod> pods;
        if (target.Kind == KubernetesTargets.Pod)
        {
            pods = [await Client.CoreV1.ReadNamespacedPodAsync(target.Name, target.Namespace, cancellationToken: cancellationToken)];
        }
        else
        {
            var labels = workload.MatchLabels is { Count: > 0 } matchLabels ? matchLabels : workload.Template.Metadata?.Labels;
            if (labels is not { Count: > 0 })
            {
                return (false, $"{workload} has no selector labels to find its pods by, so neither an OOM kill nor the working set of container {container} can be seen");
            }

            var selector = string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
            pods = (await Client.CoreV1.ListNamespacedPodAsync(workload.Namespace, labelSelector: selector, cancellationToken: cancellationToken)).Items.ToList();
        }

        var killed = pods.Select(p => (Pod: p, Kill: PodHealth.OomKill(PodHealth.Container(p, container)))).Where(p => p.Kill is not null).ToList();
        if (killed.Count > 0)
        {
            var (pod, kill) = killed[0];
            var others = killed.Count > 1 ? $" (and in {killed.Count - 1} more of {pods.Count} pods)" : "";
            return (true, $"container {container} in {workload.Namespace}/{pod.Metadata.Name} was OOM-killed: {PodHealth.Termination(kill!)}{others}; memory limit {Format(limit)}");
        }

        if (pods.Count == 0)
        {
            return (false, $"{workload} has no pods, so neither an OOM kill nor the working set of container {container} can be seen");
        }

        var (usage, unavailable) = await WorkingSetsAsync(pods, container, limit, cancellationToken);
        var highest = usage.OrderByDescending(u => (double)u.Bytes / u.Limit).FirstOrDefault();
        var near = highest.Pod is not null && highest.Bytes >= NearLimit * highest.Limit;
        var workingSet = highest.Pod is null
            ? $"working set not checked: {unavailable}"
            : $"working set {Mebibytes(highest.Bytes)} of {Format(highest.Limit)} limit ({100.0 * highest.Bytes / highest.Limit:0}%), {(near ? "at or above" : "below")} {100 * NearLimit:0}%";
        if (target.Kind == KubernetesTargets.Pod)
        {
            var state = PodHealth.Describe(PodHealth.Container(pods[0], container));
            return (near, $"container {container} in {target.Namespace}/{target.Name} was not OOM-killed ({state}); {workingSet}");
        }

        const int Shown = 3;
        var states = pods.Take(Shown).Select(p => $"{p.Metadata.Namespace()}/{p.Metadata.Name}: {PodHealth.Describe(PodHealth.Container(p, container))}");
        var more = pods.Count > Shown ? $"; {pods.Count - Shown} more" : "";
        var where = highest.Pod is null ? "" : $" in {highest.Pod.Metadata.Namespace()}/{highest.Pod.Metadata.Name}";
        return (near, $"container {container} was not OOM-killed in any of the {pods.Count} pod(s) of {workload} ({string.Join("; ", states)}{more}); {workingSet}{where}");
    }

    /// <summary>
    /// The container's working set in each pod, from the metrics API (<c>metrics.k8s.io/v1beta1</c> PodMetrics, which
    /// metrics-server fills with the working set), against that pod's own memory limit; or why it could not be read. The
    /// metrics API is optional in a cluster: a 404, 403 or 503 from it means the working set is not checked, not that the
    /// action fails.
    /// </summary>
    private async Task<(List<(V1Pod Pod, long Bytes, long Limit)> Usage, string Unavailable)> WorkingSetsAsync(
        IReadOnlyList<V1Pod> pods, string container, long templateLimit, CancellationToken cancellationToken)
    {
        const int MaxPods = 10;
        var usage = new List<(V1Pod Pod, long Bytes, long Limit)>();
        foreach (var pod in pods.Take(MaxPods))
        {
            JsonObject metrics;
            try
            {
                metrics = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
                    MetricsGroup, MetricsVersion, pod.Metadata.Namespace(), "pods", pod.Metadata.Name, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException exception)
            {
                return (usage, $"the metrics API ({MetricsGroup}) answered HTTP {(int?)exception.Response?.StatusCode} for pod {pod.Metadata.Namespace()}/{pod.Metadata.Name}");
            }

            var memory = (metrics["containers"] as JsonArray ?? [])
                .OfType<JsonObject>()
                .FirstOrDefault(c => c["name"] is JsonValue name && name.TryGetValue<string>(out var n) && n == container)?["usage"]?["memory"];
            if (memory is JsonValue value && value.TryGetValue<string>(out var text) && TryParseQuantity(text, out var bytes))
            {
                var podLimit = pod.Spec?.Containers?.FirstOrDefault(c => c.Name == container)?.Resources?.Limits is { } limits
                    && limits.TryGetValue("memory", out var quantity) && quantity is not null ? quantity.ToInt64() : templateLimit;
                usage.Add((pod, bytes, Math.Max(1, podLimit)));
            }
        }

        return (usage, usage.Count == 0 ? $"the metrics API has no memory usage for container {container}" : "");
    }

    private static string Mebibytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#}Mi");

    private static bool TryParseQuantity(string text, out long bytes)
    {
        try
        {
            bytes = new ResourceQuantity(text).ToInt64();
            return bytes > 0;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or OverflowException)
        {
            bytes = 0;
            return false;
        }
    }

    /// <summary>An exact Kubernetes quantity: the largest binary unit that divides the value, else plain bytes.</summary>
    public static string Format(long bytes)
    {
        (string Unit, long Size)[] units = [("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10)];
        foreach (var (unit, size) in units)
        {
            if (bytes >= size && bytes % size == 0)
            {
                return (bytes / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
