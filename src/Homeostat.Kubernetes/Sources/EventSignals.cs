using System.Globalization;
using Homeostat.Signals;
using k8s.Models;

namespace Homeostat.Kubernetes.Sources;

/// <summary>Turns core/v1 events into findings: failed mounts and volume attachments. Pure, like <see cref="PodSignals"/>.</summary>
public static class EventSignals
{
    public static readonly IReadOnlySet<string> Reasons = new HashSet<string>(StringComparer.Ordinal) { "FailedMount", "FailedAttachVolume" };

    public static bool IsInteresting(Corev1Event item) => item.Reason is { } reason && Reasons.Contains(reason) && item.Type != "Normal";

    /// <summary>The finding for an event; <paramref name="owner"/> is the involved pod's workload, or null when it is not a pod.</summary>
    public static Finding? From(Corev1Event item, PodOwner? owner)
    {
        if (!IsInteresting(item) || item.Metadata?.NamespaceProperty is not { } rawNs)
        {
            return null;
        }

        var ns = PodSignals.Cap(rawNs, KubernetesSignal.MaxLabel);
        var involved = item.InvolvedObject;
        var kind = PodSignals.Cap(involved?.Kind ?? "Unknown", 64);
        var name = PodSignals.Cap(involved?.Name ?? "unknown", KubernetesSignal.MaxLabel);
        var reason = item.Reason!;
        var count = item.Count ?? 1;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["namespace"] = ns,
            ["reason"] = reason,
            ["count"] = count.ToString(CultureInfo.InvariantCulture),
        };
        if (kind == "Pod")
        {
            labels["pod"] = name;
        }

        if (owner is not null)
        {
            KubernetesSignal.AddOwner(labels, owner);
        }

        var message = PodSignals.Cap(item.Message ?? "", KubernetesSignal.MaxText);
        var resource = new SignalResource { Kind = owner?.Kind ?? kind, Namespace = ns, Name = owner?.Name ?? name };
        var startsAt = PodSignals.ToUtc(item.FirstTimestamp) ?? PodSignals.ToUtc(item.EventTime) ?? PodSignals.ToUtc(item.Metadata.CreationTimestamp);
        // The kubelet repeats a failing mount by bumping count (or writing a fresh event): one finding per object and reason.
        var subject = PodSignals.Cap(involved?.Uid is { Length: > 0 } uid ? uid : $"{ns}/{kind}/{name}", KubernetesSignal.MaxLabel);
        var key = $"event/{subject}/{reason}";
        var text = $"{reason} for {kind.ToLowerInvariant()} {ns}/{name} ({count}x): {message}";
        return new Finding(key, KubernetesSignal.Build(key, reason, text, labels, resource, startsAt));
    }
}
