using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Homeostat.Primitives;

/// <summary>A size in bytes written as Kubernetes quantities or plain units: <c>512Mi</c>, <c>1Gi</c>, <c>100MB</c>, <c>4096</c>.</summary>
[TypeConverter(typeof(ByteSizeTypeConverter))]
public readonly partial record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    private static readonly Dictionary<string, long> Multipliers = new(StringComparer.Ordinal)
    {
        [""] = 1, ["B"] = 1,
        ["Ki"] = 1L << 10, ["Mi"] = 1L << 20, ["Gi"] = 1L << 30, ["Ti"] = 1L << 40,
        ["KiB"] = 1L << 10, ["MiB"] = 1L << 20, ["GiB"] = 1L << 30, ["TiB"] = 1L << 40,
        ["k"] = 1000, ["K"] = 1000, ["M"] = 1000_000, ["G"] = 1000_000_000, ["T"] = 1000_000_000_000,
        ["KB"] = 1000, ["MB"] = 1000_000, ["GB"] = 1000_000_000, ["TB"] = 1000_000_000_000,
    };

    public static bool TryParse(string? text, out ByteSize size)
    {
        size = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = SizePattern().Match(text.Trim());
        if (!match.Success || !Multipliers.TryGetValue(match.Groups["unit"].Value, out var multiplier))
        {
            return false;
        }

        if (!decimal.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number > long.MaxValue / (decimal)multiplier)
        {
            return false;
        }

        var bytes = number * multiplier;
        if (bytes > long.MaxValue)
        {
            return false;
        }

        size = new ByteSize((long)bytes);
        return true;
    }

    public static ByteSize Parse(string text) =>
        TryParse(text, out var size) ? size : throw new FormatException($"'{text}' is not a size (use forms like 512Mi, 1Gi, 100MB or a number of bytes)");

    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    public override string ToString()
    {
        string[] units = ["Ti", "Gi", "Mi", "Ki"];
        for (var i = 0; i < units.Length; i++)
        {
            var multiplier = Multipliers[units[i]];
            if (Bytes >= multiplier && Bytes % multiplier == 0)
            {
                return $"{Bytes / multiplier}{units[i]}";
            }
        }

        return Bytes >= 1L << 20
            ? string.Create(CultureInfo.InvariantCulture, $"{Bytes / (double)(1L << 20):0.0}Mi")
            : Bytes.ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)\s*(?<unit>[A-Za-z]{0,3})\z")]
    private static partial Regex SizePattern();
}

public sealed class ByteSizeTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? ByteSize.Parse(text) : base.ConvertFrom(context, culture, value);
}
