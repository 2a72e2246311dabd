using System.Collections.Concurrent;
using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Learning;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Learning.Tests;

/// <summary>
/// The quality bar, run by every test run: the shipped model with the rules, on both held-out sets that training never
/// sees (the first split, and alerts in the style of real exporters' rule files), at the floors of the seed catalog and
/// of the built-in one. A rule change or a retrained model that lowers quality fails here.
/// </summary>
public sealed class ModelQualityTests
{
    private static readonly Lazy<ModelClassifier> Shipped = new(() => new ModelClassifier(ModelArtifact.LoadEmbedded()));

    private static readonly ClassSet Classes = new(FailureClasses.Seed);

    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<(LabelledSignal, Classification)>>>> Ensembled = new(StringComparer.Ordinal);

    /// <summary>The held-out sets: the first split, and alerts written in the style of real exporters' rule files.</summary>
    public static TheoryData<string> HeldOutSets => new() { "heldout.jsonl", "heldout-rules.jsonl" };

    /// <summary>The catalogs whose floors decide what would have acted: the seed's and the built-in example.</summary>
    public static TheoryData<string, string> HeldOutSetsAndCatalogs => new()
    {
        { "heldout.jsonl", "seed-catalog.yaml" },
        { "heldout.jsonl", "catalog.yaml" },
        { "heldout-rules.jsonl", "seed-catalog.yaml" },
        { "heldout-rules.jsonl", "catalog.yaml" },
    };

    [Theory]
    [MemberData(nameof(HeldOutSets))]
    public async Task Ensemble_OnEachHeldOutSet_MeetsTheQualityBar(string set)
    {
        var report = Report(await EnsembleResults(set), "seed-catalog.yaml");

        report.MacroF1.ShouldBeGreaterThanOrEqualTo(0.92, Describe(report));
        report.ExpectedCalibrationError.ShouldBeLessThan(0.10, Describe(report));
    }

    [Theory]
    [MemberData(nameof(HeldOutSetsAndCatalogs))]
    public async Task Ensemble_OnEachHeldOutSet_NeverActsOnTheWrongClassAtTheCatalogsFloors(string set, string catalog)
    {
        var report = Report(await EnsembleResults(set), catalog);

        report.UnsafeActions.ShouldBeEmpty(Describe(report));
    }

    [Theory]
    [MemberData(nameof(HeldOutSetsAndCatalogs))]
    public async Task Rules_OnEachHeldOutSet_NeverActOnTheWrongClass(string set, string catalog)
    {
        var report = Report(await ClassifyAsync(new RuleClassifier(), set), catalog);

        report.UnsafeActions.ShouldBeEmpty(Describe(report));
    }

    [Fact]
    public void ShippedModel_WasTrainedOnTheCommittedCorpus()
    {
        var corpus = TrainingCorpus();

        Shipped.Value.Artifact.Metadata.TrainingDataHash.ShouldBe(ModelTrainer.HashOf(corpus), "data/classifier/train.jsonl changed: retrain with scripts/train-model.sh");
        Shipped.Value.Artifact.Metadata.Examples.ShouldBe(corpus.Count);
    }

    [Fact]
    public void ShippedModel_KnowsExactlyTheClosedList()
    {
        Shipped.Value.Artifact.Metadata.Classes.ShouldBe(FailureClasses.Seed.Append(Classification.Unknown).Order(StringComparer.Ordinal), ignoreOrder: true);
    }

    private static EnsembleClassifier Ensemble() =>
        new([new RuleClassifier(), Shipped.Value], new StaticOptionsMonitor<EnsembleOptions>(new EnsembleOptions()), Shipped.Value);

    /// <summary>The ensemble's answers on a set, computed once for every test that reads them.</summary>
    private static Task<IReadOnlyList<(LabelledSignal, Classification)>> EnsembleResults(string set) =>
        Ensembled.GetOrAdd(set, name => new Lazy<Task<IReadOnlyList<(LabelledSignal, Classification)>>>(() => ClassifyAsync(Ensemble(), name))).Value;

    internal static async Task<IReadOnlyList<(LabelledSignal, Classification)>> ClassifyAsync(IClassifier classifier, string set)
    {
        var results = new List<(LabelledSignal, Classification)>();
        foreach (var item in Corpus(set))
        {
            results.Add((item, Classes.Constrain(await classifier.ClassifyAsync(item.Signal, Classes, CancellationToken.None))));
        }

        return results;
    }

    private static EvaluationReport Report(IReadOnlyList<(LabelledSignal, Classification)> results, string catalog) =>
        ClassifierEvaluation.Evaluate(results, Classes.Classes, Catalog(catalog));

    /// <summary>Every data/classifier/train*.jsonl file in name order, as scripts/train-model.sh trains on them.</summary>
    internal static IReadOnlyList<LabelledSignal> TrainingCorpus() =>
        Directory.GetFiles(RepositoryPaths.File("data", "classifier"), "train*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(f => Corpus(Path.GetFileName(f))).ToList();

    internal static IReadOnlyList<LabelledSignal> Corpus(string name)
    {
        var parsed = LabelledSignals.ParseFile(RepositoryPaths.File("data", "classifier", name), new SignalParser(TimeProvider.System));
        parsed.Errors.ShouldBeEmpty();
        return parsed.Items;
    }

    private static RemediationCatalog Catalog(string name)
    {
        var loader = new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs))));
        var loaded = loader.LoadFile(RepositoryPaths.File("examples", name));
        loaded.Catalog.ShouldNotBeNull(string.Join("; ", loaded.Errors));
        return loaded.Catalog;
    }

    private static string Describe(EvaluationReport report) =>
        $"macro-F1 {report.MacroF1:0.000}, ECE {report.ExpectedCalibrationError:0.000}; " +
        string.Join("; ", report.PerClass.Select(c => $"{c.Class} P{c.Precision:0.00} R{c.Recall:0.00}")) +
        (report.UnsafeActions.Count == 0 ? string.Empty : "; unsafe: " + string.Join(", ", report.UnsafeActions.Take(5).Select(u => $"{u.Id} {u.Label}->{u.Predicted}@{u.Confidence:0.00}")));
}
