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
        var value = Value is null ? string.Empty : $" (value: {Value})";
        return Printable(WithoutCredentials($"{location}{key}{message}{value}"));
    }

    /// <summary>A URL's user information (a password, a token) never reaches an error message, wherever the URL is quoted.</summary>
    private static string WithoutCredentials(string value) =>
        System.Text.RegularExpressions.Regex.Replace(value, @"://[^/@\s']+@", "://***@", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>
    /// Keys and values are quoted from the file as written: control, bidirectional and unpaired surrogate characters
    /// are shown escaped, so the error stays one line and prints as what the file holds.
    /// </summary>
    private static string Printable(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var character = text[i];
            if (char.IsHighSurrogate(character) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(character).Append(text[++i]);
            }
            else if (char.IsControl(character) || char.IsSurrogate(character) || char.GetUnicodeCategory(character) is
                     System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                builder.Append($"\\u{(int)character:x4}");
            }
            else
            {
                builder.Append(character);
            }
        }

        return builder.ToString();
    }
}

public sealed record CatalogLoadResult(RemediationCatalog? Catalog, IReadOnlyList<CatalogError> Errors)
{
    public bool IsValid => Catalog is not null && Errors.Count == 0;

    /// <summary>Problems that do not stop the catalog loading, such as an action whose module the config turns off.</summary>
    public IReadOnlyList<CatalogError> Warnings { get; init; } = [];
}
