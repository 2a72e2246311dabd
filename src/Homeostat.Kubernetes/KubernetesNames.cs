using System.Text.RegularExpressions;

namespace Homeostat.Kubernetes;

/// <summary>The Kubernetes object name rules (k8s.io/apimachinery validation), applied to untrusted input before any API call.</summary>
public static partial class KubernetesNames
{
    /// <summary>DNS-1123 label: namespaces, container names. At most 63 characters.</summary>
    public static bool IsLabel(string? value) => value is { Length: > 0 and <= 63 } && LabelPattern().IsMatch(value);

    /// <summary>DNS-1123 subdomain: most object names (deployments, pods, nodes). At most 253 characters.</summary>
    public static bool IsSubdomain(string? value) => value is { Length: > 0 and <= 253 } && SubdomainPattern().IsMatch(value);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SubdomainPattern();
}
