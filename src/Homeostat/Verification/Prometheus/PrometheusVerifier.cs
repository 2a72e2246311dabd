using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Prometheus;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Verification.Prometheus;

/// <summary>
/// Re-runs the alert's own expression (from <c>generatorURL</c>) against Prometheus: cleared when no returned series
/// matches the alert's labels; a series still matching is not cleared; any failure of the query itself is an error,
/// never cleared. Signals of the polling source (carrying <see cref="PrometheusRule.RuleLabel"/>) are left to the
/// rule verifier.
/// </summary>
public sealed class PrometheusVerifier(
    IHttpClientFactory httpClients,
    IOptionsMonitor<PrometheusOptions> options,
    TimeProvider timeProvider,
    IOptionsMonitor<VerificationOptions>? routing = null) : IVerifier
{
    public const string ClientName = PrometheusQueryClient.ClientName;

    /// <summary>Series labels that say nothing about which alert instance a series is.</summary>
    private static readonly HashSet<string> IgnoredLabels = new(StringComparer.Ordinal) { "__name__", "alertname", "severity" };

    private readonly PrometheusQueryClient _client = new(httpClients, timeProvider);

    public string Name => "prometheus";

    public int Order => VerifierOrder.Prometheus;

    public bool CanVerify(Incident incident) =>
        !string.IsNullOrWhiteSpace(options.CurrentValue.Url)
        && ((incident.Signal.Source == SignalSources.Prometheus && incident.Signal.Label(PrometheusRule.RuleLabel) is null)
            || (incident.Signal.Source == SignalSources.Alertmanager && routing?.CurrentValue.AlertmanagerSignals != VerificationOptions.UseAlertmanager))
        && !string.IsNullOrWhiteSpace(SignalText.ExpressionFromGeneratorUrl(incident.Signal.GeneratorUrl));

    public async Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var expression = SignalText.ExpressionFromGeneratorUrl(incident.Signal.GeneratorUrl);
        if (string.IsNullOrWhiteSpace(current.Url) || string.IsNullOrWhiteSpace(expression))
        {
            return new VerificationResult(VerificationStatus.Error, "no Prometheus URL or no alert expression to re-run");
        }

        var result = await _client.QueryAsync(current.Url, expression, current.Timeout, cancellationToken, current.BearerTokenFile, "verification.prometheus.bearer_token_file");
        if (!result.Succeeded)
        {
            return new VerificationResult(VerificationStatus.Error, result.Error!);
        }

        if (result.Series.FirstOrDefault(s => Matches(s.Labels, incident.Signal.Labels)) is { } still)
        {
            return new VerificationResult(VerificationStatus.NotCleared, $"`{expression}` still returns {still.Describe()} = {still.RawValue}");
        }

        return new VerificationResult(
            VerificationStatus.Cleared,
            result.Series.Count == 0
                ? $"`{expression}` returns no series"
                : $"`{expression}` returns no series matching the alert's labels ({result.Series.Count} other series)");
    }

    /// <summary>A series is the alert's when every label both carry agrees; labels the rule added are not in the series.</summary>
    public static bool Matches(IReadOnlyDictionary<string, string> series, IReadOnlyDictionary<string, string> alert) =>
        series.All(l => IgnoredLabels.Contains(l.Key) || !alert.TryGetValue(l.Key, out var value) || value == l.Value);
}
