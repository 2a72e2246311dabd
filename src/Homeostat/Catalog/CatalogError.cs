namespace Homeostat.Catalog;

/// <summary>
/// One problem in a catalog or config file, located precisely enough to fix without searching:
/// <c>file:line:col: dotted.key: message (value: 'x')</c>. A problem outside any file (an environment variable, a flag)
/// names that instead of <c>file:line:col</c>.
/// </summary>
public sealed record CatalogError(string File, int Line, int Column, string Key, string Message, string? Value = null)
{
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        var key = string.IsNullOrEmpty(Key) ? string.Empty : $": {Key}";
        var message = string.IsNullOrEmpty(Message) ? string.Empty : $": {Message}";
        var value = Value is null ? string.Empty : $" (value: {WithoutCredentials(Value)})";
        return $"{location}{key}{message}{value}";
    }

    /// <summary>A URL's user information (a password, a token) never reaches an error message.</summary>
    private static string WithoutCredentials(string value) =>
        System.Text.RegularExpressions.Regex.Replace(value, @"://[^/@\s']+@", "://***@", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
}

public sealed record CatalogLoadResult(RemediationCatalog? Catalog, IReadOnlyList<CatalogError> Errors)
{
    public bool IsValid => Catalog is not null && Errors.Count == 0;

    /// <summary>Problems that do not stop the catalog loading, such as an action whose module the config turns off.</summary>
    public IReadOnlyList<CatalogError> Warnings { get; init; } = [];
}
