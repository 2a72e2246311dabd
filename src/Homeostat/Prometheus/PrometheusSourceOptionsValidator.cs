using System.Text.RegularExpressions;
using Homeostat.Signals;
using Homeostat.Verification;
using Microsoft.Extensions.Options;

namespace Homeostat.Prometheus;

/// <summary>Checks <c>sources.prometheus</c> at start-up and reports every problem at once, naming the rule, the key and the value.</summary>
public sealed partial class PrometheusSourceOptionsValidator : IValidateOptions<PrometheusSourceOptions>
{
    private const string Where = "sources.prometheus";

    public ValidateOptionsResult Validate(string? name, PrometheusSourceOptions options)
    {
        var errors = new List<string>();
        VerificationOptionsValidator.CheckUrl($"{Where}.url", options.Url, required: options.Rules.Count > 0, errors, $"put the token in {Where}.bearer_token_file instead");
        VerificationOptionsValidator.CheckTokenFile($"{Where}.bearer_token_file", options.BearerTokenFile, errors);
        if (options.Interval.Value < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{Where}.interval must be at least 100ms (got {options.Interval})");
        }

        VerificationOptionsValidator.CheckTimeout($"{Where}.timeout", options.Timeout, errors);
        if (options.Timeout.Value > options.Interval.Value)
        {
            errors.Add($"{Where}.timeout ({options.Timeout}) must not be longer than interval ({options.Interval})");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            var at = $"{Where}.rules[{i}] ({(string.IsNullOrEmpty(rule.Name) ? "unnamed" : rule.Name)})";
            ValidateRule(rule, at, errors);
            if (!string.IsNullOrEmpty(rule.Name) && !names.Add(rule.Name))
            {
                errors.Add($"{at}: name '{rule.Name}' is used by an earlier rule; rule names must be unique");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateRule(PrometheusRuleOptions rule, string at, List<string> errors)
    {
        if (!RuleName().IsMatch(rule.Name))
        {
            errors.Add($"{at}: name '{rule.Name}' must start with a letter or '_' and use letters, digits, '_', ':', '.' and '-' (at most 128)");
        }

        if (string.IsNullOrWhiteSpace(rule.Expr))
        {
            errors.Add($"{at}: expr is empty; write the PromQL expression to evaluate");
        }

        if (rule.Threshold is { } threshold)
        {
            if (!Threshold.Operators.ContainsKey(threshold.Op.Trim()))
            {
                errors.Add($"{at}: threshold.op '{threshold.Op}' is not one of gt, ge, lt, le, eq, ne (or the quoted symbols \">\", \">=\", \"<\", \"<=\", \"==\", \"!=\")");
            }

            if (threshold.Value is null || double.IsNaN(threshold.Value.Value))
            {
                errors.Add($"{at}: threshold.value is required and must be a number");
            }
        }

        if (rule.For.Value < TimeSpan.Zero)
        {
            errors.Add($"{at}: for must not be negative (got {rule.For})");
        }

        if (rule.Service is not null && rule.ServiceLabel is not null)
        {
            errors.Add($"{at}: set either service ('{rule.Service}') or service_label ('{rule.ServiceLabel}'), not both");
        }

        if (rule.Service is not null && !SignalIdentity.IsSafeName(rule.Service))
        {
            errors.Add($"{at}: service '{rule.Service}' must use letters, digits, '.', '_', '-', ':', '/' and '@'");
        }

        if (rule.ServiceLabel is not null && !LabelNames.IsValid(rule.ServiceLabel))
        {
            errors.Add($"{at}: service_label '{rule.ServiceLabel}' is not a valid Prometheus label name");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in rule.Labels ?? [])
        {
            if (!LabelNames.IsValid(label))
            {
                errors.Add($"{at}: labels: '{label}' is not a valid Prometheus label name ({LabelNames.Rule})");
            }
            else if (PrometheusRule.ReservedLabels.Contains(label))
            {
                errors.Add($"{at}: labels: '{label}' is set by the rule itself and cannot be carried from the series");
            }
            else if (!seen.Add(label))
            {
                errors.Add($"{at}: labels: '{label}' is listed twice");
            }
        }

        if (!Severity().IsMatch(rule.Severity))
        {
            errors.Add($"{at}: severity '{rule.Severity}' must be a short lower-case word such as critical or warning");
        }

        if (rule.MaxSeries is < 1 or > 1000)
        {
            errors.Add($"{at}: max_series must be between 1 and 1000 (got {rule.MaxSeries})");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_:.-]{0,127}\\z")]
    private static partial Regex RuleName();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}\\z")]
    private static partial Regex Severity();
}
