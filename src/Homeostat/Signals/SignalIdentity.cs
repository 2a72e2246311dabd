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

    /// <summary>The service a signal belongs to, always a safe name: it is shown in terminals and used in queries.</summary>
    public static string ServiceOf(Signal signal)
    {
        if (!string.IsNullOrWhiteSpace(signal.Service))
        {
            return SafeName(signal.Service);
        }

        foreach (var label in ServiceLabels)
        {
            if (signal.Labels.TryGetValue(label, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return SafeName(value);
            }
        }

        return SafeName(signal.Resource?.Name ?? signal.Resource?.Host ?? "unknown");
    }

    public static bool IsSafeName(string name) => name.Length is > 0 and <= 253 && name.All(IsSafeCharacter);

    /// <summary>Replaces every character outside the safe set with '_' and bounds the length.</summary>
    public static string SafeName(string name)
    {
        var safe = new string(name.Take(253).Select(c => IsSafeCharacter(c) ? c : '_').ToArray());
        return safe.Length == 0 ? "unknown" : safe;
    }

    private static bool IsSafeCharacter(char c) => char.IsLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/' or '@';

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
