using Homeostat.Signals;

namespace Homeostat.Kubernetes.Actions;

/// <summary>A namespaced object named by a signal, already checked against the name rules and the namespace allowlist.</summary>
public sealed record ObjectTarget(string Kind, string Namespace, string Name)
{
    public override string ToString() => $"{Kind.ToLowerInvariant()} {Namespace}/{Name}";
}

/// <summary>
/// Reads targets out of an untrusted signal (<c>resource.namespace/name/kind/container</c>; labels <c>namespace</c>, <c>pod</c>,
/// <c>deployment</c>, <c>statefulset</c>, <c>container</c>, <c>node</c>). Every value is checked before any API call.
/// </summary>
public static class KubernetesTargets
{
    public const string Deployment = "Deployment";
    public const string StatefulSet = "StatefulSet";
    public const string Pod = "Pod";
    public const string Node = "Node";

    public static bool TryNamespace(Signal signal, KubernetesOptions options, out string ns, out string problem)
    {
        ns = "";
        var fromResource = signal.Resource?.Namespace;
        var fromLabel = signal.Label("namespace");
        if (fromResource is not null && fromLabel is not null && fromResource != fromLabel)
        {
            problem = $"refused: the signal names two namespaces ('{fromResource}' in resource, '{fromLabel}' in labels)";
            return false;
        }

        var candidate = fromResource ?? fromLabel;
        if (string.IsNullOrEmpty(candidate))
        {
            problem = "the signal names no namespace (resource.namespace or label namespace)";
            return false;
        }

        if (!KubernetesNames.IsLabel(candidate))
        {
            problem = $"refused: namespace '{candidate}' is not a valid Kubernetes namespace name (DNS-1123 label)";
            return false;
        }

        if (!options.AllowedNamespaces.Contains(candidate, StringComparer.Ordinal))
        {
            problem = options.AllowedNamespaces.Count == 0
                ? $"refused: namespace '{candidate}' is not allowed (Kubernetes:AllowedNamespaces is empty, so every namespace is refused)"
                : $"refused: namespace '{candidate}' is not in Kubernetes:AllowedNamespaces ({string.Join(", ", options.AllowedNamespaces)})";
            return false;
        }

        ns = candidate;
        problem = "";
        return true;
    }

    /// <summary>A Deployment, StatefulSet or Pod, in that order of preference: resource.kind/name first, then the labels.</summary>
    public static bool TryWorkloadOrPod(Signal signal, KubernetesOptions options, out ObjectTarget target, out string problem) =>
        TryObject(signal, options, [Deployment, StatefulSet, Pod], out target, out problem);

    public static bool TryPod(Signal signal, KubernetesOptions options, out ObjectTarget target, out string problem) =>
        TryObject(signal, options, [Pod], out target, out problem);

    public static bool TryObject(Signal signal, KubernetesOptions options, IReadOnlyList<string> kinds, out ObjectTarget target, out string problem)
    {
        target = null!;
        string? kind = null;
        string? name = null;
        var resource = signal.Resource;
        if (resource?.Kind is { } resourceKind && resource.Name is not null)
        {
            kind = kinds.FirstOrDefault(k => string.Equals(k, resourceKind, StringComparison.OrdinalIgnoreCase));
            name = kind is null ? null : resource.Name;
        }

        if (kind is null)
        {
            foreach (var candidate in kinds)
            {
                if (signal.Label(candidate.ToLowerInvariant()) is { } value)
                {
                    kind = candidate;
                    name = value;
                    break;
                }
            }
        }

        if (kind is null || name is null)
        {
            problem = $"the signal names no {string.Join(" or ", kinds.Select(k => k.ToLowerInvariant()))} (resource.kind/name or labels {string.Join(", ", kinds.Select(k => k.ToLowerInvariant()))})";
            return false;
        }

        if (!KubernetesNames.IsSubdomain(name))
        {
            problem = $"refused: {kind.ToLowerInvariant()} name '{name}' is not a valid Kubernetes object name (DNS-1123 subdomain)";
            return false;
        }

        if (!TryNamespace(signal, options, out var ns, out problem))
        {
            return false;
        }

        target = new ObjectTarget(kind, ns, name);
        return true;
    }

    public static bool TryNode(Signal signal, KubernetesOptions options, out string node, out string problem)
    {
        node = "";
        var resource = signal.Resource;
        var candidate = signal.Label("node")
            ?? (string.Equals(resource?.Kind, Node, StringComparison.OrdinalIgnoreCase) ? resource?.Name : null)
            ?? resource?.Host;
        if (string.IsNullOrEmpty(candidate))
        {
            problem = "the signal names no node (label node, resource.kind Node with a name, or resource.host)";
            return false;
        }

        if (!KubernetesNames.IsSubdomain(candidate))
        {
            problem = $"refused: node name '{candidate}' is not a valid Kubernetes node name (DNS-1123 subdomain)";
            return false;
        }

        if (!options.AllowNodeActions)
        {
            problem = $"refused: node actions are off (Kubernetes:AllowNodeActions is false), so node '{candidate}' is not touched";
            return false;
        }

        node = candidate;
        problem = "";
        return true;
    }

    /// <summary>The container: the signal's resource.container or label container, else the catalog's parameter.</summary>
    public static bool TryContainer(Signal signal, string? fromCatalog, out string? container, out string problem)
    {
        container = signal.Resource?.Container ?? signal.Label("container") ?? fromCatalog;
        if (container is not null && !KubernetesNames.IsLabel(container))
        {
            problem = $"refused: container name '{container}' is not a valid Kubernetes container name (DNS-1123 label)";
            container = null;
            return false;
        }

        problem = "";
        return true;
    }
}
