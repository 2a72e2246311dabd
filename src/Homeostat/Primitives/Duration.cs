using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Homeostat.Primitives;

/// <summary>A span of time written the way operators write it: <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>14d</c>.</summary>
[TypeConverter(typeof(DurationTypeConverter))]
public readonly partial record struct Duration(TimeSpan Value) : IComparable<Duration>
{
    public static Duration Zero => new(TimeSpan.Zero);

    public static implicit operator TimeSpan(Duration duration) => duration.Value;

    public static Duration FromTimeSpan(TimeSpan value) => new(value);

    public static bool TryParse(string? text, out Duration duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed == "0")
        {
            duration = Zero;
            return true;
        }

        var match = DurationPattern().Match(trimmed);
        if (!match.Success)
        {
            // Only the clock form (00:05:00) falls back to TimeSpan; a bare number such as "30" would silently mean 30 days.
            return trimmed.Contains(':', StringComparison.Ordinal)
                && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
                ? Assign(span, out duration)
                : false;
        }

        if (!TrySum(match, out var total))
        {
            return false;
        }

        duration = new Duration(total);
        return true;
    }

    /// <summary>Adds the parts up in exact decimal ticks, so a written duration reads back to the same tick.</summary>
    private static bool TrySum(Match match, out TimeSpan total)
    {
        total = TimeSpan.Zero;
        var ticks = 0m;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitStart = part.Value.IndexOfAny(['d', 'h', 'm', 's', 'w']);
            var ticksPerUnit = part.Value[unitStart..] switch
            {
                "w" => 7 * TimeSpan.TicksPerDay,
                "d" => TimeSpan.TicksPerDay,
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                _ => TimeSpan.TicksPerMillisecond,
            };
            if (!decimal.TryParse(part.Value[..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                || number > TimeSpan.MaxValue.Ticks / (decimal)ticksPerUnit)
            {
                return false;
            }

            ticks += decimal.Truncate(number * ticksPerUnit);
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        total = new TimeSpan((long)ticks);
        return true;
    }

    public static Duration Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a duration (use forms like 30s, 5m, 1h30m, 14d)");

    private static bool Assign(TimeSpan span, out Duration duration)
    {
        duration = new Duration(span);
        return true;
    }

    public int CompareTo(Duration other) => Value.CompareTo(other.Value);

    public override string ToString()
    {
        if (Value == TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new List<string>();
        var rest = Value;
        if (rest.Days > 0) { parts.Add($"{rest.Days}d"); rest -= TimeSpan.FromDays(rest.Days); }
        if (rest.Hours > 0) { parts.Add($"{rest.Hours}h"); }
        if (rest.Minutes > 0) { parts.Add($"{rest.Minutes}m"); }
        if (rest.Seconds > 0) { parts.Add($"{rest.Seconds}s"); }
        if (rest.Ticks % TimeSpan.TicksPerSecond is var below and > 0)
        {
            parts.Add((below / (decimal)TimeSpan.TicksPerMillisecond).ToString("0.####", CultureInfo.InvariantCulture) + "ms");
        }

        return string.Concat(parts);
    }

    [GeneratedRegex(@"^(?<part>[0-9]+(\.[0-9]+)?(ms|w|d|h|m|s))+\z")]
    private static partial Regex DurationPattern();
}

public sealed class DurationTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Duration.Parse(text) : base.ConvertFrom(context, culture, value);
}
