using Homeostat.Diagnosis;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Learning;

public sealed class LearningOptions
{
    public const string Section = "Classifier";

    /// <summary>A model file written by <c>homeostat train</c>. Empty uses the model shipped with Homeostat.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Turn the learned model off and classify with the rules alone.</summary>
    public bool DisableModel { get; set; }

    public EnsembleOptions Ensemble { get; set; } = new();
}

/// <summary>The learned model as an ensemble member; loads its file once, with no network.</summary>
public sealed class ModelClassifier : IClassifierMember, ICalibrationSource
{
    private readonly ModelScorer _scorer;

    public ModelClassifier(ModelArtifact artifact)
    {
        Artifact = artifact;
        _scorer = new ModelScorer(artifact.Context, artifact.Model);
    }

    public ModelClassifier(IOptions<LearningOptions> options)
        : this(string.IsNullOrWhiteSpace(options.Value.ModelPath) ? ModelArtifact.LoadEmbedded() : ModelArtifact.LoadFile(options.Value.ModelPath))
    {
    }

    public ModelArtifact Artifact { get; }

    public string Name => ClassifierNames.Model;

    public ConfidenceCalibration Calibration => Artifact.Metadata.Calibration;

    public ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Classify(signal, classes));

    public Classification Classify(Signal signal, ClassSet classes) => _scorer.Classify(signal, classes);
}
