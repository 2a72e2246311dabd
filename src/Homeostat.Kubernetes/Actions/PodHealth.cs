using System.Globalization;
using k8s.Models;

namespace Homeostat.Kubernetes.Actions;

/// <summary>What a pod's status says about its health, in words an operator reads: the premises of the pod actions.</summary>
public static class PodHealth
{
    public const string OomKilled = "OOMKilled";

    /// <summary>The container's OOM kill: its current state or its last termination with reason OOMKilled; null when neither is.</summary>
    public static V1ContainerStateTerminated? OomKill(V1ContainerStatus? status) =>
        status?.State?.Terminated is { Reason: OomKilled } now ? now
        : status?.LastState?.Terminated is { Reason: OomKilled } last ? last
        : null;

    public static V1ContainerStatus? Container(V1Pod pod, string container) =>
        pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == container);

    /// <summary>"running, 0 restarts, last terminated Error (exit 1) at …": the container's state as kubectl describe shows it.</summary>
    public static string Describe(V1ContainerStatus? status)
    {
        if (status is null)
        {
            return "no status reported yet";
        }

        var state = status.State switch
        {
            { Running: not null } => "running",
            { Waiting: { } waiting } => $"waiting ({waiting.Reason ?? "no reason"})",
            { Terminated: { } terminated } => $"terminated ({Termination(terminated)})",
            _ => "in no known state",
        };
        var restarts = status.RestartCount == 1 ? "1 restart" : $"{status.RestartCount} restarts";
        var last = status.LastState?.Terminated is { } previous ? $", last terminated {Termination(previous)}" : "";
        return $"{state}, {restarts}{last}";
    }

    /// <summary>"OOMKilled (exit 137) at 2026-11-28 09:58:00Z".</summary>
    public static string Termination(V1ContainerStateTerminated terminated)
    {
        var at = terminated.FinishedAt is { } finished
            ? " at " + finished.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "";
        return $"{terminated.Reason ?? "no reason"} (exit {terminated.ExitCode}){at}";
    }

    /// <summary>
    /// Why the pod is unhealthy, or an empty list when it is not: phase Failed or Unknown, the Ready condition False, or a
    /// container that is not ready (waiting, terminated or failing its readiness probe). A pod still Pending is not counted:
    /// deleting it only starts the same scheduling again.
    /// </summary>
    public static IReadOnlyList<string> Problems(V1Pod pod)
    {
        var problems = new List<string>();
        var phase = pod.Status?.Phase;
        if (phase is "Failed" or "Unknown")
        {
            var reason = pod.Status?.Reason is { } r ? $" ({r})" : "";
            problems.Add($"phase {phase}{reason}");
        }

        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: not "True" } ready && phase != "Pending")
        {
            problems.Add($"condition Ready={ready.Status}");
        }

        foreach (var container in pod.Status?.ContainerStatuses ?? [])
        {
            if (!container.Ready && phase is not ("Pending" or "Succeeded"))
            {
                problems.Add($"container {container.Name} not ready: {Describe(container)}");
            }
        }

        return problems;
    }

    /// <summary>"Running, Ready, containers ready 2/2, 0 restarts": a healthy pod as an operator would check it.</summary>
    public static string Summary(V1Pod pod)
    {
        var containers = pod.Status?.ContainerStatuses ?? [];
        var ready = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status switch
        {
            "True" => "Ready",
            null => "no Ready condition reported",
            var other => $"Ready={other}",
        };
        var restarts = containers.Sum(c => c.RestartCount);
        return $"phase {pod.Status?.Phase ?? "unknown"}, {ready}, containers ready {containers.Count(c => c.Ready)}/{containers.Count}, {restarts} restart{(restarts == 1 ? "" : "s")}";
    }
}
