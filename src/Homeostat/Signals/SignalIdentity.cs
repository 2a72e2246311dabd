using System.Text;
using Homeostat.Primitives;

namespace Homeostat.Signals;

/// <summary>
/// Derives the service a signal belongs to and the fingerprint that groups repeated deliveries of the
/// same problem into one incident.
/// </summary>
public static class SignalIdentity
{
    private static readonly string[] ServiceLabels = ["service", "app", "app_kubernetes_io_name", "deployment", "statefulset", "job", "container"];

    // Labels whose values change between deliveries of one problem and must not split an incident.
    private static readonly HashSet<string> VolatileLabels = new(StringComparer.Ordinal)
    {
        "value", "pod_template_hash", "endpoint", "uid", "controller_revision_hash",
    };

    public static string ServiceOf(Signal signal)
    {
        if (!string.IsNullOrWhiteSpace(signal.Service))
        {
            return signal.Service;
        }

        foreach (var label in ServiceLabels)
        {
            if (signal.Labels.TryGetValue(label, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return signal.Resource?.Name ?? signal.Resource?.Host ?? "unknown";
    }

    /// <summary>The source's own fingerprint when it has one (Alertmanager), otherwise a hash of the stable identity.</summary>
    public static string FingerprintOf(Signal signal)
    {
        if (!string.IsNullOrWhiteSpace(signal.Fingerprint))
        {
            return signal.Fingerprint;
        }

        // Every part is length-prefixed, so values holding separators cannot make two identities collide.
        var identity = new StringBuilder();
        void Add(string? part) => identity.Append(part?.Length ?? -1).Append(':').Append(part);
        Add(signal.Source);
        Add(ServiceOf(signal));
        Add(signal.Title);
        if (signal.Resource is { } resource)
        {
            Add(resource.Kind);
            Add(resource.Namespace);
            Add(resource.Name);
            Add(resource.Container);
            Add(resource.Host);
            Add(resource.Path);
        }

        foreach (var (key, value) in signal.Labels.Where(l => !VolatileLabels.Contains(l.Key)).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            Add(key);
            Add(value);
        }

        if (signal.Labels.Count == 0 && signal.Title is null)
        {
            Add(signal.Text);
        }

        return Hashing.Sha256Hex(identity.ToString())[..16];
    }
}
