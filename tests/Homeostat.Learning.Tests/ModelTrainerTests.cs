using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Learning.Tests;

public sealed class ModelTrainerTests
{
    private static readonly ClassSet Classes = new(FailureClasses.Seed);

    [Fact]
    public void Train_SameDataAndSeed_GivesTheSamePredictions()
    {
        var examples = Sample();

        var first = new ModelClassifier(new ModelTrainer().Train(examples, new TrainingOptions { CalibrationFolds = 0 }));
        var second = new ModelClassifier(new ModelTrainer().Train(examples, new TrainingOptions { CalibrationFolds = 0 }));

        foreach (var probe in Probes())
        {
            var a = first.Classify(probe, Classes);
            var b = second.Classify(probe, Classes);
            a.Class.ShouldBe(b.Class);
            a.Scores!.ShouldBe(b.Scores!);
        }
    }

    [Fact]
    public void SaveAndLoad_ModelFile_PredictsTheSameAndKeepsItsCalibration()
    {
        var artifact = new ModelTrainer().Train(Sample(), new TrainingOptions { CalibrationFolds = 3 });
        var path = Path.Combine(Path.GetTempPath(), $"homeostat-model-{Guid.NewGuid():N}.zip");
        try
        {
            artifact.Save(path);
            var loaded = ModelArtifact.LoadFile(path);

            loaded.Metadata.Calibration.Points.Count.ShouldBe(artifact.Metadata.Calibration.Points.Count);
            loaded.Metadata.Classes.ShouldBe(artifact.Metadata.Classes);
            foreach (var probe in Probes())
            {
                new ModelClassifier(loaded).Classify(probe, Classes).Scores!.ShouldBe(new ModelClassifier(artifact).Classify(probe, Classes).Scores!);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Train_SameDataAndSeed_GivesTheSameCalibration()
    {
        var examples = Sample();

        var first = new ModelTrainer().Train(examples, new TrainingOptions { CalibrationFolds = 3 });
        var second = new ModelTrainer().Train(examples, new TrainingOptions { CalibrationFolds = 3 });

        second.Metadata.Calibration.Points.ShouldBe(first.Metadata.Calibration.Points);
        first.Metadata.Calibration.Points.Count.ShouldBeGreaterThan(1);
    }

    [Fact]
    public void FoldOf_EveryTrainingSignal_FallsInExactlyOneValidFold()
    {
        var folds = ModelQualityTests.TrainingCorpus().Select(e => ModelTrainer.FoldOf(e.Signal, 5)).ToList();

        folds.ShouldAllBe(f => f >= 0 && f < 5);
        folds.Distinct().Count().ShouldBe(5);
    }

    [Fact]
    public void HashOf_ChangeToWhatTheModelReads_ChangesTheHash()
    {
        var examples = Sample();
        var edited = examples.Select((e, i) => i == 0 ? e with { Signal = e.Signal with { Annotations = new Dictionary<string, string> { ["summary"] = "something else entirely" } } } : e).ToList();

        ModelTrainer.HashOf(edited).ShouldNotBe(ModelTrainer.HashOf(examples));
    }

    [Fact]
    public void Train_TooFewExamples_IsRefused()
    {
        Should.Throw<ArgumentException>(() => new ModelTrainer().Train(Sample().Take(5).ToList()));
    }

    [Fact]
    public void Classify_TrainedModel_ReturnsAProbabilityForEveryClass()
    {
        var model = new ModelClassifier(new ModelTrainer().Train(Sample(), new TrainingOptions { CalibrationFolds = 0 }));

        var result = model.Classify(Probes()[0], Classes);

        result.Scores!.Keys.ShouldBe(FailureClasses.Seed.Append(Classification.Unknown), ignoreOrder: true);
        result.Scores.Values.Sum().ShouldBe(1.0, 1e-6);
        result.Classifier.ShouldBe(ClassifierNames.Model);
    }

    private static List<LabelledSignal> Sample() =>
        ModelQualityTests.Corpus("train.jsonl").Where((_, i) => i % 6 == 0).ToList();

    private static Signal[] Probes() =>
    [
        new() { Id = "p1", Source = "log", Text = "Exception in thread main java.lang.OutOfMemoryError: GC overhead limit exceeded" },
        new() { Id = "p2", Source = "alertmanager", Labels = new Dictionary<string, string> { ["alertname"] = "VolumeFillingUp" } },
        new() { Id = "p3", Source = "log", Text = "user login succeeded" },
    ];
}
