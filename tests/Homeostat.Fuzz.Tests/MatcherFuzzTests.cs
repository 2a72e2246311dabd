using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Signals;
using Homeostat.Verification.Alertmanager;
using Homeostat.Verification.Prometheus;

namespace Homeostat.Fuzz.Tests;

/// <summary>
/// What matches untrusted text: the rules that match signals to classes, the catalog's parameter patterns, the
/// label comparison with Prometheus series and the Alertmanager matcher an alert name is written into.
/// </summary>
public sealed class MatcherFuzzTests
{
    private static readonly ClassSet Classes = new(FailureClasses.Seed);

    private static readonly Gen<Dictionary<string, string>> Labels =
        Gen.Select(
            Gen.Frequency((3, Gen.OneOf("alertname", "severity", "reason", "instance", "namespace", "pod", "job", "mountpoint")), (1, HostileText.Text())),
            HostileText.Text()).Array[0, 8].Select(pairs =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in pairs)
            {
                labels[name] = value;
            }

            return labels;
        });

    private static readonly Gen<Signal> Signals = Gen.Select(
        Gen.OneOf(SignalSources.All.ToArray()),
        Gen.Null(HostileText.Text()),
        Gen.Null(HostileText.Text()),
        Labels,
        Labels,
        Gen.Null(HostileText.Text().Select(expression => "http://prometheus:9090/graph?g0.expr=" + expression + "&g0.tab=1")),
        Gen.Select(Gen.OneOf("disk_used_percent", "memory_bytes", "p99_seconds", "x"), Gen.Double).Array[0, 3],
        (source, title, text, labels, annotations, generatorUrl, metrics) => new Signal
        {
            Id = "fuzz",
            Source = source,
            Title = title,
            Text = text,
            Labels = labels,
            Annotations = annotations,
            GeneratorUrl = generatorUrl,
            Metrics = metrics.DistinctBy(m => m.Item1).ToDictionary(m => m.Item1, m => m.Item2),
        });

    [Fact]
    public void TheRules_ClassifyAnySignal_WithinTheClassSet_TheSameWayEachTime() =>
        Fuzz.Check(Signals, signal =>
        {
            var rules = new RuleClassifier();
            var classification = rules.Classify(signal, Classes);

            (classification.IsUnknown || Classes.Contains(classification.Class)).ShouldBeTrue(classification.Class);
            classification.Confidence.ShouldBeInRange(0, 1);
            double.IsNaN(classification.Confidence).ShouldBeFalse();
            var again = rules.Classify(signal, Classes);
            again.Class.ShouldBe(classification.Class);
            again.Confidence.ShouldBe(classification.Confidence);
        }, cost: 10, print: signal => $"title {Fuzz.Show(signal.Title)} text {Fuzz.Show(signal.Text)} labels {string.Join(", ", signal.Labels.Select(l => $"{Fuzz.Show(l.Key)}={Fuzz.Show(l.Value)}"))} url {Fuzz.Show(signal.GeneratorUrl)}");

    [Fact]
    public void ParameterPatterns_AcceptOnlyWholeMatches_AndNeverThrow()
    {
        var specs = Composition.Actions.SelectMany(a => a.Parameters).ToArray();
        specs.ShouldNotBeEmpty();
        var typical = specs.Select(s => s.Default switch { null => "x", IEnumerable<string> items => items.FirstOrDefault() ?? "x", var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "x" }).ToArray();
        var nearMiss = Gen.Select(Gen.OneOf(typical), Gen.OneOf("", "\n", "\r\n", " ", "\u202e", "/..", "\0", "*"), (text, suffix) => text + suffix);
        var raw = Gen.Frequency(
            (3, HostileText.Text().Select(text => (object)text)),
            (2, nearMiss.Select(text => (object)text)),
            (1, Gen.Frequency((1, HostileText.Text()), (1, nearMiss)).Array[0, 4].Select(items => (object)items.ToList())));
        Fuzz.Check(Gen.Select(Gen.OneOf(specs), raw), pair =>
        {
            var (spec, value) = pair;
            if (spec.TryConvert(value, out var converted, out var error))
            {
                error.ShouldBeNull();
                if (spec.Pattern is { } pattern)
                {
                    foreach (var text in converted as IReadOnlyList<string> ?? (converted is string single ? [single] : []))
                    {
                        Regex.IsMatch(text, $@"\A(?:{pattern})\z", RegexOptions.NonBacktracking)
                            .ShouldBeTrue($"{spec.Name} accepted {Fuzz.Show(text)}, which {pattern} matches only in part");
                    }
                }
            }
            else
            {
                error.ShouldNotBeNullOrEmpty();
            }
        }, print: pair => $"{pair.Item1.Name} ({pair.Item1.Kind}, pattern {pair.Item1.Pattern}): {(pair.Item2 is string s ? Fuzz.Show(s) : string.Join(", ", ((List<string>)pair.Item2).Select(Fuzz.Show)))}");
    }

    [Fact]
    public void AlertNamesInAnAlertmanagerMatcher_ReadBackAsWritten() =>
        Fuzz.Check(HostileText.Text(), name =>
        {
            var escaped = AlertmanagerVerifier.EscapeMatcherValue(name);

            escaped.ShouldNotContain('\n');
            Unescape(escaped).ShouldBe(name);
        });

    [Fact]
    public void SeriesMatching_AgreesWithTheLabelsBothCarry() =>
        Fuzz.Check(Gen.Select(Labels, Labels), pair =>
        {
            var (series, alert) = pair;
            PrometheusVerifier.Matches(alert, alert).ShouldBeTrue();
            var disagrees = series.Any(l => l.Key is not ("__name__" or "alertname" or "severity") && alert.TryGetValue(l.Key, out var value) && value != l.Value);
            PrometheusVerifier.Matches(series, alert).ShouldBe(!disagrees);
        });

    [Fact]
    public void AlertExpressions_AreReadFromAnyGeneratorUrl_WithoutThrowing() =>
        Fuzz.Check(Gen.Select(Gen.OneOf("http://p:9090/graph?g0.expr=", "?g0.expr=", "http://p/graph?x=1&g0.expr=", ""), HostileText.Text(), (prefix, text) => prefix + text), url =>
        {
            SignalText.ExpressionFromGeneratorUrl(url).ShouldNotBeNull();
        });

    /// <summary>Alertmanager's reading of a double-quoted matcher value.</summary>
    private static string Unescape(string escaped)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\' && i + 1 < escaped.Length)
            {
                i++;
                builder.Append(escaped[i] == 'n' ? '\n' : escaped[i]);
                continue;
            }

            escaped[i].ShouldNotBe('"', "an unescaped quote ends the matcher value early");
            builder.Append(escaped[i]);
        }

        return builder.ToString();
    }
}
