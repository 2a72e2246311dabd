namespace Homeostat.Diagnosis.PromQl;

/// <summary>A node of a parsed PromQL expression. Only what classification reads is kept: no ranges, offsets or steps.</summary>
public abstract record PromQlNode;

public sealed record NumberLiteral(double Value) : PromQlNode;

public sealed record StringLiteral(string Value) : PromQlNode;

/// <summary>A metric selector: <c>name{label="value", ...}</c>, with or without a range.</summary>
public sealed record VectorSelector(string? Metric, IReadOnlyList<LabelMatcher> Matchers) : PromQlNode
{
    /// <summary>The value the selector requires of a label with <c>=</c> or <c>=~</c>, or null.</summary>
    public string? Matching(string label) =>
        Matchers.FirstOrDefault(m => m.Name == label && m.Operator is "=" or "=~")?.Value;
}

public sealed record LabelMatcher(string Name, string Operator, string Value);

/// <summary>A function call such as <c>rate(...)</c>, or an aggregation such as <c>sum by (pod) (...)</c>.</summary>
public sealed record FunctionCall(string Name, IReadOnlyList<PromQlNode> Arguments, bool IsAggregation) : PromQlNode;

/// <summary>An arithmetic, comparison or set operation between two expressions.</summary>
public sealed record BinaryOperation(string Operator, PromQlNode Left, PromQlNode Right, bool ReturnsBool) : PromQlNode
{
    public bool IsComparison => Operator is "==" or "!=" or ">" or "<" or ">=" or "<=";

    public bool IsSetOperation => Operator is "and" or "or" or "unless";
}

public sealed record UnaryMinus(PromQlNode Operand) : PromQlNode;
