using Homeostat.Healing;
using Homeostat.Signals;
using Homeostat.Verification;
using Homeostat.Verification.Prometheus;

namespace Homeostat.Prometheus;

/// <summary>
/// Verifies the polling source's own signals by evaluating their rule again, threshold included. With a threshold,
/// cleared only when the incident's series is present and no longer passes it: an absent series says nothing (the
/// action may have stopped the target being scraped). Without one the expression is its own filter, so absence is the
/// only sign of recovery and counts as cleared. A failed query is an error, never cleared. It takes every signal
/// naming a rule, configured or not: the generic verifier cannot judge them (their label values are cut to
/// <see cref="PrometheusRule.MaxLabelValueLength"/>, and without the rule no threshold is known), so a rule removed
/// or renamed since is an error rather than a guess.
/// </summary>
public sealed class PrometheusRuleVerifier(PrometheusRuleSet rules) : IVerifier
{
    public string Name => "prometheus_rule";

    public int Order => VerifierOrder.PrometheusRule;

    public bool CanVerify(Incident incident) =>
        incident.Signal.Source == SignalSources.Prometheus
        && incident.Signal.Label(PrometheusRule.RuleLabel) is not null;

    public async Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        var name = incident.Signal.Label(PrometheusRule.RuleLabel)!;
        if (rules.Find(name) is not { } rule)
        {
            return new VerificationResult(VerificationStatus.Error, $"rule {name} is no longer configured in sources.prometheus; the incident cannot be verified");
        }

        var evaluation = await rules.EvaluateAsync(rule, cancellationToken);
        if (!evaluation.Succeeded)
        {
            return new VerificationResult(VerificationStatus.Error, $"rule {rule.Name}: {evaluation.Error}");
        }

        if (evaluation.Matches.FirstOrDefault(m => PrometheusVerifier.Matches(m.Labels, incident.Signal.Labels)) is { } still)
        {
            return new VerificationResult(VerificationStatus.NotCleared, $"rule {rule.Name}: `{rule.Expression}` still returns {still.Series.Describe()} = {still.Series.RawValue}");
        }

        if (rule.Threshold is { } threshold)
        {
            return evaluation.Clear.FirstOrDefault(m => PrometheusVerifier.Matches(m.Labels, incident.Signal.Labels)) is { } back
                ? new VerificationResult(VerificationStatus.Cleared, $"rule {rule.Name}: `{rule.Options.Expr}` returns {back.Series.Describe()} = {back.Series.RawValue}, no longer {threshold}")
                : new VerificationResult(VerificationStatus.NotCleared, $"rule {rule.Name}: no data for the series (stale or not scraped): `{rule.Options.Expr}` returns no series with the incident's labels");
        }

        return new VerificationResult(
            VerificationStatus.Cleared,
            evaluation.Matches.Count == 0
                ? $"rule {rule.Name}: `{rule.Expression}` returns no series"
                : $"rule {rule.Name}: `{rule.Expression}` returns no series with the incident's labels ({evaluation.Matches.Count} other)");
    }
}
