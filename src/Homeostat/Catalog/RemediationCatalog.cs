using Homeostat.Primitives;

namespace Homeostat.Catalog;

/// <summary>Where something was written in a file, for error messages and the audit trail.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

public sealed record VerifySpec(Duration After, Duration Timeout, Duration Interval);

public sealed record RateLimitSpec(int Max, Duration Per);

public enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>One class's reviewed remediation, as the catalog says it.</summary>
public sealed record RemediationSpec
{
    public required string Class { get; init; }

    public required string Action { get; init; }

    public required double ConfidenceFloor { get; init; }

    public bool Auto { get; init; }

    /// <summary>True forces dry-run for this remediation; false and null leave the global setting in charge.</summary>
    public bool? DryRun { get; init; }

    public ActionParameters Parameters { get; init; } = ActionParameters.Empty;

    public VerifySpec? Verify { get; init; }

    public RateLimitSpec? RateLimit { get; init; }

    public Duration? ShadowPeriod { get; init; }

    public RiskLevel Risk { get; init; } = RiskLevel.Medium;

    /// <summary>When true a human approves each action before it runs.</summary>
    public bool RequiresApproval { get; init; }

    public string? Description { get; init; }

    public required SourceLocation Location { get; init; }

    /// <summary>The matcher sets declaring this class, in canonical form; null when none do. Part of the spec hash.</summary>
    public string? DeclaredMatch { get; init; }

    /// <summary>A hash of everything that changes behaviour; a new hash starts a new shadow period.</summary>
    public string SpecHash => ComputeHash();

    private string ComputeHash()
    {
        var parameters = string.Join(";", Parameters.Describe().Select(p => $"{p.Key}={p.Value}"));
        var canonical = string.Join("|",
            Class, Action, ConfidenceFloor.ToString("R", System.Globalization.CultureInfo.InvariantCulture), Auto, DryRun,
            Verify is null ? string.Empty : $"{Verify.After}/{Verify.Timeout}/{Verify.Interval}",
            RateLimit is null ? string.Empty : $"{RateLimit.Max}/{RateLimit.Per}",
            ShadowPeriod, Risk, RequiresApproval, parameters);
        if (DeclaredMatch is not null)
        {
            // Declaring signals for a class changes what it acts on: a new hash, so a new shadow period.
            canonical += "|match=" + DeclaredMatch;
        }

        return Hashing.Sha256Hex(canonical)[..16];
    }
}

public sealed record RemediationCatalog(string Source, string Version, IReadOnlyDictionary<string, RemediationSpec> Remediations)
{
    public static readonly RemediationCatalog Empty = new("(none)", "empty", new Dictionary<string, RemediationSpec>());

    /// <summary>The directories actions may touch for a filesystem or service a signal names (the <c>targets:</c> section).</summary>
    public CatalogTargets Targets { get; init; } = CatalogTargets.None;

    public RemediationSpec? Find(string failureClass) => Remediations.GetValueOrDefault(failureClass);

    /// <summary>The classes and matcher sets the catalog declares, and the name of the label that may carry a class.</summary>
    public CatalogDeclarations Declarations { get; init; } = CatalogDeclarations.None;

    /// <summary>Every class the catalog names: those with a remediation and those declared under <c>classes:</c>.</summary>
    public IEnumerable<string> Classes => Remediations.Keys.Union(Declarations.Classes.Keys, StringComparer.Ordinal);
}
