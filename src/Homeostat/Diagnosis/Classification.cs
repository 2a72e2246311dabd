using System.Text.Json.Serialization;

namespace Homeostat.Diagnosis;

/// <summary>
/// The one class a signal belongs to, how sure the classifier is, and why in one sentence.
/// <see cref="Class"/> is always one of the closed list: the catalog's classes, the known classes, or <c>unknown</c>.
/// </summary>
public sealed record Classification
{
    public const string Unknown = "unknown";

    public string? Id { get; init; }

    public required string Class { get; init; }

    public required double Confidence { get; init; }

    public required string Classifier { get; init; }

    public required string Reasoning { get; init; }

    public IReadOnlyList<string> Evidence { get; init; } = [];

    /// <summary>A probability for every class of the closed list, when the classifier has one (the learned model).</summary>
    public IReadOnlyDictionary<string, double>? Scores { get; init; }

    /// <summary>
    /// For an <c>unknown</c> the classifier can say more about (two declared classes claim the signal): the escalation
    /// reason to use instead of <c>unknown_class</c>, one of <c>EscalationReasons</c>.
    /// </summary>
    public string? EscalationReason { get; init; }

    /// <summary>Each member's own classification, when this one combines several.</summary>
    public IReadOnlyList<Classification>? Votes { get; init; }

    [JsonIgnore]
    public bool IsUnknown => Class == Unknown;

    public static Classification UnknownFrom(string classifier, string reasoning, double confidence = 0) => new()
    {
        Class = Unknown,
        Confidence = confidence,
        Classifier = classifier,
        Reasoning = reasoning,
    };
}

public static class ClassifierNames
{
    public const string Rules = "rules";
    public const string Model = "model";
    public const string Llm = "llm";
    public const string Ensemble = "ensemble";
}

/// <summary>The seed's failure classes, which classifiers know even when the catalog has no remediation for them.</summary>
public static class FailureClasses
{
    public const string Oom = "oom";
    public const string DiskFull = "disk_full";
    public const string CertExpiry = "cert_expiry";
    public const string DependencyTimeout = "dependency_timeout";
    public const string ConnectionPoolExhausted = "connection_pool_exhausted";

    public static readonly IReadOnlyList<string> Seed = [Oom, DiskFull, CertExpiry, DependencyTimeout, ConnectionPoolExhausted];
}
