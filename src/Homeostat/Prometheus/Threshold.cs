using System.Globalization;

namespace Homeostat.Prometheus;

public enum ComparisonOperator
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Equal,
    NotEqual,
}

/// <summary>A comparison of a sample value with a fixed number. NaN never passes, as in PromQL's filtering comparisons.</summary>
public readonly record struct Threshold(ComparisonOperator Op, double Value)
{
    public static readonly IReadOnlyDictionary<string, ComparisonOperator> Operators = new Dictionary<string, ComparisonOperator>(StringComparer.Ordinal)
    {
        ["gt"] = ComparisonOperator.GreaterThan, [">"] = ComparisonOperator.GreaterThan,
        ["ge"] = ComparisonOperator.GreaterOrEqual, [">="] = ComparisonOperator.GreaterOrEqual,
        ["lt"] = ComparisonOperator.LessThan, ["<"] = ComparisonOperator.LessThan,
        ["le"] = ComparisonOperator.LessOrEqual, ["<="] = ComparisonOperator.LessOrEqual,
        ["eq"] = ComparisonOperator.Equal, ["=="] = ComparisonOperator.Equal,
        ["ne"] = ComparisonOperator.NotEqual, ["!="] = ComparisonOperator.NotEqual,
    };

    public static bool TryCreate(ThresholdOptions options, out Threshold threshold)
    {
        threshold = default;
        if (options.Value is not { } value || double.IsNaN(value) || !Operators.TryGetValue(options.Op.Trim(), out var op))
        {
            return false;
        }

        threshold = new Threshold(op, value);
        return true;
    }

    public bool Passes(double sample) => !double.IsNaN(sample) && Op switch
    {
        ComparisonOperator.GreaterThan => sample > Value,
        ComparisonOperator.GreaterOrEqual => sample >= Value,
        ComparisonOperator.LessThan => sample < Value,
        ComparisonOperator.LessOrEqual => sample <= Value,
        ComparisonOperator.Equal => sample == Value,
        _ => sample != Value,
    };

    public string Symbol => Op switch
    {
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Equal => "==",
        _ => "!=",
    };

    public override string ToString() => $"{Symbol} {Value.ToString("R", CultureInfo.InvariantCulture)}";
}
