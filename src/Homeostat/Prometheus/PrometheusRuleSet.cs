using Microsoft.Extensions.Options;

namespace Homeostat.Prometheus;

/// <summary>The configured rules, built once, and the one way to evaluate them against <c>sources.prometheus.url</c>.</summary>
public sealed class PrometheusRuleSet(IOptions<PrometheusSourceOptions> options, PrometheusQueryClient client)
{
    public PrometheusSourceOptions Options { get; } = options.Value;

    public IReadOnlyList<PrometheusRule> Rules { get; } =
        string.IsNullOrWhiteSpace(options.Value.Url) ? [] : options.Value.Rules.Select(r => new PrometheusRule(r, options.Value.Url)).ToList();

    public PrometheusRule? Find(string name) => Rules.FirstOrDefault(r => r.Name == name);

    public async Task<RuleEvaluation> EvaluateAsync(PrometheusRule rule, CancellationToken cancellationToken)
    {
        var result = await client.QueryAsync(Options.Url!, rule.Options.Expr, Options.Timeout, cancellationToken, Options.BearerTokenFile, "sources.prometheus.bearer_token_file");
        return rule.Evaluate(result);
    }
}
