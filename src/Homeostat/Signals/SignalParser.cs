using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Homeostat.Signals;

public sealed record SignalParseResult(IReadOnlyList<Signal> Signals, IReadOnlyList<ContractError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>The post holds more signals than <see cref="IntakeLimits.MaxSignalsPerPost"/>: too large, not malformed.</summary>
    public bool TooManySignals { get; init; }
}

/// <summary>
/// Reads signals in the public contract (one object, an array, or JSON Lines) and checks every field,
/// reporting each violation with its JSON path. A batch with any error yields no signals at all.
/// </summary>
public sealed partial class SignalParser(TimeProvider timeProvider, IntakeLimits limits)
{
    public SignalParser(TimeProvider timeProvider)
        : this(timeProvider, IntakeLimits.Default)
    {
    }

    public IntakeLimits Limits => limits;

    private static readonly HashSet<string> KnownFields = new(StringComparer.Ordinal)
    {
        "id", "source", "service", "resource", "title", "text", "labels", "annotations", "generatorURL",
        "metrics", "status", "startsAt", "endsAt", "fingerprint", "label", "ambiguous",
    };

    private static readonly HashSet<string> ResourceFields = new(StringComparer.Ordinal)
    {
        "kind", "namespace", "name", "container", "host", "path",
    };

    /// <summary>Parses a request body: a JSON object, a JSON array of objects, or JSON Lines.</summary>
    public SignalParseResult ParseDocument(string body)
    {
        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.Length == 0)
        {
            return Fail(new ContractError("$", "the body is empty; send a signal object, an array of signals or JSON Lines"));
        }

        if (trimmed[0] == '[')
        {
            try
            {
                using var document = JsonDocument.Parse(body, DocumentOptions);
                if (document.RootElement.GetArrayLength() > limits.MaxSignalsPerPost)
                {
                    return TooMany(document.RootElement.GetArrayLength());
                }

                var signals = new List<Signal>();
                var errors = new List<ContractError>();
                var index = 0;
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    ParseInto(element, $"$[{index}]", signals, errors);
                    index++;
                }

                return Result(signals, errors);
            }
            catch (JsonException exception)
            {
                return Fail(JsonError(exception, "$"));
            }
        }

        return ParseLines(body);
    }

    /// <summary>Parses JSON Lines (a single object is one line); blank lines are skipped.</summary>
    public SignalParseResult ParseLines(string body)
    {
        var signals = new List<Signal>();
        var errors = new List<ContractError>();
        var lineNumber = 0;
        using var reader = new StringReader(body);
        string? firstLine = null;
        var lines = new List<(int Number, string Text)>();
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            firstLine ??= line;
            if (!string.IsNullOrWhiteSpace(line))
            {
                lines.Add((lineNumber, line));
            }
        }

        // A pretty-printed single object spans many lines; treat a body that is not one object per line as one document.
        if (lines.Count > 1 && !lines[0].Text.TrimEnd().EndsWith('}'))
        {
            return ParseSingle(body, "$");
        }

        if (lines.Count > limits.MaxSignalsPerPost)
        {
            return TooMany(lines.Count);
        }

        foreach (var (number, text) in lines)
        {
            var path = lines.Count == 1 ? "$" : $"line {number}";
            try
            {
                using var document = JsonDocument.Parse(text, DocumentOptions);
                ParseInto(document.RootElement, path, signals, errors);
            }
            catch (JsonException exception)
            {
                errors.Add(JsonError(exception, path));
            }
        }

        return Result(signals, errors);
    }

    public SignalParseResult ParseElement(JsonElement element, string path)
    {
        var signals = new List<Signal>();
        var errors = new List<ContractError>();
        ParseInto(element, path, signals, errors);
        return Result(signals, errors);
    }

    private SignalParseResult ParseSingle(string body, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            return ParseElement(document.RootElement, path);
        }
        catch (JsonException exception)
        {
            return Fail(JsonError(exception, path));
        }
    }

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    private static SignalParseResult Result(List<Signal> signals, List<ContractError> errors) =>
        errors.Count > 0 ? new SignalParseResult([], errors) : new SignalParseResult(signals, errors);

    private static SignalParseResult Fail(ContractError error) => new([], [error]);

    private SignalParseResult TooMany(int count) =>
        new([], [new ContractError("$", $"a post holds at most {limits.MaxSignalsPerPost} signals (intake.limits.max_signals_per_post)", $"{count} signals")]) { TooManySignals = true };

    private static ContractError JsonError(JsonException exception, string path)
    {
        var where = exception.LineNumber is { } line ? $" at line {line + 1}, byte {exception.BytePositionInLine + 1}" : string.Empty;
        return new ContractError(path, $"malformed JSON{where}");
    }

    private void ParseInto(JsonElement element, string path, List<Signal> signals, List<ContractError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ContractError(path, "a signal must be a JSON object", element.ValueKind.ToString().ToLowerInvariant()));
            return;
        }

        if (JsonText.FirstMalformed(element, path) is { } malformed)
        {
            errors.Add(malformed);
            return;
        }

        var before = errors.Count;
        foreach (var property in element.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name))
            {
                errors.Add(new ContractError($"{path}.{property.Name}", "unknown field" + Suggest(property.Name, KnownFields)));
            }
        }

        var id = OptionalString(element, "id", path, errors, maxLength: 128);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            errors.Add(new ContractError($"{path}.id", "must use only letters, digits and . _ : -", Quote(id)));
        }

        var source = OptionalString(element, "source", path, errors, maxLength: 32);
        if (source is null)
        {
            if (!element.TryGetProperty("source", out _))
            {
                errors.Add(new ContractError($"{path}.source", "is required; one of " + string.Join(", ", SignalSources.All.Order())));
            }
        }
        else if (!SignalSources.All.Contains(source))
        {
            errors.Add(new ContractError($"{path}.source", "must be one of " + string.Join(", ", SignalSources.All.Order()), Quote(source)));
        }

        var service = OptionalString(element, "service", path, errors, maxLength: 253);
        if (service is not null && !SignalIdentity.IsSafeName(service))
        {
            errors.Add(new ContractError($"{path}.service", "may use only letters, digits and . _ - : / @", Quote(service)));
        }

        var title = OptionalString(element, "title", path, errors, limits.MaxTitleLength);
        var text = OptionalString(element, "text", path, errors, limits.MaxTextLength);
        var labels = StringMap(element, "labels", path, errors, limits, isLabels: true);
        var annotations = StringMap(element, "annotations", path, errors, limits, isLabels: false);
        var generatorUrl = OptionalString(element, "generatorURL", path, errors, maxLength: 8192);
        var fingerprint = OptionalString(element, "fingerprint", path, errors, maxLength: 128);
        var metrics = MetricMap(element, path, errors);
        var resource = Resource(element, path, errors);
        var status = SignalStatus.Firing;
        var statusText = OptionalString(element, "status", path, errors, maxLength: 16);
        if (statusText is not null)
        {
            switch (statusText)
            {
                case "firing": status = SignalStatus.Firing; break;
                case "resolved": status = SignalStatus.Resolved; break;
                default: errors.Add(new ContractError($"{path}.status", "must be firing or resolved", Quote(statusText))); break;
            }
        }

        DateTimeOffset? startsAt = null;
        var startsAtText = OptionalString(element, "startsAt", path, errors, maxLength: 64);
        if (startsAtText is not null)
        {
            if (Primitives.Rfc3339.TryParse(startsAtText, out var parsed))
            {
                startsAt = parsed;
            }
            else
            {
                errors.Add(new ContractError($"{path}.startsAt", "must be an RFC 3339 time", Quote(startsAtText)));
            }
        }

        // A title, text or labels that was given but rejected is already reported; do not also say it is missing.
        var contentRejected = errors.Skip(before).Any(e =>
            e.Field == $"{path}.title" || e.Field == $"{path}.text" || e.Field.StartsWith($"{path}.labels", StringComparison.Ordinal));
        if (title is null && text is null && labels.Count == 0 && !contentRejected)
        {
            errors.Add(new ContractError(path, "needs at least one of title, text or labels"));
        }

        if (errors.Count > before || source is null)
        {
            return;
        }

        signals.Add(new Signal
        {
            Id = id ?? Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("N"),
            Source = source,
            Service = service,
            Resource = resource,
            Title = title,
            Text = text,
            Labels = labels,
            Annotations = annotations,
            GeneratorUrl = generatorUrl,
            Metrics = metrics,
            Status = status,
            StartsAt = startsAt,
            Fingerprint = fingerprint,
        });
    }

    private static string? OptionalString(JsonElement element, string name, string path, List<ContractError> errors, int maxLength)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new ContractError($"{path}.{name}", "must be a string", value.ValueKind.ToString().ToLowerInvariant()));
            return null;
        }

        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            errors.Add(new ContractError($"{path}.{name}", $"is longer than {maxLength} characters", $"{text.Length} characters"));
            return null;
        }

        return text;
    }

    private static Dictionary<string, string> StringMap(JsonElement element, string name, string path, List<ContractError> errors, IntakeLimits limits, bool isLabels)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ContractError($"{path}.{name}", "must be an object of strings", value.ValueKind.ToString().ToLowerInvariant()));
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return IntakeBounds.StringMap(value, $"{path}.{name}", errors, limits, isLabels);
    }

    private static Dictionary<string, double> MetricMap(JsonElement element, string path, List<ContractError> errors)
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!element.TryGetProperty("metrics", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return map;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ContractError($"{path}.metrics", "must be an object of numbers", value.ValueKind.ToString().ToLowerInvariant()));
            return map;
        }

        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                errors.Add(new ContractError($"{path}.metrics.{entry.Name}", "must be a finite number", entry.Value.GetRawText()));
                continue;
            }

            map[entry.Name] = number;
        }

        return map;
    }

    private static SignalResource? Resource(JsonElement element, string path, List<ContractError> errors)
    {
        if (!element.TryGetProperty("resource", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ContractError($"{path}.resource", "must be an object", value.ValueKind.ToString().ToLowerInvariant()));
            return null;
        }

        var resourcePath = $"{path}.resource";
        foreach (var property in value.EnumerateObject())
        {
            if (!ResourceFields.Contains(property.Name))
            {
                errors.Add(new ContractError($"{resourcePath}.{property.Name}", "unknown field" + Suggest(property.Name, ResourceFields)));
            }
        }

        return new SignalResource
        {
            Kind = OptionalString(value, "kind", resourcePath, errors, 63),
            Namespace = OptionalString(value, "namespace", resourcePath, errors, 253),
            Name = OptionalString(value, "name", resourcePath, errors, 253),
            Container = OptionalString(value, "container", resourcePath, errors, 253),
            Host = OptionalString(value, "host", resourcePath, errors, 253),
            Path = OptionalString(value, "path", resourcePath, errors, 4096),
        };
    }

    internal static string Suggest(string name, IEnumerable<string> candidates)
    {
        var best = Catalog.NameSuggester.Closest(name, candidates);
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    private static string Quote(string value) => IntakeBounds.Quote(value);

    [GeneratedRegex("^[A-Za-z0-9._:-]+\\z")]
    private static partial Regex IdPattern();
}
