using System.Text.Json;
using Homeostat.Primitives;

namespace Homeostat.Signals;

/// <summary>The checks every intake parser applies to a signal's labels and annotations, with the same bounds and messages.</summary>
public static class IntakeBounds
{
    /// <summary>
    /// Reads an object of strings at <paramref name="path"/>: at most <see cref="IntakeLimits.MaxLabels"/> entries, names
    /// bounded and (for labels) Prometheus label names, values bounded. Each violation is reported with its path.
    /// </summary>
    public static Dictionary<string, string> StringMap(JsonElement map, string path, List<ContractError> errors, IntakeLimits limits, bool isLabels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var what = isLabels ? "labels" : "annotations";
        var count = 0;
        foreach (var entry in map.EnumerateObject())
        {
            if (++count > limits.MaxLabels)
            {
                errors.Add(new ContractError(path, $"holds more than {limits.MaxLabels} {what} (intake.limits.max_labels)", $"{map.EnumerateObject().Count()} entries"));
                break;
            }

            var field = $"{path}.{Shown(entry.Name)}";
            if (NameProblem(entry.Name, limits, isLabels) is { } problem)
            {
                errors.Add(new ContractError(field, problem, Quote(entry.Name)));
                continue;
            }

            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new ContractError(field, "must be a string", entry.Value.ValueKind.ToString().ToLowerInvariant()));
                continue;
            }

            var text = entry.Value.GetString()!;
            var maxLength = isLabels ? limits.MaxLabelValueLength : limits.MaxAnnotationValueLength;
            if (text.Length > maxLength)
            {
                var key = isLabels ? "max_label_value_length" : "max_annotation_value_length";
                errors.Add(new ContractError(field, $"is longer than {maxLength} characters (intake.limits.{key})", $"{text.Length} characters"));
                continue;
            }

            result[entry.Name] = text;
        }

        return result;
    }

    /// <summary>Why a label or annotation name is refused; null when it is fine.</summary>
    public static string? NameProblem(string name, IntakeLimits limits, bool isLabel)
    {
        if (name.Length > limits.MaxLabelNameLength)
        {
            return $"the name is longer than {limits.MaxLabelNameLength} characters (intake.limits.max_label_name_length)";
        }

        if (isLabel && !LabelNames.IsValid(name))
        {
            return $"is not a valid label name ({LabelNames.Rule})";
        }

        if (name.Length == 0 || TerminalText.HasUnsafe(name))
        {
            return "the name is empty or holds control or invisible formatting characters";
        }

        return null;
    }

    /// <summary>A name as it appears in a field path: long names are cut, control characters escaped.</summary>
    public static string Shown(string name) => TerminalText.Escape(name, 64);

    /// <summary>The value as an error may echo it: escaped, and short however many characters escaping spelled out.</summary>
    public static string Quote(string value)
    {
        var escaped = TerminalText.Escape(value, 80);
        return "'" + (escaped.Length > 90 ? escaped[..90] + "..." : escaped) + "'";
    }
}
