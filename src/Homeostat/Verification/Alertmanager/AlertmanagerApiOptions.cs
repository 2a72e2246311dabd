using Homeostat.Primitives;

namespace Homeostat.Verification.Alertmanager;

/// <summary>Where the Alertmanager verifier asks whether an alert is still active (<c>verification.alertmanager</c>).</summary>
public sealed class AlertmanagerApiOptions
{
    public const string Section = "Verification:Alertmanager";

    /// <summary>The Alertmanager base URL, e.g. <c>http://127.0.0.1:9093</c>.</summary>
    public string? Url { get; set; }

    /// <summary>How long one request may take before the check counts as an error.</summary>
    public Duration Timeout { get; set; } = Duration.Parse("5s");

    /// <summary>Optional file holding a bearer token (for an Alertmanager behind an authenticating proxy); read on each check.</summary>
    public string? BearerTokenFile { get; set; }
}
