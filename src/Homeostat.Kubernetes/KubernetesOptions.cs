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

/// <summary>
/// Builds the client configuration from the options: the kubeconfig file, or the in-cluster service account. A
/// configuration that cannot be loaded is an options error naming the setting, not an internal error; it is checked
/// here rather than in the validator because tests and embedders may supply their own client.
/// </summary>
public static class KubernetesClientConfigurations
{
    public static k8s.KubernetesClientConfiguration Load(KubernetesOptions options)
    {
        if (string.IsNullOrEmpty(options.Kubeconfig) && !k8s.KubernetesClientConfiguration.IsInCluster())
        {
            throw Invalid("not set, and Homeostat is not running in a cluster (no service account and no KUBERNETES_SERVICE_HOST): set kubernetes.kubeconfig to a kubeconfig file, or run in-cluster");
        }

        try
        {
            return string.IsNullOrEmpty(options.Kubeconfig)
                ? k8s.KubernetesClientConfiguration.InClusterConfig()
                : k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig);
        }
        catch (Exception exception) when (exception is k8s.Exceptions.KubeConfigException or YamlDotNet.Core.YamlException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw Invalid(string.IsNullOrEmpty(options.Kubeconfig)
                ? $"the in-cluster configuration cannot be used: {exception.Message}"
                : $"'{options.Kubeconfig}' cannot be used: {exception.Message}");
        }
    }

    private static OptionsValidationException Invalid(string problem) =>
        new(KubernetesOptions.Section, typeof(KubernetesOptions), [$"{KubernetesOptions.Section}:Kubeconfig: {problem}"]);
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

        // Checked even while the module is off: a kubeconfig that is not there is a mistake either way.
        if (!string.IsNullOrEmpty(options.Kubeconfig) && !File.Exists(options.Kubeconfig))
        {
            errors.Add($"{KubernetesOptions.Section}:Kubeconfig: file '{options.Kubeconfig}' does not exist");
        }

        errors.AddRange(KubernetesWatchOptions.Validate(options));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
