using System.Globalization;

namespace Homeostat.Diagnosis.PromQl;

/// <summary>How much an alert expression says about its class.</summary>
public enum EvidenceStrength
{
    /// <summary>A use against an absolute threshold with no limit, or a service's own latency: a hint, never enough to act.</summary>
    Suggestive = 1,

    /// <summary>Headroom, a share of capacity, a dependency's latency.</summary>
    Moderate = 2,

    /// <summary>A use against its limit, or the fault itself counted (OOM kills, timeouts, a certificate's expiry).</summary>
    Strong = 3,
}

/// <summary>What an alert expression is evidence of: a class, or <c>unknown</c> (a missing series, a failed scrape, another fault).</summary>
public sealed record ExpressionVerdict(string Class, EvidenceStrength Strength, string Reason);

/// <summary>A comparison in the expression: what is compared, how, and with which number (null when against another series).</summary>
public sealed record PromQlComparison(string Operator, IReadOnlyList<string> Metrics, double? Threshold);

/// <summary>A division of one series by another.</summary>
public sealed record PromQlRatio(IReadOnlyList<string> Numerator, IReadOnlyList<string> Denominator);

/// <summary>The parts of a parsed expression classification reads: metrics, functions, ratios and comparisons.</summary>
public sealed record PromQlSummary(
    IReadOnlyList<VectorSelector> Selectors,
    IReadOnlyList<string> Functions,
    IReadOnlyList<PromQlRatio> Ratios,
    IReadOnlyList<PromQlComparison> Comparisons)
{
    public static PromQlSummary Of(PromQlNode node)
    {
        var selectors = new List<VectorSelector>();
        var functions = new List<string>();
        var ratios = new List<PromQlRatio>();
        var comparisons = new List<PromQlComparison>();
        foreach (var each in PromQlEvidence.Nodes(node))
        {
            switch (each)
            {
                case VectorSelector selector:
                    selectors.Add(selector);
                    break;
                case FunctionCall call when !functions.Contains(call.Name):
                    functions.Add(call.Name);
                    break;
                case BinaryOperation { Operator: "/" } division when PromQlEvidence.MetricNames(division.Left) is { Count: > 0 } top && PromQlEvidence.MetricNames(division.Right) is { Count: > 0 } bottom:
                    ratios.Add(new PromQlRatio(top, bottom));
                    break;
                case BinaryOperation { IsComparison: true } comparison:
                    comparisons.Add(new PromQlComparison(
                        comparison.Operator,
                        [.. PromQlEvidence.MetricNames(comparison.Left), .. PromQlEvidence.MetricNames(comparison.Right)],
                        PromQlEvidence.Constant(comparison.Right) ?? PromQlEvidence.Constant(comparison.Left)));
                    break;
            }
        }

        return new PromQlSummary(selectors, functions, ratios, comparisons);
    }
}

/// <summary>
/// Reads an alert expression as evidence. The expression is what the alert fires on, so what it measures counts more
/// than what the alert is called: <c>container_memory_working_set_bytes / container_spec_memory_limit_bytes &gt; 0.9</c>
/// is memory against its limit whatever the name, <c>absent(...)</c> only says a series is missing, and <c>up == 0</c>
/// is the monitoring system's own health. Only the part that decides when the alert fires is read: the left side of
/// <c>and</c> and <c>unless</c> (their right side filters), both sides of <c>or</c>.
/// </summary>
public static class PromQlEvidence
{
    /// <summary>The verdict for an expression's text, or null when it does not parse or names nothing the vocabulary knows.</summary>
    public static ExpressionVerdict? Analyze(string? expression) =>
        PromQlParser.TryParse(expression) is { } node ? Analyze(node) : null;

    public static ExpressionVerdict? Analyze(PromQlNode node)
    {
        var deciding = Deciding(node).ToList();
        if (deciding.SelectMany(Nodes).OfType<FunctionCall>().FirstOrDefault(f => f.Name is "absent" or "absent_over_time") is { } absent)
        {
            return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Strong, $"{absent.Name}({string.Join(", ", MetricNames(absent))}) only says a series is missing");
        }

        var found = new List<(string? Class, EvidenceStrength Strength, string Reason, MetricRole Role)>();
        foreach (var part in deciding)
        {
            Collect(part, found);
        }

        var classes = found.Where(f => f.Class is not null).ToList();
        if (classes.Count > 0)
        {
            var strongest = classes.Max(f => f.Strength);
            var top = classes.Where(f => f.Strength == strongest).ToList();
            if (top.Select(f => f.Class).Distinct().Count() > 1)
            {
                return null;
            }

            var other = found.FirstOrDefault(f => f.Class is null);
            if (strongest == EvidenceStrength.Suggestive && other.Reason is not null)
            {
                return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Moderate, other.Reason);
            }

            return new ExpressionVerdict(top[0].Class!, strongest, top[0].Reason);
        }

        if (found.FirstOrDefault(f => f.Role == MetricRole.Monitoring) is { Reason: not null } monitoring)
        {
            return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Strong, monitoring.Reason);
        }

        if (found.FirstOrDefault(f => f.Role == MetricRole.OtherFault) is { Reason: not null } fault)
        {
            return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Moderate, fault.Reason);
        }

        return null;
    }

    private static void Collect(PromQlNode part, List<(string? Class, EvidenceStrength Strength, string Reason, MetricRole Role)> found)
    {
        foreach (var node in Nodes(part))
        {
            if (node is BinaryOperation { IsSetOperation: false } operation && Against(operation) is { } pair)
            {
                found.Add(pair);
            }
            else if (node is VectorSelector selector)
            {
                var meaning = MetricVocabulary.Read(selector);
                var strength = meaning.Role switch
                {
                    MetricRole.Event => EvidenceStrength.Strong,
                    MetricRole.Share or MetricRole.Headroom or MetricRole.DownstreamLatency => EvidenceStrength.Moderate,
                    MetricRole.Usage or MetricRole.ServerLatency => EvidenceStrength.Suggestive,
                    _ => (EvidenceStrength?)null,
                };
                if (strength is { } known && meaning.Class is not null)
                {
                    found.Add((meaning.Class, known, meaning.What, meaning.Role));
                }
                else if (meaning.Role is MetricRole.OtherFault or MetricRole.Monitoring)
                {
                    found.Add((null, EvidenceStrength.Moderate, meaning.What, meaning.Role));
                }
            }
        }
    }

    /// <summary>A use or headroom on one side and the same resource's limit on the other: strong evidence.</summary>
    private static (string? Class, EvidenceStrength Strength, string Reason, MetricRole Role)? Against(BinaryOperation operation)
    {
        var left = Selectors(operation.Left).Select(s => (Selector: s, Meaning: MetricVocabulary.Read(s))).Where(m => m.Meaning.Class is not null).ToList();
        var right = Selectors(operation.Right).Select(s => (Selector: s, Meaning: MetricVocabulary.Read(s))).Where(m => m.Meaning.Class is not null).ToList();
        foreach (var (one, other) in new[] { (left, right), (right, left) })
        {
            foreach (var used in one.Where(m => m.Meaning.Role is MetricRole.Usage or MetricRole.Headroom))
            {
                var limit = other.FirstOrDefault(m => m.Meaning.Class == used.Meaning.Class && m.Meaning.Role is MetricRole.Limit or MetricRole.Request);
                if (limit.Selector is not null)
                {
                    var strength = limit.Meaning.Role == MetricRole.Limit ? EvidenceStrength.Strong : EvidenceStrength.Suggestive;
                    return (used.Meaning.Class, strength, $"{used.Selector.Metric} against {limit.Selector.Metric}", MetricRole.Share);
                }
            }
        }

        return null;
    }

    /// <summary>The parts of an expression that decide whether it fires.</summary>
    private static IEnumerable<PromQlNode> Deciding(PromQlNode node)
    {
        var pending = new Stack<PromQlNode>([node]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (current is BinaryOperation { IsSetOperation: true } set)
            {
                pending.Push(set.Left);
                if (set.Operator == "or")
                {
                    pending.Push(set.Right);
                }
            }
            else
            {
                yield return current;
            }
        }
    }

    /// <summary>Every node, iteratively (the parser bounds the depth; this bounds nothing else).</summary>
    internal static IEnumerable<PromQlNode> Nodes(PromQlNode node)
    {
        var pending = new Stack<PromQlNode>([node]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            yield return current;
            switch (current)
            {
                case BinaryOperation binary:
                    pending.Push(binary.Right);
                    pending.Push(binary.Left);
                    break;
                case FunctionCall call:
                    for (var i = call.Arguments.Count - 1; i >= 0; i--)
                    {
                        pending.Push(call.Arguments[i]);
                    }

                    break;
                case UnaryMinus minus:
                    pending.Push(minus.Operand);
                    break;
            }
        }
    }

    private static IEnumerable<VectorSelector> Selectors(PromQlNode node) => Nodes(node).OfType<VectorSelector>();

    internal static List<string> MetricNames(PromQlNode node) =>
        Selectors(node).Select(s => s.Metric).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>A number the expression compares with, folding simple arithmetic (<c>86400 * 14</c>).</summary>
    internal static double? Constant(PromQlNode node) => node switch
    {
        NumberLiteral number => number.Value,
        UnaryMinus minus => -Constant(minus.Operand),
        BinaryOperation { Operator: "*" } b => Constant(b.Left) * Constant(b.Right),
        BinaryOperation { Operator: "/" } b when Constant(b.Right) is { } divisor && divisor != 0 => Constant(b.Left) / divisor,
        BinaryOperation { Operator: "+" } b => Constant(b.Left) + Constant(b.Right),
        BinaryOperation { Operator: "-" } b => Constant(b.Left) - Constant(b.Right),
        _ => null,
    };

    public static string Describe(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
