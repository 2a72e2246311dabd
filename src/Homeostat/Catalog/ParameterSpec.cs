using System.Globalization;
using System.Text.RegularExpressions;
using Homeostat.Primitives;

namespace Homeostat.Catalog;

public enum ParameterKind
{
    String,
    Integer,
    Number,
    Boolean,
    Duration,
    ByteSize,
    StringList,
}

/// <summary>One parameter an action accepts, with the checks the catalog applies when it loads.</summary>
public sealed record ParameterSpec(string Name, ParameterKind Kind, string Description)
{
    public bool Required { get; init; }

    public object? Default { get; init; }

    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    /// <summary>For strings and list items: a pattern the whole value must match.</summary>
    public string? Pattern { get; init; }

    /// <summary>Converts a scalar (or list) from the catalog into the parameter's type, or says why it cannot.</summary>
    public bool TryConvert(object raw, out object? value, out string? error)
    {
        value = null;
        error = null;
        switch (Kind)
        {
            case ParameterKind.StringList:
                if (raw is not IReadOnlyList<string> items)
                {
                    error = "must be a list of strings";
                    return false;
                }

                foreach (var item in items)
                {
                    if (!MatchesPattern(item))
                    {
                        error = $"item '{item}' does not match {Pattern}";
                        return false;
                    }
                }

                value = items;
                return true;
            case ParameterKind.String when raw is string text:
                if (!MatchesPattern(text))
                {
                    error = $"must match {Pattern}";
                    return false;
                }

                value = text;
                return true;
            case ParameterKind.Integer when raw is string text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer):
                return InRange(integer, integer, out value, out error);
            case ParameterKind.Number when raw is string text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return InRange(number, number, out value, out error);
            case ParameterKind.Boolean when raw is string text && bool.TryParse(text, out var flag):
                value = flag;
                return true;
            case ParameterKind.Duration when raw is string text && Primitives.Duration.TryParse(text, out var duration):
                return InRange(duration.Value.TotalSeconds, duration, out value, out error);
            case ParameterKind.ByteSize when raw is string text && Primitives.ByteSize.TryParse(text, out var size):
                return InRange(size.Bytes, size, out value, out error);
            default:
                error = Kind switch
                {
                    ParameterKind.Integer => "must be a whole number",
                    ParameterKind.Number => "must be a number",
                    ParameterKind.Boolean => "must be true or false",
                    ParameterKind.Duration => "must be a duration such as 30s, 5m, 1h or 14d",
                    ParameterKind.ByteSize => "must be a size such as 512Mi, 1Gi or 100MB",
                    _ => "must be a string",
                };
                return false;
        }
    }

    // \z, not $: '$' also matches before a final newline, which would let "name\n" through.
    private bool MatchesPattern(string text) =>
        Pattern is null || Regex.IsMatch(text, $@"\A(?:{Pattern})\z", RegexOptions.NonBacktracking);

    private bool InRange(double measure, object converted, out object? value, out string? error)
    {
        value = null;
        error = null;
        if (Minimum is { } minimum && measure < minimum)
        {
            error = $"must be at least {Describe(minimum)}";
            return false;
        }

        if (Maximum is { } maximum && measure > maximum)
        {
            error = $"must be at most {Describe(maximum)}";
            return false;
        }

        value = converted;
        return true;
    }

    private string Describe(double bound) => Kind switch
    {
        ParameterKind.Duration => new Duration(TimeSpan.FromSeconds(bound)).ToString(),
        ParameterKind.ByteSize => new ByteSize((long)bound).ToString(),
        _ => bound.ToString(CultureInfo.InvariantCulture),
    };
}
