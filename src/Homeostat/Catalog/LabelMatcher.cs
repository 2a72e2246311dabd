using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Homeostat.Catalog;

public enum MatchOperator
{
    Equal,
    NotEqual,
    RegexMatch,
    RegexNotMatch,
}

/// <summary>
/// One matcher in Alertmanager's syntax: <c>name="value"</c>, <c>name!="value"</c>, <c>name=~"regex"</c> or
/// <c>name!~"regex"</c>. A regex must match the whole value, as in Alertmanager, and runs on the linear-time engine, so
/// an untrusted label value cannot make it backtrack. A missing label matches as the empty string.
/// </summary>
public sealed class LabelMatcher
{
    /// <summary>Pseudo-labels naming parts of a signal that are not labels.</summary>
    public const string TitleLabel = "__title__";
    public const string TextLabel = "__text__";
    public const string SourceLabel = "__source__";

    public static readonly IReadOnlyList<string> PseudoLabels = [TitleLabel, TextLabel, SourceLabel];

    private readonly Regex? _regex;

    private LabelMatcher(string name, MatchOperator op, string value, Regex? regex)
    {
        Name = name;
        Operator = op;
        Value = value;
        _regex = regex;
    }

    public string Name { get; }

    public MatchOperator Operator { get; }

    public string Value { get; }

    public bool Matches(string? value)
    {
        value ??= string.Empty;
        return Operator switch
        {
            MatchOperator.Equal => string.Equals(value, Value, StringComparison.Ordinal),
            MatchOperator.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
            MatchOperator.RegexMatch => _regex!.IsMatch(value),
            _ => !_regex!.IsMatch(value),
        };
    }

    /// <summary>The matcher written back in canonical form: <c>name=~"value"</c> with the value quoted and escaped.</summary>
    public override string ToString() => Name + OperatorText(Operator) + Quote(Value);

    /// <summary>Parses one matcher; on failure <paramref name="problem"/> says what is wrong and where in the text.</summary>
    public static bool TryParse(string text, out LabelMatcher? matcher, out string? problem)
    {
        matcher = null;
        var position = SkipSpaces(text, 0);
        var nameStart = position;
        while (position < text.Length && IsNameCharacter(text[position], position == nameStart))
        {
            position++;
        }

        var name = text[nameStart..position];
        if (name.Length == 0)
        {
            problem = position < text.Length && text[position] == '"'
                ? "label names are written without quotes, as in alertname=\"X\""
                : $"expected a label name at character {position + 1}, as in alertname=\"X\"";
            return false;
        }

        if (name.StartsWith("__", StringComparison.Ordinal) && !PseudoLabels.Contains(name))
        {
            var closest = NameSuggester.Closest(name, PseudoLabels);
            problem = $"'{name}' is not a known pseudo-label{(closest is null ? string.Empty : $" (did you mean '{closest}'?)")}; "
                + $"names starting with '__' are reserved, and the known ones are {string.Join(", ", PseudoLabels)}";
            return false;
        }

        position = SkipSpaces(text, position);
        if (!TryReadOperator(text, ref position, out var op))
        {
            problem = $"expected an operator (=, !=, =~ or !~) after '{name}' at character {position + 1}";
            return false;
        }

        position = SkipSpaces(text, position);
        string value;
        if (position < text.Length && text[position] == '"')
        {
            if (!TryReadQuoted(text, ref position, out value, out problem))
            {
                return false;
            }

            position = SkipSpaces(text, position);
            if (position < text.Length)
            {
                problem = $"unexpected text after the value at character {position + 1}: '{text[position..]}' (one matcher per string; a set's matchers are a list)";
                return false;
            }
        }
        else
        {
            value = text[position..].TrimEnd();
            var bad = value.IndexOfAny(['"', '\'', '\\', ',', '{', '}', ' ', '\t']);
            if (bad >= 0)
            {
                problem = $"an unquoted value cannot hold '{value[bad]}' (character {position + bad + 1}); quote the value, as in {name}{OperatorText(op)}\"...\"";
                return false;
            }
        }

        Regex? regex = null;
        if (op is MatchOperator.RegexMatch or MatchOperator.RegexNotMatch && !TryCompile(value, out regex, out problem))
        {
            return false;
        }

        matcher = new LabelMatcher(name, op, value, regex);
        problem = null;
        return true;
    }

    /// <summary>A value quoted the way matchers write it, with quotes, backslashes and control characters escaped.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var character in value)
        {
            switch (character)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(character) || char.GetUnicodeCategory(character) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}");
                    }
                    else
                    {
                        builder.Append(character);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static string OperatorText(MatchOperator op) => op switch
    {
        MatchOperator.Equal => "=",
        MatchOperator.NotEqual => "!=",
        MatchOperator.RegexMatch => "=~",
        _ => "!~",
    };

    private static bool TryReadOperator(string text, ref int position, out MatchOperator op)
    {
        var rest = text.AsSpan(position);
        (op, var length) = rest switch
        {
            _ when rest.StartsWith("=~") => (MatchOperator.RegexMatch, 2),
            _ when rest.StartsWith("!~") => (MatchOperator.RegexNotMatch, 2),
            _ when rest.StartsWith("!=") => (MatchOperator.NotEqual, 2),
            _ when rest.StartsWith("=") => (MatchOperator.Equal, 1),
            _ => (MatchOperator.Equal, 0),
        };
        position += length;
        return length > 0;
    }

    /// <summary>Reads a double-quoted value with Go's escapes (as Alertmanager unquotes it): \" \\ \n \t \r \a \b \f \v \xHH \uHHHH \UHHHHHHHH.</summary>
    private static bool TryReadQuoted(string text, ref int position, out string value, out string? problem)
    {
        var start = position;
        var builder = new StringBuilder();
        position++;
        while (position < text.Length)
        {
            var character = text[position];
            if (character == '"')
            {
                position++;
                value = builder.ToString();
                problem = null;
                return true;
            }

            if (character != '\\')
            {
                builder.Append(character);
                position++;
                continue;
            }

            if (position + 1 >= text.Length)
            {
                break;
            }

            var escape = text[position + 1];
            var simple = escape switch
            {
                '"' => '"', '\\' => '\\', 'n' => '\n', 't' => '\t', 'r' => '\r', 'a' => '\a', 'b' => '\b', 'f' => '\f', 'v' => '\v', _ => (char?)null,
            };
            if (simple is { } replacement)
            {
                builder.Append(replacement);
                position += 2;
                continue;
            }

            var digits = escape switch { 'x' => 2, 'u' => 4, 'U' => 8, _ => 0 };
            if (digits > 0 && position + 2 + digits <= text.Length
                && int.TryParse(text.AsSpan(position + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                && code <= 0x10FFFF && code is < 0xD800 or > 0xDFFF)
            {
                builder.Append(char.ConvertFromUtf32(code));
                position += 2 + digits;
                continue;
            }

            value = string.Empty;
            problem = $"'\\{escape}' at character {position + 1} is not an escape a quoted value knows; a backslash that belongs to a regex is written '\\\\' (as in \"foo\\\\.bar\")";
            return false;
        }

        value = string.Empty;
        problem = $"the quoted value that starts at character {start + 1} has no closing '\"'";
        return false;
    }

    private static bool TryCompile(string pattern, out Regex? regex, out string? problem)
    {
        const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
        if (Regex.IsMatch(pattern, @"\[:[a-z]+:\]", RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            // RE2 (Alertmanager) reads [[:digit:]] as a character class; .NET reads it as a set of letters and would silently differ.
            regex = null;
            problem = "uses a POSIX class such as [[:digit:]], which this engine does not read as Alertmanager does: write [0-9], [a-zA-Z] or \\s instead";
            return false;
        }

        try
        {
            // Compiled alone first, so a value such as 'a)|(b' cannot escape the anchoring group it is put in.
            _ = new Regex(pattern, Options, Regex.InfiniteMatchTimeout);
            regex = new Regex($"^(?:{pattern})\\z", Options, Regex.InfiniteMatchTimeout);
            problem = null;
            return true;
        }
        catch (ArgumentException exception)
        {
            regex = null;
            problem = $"is not a valid regular expression: {exception.Message}";
            return false;
        }
        catch (NotSupportedException exception)
        {
            regex = null;
            problem = $"uses what the linear-time regex engine does not support (backreferences, lookarounds, atomic groups): {exception.Message}";
            return false;
        }
    }

    private static int SkipSpaces(string text, int position)
    {
        while (position < text.Length && text[position] is ' ' or '\t')
        {
            position++;
        }

        return position;
    }

    private static bool IsNameCharacter(char character, bool first) =>
        character is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (!first && character is >= '0' and <= '9');
}
