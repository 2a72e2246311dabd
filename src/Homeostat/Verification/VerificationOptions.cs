using Homeostat.Verification.Alertmanager;
using Homeostat.Verification.Prometheus;

namespace Homeostat.Verification;

/// <summary>The <c>verification:</c> section: which verifier re-checks Alertmanager-born signals, and the verifiers' settings.</summary>
public sealed class VerificationOptions
{
    public const string Section = "Verification";

    /// <summary>Re-run the alert's expression from its <c>generatorURL</c> against <c>verification.prometheus</c> (the default).</summary>
    public const string UsePrometheus = "prometheus";

    /// <summary>Ask <c>verification.alertmanager</c> whether the alert is still active.</summary>
    public const string UseAlertmanager = "alertmanager";

    public static readonly IReadOnlyList<string> Choices = [UsePrometheus, UseAlertmanager];

    /// <summary>How signals from Alertmanager are verified: <c>prometheus</c> or <c>alertmanager</c>.</summary>
    public string AlertmanagerSignals { get; set; } = UsePrometheus;

    public PrometheusOptions? Prometheus { get; set; }

    public AlertmanagerApiOptions? Alertmanager { get; set; }
}
