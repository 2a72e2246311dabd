using System.Text.Json;
using Homeostat.Signals;

namespace Homeostat.Diagnosis;

/// <summary>A signal with the class a human (or the corpus author) says it belongs to.</summary>
public sealed record LabelledSignal(Signal Signal, string Label);

public sealed record LabelledParseResult(IReadOnlyList<LabelledSignal> Items, IReadOnlyList<ContractError> Errors);

/// <summary>Reads labelled signals: JSON Lines in the signal contract with a <c>label</c> field naming the true class.</summary>
public static class LabelledSignals
{
    public static LabelledParseResult Parse(string jsonLines, SignalParser parser, string source = "input")
    {
        var items = new List<LabelledSignal>();
        var errors = new List<ContractError>();
        var number = 0;
        foreach (var line in jsonLines.Split('\n'))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string? label = null;
            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("label", out var value) && value.ValueKind == JsonValueKind.String)
                {
                    label = value.GetString();
                }
            }
            catch (JsonException)
            {
                errors.Add(new ContractError($"{source}:{number}", "malformed JSON"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(label))
            {
                errors.Add(new ContractError($"{source}:{number}.label", "is required: the class this signal belongs to"));
                continue;
            }

            var parsed = parser.ParseLines(line);
            if (!parsed.IsValid)
            {
                errors.AddRange(parsed.Errors.Select(e => e with { Field = $"{source}:{number} {e.Field}" }));
                continue;
            }

            items.Add(new LabelledSignal(parsed.Signals[0], label));
        }

        return new LabelledParseResult(items, errors);
    }

    public static LabelledParseResult ParseFile(string path, SignalParser parser) => Parse(File.ReadAllText(path), parser, path);
}
