using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Learning;

/// <summary>
/// The text the model reads, in two parts: the head (alert name, reason, label names and values, the expression)
/// and the body (annotations and free text). Identifiers are split into words (KubeContainerOOMKilled →
/// "kube container oom killed", node_filesystem_avail_bytes → "node filesystem avail bytes") so the model learns
/// words, not whole alert names.
/// </summary>
public static class FeatureText
{
    public const int MaxHeadLength = 1024;
    public const int MaxBodyLength = 2048;

    public static (string Head, string Body) Compose(Signal signal)
    {
        var text = SignalText.From(signal);
        // The source is always there, so the head is never empty (and where a signal came from is informative).
        var head = new StringBuilder("from ").Append(signal.Source);
        AppendWords(head, text.Heading, MaxHeadLength);
        foreach (var (key, value) in signal.Labels)
        {
            if (key is "alertname" or "severity" or "instance" or "job" or "pod" or "namespace" or "service" or "container" or "node" or "endpoint")
            {
                continue;
            }

            AppendWords(head, key, MaxHeadLength);
            AppendWords(head, value, MaxHeadLength);
        }

        AppendWords(head, text.Expression, MaxHeadLength);
        // The alert name leads the body too: a signal with labels only would otherwise have an empty body, which the
        // model would learn to read as "nothing known".
        var body = new StringBuilder("text");
        AppendWords(body, text.Heading, MaxBodyLength);
        AppendWords(body, text.Annotations, MaxBodyLength);
        AppendWords(body, text.Body, MaxBodyLength);
        return (head.ToString(), body.ToString());
    }

    /// <summary>A share written as a percentage: "97%", "97.1 %".</summary>
    private static readonly Regex Percentage = new(@"(\d{1,4})(?:\.\d+)?\s?%", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

    /// <summary>
    /// Numbers become a bare "0", so "peak memory 34% of limit" and "97% of limit" would read the same. A percentage
    /// keeps whether it is near a limit (85 % or more: "pcthigh") or well inside it (under 70 %: "pctlow").
    /// </summary>
    public static string MarkPercentages(string text) =>
        text.Contains('%') ? Percentage.Replace(text, match =>
        {
            var value = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return value >= 85 ? match.Value + " pcthigh " : value < 70 ? match.Value + " pctlow " : match.Value;
        }) : text;

    /// <summary>Appends the text with identifiers split into lower-case words, up to a length.</summary>
    public static void AppendWords(StringBuilder builder, string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        text = MarkPercentages(text);

        if (builder.Length > 0)
        {
            builder.Append(' ');
        }

        char previous = ' ';
        foreach (var character in text)
        {
            if (builder.Length >= maxLength)
            {
                return;
            }

            if (char.IsLetter(character))
            {
                // A lower-to-upper change starts a new word: OOMKilled → oom killed, heapOut → heap out.
                if (char.IsUpper(character) && char.IsLower(previous))
                {
                    builder.Append(' ');
                }

                builder.Append(char.ToLowerInvariant(character));
            }
            else if (char.IsDigit(character))
            {
                // Numbers vary between occurrences of one problem; keep only that a number was there.
                if (!char.IsDigit(previous))
                {
                    builder.Append(" 0 ");
                }
            }
            else if (previous != ' ')
            {
                builder.Append(' ');
            }

            previous = char.IsLetter(character) || char.IsDigit(character) ? character : ' ';
        }
    }
}
