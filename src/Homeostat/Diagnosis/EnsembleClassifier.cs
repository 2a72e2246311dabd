using System.Globalization;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Diagnosis;

public sealed class EnsembleOptions
{
    public const string Section = "Classifier:Ensemble";

    /// <summary>Weight of the learned model's probabilities.</summary>
    public double ModelWeight { get; set; } = 1.0;

    /// <summary>Weight of a rule match (multiplied by the rule's confidence).</summary>
    public double RuleWeight { get; set; } = 2.0;

    /// <summary>How much the rules' silence counts for <c>unknown</c>: rules are precise but do not know everything.</summary>
    public double RuleSilenceWeight { get; set; } = 0.25;

    /// <summary>Below this calibrated confidence the ensemble answers <c>unknown</c>: too little evidence to name a class.</summary>
    public double MinimumConfidence { get; set; } = 0.5;

    /// <summary>How far a disagreeing (or manipulated) LLM lowers confidence: up to this share of it.</summary>
    public double LlmInfluence { get; set; } = 0.3;

    /// <summary>
    /// The highest confidence for a class no deterministic rule supports. Below every automatic floor by default, so
    /// the learned model and the LLM can name a class for a human, but only a rule match can lead to an automatic action.
    /// </summary>
    public double UnconfirmedCeiling { get; set; } = 0.79;
}

/// <summary>Checks the ensemble's settings at start-up, including that unconfirmed classes stay below every automatic floor.</summary>
public sealed class EnsembleOptionsValidator(Catalog.ICatalogProvider catalog) : IValidateOptions<EnsembleOptions>
{
    public ValidateOptionsResult Validate(string? name, EnsembleOptions options)
    {
        var errors = new List<string>();
        void InUnitRange(string key, double value)
        {
            if (!double.IsFinite(value) || value < 0 || value > 1)
            {
                errors.Add($"classifier.ensemble.{key} must be between 0 and 1 (got {value.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        InUnitRange("minimum_confidence", options.MinimumConfidence);
        InUnitRange("llm_influence", options.LlmInfluence);
        InUnitRange("unconfirmed_ceiling", options.UnconfirmedCeiling);
        foreach (var (key, value) in new[] { ("model_weight", options.ModelWeight), ("rule_weight", options.RuleWeight), ("rule_silence_weight", options.RuleSilenceWeight) })
        {
            if (!double.IsFinite(value) || value < 0 || value > 100)
            {
                errors.Add($"classifier.ensemble.{key} must be between 0 and 100 (got {value.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        var lowestAutomaticFloor = catalog.Current.Remediations.Values.Where(r => r.Auto).Select(r => (double?)r.ConfidenceFloor).Min();
        if (lowestAutomaticFloor is { } floor && options.UnconfirmedCeiling >= floor)
        {
            errors.Add($"classifier.ensemble.unconfirmed_ceiling {options.UnconfirmedCeiling.ToString(CultureInfo.InvariantCulture)} must stay below the lowest automatic confidence_floor in the catalog ({floor.ToString(CultureInfo.InvariantCulture)}), or classes no rule supports could act on their own");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Where the ensemble's calibration comes from: the learned model's artifact, or none.</summary>
public interface ICalibrationSource
{
    ConfidenceCalibration Calibration { get; }
}

/// <summary>
/// Combines the members (rules, the learned model, and the LLM when configured) into one class and one calibrated
/// confidence. Agreement raises confidence and disagreement lowers it; too little evidence gives <c>unknown</c>.
/// The LLM never introduces a class the other evidence does not support: it can only confirm or lower. Each member's
/// vote is kept in <see cref="Classification.Votes"/> for the audit trail.
/// </summary>
public sealed class EnsembleClassifier(IEnumerable<IClassifierMember> members, IOptionsMonitor<EnsembleOptions> options, ICalibrationSource? calibration = null) : IClassifier
{
    private readonly IReadOnlyList<IClassifierMember> _members = members.ToList();

    public string Name => ClassifierNames.Ensemble;

    public async ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken)
    {
        var votes = new List<Classification>(_members.Count);
        foreach (var member in _members)
        {
            try
            {
                votes.Add(classes.Constrain(await member.ClassifyAsync(signal, classes, cancellationToken)));
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One failing member must not silence the others: its vote is unknown, with the cause for the audit trail.
                votes.Add(Classification.UnknownFrom(member.Name, $"{member.Name} failed: {exception.GetType().Name}: {exception.Message}") with { Id = signal.Id });
            }
        }

        return Combine(signal.Id, votes, classes);
    }

    public Classification Combine(string? id, IReadOnlyList<Classification> votes, ClassSet classes)
    {
        var settings = options.CurrentValue;
        var rules = votes.FirstOrDefault(v => v.Classifier == ClassifierNames.Rules);
        // A model vote without probabilities is a failed one: combine as if the model were absent.
        var model = votes.FirstOrDefault(v => v.Classifier == ClassifierNames.Model && v.Scores is not null);
        var llm = votes.FirstOrDefault(v => v.Classifier == ClassifierNames.Llm);

        string top;
        double calibrated;
        if (model is null)
        {
            // Without the model there is nothing to weigh or calibrate against: the rules' own confidence stands.
            top = rules?.Class ?? Classification.Unknown;
            calibrated = rules is null || rules.IsUnknown ? 0 : rules.Confidence;
        }
        else
        {
            (top, var raw) = RawScore(rules, model, classes, settings);
            calibrated = (calibration?.Calibration ?? ConfidenceCalibration.Identity).Apply(raw);
        }

        var reasoning = Explain(top, rules, model);
        if (llm is not null && !llm.IsUnknown && top != Classification.Unknown)
        {
            // The LLM can only doubt. Its agreement raises nothing, so neither an injected instruction nor a confident
            // model of the world can lift a decision over a floor the rules and the learned model did not reach.
            var suspicious = llm.Evidence.Any(e => e.Contains("instruction-like", StringComparison.OrdinalIgnoreCase));
            if (llm.Class != top || suspicious)
            {
                calibrated *= 1 - (settings.LlmInfluence * Math.Max(llm.Confidence, suspicious ? 1 : 0));
                reasoning += suspicious
                    ? "; the signal holds instruction-like text, which lowers confidence"
                    : $"; the LLM says {llm.Class}, which lowers confidence";
            }
            else
            {
                reasoning += "; the LLM agrees";
            }
        }

        // A rule's suggestive match (at or below the ceiling) names a class for a human but confirms nothing.
        var confirmedByRules = rules is not null && rules.Class == top && rules.Confidence > settings.UnconfirmedCeiling;
        if (!confirmedByRules && top != Classification.Unknown && calibrated > settings.UnconfirmedCeiling)
        {
            calibrated = settings.UnconfirmedCeiling;
            reasoning += "; no rule confirms it, so it stays below the automatic floors";
        }

        calibrated = Math.Clamp(calibrated, 0, 1);
        if (top == Classification.Unknown || calibrated < settings.MinimumConfidence)
        {
            var why = top == Classification.Unknown
                ? "the evidence points to no known class"
                : $"too little evidence for {top} (confidence {calibrated.ToString("0.00", CultureInfo.InvariantCulture)} below {settings.MinimumConfidence.ToString("0.00", CultureInfo.InvariantCulture)})";
            var unknownConfidence = top == Classification.Unknown
                ? (model is not null ? calibrated : rules is { IsUnknown: true, Confidence: > 0 } ? rules.Confidence : 1 - (rules?.Confidence ?? 0))
                : 1 - calibrated;
            return Classification.UnknownFrom(Name, $"{why}: {reasoning}", unknownConfidence) with { Id = id, Votes = votes };
        }

        return new Classification
        {
            Id = id,
            Class = top,
            Confidence = calibrated,
            Classifier = Name,
            Reasoning = reasoning,
            Evidence = votes.SelectMany(v => v.Evidence).Distinct().Take(10).ToList(),
            Votes = votes,
        };
    }

    /// <summary>The top class and its share of the weighted evidence, before calibration.</summary>
    public static (string Class, double Raw) RawScore(Classification? rules, Classification? model, ClassSet classes, EnsembleOptions settings)
    {
        var scores = classes.Classes.ToDictionary(c => c, _ => 0.0, StringComparer.Ordinal);
        if (model is not null)
        {
            if (model.Scores is { } probabilities)
            {
                foreach (var (name, probability) in probabilities)
                {
                    if (scores.ContainsKey(name))
                    {
                        scores[name] += settings.ModelWeight * probability;
                    }
                }
            }
            else
            {
                scores[model.Class] += settings.ModelWeight * model.Confidence;
            }
        }

        if (rules is not null)
        {
            if (rules.IsUnknown)
            {
                // Silence counts a little; a rule that positively shows another fault (a missing series, CPU) counts fully.
                scores[Classification.Unknown] += rules.Confidence > 0 ? settings.RuleWeight * rules.Confidence : settings.RuleSilenceWeight;
            }
            else
            {
                scores[rules.Class] += settings.RuleWeight * rules.Confidence;
            }
        }

        var total = scores.Values.Sum();
        if (total <= 0)
        {
            return (Classification.Unknown, 0);
        }

        var best = scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).First();
        return (best.Key, best.Value / total);
    }

    private static string Explain(string top, Classification? rules, Classification? model)
    {
        var parts = new List<string>();
        if (rules is not null)
        {
            parts.Add(rules.IsUnknown ? "no rule matched" : rules.Class == top ? $"rules say {rules.Class} ({rules.Reasoning})" : $"rules say {rules.Class}");
        }

        if (model is not null)
        {
            parts.Add($"model says {model.Class} ({model.Confidence.ToString("0.00", CultureInfo.InvariantCulture)})");
        }

        return string.Join("; ", parts);
    }
}
