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

    /// <summary>How far an agreeing LLM may close the gap to certainty, and how far a disagreeing one lowers confidence.</summary>
    public double LlmInfluence { get; set; } = 0.3;

    /// <summary>
    /// The highest confidence for a class no deterministic rule supports. Below every automatic floor by default, so
    /// the learned model and the LLM can name a class for a human, but only a rule match can lead to an automatic action.
    /// </summary>
    public double UnconfirmedCeiling { get; set; } = 0.79;
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
            votes.Add(classes.Constrain(await member.ClassifyAsync(signal, classes, cancellationToken)));
        }

        return Combine(signal.Id, votes, classes);
    }

    public Classification Combine(string? id, IReadOnlyList<Classification> votes, ClassSet classes)
    {
        var settings = options.CurrentValue;
        var rules = votes.FirstOrDefault(v => v.Classifier == ClassifierNames.Rules);
        var model = votes.FirstOrDefault(v => v.Classifier == ClassifierNames.Model);
        var llm = votes.FirstOrDefault(v => v.Classifier == ClassifierNames.Llm);

        var (top, raw) = RawScore(rules, model, classes, settings);
        var calibrated = model is null ? raw : (calibration?.Calibration ?? ConfidenceCalibration.Identity).Apply(raw);
        var reasoning = Explain(top, rules, model);

        if (llm is not null && top != Classification.Unknown)
        {
            if (llm.Class == top)
            {
                calibrated += settings.LlmInfluence * llm.Confidence * (1 - calibrated);
                reasoning += "; the LLM agrees";
            }
            else
            {
                calibrated *= 1 - (settings.LlmInfluence * llm.Confidence);
                reasoning += $"; the LLM says {llm.Class}, which lowers confidence";
            }
        }

        var confirmedByRules = rules is not null && rules.Class == top;
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
            return Classification.UnknownFrom(Name, $"{why}: {reasoning}", top == Classification.Unknown ? calibrated : 1 - calibrated) with { Id = id, Votes = votes };
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
                scores[Classification.Unknown] += settings.RuleSilenceWeight;
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
