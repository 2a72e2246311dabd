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
        if (deciding.Where(d => !d.Filter).SelectMany(d => Nodes(d.Node)).OfType<FunctionCall>().FirstOrDefault(f => f.Name is "absent" or "absent_over_time") is { } absent)
        {
            return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Strong, $"{absent.Name}({string.Join(", ", MetricNames(absent))}) only says a series is missing");
        }

        var found = new List<Finding>();
        foreach (var (part, filter) in deciding)
        {
            var fromPart = new List<Finding>();
            Collect(part, fromPart);

            // A filter (the right side of "and") may add to the class, never turn it into another fault.
            found.AddRange(filter ? fromPart.Where(f => f.Class is not null) : fromPart);
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

            if (strongest == EvidenceStrength.Suggestive && found.FirstOrDefault(f => f.Class is null) is { } other)
            {
                return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Moderate, other.Reason);
            }

            return new ExpressionVerdict(top[0].Class!, strongest, top[0].Reason);
        }

        if (found.FirstOrDefault(f => f.Role == MetricRole.Monitoring) is { } monitoring)
        {
            return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Strong, monitoring.Reason);
        }

        if (found.FirstOrDefault(f => f.Class is null) is { } fault)
        {
            return new ExpressionVerdict(Classification.Unknown, EvidenceStrength.Moderate, fault.Reason);
        }

        return null;
    }

    private sealed record Finding(string? Class, EvidenceStrength Strength, string Reason, MetricRole Role);

    private static void Collect(PromQlNode part, List<Finding> found)
    {
        // Ratios already judged by the comparison around them.
        var judged = new HashSet<PromQlNode>(ReferenceEqualityComparer.Instance);
        foreach (var node in Nodes(part))
        {
            if (node is BinaryOperation { IsComparison: true } comparison && WellInsideItsLimit(comparison, judged) is { } inside)
            {
                found.Add(inside);
            }
            else if (node is BinaryOperation { Operator: "-" } difference && Dropped(difference) is { } dropped)
            {
                found.Add(dropped);
            }
            else if (node is BinaryOperation { IsSetOperation: false } operation && !judged.Contains(operation) && Against(operation) is { } pair)
            {
                found.Add(pair);
            }
            else if (node is VectorSelector selector)
            {
                var meaning = MetricVocabulary.Read(selector);
                var strength = meaning.Role switch
                {
                    MetricRole.Event => EvidenceStrength.Strong,
                    // Free memory under a fixed number names no limit; free disk space is the distance to one.
                    MetricRole.Headroom when meaning.Class == FailureClasses.Oom => EvidenceStrength.Suggestive,
                    MetricRole.Share or MetricRole.Headroom or MetricRole.DownstreamLatency => EvidenceStrength.Moderate,
                    MetricRole.Usage => EvidenceStrength.Suggestive,
                    _ => (EvidenceStrength?)null,
                };
                if (judged.Contains(selector))
                {
                    continue;
                }

                if (strength is { } known && meaning.Class is not null)
                {
                    found.Add(new Finding(meaning.Class, known, meaning.What, meaning.Role));
                }
                else if (meaning.Role is MetricRole.OtherFault or MetricRole.Monitoring)
                {
                    found.Add(new Finding(null, EvidenceStrength.Moderate, meaning.What, meaning.Role));
                }
                else if (meaning.Role == MetricRole.ServerLatency)
                {
                    // A service's own latency names no dependency: slow, but not known to be waiting on anything.
                    found.Add(new Finding(null, EvidenceStrength.Suggestive, meaning.What + ", with no dependency named", meaning.Role));
                }
            }
        }
    }

    /// <summary>
    /// A use compared with its limit at a share far from it (<c>working_set / limit &gt; 0.4</c>): memory reported
    /// well inside its limit, not a resource running out. Marks what it judged so it is not read again.
    /// </summary>
    private static Finding? WellInsideItsLimit(BinaryOperation comparison, HashSet<PromQlNode> judged)
    {
        var (measured, threshold, op) = Constant(comparison.Right) is { } right ? (comparison.Left, right, comparison.Operator)
            : Constant(comparison.Left) is { } left ? (comparison.Right, left, Mirror(comparison.Operator))
            : (null, 0, comparison.Operator);
        if (measured is null || !double.IsFinite(threshold))
        {
            return null;
        }

        var ratio = Nodes(measured).OfType<BinaryOperation>().Where(b => !b.IsSetOperation).Select(b => (Node: b, Pair: Against(b))).FirstOrDefault(b => b.Pair is not null);
        if (ratio.Pair is not { Strength: EvidenceStrength.Strong } pair)
        {
            return ratio.Pair is null ? WrongWay(measured, op, threshold, judged) : null;
        }

        if (threshold < 0 || threshold > 100)
        {
            return null;
        }

        // "100 - free / size * 100 > 90" and "1 - available / capacity > 0.9" turn headroom into use.
        var inverted = measured is BinaryOperation { Operator: "-" } difference && Constant(difference.Left) is not null;
        var share = threshold > 2 ? threshold / 100 : threshold;
        var measuresUse = (pair.Role == MetricRole.Usage) != inverted;
        var near = measuresUse ? op is ">" or ">=" && share >= 0.5 : op is "<" or "<=" && share <= 0.5;
        if (near)
        {
            return null;
        }

        judged.Add(ratio.Node);
        foreach (var selector in Selectors(ratio.Node))
        {
            judged.Add(selector);
        }

        return new Finding(null, EvidenceStrength.Moderate, $"{pair.Reason} {op} {Describe(threshold)}: well inside its limit", MetricRole.OtherFault);
    }

    /// <summary>
    /// Headroom compared upwards (<c>delta(node_filesystem_avail_bytes[1h]) &gt; 50GiB</c>: space freed) or use compared
    /// downwards: the resource moving away from its limit, not towards it.
    /// </summary>
    private static Finding? WrongWay(PromQlNode measured, string op, double threshold, HashSet<PromQlNode> judged)
    {
        var selectors = Selectors(measured).Select(s => (Selector: s, Meaning: MetricVocabulary.Read(s))).Where(m => m.Meaning.Class is not null).ToList();
        if (selectors.Count == 0 || measured is BinaryOperation { Operator: "-" } difference && Constant(difference.Left) is not null)
        {
            return null;
        }

        var upwards = op is ">" or ">=";
        var downwards = op is "<" or "<=";
        // Time left on a certificate compared upwards ("expiry - time() > 30 days") is a certificate that is fine.
        var certificateTimeLeft = selectors.All(m => m.Meaning.Class == FailureClasses.CertExpiry && m.Selector.Metric?.Contains("expired", StringComparison.Ordinal) != true);
        var wrongWay = selectors.All(m => m.Meaning.Role == MetricRole.Headroom) || certificateTimeLeft ? upwards
            : selectors.All(m => m.Meaning.Role == MetricRole.Usage) && downwards;
        if (!wrongWay)
        {
            return null;
        }

        foreach (var (selector, _) in selectors)
        {
            judged.Add(selector);
        }

        return new Finding(null, EvidenceStrength.Moderate, $"{selectors[0].Selector.Metric} {op} {Describe(threshold)}: moving away from its limit", MetricRole.OtherFault);
    }

    /// <summary>Connections accepted but not handled: nginx refusing them at its worker_connections limit.</summary>
    private static Finding? Dropped(BinaryOperation difference) =>
        MetricNames(difference.Left).Any(m => m.EndsWith("connections_accepted", StringComparison.Ordinal))
        && MetricNames(difference.Right).Any(m => m.EndsWith("connections_handled", StringComparison.Ordinal))
            ? new Finding(FailureClasses.ConnectionPoolExhausted, EvidenceStrength.Strong, "connections accepted but not handled (the worker connection limit)", MetricRole.Event)
            : null;

    private static string Mirror(string op) => op switch { ">" => "<", "<" => ">", ">=" => "<=", "<=" => ">=", _ => op };

    /// <summary>A use or headroom on one side and the same resource's limit on the other: strong evidence.</summary>
    private static Finding? Against(BinaryOperation operation)
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
                    return limit.Meaning.Role == MetricRole.Limit
                        ? new Finding(used.Meaning.Class, EvidenceStrength.Strong, $"{used.Selector.Metric} against {limit.Selector.Metric}", used.Meaning.Role)
                        : new Finding(null, EvidenceStrength.Suggestive, $"{used.Selector.Metric} against {limit.Selector.Metric}, a request rather than a limit", MetricRole.OtherFault);
                }
            }
        }

        return null;
    }

    /// <summary>The parts of an expression that decide whether it fires, and whether each only filters (the right of "and").</summary>
    private static IEnumerable<(PromQlNode Node, bool Filter)> Deciding(PromQlNode node)
    {
        var pending = new Stack<(PromQlNode Node, bool Filter)>([(node, false)]);
        while (pending.Count > 0)
        {
            var (current, filter) = pending.Pop();
            if (current is BinaryOperation { IsSetOperation: true } set)
            {
                pending.Push((set.Left, filter));
                if (set.Operator != "unless")
                {
                    pending.Push((set.Right, filter || set.Operator == "and"));
                }
            }
            else
            {
                yield return (current, filter);
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
        BinaryOperation { Operator: "^" } b when Constant(b.Left) is { } x && Constant(b.Right) is { } y => Math.Pow(x, y),
        _ => null,
    };

    public static string Describe(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
