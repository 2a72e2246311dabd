using System.Globalization;

namespace Homeostat.Diagnosis.PromQl;

/// <summary>
/// A small PromQL parser for classification: a tokenizer and a recursive-descent parser over the expression grammar
/// (selectors, functions, aggregations, binary operations with their modifiers, ranges, subqueries, offsets).
/// Expressions come from alerts and are untrusted, so the work is bounded (length, tokens, nesting) and anything it
/// cannot read is simply no expression: <see cref="TryParse"/> never throws for any input.
/// </summary>
public static class PromQlParser
{
    public const int MaxLength = 8 * 1024;
    public const int MaxTokens = 2048;
    public const int MaxDepth = 64;

    private static readonly HashSet<string> Aggregations = new(StringComparer.OrdinalIgnoreCase)
    {
        "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
        "limitk", "limit_ratio",
    };

    private static readonly Dictionary<string, int> Precedence = new(StringComparer.OrdinalIgnoreCase)
    {
        ["or"] = 1, ["and"] = 2, ["unless"] = 2,
        ["=="] = 3, ["!="] = 3, [">"] = 3, ["<"] = 3, [">="] = 3, ["<="] = 3,
        ["+"] = 4, ["-"] = 4,
        ["*"] = 5, ["/"] = 5, ["%"] = 5, ["atan2"] = 5,
        ["^"] = 6,
    };

    /// <summary>The parsed expression, or null when the text is empty, too large, or not PromQL.</summary>
    public static PromQlNode? TryParse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression) || expression.Length > MaxLength)
        {
            return null;
        }

        var tokens = Tokenizer.Tokenize(expression);
        if (tokens is null)
        {
            return null;
        }

        var parser = new Parser(tokens);
        try
        {
            var node = parser.ParseExpression(0, 0);
            return parser.AtEnd ? node : null;
        }
        catch (PromQlSyntaxException)
        {
            return null;
        }
    }

    private sealed class PromQlSyntaxException : Exception;

    private enum TokenKind
    {
        Identifier,
        Number,
        Duration,
        String,
        Operator,
        Punctuation,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private static class Tokenizer
    {
        private static readonly string[] Operators = ["==", "!=", ">=", "<=", "=~", "!~", ">", "<", "=", "+", "-", "*", "/", "%", "^"];

        public static List<Token>? Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                if (tokens.Count >= MaxTokens)
                {
                    return null;
                }

                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '#')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (IsIdentifierStart(c) && (c != ':' || (i + 1 < text.Length && (char.IsAsciiLetter(text[i + 1]) || text[i + 1] == '_'))))
                {
                    var start = i;
                    while (i < text.Length && IsIdentifierPart(text[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Identifier, text[start..i]));
                }
                else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    tokens.Add(Number(text, ref i));
                }
                else if (c is '"' or '\'' or '`')
                {
                    if (Quoted(text, ref i) is not { } value)
                    {
                        return null;
                    }

                    tokens.Add(new Token(TokenKind.String, value));
                }
                else if (c is '(' or ')' or '{' or '}' or '[' or ']' or ',' or ':' or '@')
                {
                    tokens.Add(new Token(TokenKind.Punctuation, c.ToString()));
                    i++;
                }
                else if (Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0) is { } op)
                {
                    tokens.Add(new Token(TokenKind.Operator, op));
                    i += op.Length;
                }
                else
                {
                    return null;
                }
            }

            tokens.Add(new Token(TokenKind.End, string.Empty));
            return tokens;
        }

        private static Token Number(string text, ref int i)
        {
            var start = i;
            if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
            {
                i += 2;
                while (i < text.Length && char.IsAsciiHexDigit(text[i]))
                {
                    i++;
                }

                return new Token(TokenKind.Number, text[start..i]);
            }

            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i < text.Length && text[i] is 'e' or 'E' && Exponent(text, i + 1) is var end and > 0)
            {
                i = end;
                return new Token(TokenKind.Number, text[start..i]);
            }

            if (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                // A duration such as 5m, 90s or 1h30m.
                while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
                {
                    i++;
                }

                return new Token(TokenKind.Duration, text[start..i]);
            }

            return new Token(TokenKind.Number, text[start..i]);
        }

        private static int Exponent(string text, int i)
        {
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            var digits = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            return i > digits ? i : 0;
        }

        private static string? Quoted(string text, ref int i)
        {
            var quote = text[i++];
            var value = new System.Text.StringBuilder();
            while (i < text.Length)
            {
                var c = text[i++];
                if (c == quote)
                {
                    return value.ToString();
                }

                if (c == '\\' && quote != '`' && i < text.Length)
                {
                    var escaped = text[i++];
                    value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
                }
                else
                {
                    value.Append(c);
                }
            }

            return null;
        }

        private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';

        private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or ':';
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _position;

        public bool AtEnd => Peek.Kind == TokenKind.End;

        private Token Peek => tokens[_position];

        public PromQlNode ParseExpression(int minimumPrecedence, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new PromQlSyntaxException();
            }

            var left = ParseUnary(depth + 1);
            while (BinaryOperator() is { } op && Precedence[op] >= minimumPrecedence)
            {
                _position++;
                var returnsBool = false;
                if (IsKeyword("bool"))
                {
                    _position++;
                    returnsBool = true;
                }

                if (IsKeyword("on") || IsKeyword("ignoring"))
                {
                    _position++;
                    SkipLabelList();
                }

                if (IsKeyword("group_left") || IsKeyword("group_right"))
                {
                    _position++;
                    if (IsPunctuation("("))
                    {
                        SkipLabelList();
                    }
                }

                // ^ is right-associative; the others are left-associative.
                var precedence = Precedence[op];
                var right = ParseExpression(op == "^" ? precedence : precedence + 1, depth + 1);
                left = new BinaryOperation(op.ToLowerInvariant(), left, right, returnsBool);
            }

            return left;
        }

        private string? BinaryOperator()
        {
            var token = Peek;
            return token.Kind switch
            {
                TokenKind.Operator when Precedence.ContainsKey(token.Text) => token.Text,
                TokenKind.Identifier when Precedence.ContainsKey(token.Text) => token.Text,
                _ => null,
            };
        }

        private PromQlNode ParseUnary(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new PromQlSyntaxException();
            }

            if (Peek is { Kind: TokenKind.Operator, Text: "-" or "+" } sign)
            {
                _position++;
                var operand = ParseUnary(depth + 1);
                return sign.Text == "-" ? new UnaryMinus(operand) : operand;
            }

            return ParsePostfix(ParsePrimary(depth + 1));
        }

        private PromQlNode ParsePostfix(PromQlNode node)
        {
            while (true)
            {
                if (IsPunctuation("["))
                {
                    // A range [5m] or a subquery [1h:5m]: kept out of the tree.
                    _position++;
                    DurationSeconds(Expect(TokenKind.Duration).Text);
                    if (IsPunctuation(":"))
                    {
                        _position++;
                        if (Peek.Kind == TokenKind.Duration)
                        {
                            DurationSeconds(Expect(TokenKind.Duration).Text);
                        }
                    }

                    ExpectPunctuation("]");
                }
                else if (IsKeyword("offset"))
                {
                    _position++;
                    if (Peek is { Kind: TokenKind.Operator, Text: "-" })
                    {
                        _position++;
                    }

                    DurationSeconds(Expect(TokenKind.Duration).Text);
                }
                else if (IsPunctuation("@"))
                {
                    _position++;
                    if (Peek.Kind == TokenKind.Number)
                    {
                        _position++;
                    }
                    else
                    {
                        Expect(TokenKind.Identifier);
                        ExpectPunctuation("(");
                        ExpectPunctuation(")");
                    }
                }
                else
                {
                    return node;
                }
            }
        }

        private PromQlNode ParsePrimary(int depth)
        {
            var token = Peek;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    _position++;
                    return new NumberLiteral(ParseNumber(token.Text));
                case TokenKind.Duration:
                    _position++;
                    return new NumberLiteral(DurationSeconds(token.Text));
                case TokenKind.String:
                    _position++;
                    return new StringLiteral(token.Text);
                case TokenKind.Punctuation when token.Text == "(":
                    _position++;
                    var inner = ParseExpression(0, depth + 1);
                    ExpectPunctuation(")");
                    return inner;
                case TokenKind.Punctuation when token.Text == "{":
                    return ParseSelector(null);
                case TokenKind.Identifier:
                    _position++;
                    if (Aggregations.Contains(token.Text) && (IsPunctuation("(") || IsKeyword("by") || IsKeyword("without")))
                    {
                        return ParseAggregation(token.Text, depth);
                    }

                    if (IsPunctuation("("))
                    {
                        return new FunctionCall(token.Text, ParseArguments(depth), IsAggregation: false);
                    }

                    if (token.Text.Equals("inf", StringComparison.OrdinalIgnoreCase) || token.Text.Equals("nan", StringComparison.OrdinalIgnoreCase))
                    {
                        return new NumberLiteral(token.Text.Equals("inf", StringComparison.OrdinalIgnoreCase) ? double.PositiveInfinity : double.NaN);
                    }

                    return ParseSelector(token.Text);
                default:
                    throw new PromQlSyntaxException();
            }
        }

        private FunctionCall ParseAggregation(string name, int depth)
        {
            if (IsKeyword("by") || IsKeyword("without"))
            {
                _position++;
                SkipLabelList();
            }

            var arguments = ParseArguments(depth);
            if (IsKeyword("by") || IsKeyword("without"))
            {
                _position++;
                SkipLabelList();
            }

            return new FunctionCall(name.ToLowerInvariant(), arguments, IsAggregation: true);
        }

        private List<PromQlNode> ParseArguments(int depth)
        {
            ExpectPunctuation("(");
            var arguments = new List<PromQlNode>();
            if (IsPunctuation(")"))
            {
                _position++;
                return arguments;
            }

            while (true)
            {
                arguments.Add(ParseExpression(0, depth + 1));
                if (IsPunctuation(","))
                {
                    _position++;
                    continue;
                }

                ExpectPunctuation(")");
                return arguments;
            }
        }

        private VectorSelector ParseSelector(string? metric)
        {
            var matchers = new List<LabelMatcher>();
            if (IsPunctuation("{"))
            {
                _position++;
                while (!IsPunctuation("}"))
                {
                    var name = Peek;
                    if (name.Kind is not (TokenKind.Identifier or TokenKind.String))
                    {
                        throw new PromQlSyntaxException();
                    }

                    _position++;
                    if (name.Kind == TokenKind.String && (IsPunctuation(",") || IsPunctuation("}")))
                    {
                        // PromQL 3 quotes metric names that are not identifiers: {"http.server.duration"}.
                        metric ??= name.Text;
                    }
                    else
                    {
                        var op = Expect(TokenKind.Operator).Text;
                        if (op is not ("=" or "!=" or "=~" or "!~"))
                        {
                            throw new PromQlSyntaxException();
                        }

                        var value = Expect(TokenKind.String).Text;
                        if (name.Text == "__name__" && op == "=")
                        {
                            metric ??= value;
                        }
                        else
                        {
                            matchers.Add(new LabelMatcher(name.Text, op, value));
                        }
                    }

                    if (IsPunctuation(","))
                    {
                        _position++;
                    }
                    else if (!IsPunctuation("}"))
                    {
                        throw new PromQlSyntaxException();
                    }
                }

                _position++;
            }

            return new VectorSelector(metric, matchers);
        }

        private void SkipLabelList()
        {
            ExpectPunctuation("(");
            while (!IsPunctuation(")"))
            {
                if (Peek.Kind is not (TokenKind.Identifier or TokenKind.String))
                {
                    throw new PromQlSyntaxException();
                }

                _position++;
                if (IsPunctuation(","))
                {
                    _position++;
                }
            }

            _position++;
        }

        private bool IsKeyword(string keyword) => Peek.Kind == TokenKind.Identifier && Peek.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        private bool IsPunctuation(string text) => Peek.Kind == TokenKind.Punctuation && Peek.Text == text;

        private Token Expect(TokenKind kind)
        {
            var token = Peek;
            if (token.Kind != kind)
            {
                throw new PromQlSyntaxException();
            }

            _position++;
            return token;
        }

        private void ExpectPunctuation(string text)
        {
            if (!IsPunctuation(text))
            {
                throw new PromQlSyntaxException();
            }

            _position++;
        }

        private static double ParseNumber(string text)
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : throw new PromQlSyntaxException();
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new PromQlSyntaxException();
        }

        /// <summary>Seconds in a duration such as 1h30m; units ms, s, m, h, d, w, y.</summary>
        private static double DurationSeconds(string text)
        {
            var total = 0.0;
            var i = 0;
            while (i < text.Length)
            {
                var start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                if (i == start || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
                {
                    throw new PromQlSyntaxException();
                }

                var unitStart = i;
                while (i < text.Length && char.IsAsciiLetter(text[i]))
                {
                    i++;
                }

                total += amount * (text[unitStart..i] switch
                {
                    "ms" => 0.001,
                    "s" => 1,
                    "m" => 60,
                    "h" => 3600,
                    "d" => 86400,
                    "w" => 604800,
                    "y" => 31536000,
                    _ => throw new PromQlSyntaxException(),
                });
            }

            return total;
        }
    }
}
