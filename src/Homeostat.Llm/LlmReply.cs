using System.Text;
using System.Text.Json;
using Homeostat.Diagnosis;

namespace Homeostat.Llm;

/// <summary>The model's answer once it has passed every check.</summary>
public sealed record LlmVerdict(string Class, double Confidence, string Reasoning);

/// <summary>
/// Strict checks on the model's reply, whatever the provider promised about structured output: one JSON object with
/// exactly <c>class</c> (a string in the closed list), <c>confidence</c> (a number in [0, 1]) and <c>reasoning</c>
/// (a string). Anything else is refused with the cause.
/// </summary>
public static class LlmReply
{
    public const int MaxReasoningChars = 300;

    private static readonly JsonDocumentOptions Strict = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 4,
    };

    public static bool TryParse(string? reply, ClassSet classes, out LlmVerdict verdict, out string cause)
    {
        verdict = default!;
        var text = Unfence(reply?.Trim());
        if (string.IsNullOrEmpty(text))
        {
            cause = "the model returned an empty reply";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Strict);
        }
        catch (JsonException e)
        {
            cause = $"the reply is not valid JSON ({Shorten(e.Message, 120)})";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                cause = $"the reply is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object";
                return false;
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("class" or "confidence" or "reasoning"))
                {
                    cause = $"the reply has an unexpected field '{Shorten(property.Name, 40)}'";
                    return false;
                }
            }

            if (!root.TryGetProperty("class", out var classElement))
            {
                cause = "the reply has no 'class' field";
                return false;
            }

            if (classElement.ValueKind != JsonValueKind.String)
            {
                cause = $"'class' is a {classElement.ValueKind.ToString().ToLowerInvariant()}, not a string";
                return false;
            }

            var failureClass = classElement.GetString()!;
            if (!classes.Contains(failureClass))
            {
                cause = $"the class '{Shorten(failureClass, 60)}' is not in the closed list";
                return false;
            }

            if (!root.TryGetProperty("confidence", out var confidenceElement))
            {
                cause = "the reply has no 'confidence' field";
                return false;
            }

            if (confidenceElement.ValueKind != JsonValueKind.Number || !confidenceElement.TryGetDouble(out var confidence))
            {
                cause = $"'confidence' is a {confidenceElement.ValueKind.ToString().ToLowerInvariant()}, not a number";
                return false;
            }

            if (!double.IsFinite(confidence) || confidence is < 0 or > 1)
            {
                cause = $"'confidence' {confidence.ToString(System.Globalization.CultureInfo.InvariantCulture)} is outside [0, 1]";
                return false;
            }

            if (!root.TryGetProperty("reasoning", out var reasoningElement))
            {
                cause = "the reply has no 'reasoning' field";
                return false;
            }

            if (reasoningElement.ValueKind != JsonValueKind.String)
            {
                cause = $"'reasoning' is a {reasoningElement.ValueKind.ToString().ToLowerInvariant()}, not a string";
                return false;
            }

            verdict = new LlmVerdict(failureClass, confidence, Clean(reasoningElement.GetString()!));
            cause = string.Empty;
            return true;
        }
    }

    /// <summary>Model text is untrusted: control characters out, whitespace collapsed, length bounded.</summary>
    public static string Clean(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxReasoningChars));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
            if (builder.Length >= MaxReasoningChars)
            {
                break;
            }
        }

        return Shorten(builder.ToString(), MaxReasoningChars);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Some models wrap JSON in a Markdown fence even when asked not to; only a fence around the whole reply is removed.</summary>
    private static string? Unfence(string? text)
    {
        if (text is null || !text.StartsWith("```", StringComparison.Ordinal) || !text.EndsWith("```", StringComparison.Ordinal) || text.Length < 6)
        {
            return text;
        }

        var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstLine < 0)
        {
            return text;
        }

        var language = text[3..firstLine].Trim();
        return language is "" or "json" ? text[(firstLine + 1)..^3].Trim() : text;
    }
}
