using System.Globalization;
using System.Text;

namespace Homeostat.Primitives;

/// <summary>
/// Makes stored, untrusted text safe to print on a terminal: control characters (escape sequences, newlines),
/// invisible formatting characters (bidirectional overrides such as U+202E, zero-width joiners), line and paragraph
/// separators and lone surrogates are shown as <c>\uXXXX</c> instead of being obeyed, so text cannot move the cursor,
/// forge a line or reorder what the reader sees.
/// </summary>
public static class TerminalText
{
    /// <summary>The text with every unsafe character escaped, cut to <paramref name="maxLength"/> characters (then "…").</summary>
    public static string Escape(string? text, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var shown = text.Length > maxLength ? text[..maxLength] : text;
        var builder = new StringBuilder(Math.Min(shown.Length + 16, 4096));
        for (var i = 0; i < shown.Length; i++)
        {
            var character = shown[i];
            if (char.IsHighSurrogate(character) && i + 1 < shown.Length && char.IsLowSurrogate(shown[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(character, shown[i + 1]);
                if (IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(codePoint)))
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\U{codePoint:x8}");
                }
                else
                {
                    builder.Append(character).Append(shown[i + 1]);
                }

                i++;
                continue;
            }

            if (IsUnsafe(character))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}");
            }
            else
            {
                builder.Append(character);
            }
        }

        if (shown.Length < text.Length)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Compact JSON made safe to print: every unsafe character (only ever inside a string there) becomes a <c>\uXXXX</c>
    /// escape, so the output is the same JSON to a parser and inert on a terminal.
    /// </summary>
    public static string EscapeJson(string json)
    {
        if (!HasUnsafe(json))
        {
            return json;
        }

        var builder = new StringBuilder(json.Length + 32);
        foreach (var character in json)
        {
            if (IsUnsafe(character))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}");
            }
            else
            {
                builder.Append(character);
            }
        }

        return builder.ToString();
    }

    /// <summary>True for characters a terminal would obey or hide rather than show: see <see cref="TerminalText"/>.</summary>
    public static bool IsUnsafe(char character) => IsUnsafe(char.GetUnicodeCategory(character));

    /// <summary>True when any character of <paramref name="text"/> is unsafe; for refusing names and ids at the boundary.</summary>
    public static bool HasUnsafe(string text)
    {
        foreach (var character in text)
        {
            if (IsUnsafe(character))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
}
