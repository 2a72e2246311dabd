using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Remediation.Certificates;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>The host a circuit breaker protects and where its DestinationRule lives.</summary>
public sealed record CircuitTarget(string Host, string Namespace, string RuleName)
{
    public override string ToString() => $"destinationrule {Namespace}/{RuleName}";
}

/// <summary>
/// <c>open_circuit_breaker</c>: applies outlier detection (and, with max_pending_requests, an HTTP connection-pool limit) to the
/// target host through the Istio DestinationRule <c>homeostat-&lt;service&gt;</c>: merge-patched when it exists, created when it
/// does not. Only Homeostat's own rule is touched; a rule of that name for another host is refused. Its premise, that the
/// dependency is slower than a threshold, cannot be observed here (see <see cref="KubernetesActionDescriptors.OpenCircuitBreaker"/>);
/// a host that does not resolve inside the namespace allowlist is not applicable.
/// </summary>
public sealed class OpenCircuitBreakerAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options)
    : KubernetesAction<CircuitTarget>(client, options)
{
    public const string Group = "networking.istio.io";
    public const string Version = "v1beta1";
    public const string Plural = "destinationrules";
    public const string RulePrefix = "homeostat-";
    public const string ClusterDomain = ".svc.cluster.local";

    private static readonly string[] HostLabels = ["destination_service", "destination_service_name", "upstream_host", "host"];

    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.OpenCircuitBreaker;

    protected override bool TryTarget(ActionRequest request, out CircuitTarget target, out string problem)
    {
        target = null!;
        var signal = request.Signal;
        var candidate = HostLabels.Select(signal.Label).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        var fromResource = candidate is null && signal.Resource?.Name is not null;
        candidate ??= signal.Resource?.Name;
        if (candidate is null)
        {
            problem = "the signal names no target host (labels destination_service, destination_service_name, upstream_host or host, or resource name and namespace)";
            return false;
        }

        var host = StripPort(candidate.Trim().ToLowerInvariant());
        string? ns = null;
        if (fromResource || !host.Contains('.', StringComparison.Ordinal))
        {
            // A bare service name: the cluster-local host in the signal's namespace.
            if (!KubernetesNames.IsLabel(host))
            {
                problem = $"refused: service name '{Sanitize(host)}' is not a valid Kubernetes service name (DNS-1123 label)";
                return false;
            }

            if (!KubernetesTargets.TryNamespace(signal, Options, out var signalNs, out problem))
            {
                return false;
            }

            ns = signalNs;
            host = $"{host}.{ns}{ClusterDomain}";
        }

        if (!DnsNames.IsValid(host))
        {
            problem = $"refused: host '{Sanitize(host)}' is not a valid DNS name";
            return false;
        }

        var service = host[..host.IndexOf('.', StringComparison.Ordinal)];
        if (ns is null)
        {
            var hasSignalNs = signal.Resource?.Namespace is not null || signal.Label("namespace") is not null;
            if (hasSignalNs)
            {
                if (!KubernetesTargets.TryNamespace(signal, Options, out var signalNs, out problem))
                {
                    return false;
                }

                ns = signalNs;
            }
            else if (host.EndsWith(ClusterDomain, StringComparison.Ordinal) && host.Split('.') is { Length: 5 } parts)
            {
                ns = parts[1];
                if (!Options.AllowedNamespaces.Contains(ns, StringComparer.Ordinal))
                {
                    problem = $"refused: namespace '{ns}' of host {host} is not in Kubernetes:AllowedNamespaces";
                    return false;
                }
            }
            else
            {
                problem = $"the signal names no namespace for the DestinationRule of {host} (resource.namespace or label namespace)";
                return false;
            }
        }

        var rule = RulePrefix + service;
        if (!KubernetesNames.IsSubdomain(rule))
        {
            problem = $"refused: '{rule}' is not a valid DestinationRule name";
            return false;
        }

        target = new CircuitTarget(host, ns, rule);
        problem = "";
        return true;
    }

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, CircuitTarget target, CancellationToken cancellationToken)
    {
        var parameters = request.Parameters;
        var desired = new List<(string[] Path, JsonNode Value)>
        {
            (["outlierDetection", "consecutive5xxErrors"], JsonValue.Create(parameters.Integer("consecutive_errors") ?? 5L)),
            (["outlierDetection", "interval"], JsonValue.Create("10s")),
            (["outlierDetection", "baseEjectionTime"], JsonValue.Create(ProtoDuration(parameters.Duration("base_ejection_time") ?? Duration.Parse("30s")))),
            (["outlierDetection", "maxEjectionPercent"], JsonValue.Create(parameters.Integer("max_ejection_percent") ?? 50L)),
        };
        if (parameters.Integer("max_pending_requests") is { } pending)
        {
            desired.Add((["connectionPool", "http", "http1MaxPendingRequests"], JsonValue.Create(pending)));
        }

        JsonObject? existing;
        try
        {
            existing = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
                Group, Version, target.Namespace, Plural, target.RuleName, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException exception) when (exception.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            existing = null;
        }

        var trafficPolicy = new JsonObject();
        foreach (var (path, value) in desired)
        {
            Set(trafficPolicy, path, value.DeepClone());
        }

        if (existing is null)
        {
            var rule = new JsonObject
            {
                ["apiVersion"] = $"{Group}/{Version}",
                ["kind"] = "DestinationRule",
                ["metadata"] = new JsonObject
                {
                    ["name"] = target.RuleName,
                    ["namespace"] = target.Namespace,
                    ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "homeostat" },
                },
                ["spec"] = new JsonObject { ["host"] = target.Host, ["trafficPolicy"] = trafficPolicy },
            };
            var changes = new List<string> { $"{target}: create (absent) -> spec.host {target.Host}" };
            changes.AddRange(desired.Select(d => $"{target}: spec.trafficPolicy.{string.Join('.', d.Path)}: (unset) -> {d.Value.ToJsonString()}"));
            return KubernetesPlan.Change(
                $"open a circuit breaker for {target.Host}: create {target} with outlier detection{(desired.Count > 4 ? " and a connection-pool limit" : "")}",
                changes,
                (dryRun, ct) => Client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(
                    rule, Group, Version, target.Namespace, Plural, dryRun: DryRun(dryRun), fieldManager: Workloads.FieldManager, cancellationToken: ct));
        }

        var existingHost = existing["spec"]?["host"] is JsonValue h && h.TryGetValue<string>(out var hostText) ? hostText : null;
        if (existingHost != target.Host)
        {
            return KubernetesPlan.Refuse($"refused: {target} exists but is for host '{existingHost ?? "(none)"}', not {target.Host}; it is left alone");
        }

        var current = existing["spec"]?["trafficPolicy"];
        var diff = new List<string>();
        foreach (var (path, value) in desired)
        {
            var now = Get(current, path);
            if (Normalize(now) != Normalize(value))
            {
                diff.Add($"{target}: spec.trafficPolicy.{string.Join('.', path)}: {(now is null ? "(unset)" : now.ToJsonString())} -> {value.ToJsonString()}");
            }
        }

        if (diff.Count == 0)
        {
            return KubernetesPlan.NoChange($"{target} for {target.Host} already has these outlier detection{(desired.Count > 4 ? " and connection-pool" : "")} settings");
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = existing["metadata"]?["resourceVersion"]?.DeepClone() },
            ["spec"] = new JsonObject { ["trafficPolicy"] = trafficPolicy },
        };
        var body = new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch);
        return KubernetesPlan.Change(
            $"open a circuit breaker for {target.Host}: update {target}",
            diff,
            (dryRun, ct) => Client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(
                body, Group, Version, target.Namespace, Plural, target.RuleName, dryRun: DryRun(dryRun), fieldManager: Workloads.FieldManager, cancellationToken: ct));
    }

    /// <summary>A protobuf Duration as Istio reads it: whole seconds as "30s", otherwise seconds with up to nine decimals.</summary>
    public static string ProtoDuration(Duration duration)
    {
        var seconds = (decimal)duration.Value.Ticks / TimeSpan.TicksPerSecond;
        return seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }

    private static void Set(JsonObject root, string[] path, JsonNode value)
    {
        var node = root;
        foreach (var key in path[..^1])
        {
            if (node[key] is not JsonObject child)
            {
                child = new JsonObject();
                node[key] = child;
            }

            node = child;
        }

        node[path[^1]] = value;
    }

    private static JsonNode? Get(JsonNode? root, string[] path)
    {
        var node = root;
        foreach (var key in path)
        {
            node = node is JsonObject o ? o[key] : null;
        }

        return node;
    }

    /// <summary>Numbers compare by value (5 and 5.0 are equal); everything else as JSON.</summary>
    private static string Normalize(JsonNode? node)
    {
        if (node is null)
        {
            return "(unset)";
        }

        var parsed = JsonNode.Parse(node.ToJsonString());
        return parsed is JsonValue value && value.TryGetValue<decimal>(out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : node.ToJsonString();
    }

    private static string StripPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && value[(colon + 1)..].All(char.IsAsciiDigit) ? value[..colon] : value;
    }

    private static string Sanitize(string text) =>
        new(text.Take(100).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
