using System.Globalization;
using System.Text.RegularExpressions;
using Homeostat.Primitives;

namespace Homeostat.Configuration;

/// <summary>Checks a config value against the type it binds to, with a hint that shows the written form.</summary>
public static partial class ConfigValues
{
    /// <summary>What is wrong with <paramref name="text"/> as a <paramref name="type"/>, or null when it binds.</summary>
    public static string? Problem(string? text, Type type)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var ok = underlying switch
        {
            _ when underlying == typeof(Duration) => Duration.TryParse(text, out _),
            _ when underlying == typeof(ByteSize) => ByteSize.TryParse(text, out _),
            _ when underlying == typeof(bool) => bool.TryParse(text, out _),
            _ when underlying == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when underlying == typeof(long) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when underlying == typeof(double) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ when underlying.IsEnum => Enum.TryParse(underlying, text, ignoreCase: true, out _),
            _ => true,
        };
        if (ok)
        {
            return null;
        }

        if (underlying == typeof(Duration))
        {
            var hint = DurationHint(text);
            return "is not a duration: write a number and a unit without a space (ms, s, m, h, d, w), such as 30s, 5m or 1h"
                + (hint is null ? string.Empty : $"; use {hint}");
        }

        if (underlying.IsEnum)
        {
            return $"must be one of {string.Join(", ", Enum.GetNames(underlying).Select(ConfigValidator.SnakeCase))}";
        }

        return $"is not {ConfigValidator.Describe(type)}";
    }

    /// <summary>The duration an operator probably meant: <c>1 hour</c> is <c>1h</c>, <c>30 seconds</c> is <c>30s</c>.</summary>
    public static string? DurationHint(string text)
    {
        var match = SpelledDuration().Match(text.Trim());
        if (!match.Success)
        {
            return null;
        }

        var unit = match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            var u when u.StartsWith("ms", StringComparison.Ordinal) || u.StartsWith("milli", StringComparison.Ordinal) => "ms",
            var u when u.StartsWith('s') => "s",
            var u when u.StartsWith("mi", StringComparison.Ordinal) || u == "m" => "m",
            var u when u.StartsWith('h') => "h",
            var u when u.StartsWith('d') => "d",
            var u when u.StartsWith('w') => "w",
            _ => null,
        };
        return unit is null ? null : match.Groups["number"].Value + unit;
    }

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)\s*(?<unit>[A-Za-z]+)\z")]
    private static partial Regex SpelledDuration();
}
