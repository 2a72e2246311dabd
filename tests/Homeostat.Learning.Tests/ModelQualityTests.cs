using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Learning;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Learning.Tests;

/// <summary>
/// The quality bar, run by every test run: the shipped model with the rules, on the held-out split that training never
/// sees. A rule change or a retrained model that lowers quality fails here.
/// </summary>
public sealed class ModelQualityTests
{
    private static readonly Lazy<ModelClassifier> Shipped = new(() => new ModelClassifier(ModelArtifact.LoadEmbedded()));

    [Fact]
    public async Task Ensemble_OnTheHeldOutSplit_MeetsTheQualityBar()
    {
        var report = await EvaluateAsync(Ensemble());

        report.MacroF1.ShouldBeGreaterThanOrEqualTo(0.90, Describe(report));
        report.UnsafeActions.ShouldBeEmpty(Describe(report));
        report.ExpectedCalibrationError.ShouldBeLessThan(0.10, Describe(report));
    }

    [Fact]
    public async Task Rules_OnTheHeldOutSplit_NeverActOnTheWrongClass()
    {
        var report = await EvaluateAsync(new RuleClassifier());

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

    internal static async Task<EvaluationReport> EvaluateAsync(IClassifier classifier)
    {
        var classes = new ClassSet(FailureClasses.Seed);
        var results = new List<(LabelledSignal, Classification)>();
        foreach (var item in Corpus("heldout.jsonl"))
        {
            results.Add((item, classes.Constrain(await classifier.ClassifyAsync(item.Signal, classes, CancellationToken.None))));
        }

        return ClassifierEvaluation.Evaluate(results, classes.Classes, SeedCatalog());
    }

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

    private static RemediationCatalog SeedCatalog()
    {
        var loader = new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs))));
        return loader.LoadFile(RepositoryPaths.File("examples", "seed-catalog.yaml")).Catalog!;
    }

    private static string Describe(EvaluationReport report) =>
        $"macro-F1 {report.MacroF1:0.000}, ECE {report.ExpectedCalibrationError:0.000}; " +
        string.Join("; ", report.PerClass.Select(c => $"{c.Class} P{c.Precision:0.00} R{c.Recall:0.00}")) +
        (report.UnsafeActions.Count == 0 ? string.Empty : "; unsafe: " + string.Join(", ", report.UnsafeActions.Take(5).Select(u => $"{u.Id} {u.Label}->{u.Predicted}@{u.Confidence:0.00}")));
}
