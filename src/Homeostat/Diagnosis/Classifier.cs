using Homeostat.Signals;

namespace Homeostat.Diagnosis;

/// <summary>
/// Puts a signal into exactly one class of <see cref="ClassSet"/>. Implementations never throw for bad or hostile
/// input: anything they cannot decide is <c>unknown</c> with the reason.
/// </summary>
public interface IClassifier
{
    string Name { get; }

    ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken);
}

/// <summary>The closed list a classifier may answer from: the known classes plus <c>unknown</c>.</summary>
public sealed class ClassSet
{
    private readonly HashSet<string> _classes;

    public ClassSet(IEnumerable<string> classes)
    {
        _classes = new HashSet<string>(classes, StringComparer.Ordinal) { Classification.Unknown };
    }

    public IReadOnlyCollection<string> Classes => _classes;

    public bool Contains(string failureClass) => _classes.Contains(failureClass);

    /// <summary>Clamps an answer into the contract: a class outside the list becomes unknown, the confidence into [0, 1].</summary>
    public Classification Constrain(Classification classification)
    {
        var confidence = double.IsFinite(classification.Confidence) ? Math.Clamp(classification.Confidence, 0, 1) : 0;
        if (!Contains(classification.Class))
        {
            return classification with
            {
                Class = Classification.Unknown,
                Confidence = 0,
                Reasoning = $"'{classification.Class}' is not in the closed list of classes; {classification.Reasoning}",
            };
        }

        return confidence == classification.Confidence ? classification : classification with { Confidence = confidence };
    }
}

/// <summary>Where the closed list comes from: the current catalog's classes and the classifiers' built-in ones.</summary>
public interface IClassSetProvider
{
    ClassSet Current { get; }
}
