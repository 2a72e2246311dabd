using Homeostat.Diagnosis;
using Microsoft.Extensions.Options;

namespace Homeostat.Catalog;

public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>The catalog file. Empty uses the built-in catalog (the seed's remediations with verification settings).</summary>
    public string? Path { get; set; }
}

public interface ICatalogProvider
{
    RemediationCatalog Current { get; }
}

/// <summary>Loads the configured catalog once at start-up; a catalog with errors stops start-up with every error listed.</summary>
public sealed class CatalogProvider : ICatalogProvider, IClassSetProvider
{
    public CatalogProvider(CatalogLoader loader, IOptions<CatalogOptions> options)
        : this(Load(loader, options.Value.Path))
    {
    }

    public CatalogProvider(RemediationCatalog catalog)
        : this(new CatalogLoadResult(catalog, []))
    {
    }

    private CatalogProvider(CatalogLoadResult loaded)
    {
        Current = loaded.Catalog!;
        Warnings = loaded.Warnings;
        ClassSet = new ClassSet(Current.Classes.Concat(FailureClasses.Seed));
    }

    public RemediationCatalog Current { get; }

    /// <summary>What the catalog names but this configuration cannot run (an action whose module is turned off), located.</summary>
    public IReadOnlyList<CatalogError> Warnings { get; }

    public ClassSet ClassSet { get; }

    ClassSet IClassSetProvider.Current => ClassSet;

    private static CatalogLoadResult Load(CatalogLoader loader, string? path)
    {
        var result = string.IsNullOrWhiteSpace(path) ? loader.LoadBuiltIn() : loader.LoadFile(path);
        return result.IsValid ? result : throw new CatalogInvalidException(result.Errors);
    }
}

public sealed class CatalogInvalidException(IReadOnlyList<CatalogError> errors)
    : Exception("the catalog is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<CatalogError> Errors { get; } = errors;
}
