namespace Homeostat.Catalog;

/// <summary>One problem in a catalog or config file, located precisely enough to fix without searching.</summary>
public sealed record CatalogError(string File, int Line, int Column, string Key, string Message, string? Value = null)
{
    public override string ToString()
    {
        var value = Value is null ? string.Empty : $" (value: {Value})";
        return $"{File}:{Line}:{Column}: {Key}: {Message}{value}";
    }
}

public sealed record CatalogLoadResult(RemediationCatalog? Catalog, IReadOnlyList<CatalogError> Errors)
{
    public bool IsValid => Catalog is not null && Errors.Count == 0;
}
