using Homeostat.Primitives;

namespace Homeostat.Prometheus;

/// <summary>
/// <c>sources.prometheus</c>: detection rules Homeostat evaluates itself by polling Prometheus, for set-ups without
/// Alertmanager. Absent or without rules, the source does nothing.
/// </summary>
public sealed class PrometheusSourceOptions
{
    public const string Section = "Sources:Prometheus";

    public string? Url { get; set; }

    /// <summary>How often every rule is evaluated.</summary>
    public Duration Interval { get; set; } = Duration.Parse("15s");

    /// <summary>How long one query may take; a slower answer is an error, never a recovery.</summary>
    public Duration Timeout { get; set; } = Duration.Parse("5s");

    /// <summary>Optional file holding a bearer token for a Prometheus behind an authenticating proxy; read on each query.</summary>
    public string? BearerTokenFile { get; set; }

    public List<PrometheusRuleOptions> Rules { get; set; } = [];
}

/// <summary>One detection rule: a PromQL expression, an optional threshold on its sample values, and how long it must hold.</summary>
public sealed class PrometheusRuleOptions
{
    /// <summary>The signal's title and <c>alertname</c> label.</summary>
    public string Name { get; set; } = string.Empty;

    public string Expr { get; set; } = string.Empty;

    /// <summary>Optional: only series whose value passes the comparison count. Without it, every returned series counts.</summary>
    public ThresholdOptions? Threshold { get; set; }

    /// <summary>How long a series must keep counting before the signal fires (like a Prometheus rule's <c>for</c>).</summary>
    public Duration For { get; set; } = Duration.Zero;

    /// <summary>The series label that names the service. Exclusive with <see cref="Service"/>.</summary>
    public string? ServiceLabel { get; set; }

    /// <summary>A fixed service for every signal of the rule. Exclusive with <see cref="ServiceLabel"/>.</summary>
    public string? Service { get; set; }

    /// <summary>
    /// Series labels carried into the signal; the others are dropped. Series that agree on these labels are one signal.
    /// Null (not written) carries every label but <c>__name__</c>.
    /// </summary>
    public List<string>? Labels { get; set; }

    public string Severity { get; set; } = "warning";

    public string? Summary { get; set; }

    /// <summary>At most this many signals per rule at once; further series are ignored and logged (label values are untrusted).</summary>
    public int MaxSeries { get; set; } = 50;
}

/// <summary><c>threshold: {op: gt, value: 0.9}</c>; <c>op</c> is a word or a quoted symbol (">" would start a YAML block scalar).</summary>
public sealed class ThresholdOptions
{
    public string Op { get; set; } = string.Empty;

    public double? Value { get; set; }
}
