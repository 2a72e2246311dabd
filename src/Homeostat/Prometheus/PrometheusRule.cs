using System.Globalization;
using System.Text;
using Homeostat.Primitives;
using Homeostat.Signals;

namespace Homeostat.Prometheus;

/// <summary>The series of a rule that agree on the carried labels: one signal, identified by a stable fingerprint.</summary>
public sealed record RuleMatch(string Fingerprint, IReadOnlyDictionary<string, string> Labels, string? Service, PrometheusSeries Series);

/// <summary>
/// What one evaluation of a rule saw: the matches (passing the threshold) and the series present but not passing it,
/// each ordered by fingerprint; or the error that says nothing about either. With a threshold, a NaN sample is in
/// neither: it is no data, not a recovery.
/// </summary>
public sealed record RuleEvaluation(IReadOnlyList<RuleMatch> Matches, IReadOnlyList<RuleMatch> Clear, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>One configured detection rule: which series count, what they are called, and the signal they become.</summary>
public sealed class PrometheusRule
{
    /// <summary>Names the rule on every signal it sends, so its verifier finds it again.</summary>
    public const string RuleLabel = "homeostat_rule";

    public static readonly IReadOnlySet<string> ReservedLabels = new HashSet<string>(StringComparer.Ordinal) { "__name__", "alertname", "severity", RuleLabel };

    /// <summary>Label values are untrusted; this bounds what a signal carries. Applied identically wherever labels are compared with a signal's.</summary>
    public const int MaxLabelValueLength = 1024;

    private readonly string _baseUrl;

    public PrometheusRule(PrometheusRuleOptions options, string baseUrl)
    {
        Options = options;
        _baseUrl = baseUrl.TrimEnd('/');
        Threshold = options.Threshold is { } t && Prometheus.Threshold.TryCreate(t, out var threshold) ? threshold : null;
        Expression = Threshold is { } th ? $"({options.Expr}) {th}" : options.Expr;
    }

    public PrometheusRuleOptions Options { get; }

    public string Name => Options.Name;

    public Threshold? Threshold { get; }

    /// <summary>The expression with its threshold written in PromQL: what a person would paste into Prometheus to see the same series.</summary>
    public string Expression { get; }

    /// <summary>
    /// Groups the series by carried labels. A group is a match when any of its series passes the threshold (every group
    /// without one), and clear when it is present but none passes; NaN samples are left out, as if absent. Unbounded:
    /// <c>max_series</c> limits what is tracked.
    /// </summary>
    public RuleEvaluation Evaluate(PrometheusQueryResult result)
    {
        if (!result.Succeeded)
        {
            return new RuleEvaluation([], [], result.Error);
        }

        var matches = new Dictionary<string, RuleMatch>(StringComparer.Ordinal);
        var clear = new Dictionary<string, RuleMatch>(StringComparer.Ordinal);
        foreach (var series in result.Series)
        {
            var labels = CarriedLabels(series.Labels);
            var fingerprint = FingerprintOf(labels);
            var service = Options.Service ?? (Options.ServiceLabel is { } key && series.Labels.TryGetValue(key, out var value) && value.Length > 0 ? value : null);
            if (Threshold is not null && double.IsNaN(series.Value))
            {
                continue;
            }

            var match = new RuleMatch(fingerprint, labels, service, series);
            (Threshold is not { } threshold || threshold.Passes(series.Value) ? matches : clear).TryAdd(fingerprint, match);
        }

        foreach (var fingerprint in matches.Keys)
        {
            clear.Remove(fingerprint);
        }

        return new RuleEvaluation(Ordered(matches), Ordered(clear), null);

        static List<RuleMatch> Ordered(Dictionary<string, RuleMatch> groups) => groups.Values.OrderBy(m => m.Fingerprint, StringComparer.Ordinal).ToList();
    }

    public Signal ToSignal(RuleMatch match, DateTimeOffset since, SignalStatus status)
    {
        var labels = new Dictionary<string, string>(match.Labels, StringComparer.Ordinal)
        {
            ["alertname"] = Name,
            ["severity"] = Options.Severity,
            [RuleLabel] = Name,
        };
        var value = match.Series.RawValue;
        var text = new StringBuilder();
        text.Append(Options.Summary is { Length: > 0 } summary ? summary + " " : string.Empty)
            .Append(CultureInfo.InvariantCulture, $"({match.Series.Describe()} = {value}{(Threshold is { } t ? ", threshold " + t : string.Empty)})");
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["expr"] = Expression, ["value"] = value };
        if (Options.Summary is { Length: > 0 } s)
        {
            annotations["summary"] = s;
        }

        return new Signal
        {
            Id = $"prom-{match.Fingerprint}-{since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}-{(status == SignalStatus.Firing ? "firing" : "resolved")}",
            Source = SignalSources.Prometheus,
            Service = match.Service,
            Title = Name,
            Text = text.ToString(),
            Labels = labels,
            Annotations = annotations,
            GeneratorUrl = $"{_baseUrl}/graph?g0.expr={Uri.EscapeDataString(Expression)}&g0.tab=1",
            Metrics = double.IsFinite(match.Series.Value) ? new Dictionary<string, double> { ["value"] = match.Series.Value } : new Dictionary<string, double>(),
            Status = status,
            StartsAt = since,
            Fingerprint = match.Fingerprint,
            Resource = match.Labels.TryGetValue("instance", out var instance) ? new SignalResource { Host = instance } : null,
        };
    }

    private Dictionary<string, string> CarriedLabels(IReadOnlyDictionary<string, string> series)
    {
        var carried = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in series)
        {
            var wanted = Options.Labels is null ? !ReservedLabels.Contains(key) : Options.Labels.Contains(key) || key == Options.ServiceLabel;
            if (wanted && !ReservedLabels.Contains(key))
            {
                carried[key] = value.Length > MaxLabelValueLength ? value[..MaxLabelValueLength] : value;
            }
        }

        return carried;
    }

    /// <summary>Stable across evaluations and restarts: the rule's name and the carried labels, length-prefixed so separators cannot collide.</summary>
    private string FingerprintOf(IReadOnlyDictionary<string, string> labels)
    {
        var identity = new StringBuilder("prometheus-rule");
        void Add(string part) => identity.Append(part.Length).Append(':').Append(part);
        Add(Name);
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            Add(key);
            Add(value);
        }

        return Hashing.Sha256Hex(identity.ToString())[..16];
    }
}
