using Homeostat.Diagnosis;
using Homeostat.Primitives;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace Homeostat.Learning;

public sealed record TrainingOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>Folds for the out-of-fold predictions the calibration is fitted on.</summary>
    public int CalibrationFolds { get; init; } = 5;

    public int MaximumIterations { get; init; } = 60;
}

/// <summary>
/// Trains the multiclass text model deterministically (fixed seed, one thread) and fits the ensemble's calibration on
/// out-of-fold predictions. Folds group examples by their alert name or opening words, so the calibration sees how the
/// ensemble does on phrasings the model did not train on, not on near-copies of its training rows.
/// </summary>
public sealed class ModelTrainer
{
    public ModelArtifact Train(IReadOnlyList<LabelledSignal> examples, TrainingOptions? options = null)
    {
        options ??= new TrainingOptions();
        if (examples.Count < 10)
        {
            throw new ArgumentException("training needs at least 10 labelled signals", nameof(examples));
        }

        var classes = examples.Select(e => e.Label).Append(Classification.Unknown).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var rows = examples.Select(ToRow).ToList();

        var calibration = FitCalibration(examples, rows, classes, options);
        var context = new MLContext(seed: options.Seed);
        var data = context.Data.LoadFromEnumerable(rows);
        var model = Pipeline(context, options).Fit(data);
        var hash = HashOf(examples);
        var metadata = new ModelMetadata(classes, calibration, options.Seed, examples.Count, hash, $"ML.NET SDCA maximum entropy, word 1-2 and char 4-grams, seed {options.Seed}");
        return new ModelArtifact(context, model, data.Schema, metadata);
    }

    /// <summary>A fingerprint of the training data, so a shipped model can be checked against the corpus it claims.</summary>
    /// <remarks>It covers exactly what the model reads (the composed head and body) and the label.</remarks>
    public static string HashOf(IReadOnlyList<LabelledSignal> examples) =>
        Hashing.Sha256Hex(string.Join("\n", examples.Select(e =>
        {
            var (head, body) = FeatureText.Compose(e.Signal);
            return $"{e.Label}\t{head}\t{body}";
        })))[..16];

    internal static ModelInput ToRow(LabelledSignal example)
    {
        var (head, body) = FeatureText.Compose(example.Signal);
        return new ModelInput { Head = head, Body = body, Label = example.Label };
    }

    private static IEstimator<ITransformer> Pipeline(MLContext context, TrainingOptions options)
    {
        var text = new TextFeaturizingEstimator.Options
        {
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
            KeepDiacritics = false,
            KeepPunctuations = false,
            KeepNumbers = false,
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
            CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 4, UseAllLengths = false },
            Norm = TextFeaturizingEstimator.NormFunction.L2,
        };
        return context.Transforms.Conversion.MapValueToKey("Label")
            .Append(context.Transforms.Text.FeaturizeText("HeadFeatures", text, nameof(ModelInput.Head)))
            .Append(context.Transforms.Text.FeaturizeText("BodyFeatures", text, nameof(ModelInput.Body)))
            .Append(context.Transforms.Concatenate("Features", "HeadFeatures", "BodyFeatures"))
            .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                NumberOfThreads = 1,
                MaximumNumberOfIterations = options.MaximumIterations,
                L2Regularization = 1e-4f,
                Shuffle = true,
            }))
            .Append(context.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }

    private static ConfidenceCalibration FitCalibration(IReadOnlyList<LabelledSignal> examples, List<ModelInput> rows, List<string> classes, TrainingOptions options)
    {
        if (options.CalibrationFolds < 2)
        {
            return ConfidenceCalibration.Identity;
        }

        var classSet = new ClassSet(classes);
        var rules = new RuleClassifier();
        var ensembleOptions = new EnsembleOptions();
        var folds = examples.Select(e => FoldOf(e.Signal, options.CalibrationFolds)).ToList();
        var observations = new List<(double Raw, bool Correct)>();
        for (var fold = 0; fold < options.CalibrationFolds; fold++)
        {
            var trainRows = rows.Where((_, i) => folds[i] != fold).ToList();
            var testIndexes = Enumerable.Range(0, rows.Count).Where(i => folds[i] == fold).ToList();
            if (trainRows.Count == 0 || testIndexes.Count == 0 || trainRows.Select(r => r.Label).Distinct().Count() < 2)
            {
                continue;
            }

            var context = new MLContext(seed: options.Seed + fold + 1);
            var model = Pipeline(context, options).Fit(context.Data.LoadFromEnumerable(trainRows));
            var scorer = new ModelScorer(context, model);
            foreach (var index in testIndexes)
            {
                var example = examples[index];
                var modelVote = scorer.Classify(example.Signal, classSet);
                var rulesVote = rules.Classify(example.Signal, classSet);
                var (top, raw) = EnsembleClassifier.RawScore(rulesVote, modelVote, classSet, ensembleOptions);
                observations.Add((raw, top == example.Label));
            }
        }

        return observations.Count == 0 ? ConfidenceCalibration.Identity : ConfidenceCalibration.Fit(observations);
    }

    /// <summary>The calibration fold of a signal, in [0, folds).</summary>
    internal static int FoldOf(Signals.Signal signal, int folds) => (int)((uint)StableHash(GroupKey(signal)) % (uint)folds);

    /// <summary>Examples of one alert or one opening phrase share a fold, so calibration measures generalisation.</summary>
    private static string GroupKey(Signals.Signal signal)
    {
        var name = signal.Title ?? signal.Label("alertname");
        if (!string.IsNullOrWhiteSpace(name))
        {
            return name.ToLowerInvariant();
        }

        var words = (signal.Text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(w => !w.Any(char.IsDigit)).Take(4);
        return string.Join(' ', words).ToLowerInvariant();
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var character in text)
            {
                hash = (hash ^ character) * 16777619;
            }

            return hash;
        }
    }
}
