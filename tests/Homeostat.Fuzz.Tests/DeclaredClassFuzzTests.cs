using CsCheck;
using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Fuzz.Tests;

/// <summary>
/// Declared classes on hostile input: the matcher parser on any text, mutated catalogs that declare classes, and the
/// declared classifier on any signal.
/// </summary>
public sealed class DeclaredClassFuzzTests
{
    private const string Source = "fuzz-catalog.yaml";

    private const string DeclaringCatalog = """
        class_label: homeostat_class
        classes:
          crashloop:
            description: restarting
            match:
              - ['alertname="KubePodCrashLooping"']
              - ['alertname=~"Payments.*SpaceLow"', 'team!="search"', '__title__!~"(?i).*test.*"']
          batch_stuck:
        remediations:
          disk_full:
            action: rotate_and_compress_logs
            confidence_floor: 0.80
            auto: true
            match: [ ['alertname="AppLogsFillingDisk"'], ['__text__=~".*no space left.*"', '__source__="log"'] ]
        """;

    private static readonly string[] Keys =
    [
        "classes", "class_label", "match", "description", "crashloop", "batch_stuck", "unknown", "remediations", "disk_full",
        "action", "confidence_floor", "auto", "alertname", "__title__", "__text__", "__source__", "__foo__", "=~", "!~", "!=",
    ];

    private static readonly Gen<string> MatcherText = Gen.Frequency(
        (3, HostileText.Text()),
        (3, Gen.Select(
            Gen.OneOf("alertname", "__title__", "__text__", "__source__", "__x__", "", "9a", "a b"),
            Gen.OneOf("=", "!=", "=~", "!~", "==", "~", ""),
            Gen.Frequency((2, HostileText.Text()), (1, Gen.OneOf("(", "a)|(b", "(a)\\1", "(?=a)", "\\", "\\\\.", "[", ".*", "(a+)+b"))),
            Gen.OneOf("\"", "", "'"),
            (name, op, value, quote) => $"{name}{op}{quote}{value}{quote}")));

    [Fact]
    public void MatcherParser_AnyText_ParsesOrSaysWhy_AndWritesBackWhatItParsed() =>
        Fuzz.Check(MatcherText, text =>
        {
            if (!LabelMatcher.TryParse(text, out var matcher, out var problem))
            {
                problem.ShouldNotBeNullOrWhiteSpace();
                matcher.ShouldBeNull();
                return;
            }

            var written = matcher!.ToString();
            LabelMatcher.TryParse(written, out var again, out var againProblem).ShouldBeTrue(againProblem);
            again!.ToString().ShouldBe(written);
            (again.Name, again.Operator, again.Value).ShouldBe((matcher.Name, matcher.Operator, matcher.Value));
            matcher.Matches(matcher.Value).ShouldBe(again.Matches(matcher.Value));
        }, cost: 2, print: Fuzz.Show);

    [Fact]
    public void MutatedDeclaringCatalogs_LoadOrGiveLocatedErrors_NeverAnException() =>
        Fuzz.Check(YamlMutator.Mutated([DeclaringCatalog], Keys), yaml =>
        {
            var result = Composition.CatalogLoader.Load(yaml, Source);

            result.IsValid.ShouldBe(result.Errors.Count == 0);
            foreach (var problem in result.Errors)
            {
                var text = problem.ToString();
                problem.Line.ShouldBeGreaterThan(0, text);
                problem.Column.ShouldBeGreaterThan(0, text);
                problem.Key.ShouldNotBeNullOrEmpty(text);
                text.ShouldNotContain('\n', "an error is one line");
            }

            foreach (var set in result.Catalog?.Declarations.Sets ?? [])
            {
                set.Matchers.ShouldNotBeEmpty();
                set.Location.Line.ShouldBeGreaterThan(0);
                result.Catalog!.Classes.ShouldContain(set.Class);
            }
        }, cost: 3);

    [Fact]
    public async Task DeclaredClassifier_AnySignal_AnswersFromTheClosedList()
    {
        var catalog = Composition.CatalogLoader.Load(DeclaringCatalog, Source).Catalog.ShouldNotBeNull();
        var provider = new CatalogProvider(catalog);
        var classifier = new DeclaredClassifier(new RuleClassifier(), provider);
        var labels = Gen.Select(
            Gen.Frequency((3, Gen.OneOf("alertname", "team", "homeostat_class")), (1, HostileText.Text())),
            Gen.Frequency((2, Gen.OneOf("KubePodCrashLooping", "PaymentsDbSpaceLow", "AppLogsFillingDisk", "batch_stuck", "unknown", "oom", "search")), (2, HostileText.Text()))).Array[0, 6]
            .Select(pairs => pairs.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2));
        var signals = Gen.Select(Gen.OneOf(SignalSources.All.ToArray()), Gen.Null(HostileText.Text()), Gen.Null(HostileText.Text()), labels,
            (source, title, text, labelSet) => new Signal { Id = "fuzz", Source = source, Title = title, Text = text, Labels = labelSet });

        await Fuzz.CheckAsync(signals, async signal =>
        {
            var classification = await classifier.ClassifyAsync(signal, provider.ClassSet, CancellationToken.None);

            provider.ClassSet.Contains(classification.Class).ShouldBeTrue(classification.Class);
            classification.Confidence.ShouldBeInRange(0, 1);
            if (classification.Classifier == DeclaredClassifier.DeclaredName && !classification.IsUnknown)
            {
                classification.Confidence.ShouldBe(1.0);
                classification.Reasoning.ShouldContain(Source + ":");
            }
        }, cost: 5);
    }
}
