using System.Globalization;
using System.Text.RegularExpressions;

namespace Homeostat.Primitives;

/// <summary>Strict RFC 3339 timestamps, as the signal contract and Alertmanager write them.</summary>
public static partial class Rfc3339
{
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        return text is not null
            && Pattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Pattern();
}
