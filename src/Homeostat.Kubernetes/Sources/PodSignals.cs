using System.Globalization;
using Homeostat.Primitives;
using Homeostat.Signals;
using k8s.Models;

namespace Homeostat.Kubernetes.Sources;

/// <summary>
/// The workload a pod belongs to: its Deployment, StatefulSet or DaemonSet as confirmed by the API server, or the pod itself.
/// <paramref name="Unverified"/> names the owner the pod claimed (<c>Kind/name</c>) when that claim could not be confirmed.
/// </summary>
public sealed record PodOwner(string Kind, string Name, string? Unverified = null);

/// <summary>One thing worth a signal, with the key that makes a second sighting of it a no-op.</summary>
public sealed record Finding(string Key, Signal Signal);

/// <summary>
/// Turns a pod as read from the API into findings: OOM kills, evictions and crash loops. Pure: no I/O, no clock. Every
/// value read from the pod is untrusted and only ever lands, length-capped, in signal fields.
/// </summary>
public static class PodSignals
{
    public const string OomKilled = "OOMKilled";
    public const string CrashLoopBackOff = "CrashLoopBackOff";
    public const string Evicted = "Evicted";

    public const string EvictedMemory = "PodEvictedMemoryPressure";
    public const string EvictedDisk = "PodEvictedDiskPressure";
    public const string EvictedEphemeralStorage = "PodEvictedEphemeralStorageExceeded";
    public const string EvictedOther = "PodEvicted";

    public static IReadOnlyList<Finding> From(V1Pod pod, PodOwner owner)
    {
        var meta = pod.Metadata;
        if (meta?.Name is null || meta.NamespaceProperty is null)
        {
            return [];
        }

        var context = new PodContext(pod, owner);
        var findings = new List<Finding>();
        if (pod.Status?.Reason == Evicted)
        {
            findings.Add(Eviction(context));
        }

        foreach (var status in ContainerStatuses(pod))
        {
            var crashLooping = status.State?.Waiting?.Reason == CrashLoopBackOff;
            foreach (var terminated in OomTerminations(status))
            {
                findings.Add(OomKill(context, status, terminated, crashLooping));
            }

            if (crashLooping && status.LastState?.Terminated?.Reason != OomKilled)
            {
                findings.Add(CrashLoop(context, status));
            }
        }

        // The same termination shows as state.terminated, then as lastState.terminated once restarted: one finding.
        return findings.DistinctBy(f => f.Key).ToList();
    }

    /// <summary>Every OOM-kill termination in the pod's init and app containers, as <c>state.terminated</c> or <c>lastState.terminated</c>.</summary>
    public static IEnumerable<(V1ContainerStatus Status, V1ContainerStateTerminated Terminated)> OomKills(V1Pod pod) =>
        ContainerStatuses(pod).SelectMany(status => OomTerminations(status).Select(terminated => (status, terminated)));

    private static IEnumerable<V1ContainerStatus> ContainerStatuses(V1Pod pod) =>
        (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).Where(s => s?.Name is not null);

    private static IEnumerable<V1ContainerStateTerminated> OomTerminations(V1ContainerStatus status) =>
        new[] { status.State?.Terminated, status.LastState?.Terminated }.OfType<V1ContainerStateTerminated>().Where(t => t.Reason == OomKilled);

    /// <summary>What an eviction message says ran out, as the title the rule classifier knows.</summary>
    public static (string Resource, string Title) EvictionKind(string? message)
    {
        var text = message ?? "";
        if (Has(text, "ephemeral-storage") || Has(text, "ephemeral local storage") || Has(text, "EmptyDir"))
        {
            return ("ephemeral-storage", EvictedEphemeralStorage);
        }

        if (Has(text, "DiskPressure") || Has(text, "nodefs") || Has(text, "imagefs"))
        {
            return ("disk", EvictedDisk);
        }

        return Has(text, "memory") ? ("memory", EvictedMemory) : ("other", EvictedOther);
    }

    private static bool Has(string text, string word) => text.Contains(word, StringComparison.OrdinalIgnoreCase);

    private static Finding OomKill(PodContext pod, V1ContainerStatus status, V1ContainerStateTerminated terminated, bool crashLooping)
    {
        var container = status.Name;
        var when = terminated.FinishedAt is { } finished ? Rfc(finished) : terminated.ContainerID ?? status.RestartCount.ToString(CultureInfo.InvariantCulture);
        var limit = pod.MemoryLimit(container);
        var labels = pod.Labels(OomKilled, container);
        labels["exit_code"] = terminated.ExitCode.ToString(CultureInfo.InvariantCulture);
        labels["restart_count"] = status.RestartCount.ToString(CultureInfo.InvariantCulture);
        if (limit is not null)
        {
            labels["memory_limit"] = Cap(limit, KubernetesSignal.MaxLabel);
        }

        if (crashLooping)
        {
            labels["crash_loop"] = "true";
        }

        var text = $"container {container} in pod {pod.Describe()} was OOMKilled: exit code {terminated.ExitCode}, restart count {status.RestartCount}"
            + (limit is null ? ", no memory limit set" : $", memory limit {limit}")
            + (crashLooping ? "; Kubernetes is restarting it with back-off (CrashLoopBackOff)" : "");
        return pod.Finding($"{pod.Uid}/{container}/{OomKilled}/{when}", OomKilled, text, labels, container, ToUtc(terminated.FinishedAt) ?? pod.Created);
    }

    /// <summary>
    /// A crash loop whose last termination was not an OOM kill. Kubernetes is already restarting the container, so the signal
    /// deliberately carries no classifiable evidence (not the container's own termination message): it classifies as
    /// <c>unknown</c> and goes to a human instead of triggering another restart.
    /// </summary>
    private static Finding CrashLoop(PodContext pod, V1ContainerStatus status)
    {
        var container = status.Name;
        var last = status.LastState?.Terminated;
        var lastReason = Cap(last?.Reason ?? "unknown", 64);
        var exitCode = last is null ? "unknown" : last.ExitCode.ToString(CultureInfo.InvariantCulture);
        var labels = pod.Labels(CrashLoopBackOff, container);
        labels["last_reason"] = lastReason;
        labels["last_exit_code"] = exitCode;
        labels["restart_count"] = status.RestartCount.ToString(CultureInfo.InvariantCulture);
        var text = $"container {container} in pod {pod.Describe()} is in CrashLoopBackOff after {status.RestartCount} restarts; "
            + $"last termination {lastReason}, exit code {exitCode}. Kubernetes is already restarting it; a person should look at why it exits.";
        return pod.Finding($"{pod.Uid}/{container}/{CrashLoopBackOff}", CrashLoopBackOff, text, labels, container, pod.Created);
    }

    private static Finding Eviction(PodContext pod)
    {
        var message = Cap(pod.Pod.Status?.Message ?? "", KubernetesSignal.MaxText);
        var (resource, title) = EvictionKind(message);
        var labels = pod.Labels(Evicted, container: null);
        labels["evicted_for"] = resource;
        var text = $"pod {pod.Describe()} was evicted: {message}";
        return pod.Finding($"{pod.Uid}/{Evicted}", title, text, labels, container: null, pod.Created);
    }

    internal static string Rfc(DateTime time) => Audit.AuditChain.FormatTime(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)));

    internal static DateTimeOffset? ToUtc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    internal static string Cap(string value, int max) => value.Length <= max ? value : value[..max] + "…";

    private sealed class PodContext(V1Pod pod, PodOwner owner)
    {
        public V1Pod Pod => pod;

        public string Namespace { get; } = Cap(pod.Metadata.NamespaceProperty, KubernetesSignal.MaxLabel);

        public string Name { get; } = Cap(pod.Metadata.Name, KubernetesSignal.MaxLabel);

        public string Uid { get; } = Cap(pod.Metadata.Uid ?? pod.Metadata.Name, KubernetesSignal.MaxLabel);

        public DateTimeOffset? Created => ToUtc(pod.Metadata.CreationTimestamp);

        public string Describe() => owner.Kind == "Pod" ? $"{Namespace}/{Name}" : $"{Namespace}/{Name} ({owner.Kind.ToLowerInvariant()} {owner.Name})";

        public string? MemoryLimit(string container)
        {
            var spec = (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []).FirstOrDefault(c => c?.Name == container);
            return spec?.Resources?.Limits is { } limits && limits.TryGetValue("memory", out var limit) ? limit.ToString() : null;
        }

        public Dictionary<string, string> Labels(string reason, string? container)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["namespace"] = Namespace,
                ["pod"] = Name,
                ["reason"] = reason,
            };
            KubernetesSignal.AddOwner(labels, owner);

            if (container is not null)
            {
                labels["container"] = Cap(container, KubernetesSignal.MaxLabel);
            }

            if (pod.Spec?.NodeName is { } node)
            {
                labels["node"] = Cap(node, KubernetesSignal.MaxLabel);
            }

            return labels;
        }

        public Finding Finding(string key, string title, string text, Dictionary<string, string> labels, string? container, DateTimeOffset? startsAt) =>
            new(key, KubernetesSignal.Build(key, title, text, labels, new SignalResource
            {
                Kind = owner.Kind,
                Namespace = Namespace,
                Name = owner.Name,
                Container = container is null ? null : Cap(container, KubernetesSignal.MaxLabel),
                Host = pod.Spec?.NodeName is { } node ? Cap(node, KubernetesSignal.MaxLabel) : null,
            }, startsAt));
    }
}

/// <summary>The fields every Kubernetes signal shares: a stable id, the workload as service, and a fingerprint per workload, container and reason.</summary>
internal static class KubernetesSignal
{
    public const int MaxText = 1024;
    public const int MaxLabel = 253;

    /// <summary><c>owner_kind</c>, <c>owner</c>, the workload kind's own label (<c>deployment=…</c>), and <c>unverified_owner</c> when the pod's claim was not confirmed.</summary>
    public static void AddOwner(Dictionary<string, string> labels, PodOwner owner)
    {
        labels["owner_kind"] = owner.Kind;
        labels["owner"] = owner.Name;
        if (owner.Kind is "Deployment" or "StatefulSet" or "DaemonSet")
        {
            labels[owner.Kind.ToLowerInvariant()] = owner.Name;
        }

        if (owner.Unverified is { } claimed)
        {
            labels["unverified_owner"] = PodSignals.Cap(claimed, MaxLabel);
        }
    }

    public static Signal Build(string key, string title, string text, IReadOnlyDictionary<string, string> labels, SignalResource resource, DateTimeOffset? startsAt) => new()
    {
        Id = "k8s-" + Hashing.Sha256Hex(key)[..24],
        Source = SignalSources.Kubernetes,
        Service = resource.Name,
        Resource = resource,
        Title = title,
        Text = PodSignals.Cap(text, MaxText),
        Labels = labels,
        StartsAt = startsAt,
        // One incident per workload, container and reason: a second pod of the same Deployment OOM-killed is the same problem.
        Fingerprint = "kubernetes:" + Hashing.Sha256Hex($"{resource.Namespace}\n{resource.Kind}\n{resource.Name}\n{resource.Container}\n{title}")[..32],
    };
}
