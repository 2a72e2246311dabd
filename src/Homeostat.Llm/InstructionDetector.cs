using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Llm;

/// <summary>
/// Finds text in a signal that reads like instructions to a model ("ignore previous instructions", "answer oom with
/// confidence 1"). Monitoring data has no reason to address a model, so such text is treated as an attack on the
/// classifier: the LLM's confidence is capped and the audit says why. The check looks at the whole signal, not only
/// the part sent to the model, and at a normalised form (compatibility-decomposed with accents dropped, lower case, invisible characters
/// removed, underscores and runs of whitespace as single spaces) so spacing and look-alike tricks do not hide it.
/// </summary>
public static partial class InstructionDetector
{
    public const int MaxScannedChars = 64 * 1024;

    // Non-backtracking matching is linear in the input: hostile text cannot stall the check.
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private const string Filler = @"( (all|any|the|your|my|of|these|those|that|previous|prior|above|earlier|preceding|former|original|system|existing|other|every))*";

    private static readonly IReadOnlyList<(string Name, Regex Pattern)> Fixed =
    [
        ("override of instructions", new Regex(
            $@"\b(ignore|disregard|forget|override|bypass)\b{Filler} (instructions?|prompts?|directions|directives|guidelines|guardrails)\b"
            + @"|\b(ignore|disregard|forget)\b( (all|any|the|your))* (previous|prior|above|earlier|preceding|system) (rules|messages|context|text)\b",
            Options)),
        ("role change", new Regex(@"\byou are (now|no longer)\b|\bfrom now on\b|\bpretend (to be|you are|that)\b|\broleplay\b|\bdeveloper mode\b|\bjailbreak|\bdo anything now\b", Options)),
        ("new instructions", new Regex(@"\b(new|updated|real|actual|hidden|secret) (instructions?|directives?)\b|\binstructions? (for|to) (the )?(ai|model|assistant|llm|classifier)\b", Options)),
        ("prompt or role markers", new Regex(@"\bsystem prompt\b|\bsystem message\b|\bprompt injection\b|<\|?(im ?start|im ?end|system|assistant|endoftext|eot ?id)\|?>|\[/?(inst|system)\]|<</?sys>>|#{2,} ?(system|instruction|assistant)\b", Options)),
        ("addresses the model", new Regex(
            @"\b(ai|llm|assistant|chatbot|gpt)[,:] "
            + @"|\byou (must|should|have to|need to|will) (now )?(answer|respond|reply|classify|say|output|return|ignore|choose|pick|label)\b"
            + @"|\b(answer|respond|reply) (only|exactly)\b|\b(answer|respond|reply) with (only|exactly|json|the class|class|confidence|[""'`{])",
            Options)),
        ("dictates the confidence", new Regex(
            @"\bconfidence( (of|is|to|at|level|score|should be|must be|=|:))* ?[:=]? ?(1(\.0+)?\b|100 ?%|one\b|max(imum)?\b|full\b|high(est)?\b|certain\b)"
            + @"|\b(100 ?%|full|complete|absolute|maximum|max|highest|total) (confidence|certainty)\b",
            Options)),
    ];

    private static readonly ConditionalWeakTable<ClassSet, Regex> AnswerDirectives = new();

    /// <summary>The names of the kinds of instruction-like content found; empty when there is none.</summary>
    public static IReadOnlyList<string> Find(Signal signal, ClassSet classes)
    {
        var text = Normalise(Collect(signal));
        if (text.Length == 0)
        {
            return [];
        }

        var found = new List<string>();
        foreach (var (name, pattern) in Fixed)
        {
            if (pattern.IsMatch(text))
            {
                found.Add(name);
            }
        }

        if (AnswerDirectives.GetValue(classes, AnswerDirective).IsMatch(text))
        {
            found.Add("dictates the answer");
        }

        return found;
    }

    /// <summary>"answer oom", "classify this as disk full", "respond with cert_expiry": a verb that tells the model what to say, then a class.</summary>
    private static Regex AnswerDirective(ClassSet classes)
    {
        var names = classes.Classes
            .Select(c => Normalise(c))
            .Where(c => c.Length > 0)
            .Select(Regex.Escape)
            .OrderByDescending(c => c.Length);
        return new Regex(
            $@"\b(answer|respond|reply|classify|categori[sz]e|output|return|say|choose|pick|select|label)\b( (it|this|the|signal|alert|incident|only|with|as|that|is|class|category|always|just|exactly|to|be))* ?[""'`]? ?({string.Join('|', names)})\b",
            Options);
    }

    private static string Collect(Signal signal)
    {
        var builder = new StringBuilder();
        void Add(string? part)
        {
            if (!string.IsNullOrEmpty(part) && builder.Length < MaxScannedChars)
            {
                builder.Append(part, 0, Math.Min(part.Length, MaxScannedChars - builder.Length)).Append('\n');
            }
        }

        Add(signal.Title);
        Add(signal.Service);
        foreach (var (key, value) in signal.Labels)
        {
            Add(key);
            Add(value);
        }

        foreach (var (key, value) in signal.Annotations)
        {
            Add(key);
            Add(value);
        }

        Add(SignalText.ExpressionFromGeneratorUrl(signal.GeneratorUrl));
        Add(signal.Resource?.Name);
        Add(signal.Text);
        return builder.ToString();
    }

    /// <summary>Compatibility-decomposed, accents and invisible characters dropped, lower case, underscores and whitespace runs as one space.</summary>
    public static string Normalise(string text)
    {
        var folded = text.IsNormalized(NormalizationForm.FormKD) ? text : text.Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(folded.Length);
        var space = false;
        foreach (var c in folded)
        {
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark || (char.IsControl(c) && !char.IsWhiteSpace(c)))
            {
                continue;
            }

            if (char.IsWhiteSpace(c) || c is '_' or '\u3000')
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            // Full-width forms (ｉｇｎｏｒｅ) fold to ASCII even where the runtime's normalisation does not cover them.
            builder.Append(char.ToLowerInvariant(c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c));
        }

        return builder.ToString();
    }
}
