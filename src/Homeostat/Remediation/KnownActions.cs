using Homeostat.Catalog;
using Homeostat.Primitives;

namespace Homeostat.Remediation;

/// <summary>
/// The parameter schemas of the seed's actions, shared by the modules that run them (host-actions, kubernetes) and by
/// tests that script them.
/// </summary>
public static class KnownActions
{
    public const string KubernetesName = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

    /// <summary>The lowest filesystem usage at which a disk action acts: the earliest point node_exporter's stock disk alerts fire at.</summary>
    public const long DefaultMaxUsedPercent = 60;

    /// <summary>The budget the disk actions (rotate_and_compress_logs, clean_directory) confirm a directory is over before they touch it.</summary>
    public static IReadOnlyList<ParameterSpec> DiskBudgetParameters { get; } =
    [
        new ParameterSpec("budget", ParameterKind.ByteSize, "the most the directory may hold: when set, the action acts only on a directory over it, whatever its filesystem's usage") { Minimum = 1 },
        new ParameterSpec("max_used_percent", ParameterKind.Integer, "the action acts on a directory whose filesystem is at least this full, in percent")
        {
            Default = DefaultMaxUsedPercent, Minimum = 1, Maximum = 100,
        },
    ];

    public static PremiseDescriptor DiskOverBudget { get; } = PremiseDescriptor.Observes(
        $"the target directory holds more than its budget when one is set, otherwise its filesystem is at least max_used_percent full (default {DefaultMaxUsedPercent}%)");

    public static readonly ActionDescriptor ScaleMemoryLimit = new(
        "scale_memory_limit",
        "Raise a container's memory limit on the owning Deployment or StatefulSet by a step, bounded by max_increase and a ceiling.",
        [
            new ParameterSpec("max_increase", ParameterKind.ByteSize, "the most the limit may rise above the value the first remediation found") { Required = true, Minimum = 1 },
            new ParameterSpec("step", ParameterKind.ByteSize, "how much one remediation raises the limit") { Default = ByteSize.Parse("256Mi"), Minimum = 1 },
            new ParameterSpec("ceiling", ParameterKind.ByteSize, "an absolute limit the container never exceeds") { Minimum = 1 },
            new ParameterSpec("include_request", ParameterKind.Boolean, "raise the memory request by the same step") { Default = false },
            new ParameterSpec("container", ParameterKind.String, "the container to change when the signal does not name one") { Pattern = KubernetesName },
        ]);

    public static readonly ActionDescriptor TriggerCertRenewal = new(
        "trigger_cert_renewal",
        "Renew the certificate the signal names: a cert-manager Certificate, or a host certificate through the configured ACME client.",
        [
            new ParameterSpec("timeout", ParameterKind.Duration, "how long the renewal may take") { Default = Duration.Parse("5m"), Minimum = 1, Maximum = 3600 },
            new ParameterSpec("min_remaining", ParameterKind.Duration, "the certificate is renewed only when it expires within this, and the renewed one must be valid for longer") { Default = Duration.Parse("30d") },
        ])
    {
        Premise = PremiseDescriptor.Observes("the certificate the signal names expires within min_remaining (or does not exist)"),
    };

    public static readonly ActionDescriptor OpenCircuitBreaker = new(
        "open_circuit_breaker",
        "Apply outlier detection and connection-pool limits to the target host's Istio DestinationRule.",
        [
            new ParameterSpec("consecutive_errors", ParameterKind.Integer, "errors before a host is ejected") { Default = 5L, Minimum = 1, Maximum = 1000 },
            new ParameterSpec("base_ejection_time", ParameterKind.Duration, "how long an ejected host stays out") { Default = Duration.Parse("30s"), Minimum = 1 },
            new ParameterSpec("max_ejection_percent", ParameterKind.Integer, "the most hosts that may be ejected, in percent") { Default = 50L, Minimum = 1, Maximum = 100 },
            new ParameterSpec("max_pending_requests", ParameterKind.Integer, "queue limit for the connection pool") { Minimum = 1 },
        ]);

    public static readonly ActionDescriptor RotateAndCompressLogs = new(
        "rotate_and_compress_logs",
        "Compress log files older than a threshold and delete old archives beyond a retention count or size, inside allowlisted directories only.",
        [
            new ParameterSpec("path", ParameterKind.String, "the directory to clean when the signal carries no path label"),
            new ParameterSpec("pattern", ParameterKind.String, "which files are logs (a glob on the file name)") { Default = "*.log*", Pattern = @"[A-Za-z0-9._*?\-\[\]]+" },
            new ParameterSpec("compress_older_than", ParameterKind.Duration, "compress log files not written to for this long") { Default = Duration.Parse("1h") },
            new ParameterSpec("keep", ParameterKind.Integer, "compressed archives kept per directory, newest first") { Default = 10L, Minimum = 0, Maximum = 10000 },
            new ParameterSpec("max_total_size", ParameterKind.ByteSize, "delete the oldest archives until the archives fit in this size"),
            new ParameterSpec("recursive", ParameterKind.Boolean, "also clean subdirectories") { Default = false },
            .. DiskBudgetParameters,
        ])
    {
        Premise = DiskOverBudget,
    };

    /// <summary>
    /// The seed's actions that need a module, as actions that cannot run: for tools and tests that load catalogs
    /// without composing the modules. A composed process never uses these: each module declares its own actions.
    /// </summary>
    public static IEnumerable<IRemediationAction> Placeholders() =>
    [
        new UnavailableAction(ScaleMemoryLimit with { UnavailableReason = "scale_memory_limit needs the kubernetes module, which is not added here" }),
        new UnavailableAction(TriggerCertRenewal with { UnavailableReason = "trigger_cert_renewal needs the host-actions or kubernetes module, which is not added here" }),
        new UnavailableAction(OpenCircuitBreaker with { UnavailableReason = "open_circuit_breaker needs the kubernetes module, which is not added here" }),
    ];
}

/// <summary>An action the catalog may name but this build cannot run: previews say so, and executing escalates.</summary>
public sealed class UnavailableAction(ActionDescriptor descriptor) : IRemediationAction
{
    public ActionDescriptor Descriptor { get; } = descriptor;

    public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ActionPreview(
            false,
            $"{Descriptor.Name} with {Describe(request)} would be attempted, but it cannot run here: {Descriptor.UnavailableReason}",
            []));

    public Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(ActionOutcome.Failed($"not implemented in this build: {Descriptor.UnavailableReason}"));

    private static string Describe(ActionRequest request)
    {
        var parameters = request.Parameters.Describe();
        return parameters.Count == 0 ? "no parameters" : string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}"));
    }
}
