using Homeostat.Primitives;

namespace Homeostat.Verification.Prometheus;

/// <summary>Where the Prometheus verifier re-runs alert expressions (<c>verification.prometheus</c>).</summary>
public sealed class PrometheusOptions
{
    public const string Section = "Verification:Prometheus";

    /// <summary>The Prometheus base URL, e.g. <c>http://127.0.0.1:9090</c>. Empty disables the verifier.</summary>
    public string? Url { get; set; }

    /// <summary>How long one query may take before the check counts as an error.</summary>
    public Duration Timeout { get; set; } = Duration.Parse("5s");

    /// <summary>Optional file holding a bearer token for a Prometheus behind an authenticating proxy; read on each query.</summary>
    public string? BearerTokenFile { get; set; }
}
