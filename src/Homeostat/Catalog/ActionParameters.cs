using Homeostat.Primitives;

namespace Homeostat.Catalog;

/// <summary>The typed, validated parameters of one remediation, defaults filled in.</summary>
public sealed class ActionParameters(IReadOnlyDictionary<string, object?> values)
{
    public static readonly ActionParameters Empty = new(new Dictionary<string, object?>());

    public IReadOnlyDictionary<string, object?> Values { get; } = values;

    public bool Has(string name) => Values.TryGetValue(name, out var value) && value is not null;

    public string? String(string name) => Values.GetValueOrDefault(name) as string;

    public long? Integer(string name) => Values.GetValueOrDefault(name) is long value ? value : null;

    public double? Number(string name) => Values.GetValueOrDefault(name) is double value ? value : null;

    public bool? Boolean(string name) => Values.GetValueOrDefault(name) is bool value ? value : null;

    public Duration? Duration(string name) => Values.GetValueOrDefault(name) is Duration value ? value : null;

    public ByteSize? ByteSize(string name) => Values.GetValueOrDefault(name) is ByteSize value ? value : null;

    public IReadOnlyList<string> StringList(string name) => Values.GetValueOrDefault(name) as IReadOnlyList<string> ?? [];

    /// <summary>Parameters as plain strings, for the audit trail and previews.</summary>
    public IReadOnlyDictionary<string, string> Describe() =>
        Values.Where(v => v.Value is not null)
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .ToDictionary(v => v.Key, v => v.Value is IReadOnlyList<string> list ? string.Join(",", list) : Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture)!);
}
