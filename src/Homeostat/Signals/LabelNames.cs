using System.Text.RegularExpressions;

namespace Homeostat.Signals;

/// <summary>Prometheus' label-name rule, shared by every place that accepts label names.</summary>
public static partial class LabelNames
{
    public const string Rule = "[a-zA-Z_][a-zA-Z0-9_]*";

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^" + Rule + "\\z")]
    private static partial Regex Pattern();
}
