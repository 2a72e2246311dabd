using Homeostat.Catalog;
using Homeostat.Healing;
using Homeostat.Signals;

namespace Homeostat.Diagnosis;

/// <summary>
/// What the catalog says before any classifier guesses. A signal one class's matcher set declares is that class with
/// confidence 1.0, citing the set's file and line; a signal two classes declare is <c>unknown</c> and escalates with
/// <c>ambiguous_declaration</c>, naming both. Otherwise a class named in the class label (<c>homeostat_class</c>) is
/// taken, when the closed list has it. Only then does the wrapped classifier (the ensemble of rules, model and LLM) decide.
/// </summary>
public sealed class DeclaredClassifier(IClassifier inner, ICatalogProvider catalog) : IClassifier
{
    /// <summary>The classifier name of a classification a matcher set declared.</summary>
    public const string DeclaredName = "declared";

    /// <summary>The classifier name of a classification the signal's class label gave.</summary>
    public const string ClassLabelName = "class_label";

    private const int MaxQuotedLabelLength = 80;

    public string Name => DeclaredName;

    public async ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken)
    {
        var declarations = catalog.Current.Declarations;
        var labelled = LabelledClass(signal, declarations.ClassLabel);
        var declared = Declaring(signal, declarations.Sets);
        if (declared.Count > 1)
        {
            return Ambiguous(signal, declared);
        }

        if (declared.Count == 1)
        {
            var set = declared[0];
            var overruled = labelled is { } label && label.Value != set.Class ? $"; it overrules the label {label.Text}" : string.Empty;
            return new Classification
            {
                Id = signal.Id,
                Class = set.Class,
                Confidence = 1.0,
                Classifier = DeclaredName,
                Reasoning = $"declared by {set.Citation}{overruled}",
                Evidence = [set.Citation],
            };
        }

        if (labelled is { } hint)
        {
            if (classes.Contains(hint.Value))
            {
                return new Classification
                {
                    Id = signal.Id,
                    Class = hint.Value,
                    Confidence = 1.0,
                    Classifier = ClassLabelName,
                    Reasoning = hint.Value == Classification.Unknown
                        ? $"the label {hint.Text} sends the signal to a human"
                        : $"the label {hint.Text} names a class of the closed list",
                    Evidence = [hint.Text],
                };
            }
        }

        var classification = await inner.ClassifyAsync(signal, classes, cancellationToken);
        return labelled is { } ignored
            ? classification with { Reasoning = $"{classification.Reasoning}; the label {ignored.Text} names no class of the catalog and is ignored" }
            : classification;
    }

    /// <summary>The value of a pseudo-label or label; a missing label is the empty string, as in Alertmanager.</summary>
    public static string ValueOf(Signal signal, string name) => name switch
    {
        LabelMatcher.TitleLabel => signal.Title ?? string.Empty,
        LabelMatcher.TextLabel => signal.Text ?? string.Empty,
        LabelMatcher.SourceLabel => signal.Source,
        _ => signal.Label(name) ?? string.Empty,
    };

    /// <summary>For each class that declares the signal, the first of its sets that does.</summary>
    private static List<MatcherSet> Declaring(Signal signal, IReadOnlyList<MatcherSet> sets)
    {
        var declaring = new List<MatcherSet>();
        foreach (var set in sets)
        {
            if (!declaring.Exists(d => d.Class == set.Class) && set.Matches(name => ValueOf(signal, name)))
            {
                declaring.Add(set);
            }
        }

        return declaring;
    }

    private static Classification Ambiguous(Signal signal, List<MatcherSet> declared)
    {
        var names = declared.Select(d => d.Class).ToList();
        var both = names.Count == 2 ? "both" : "all";
        return Classification.UnknownFrom(DeclaredName,
                $"{EscalationReasons.AmbiguousDeclaration}: classes {string.Join(" and ", names)} {both} declare this signal "
                + $"({string.Join("; ", declared.Select(d => $"{d.Class}: {d.Citation}"))}); a human decides which")
            with
            {
                Id = signal.Id,
                EscalationReason = EscalationReasons.AmbiguousDeclaration,
                Evidence = declared.Select(d => d.Citation).ToList(),
            };
    }

    /// <summary>The class label's value, if the signal carries one; <c>Text</c> quotes it safely for reasons.</summary>
    private static (string Value, string Text)? LabelledClass(Signal signal, string labelName)
    {
        if (labelName.Length == 0 || signal.Label(labelName) is not { Length: > 0 } value)
        {
            return null;
        }

        var shown = value.Length > MaxQuotedLabelLength ? value[..MaxQuotedLabelLength] + "…" : value;
        return (value, labelName + "=" + LabelMatcher.Quote(shown));
    }
}
