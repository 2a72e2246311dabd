using Homeostat.Kubernetes.Sources;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes;

/// <summary>How Homeostat reaches the cluster and which parts of it the Kubernetes actions may touch.</summary>
public sealed class KubernetesOptions
{
    public const string Section = "Kubernetes";

    /// <summary>False leaves the engine's placeholders in place: the Kubernetes actions then escalate with action_failed.</summary>
    public bool Enabled { get; set; }

    /// <summary>A kubeconfig file; empty means the in-cluster service account.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The only namespaces the actions may act in. Empty refuses every namespaced action.</summary>
    public List<string> AllowedNamespaces { get; set; } = [];

    /// <summary>Whether cluster-scoped node actions (cordon_node) may run at all. Off by default: a node is shared by every namespace.</summary>
    public bool AllowNodeActions { get; set; }

    /// <summary>The watch source: pods and events in <see cref="AllowedNamespaces"/> turned into signals. Off by default.</summary>
    public KubernetesWatchOptions Watch { get; set; } = new();
}

/// <summary>Reports every invalid setting at once, at start-up.</summary>
public sealed class KubernetesOptionsValidator : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        var errors = new List<string>();
        foreach (var ns in options.AllowedNamespaces)
        {
            if (!KubernetesNames.IsLabel(ns))
            {
                errors.Add($"{KubernetesOptions.Section}:AllowedNamespaces: '{ns}' is not a namespace name (a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters)");
            }
        }

        if (options.Enabled && !string.IsNullOrEmpty(options.Kubeconfig) && !File.Exists(options.Kubeconfig))
        {
            errors.Add($"{KubernetesOptions.Section}:Kubeconfig: file '{options.Kubeconfig}' does not exist");
        }

        errors.AddRange(KubernetesWatchOptions.Validate(options));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
