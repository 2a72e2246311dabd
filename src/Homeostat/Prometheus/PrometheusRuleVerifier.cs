using Homeostat.Healing;
using Homeostat.Signals;
using Homeostat.Verification;
using Homeostat.Verification.Prometheus;

namespace Homeostat.Prometheus;

/// <summary>
/// Verifies the polling source's own signals by evaluating their rule again, threshold included: cleared when no series
/// carries the incident's labels; a failed query is an error, never cleared.
/// </summary>
public sealed class PrometheusRuleVerifier(PrometheusRuleSet rules) : IVerifier
{
    public string Name => "prometheus_rule";

    public bool CanVerify(Incident incident) =>
        incident.Signal.Source == SignalSources.Prometheus
        && incident.Signal.Label(PrometheusRule.RuleLabel) is { } name && rules.Find(name) is not null;

    public async Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        var rule = rules.Find(incident.Signal.Label(PrometheusRule.RuleLabel)!)!;
        var evaluation = await rules.EvaluateAsync(rule, bounded: false, cancellationToken);
        if (!evaluation.Succeeded)
        {
            return new VerificationResult(VerificationStatus.Error, $"rule {rule.Name}: {evaluation.Error}");
        }

        if (evaluation.Matches.FirstOrDefault(m => PrometheusVerifier.Matches(m.Labels, incident.Signal.Labels)) is { } still)
        {
            return new VerificationResult(VerificationStatus.NotCleared, $"rule {rule.Name}: `{rule.Expression}` still returns {still.Series.Describe()} = {still.Series.RawValue}");
        }

        return new VerificationResult(
            VerificationStatus.Cleared,
            evaluation.Matches.Count == 0
                ? $"rule {rule.Name}: `{rule.Expression}` returns no series"
                : $"rule {rule.Name}: `{rule.Expression}` returns no series with the incident's labels ({evaluation.Matches.Count} other)");
    }
}
