using System.Collections.Concurrent;
using Homeostat.Diagnosis;
using Homeostat.Signals;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Homeostat.Learning;

/// <summary>Scores signals with a trained model. Prediction engines are not thread-safe, so each caller borrows one from a pool.</summary>
internal sealed class ModelScorer
{
    private readonly MLContext _context;
    private readonly ITransformer _model;
    private readonly ConcurrentBag<PredictionEngine<ModelInput, ModelOutput>> _engines = [];
    private readonly string[] _classes;

    public ModelScorer(MLContext context, ITransformer model)
    {
        _context = context;
        _model = model;
        var engine = Create();
        _classes = SlotNames(engine.OutputSchema);
        _engines.Add(engine);
    }

    public IReadOnlyList<string> Classes => _classes;

    public Classification Classify(Signal signal, ClassSet classes)
    {
        var (head, body) = FeatureText.Compose(signal);
        if (!_engines.TryTake(out var engine))
        {
            engine = Create();
        }

        ModelOutput output;
        try
        {
            output = engine.Predict(new ModelInput { Head = head, Body = body });
        }
        finally
        {
            _engines.Add(engine);
        }

        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < _classes.Length && i < output.Score.Length; i++)
        {
            if (classes.Contains(_classes[i]))
            {
                scores[_classes[i]] = output.Score[i];
            }
        }

        var total = scores.Values.Sum();
        if (total > 0)
        {
            foreach (var key in scores.Keys.ToList())
            {
                scores[key] /= total;
            }
        }

        var best = scores.Count == 0 ? new KeyValuePair<string, double>(Classification.Unknown, 0) : scores.MaxBy(s => s.Value);
        return new Classification
        {
            Id = signal.Id,
            Class = best.Key,
            Confidence = best.Value,
            Classifier = ClassifierNames.Model,
            Reasoning = $"the learned model gives {best.Key} a probability of {best.Value:0.00}",
            Scores = scores,
        };
    }

    private PredictionEngine<ModelInput, ModelOutput> Create() => _context.Model.CreatePredictionEngine<ModelInput, ModelOutput>(_model);

    private static string[] SlotNames(DataViewSchema schema)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        schema["Score"].GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
