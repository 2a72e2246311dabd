using System.Globalization;
using System.Text.Json;
using Homeostat.Primitives;

namespace Homeostat.Signals;

/// <summary>The parts of an Alertmanager webhook (version 4) notification that matter for deduplication.</summary>
public sealed record AlertmanagerNotification(string GroupKey, string Status, string Receiver, int TruncatedAlerts, IReadOnlyList<Signal> Signals);

public sealed record AlertmanagerParseResult(AlertmanagerNotification? Notification, IReadOnlyList<ContractError> Errors)
{
    public bool IsValid => Notification is not null && Errors.Count == 0;

    /// <summary>The notification holds more alerts than <see cref="IntakeLimits.MaxSignalsPerPost"/>: too large, not malformed.</summary>
    public bool TooManyAlerts { get; init; }
}

/// <summary>
/// Reads Alertmanager's webhook payload (version 4) and turns each alert into a signal. Every field is checked; any
/// error rejects the whole notification, so nothing is half-applied.
/// </summary>
public static partial class AlertmanagerWebhook
{
    public const string SupportedVersion = "4";

    /// <summary>Fields that are neither labels, annotations nor text (groupKey, receiver, generatorURL, fingerprint).</summary>
    public const int MaxOtherStringLength = 8192;

    public static AlertmanagerParseResult Parse(string body) => Parse(body, IntakeLimits.Default);

    public static AlertmanagerParseResult Parse(string body, IntakeLimits limits)
    {
        if (JsonText.LoneSurrogate(body, "$") is { } malformedBody)
        {
            return Fail(malformedBody);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException exception)
        {
            return Fail(new ContractError("$", $"malformed JSON at line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail(new ContractError("$", "the notification must be a JSON object"));
            }

            if (JsonText.FirstMalformed(root, "$") is { } malformed)
            {
                return Fail(malformed);
            }

            if (root.TryGetProperty("alerts", out var counted) && counted.ValueKind == JsonValueKind.Array && counted.GetArrayLength() > limits.MaxSignalsPerPost)
            {
                return new AlertmanagerParseResult(null, [new ContractError(
                    "$.alerts",
                    $"a notification holds at most {limits.MaxSignalsPerPost} alerts (intake.limits.max_signals_per_post); set max_alerts: {limits.MaxSignalsPerPost} on the webhook receiver",
                    $"{counted.GetArrayLength()} alerts")]) { TooManyAlerts = true };
            }

            var errors = new List<ContractError>();
            var version = String(root, "version", "$", errors, required: true);
            if (version is not null && version != SupportedVersion)
            {
                errors.Add(new ContractError("$.version", $"only Alertmanager webhook version {SupportedVersion} is supported", $"'{version}'"));
            }

            var groupKey = String(root, "groupKey", "$", errors, required: false) ?? string.Empty;
            var status = String(root, "status", "$", errors, required: false) ?? "firing";
            var receiver = String(root, "receiver", "$", errors, required: false) ?? string.Empty;
            var truncated = 0;
            if (root.TryGetProperty("truncatedAlerts", out var truncatedElement) && truncatedElement.ValueKind != JsonValueKind.Null
                && (truncatedElement.ValueKind != JsonValueKind.Number || !truncatedElement.TryGetInt32(out truncated) || truncated < 0))
            {
                errors.Add(new ContractError("$.truncatedAlerts", "must be a whole number of at least 0", truncatedElement.GetRawText()));
            }

            var commonLabels = Strings(root, "commonLabels", "$", errors, limits, isLabels: true);
            var signals = new List<Signal>();
            if (!root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new ContractError("$.alerts", "is required and must be an array of alerts"));
            }
            else
            {
                var index = 0;
                foreach (var alert in alerts.EnumerateArray())
                {
                    var signal = ParseAlert(alert, $"$.alerts[{index}]", commonLabels, errors, limits);
                    if (signal is not null)
                    {
                        signals.Add(signal);
                    }

                    index++;
                }
            }

            return errors.Count > 0
                ? new AlertmanagerParseResult(null, errors)
                : new AlertmanagerParseResult(new AlertmanagerNotification(groupKey, status, receiver, truncated, signals), errors);
        }
    }

    private static Signal? ParseAlert(JsonElement alert, string path, IReadOnlyDictionary<string, string> commonLabels, List<ContractError> errors, IntakeLimits limits)
    {
        if (alert.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ContractError(path, "an alert must be a JSON object"));
            return null;
        }

        var before = errors.Count;
        var labels = Strings(alert, "labels", path, errors, limits, isLabels: true);
        if (labels.TryGetValue("alertname", out var alertName) && alertName.Length > limits.MaxTitleLength)
        {
            errors.Add(new ContractError($"{path}.labels.alertname", $"is longer than {limits.MaxTitleLength} characters (intake.limits.max_title_length)", $"{alertName.Length} characters"));
        }

        var annotations = Strings(alert, "annotations", path, errors, limits, isLabels: false);
        foreach (var (name, text) in annotations.Where(a => a.Key is "description" or "message" or "summary" && a.Value.Length > limits.MaxTextLength))
        {
            errors.Add(new ContractError($"{path}.annotations.{name}", $"is longer than {limits.MaxTextLength} characters (intake.limits.max_text_length)", $"{text.Length} characters"));
        }

        var status = String(alert, "status", path, errors, required: true);
        if (status is not null and not ("firing" or "resolved"))
        {
            errors.Add(new ContractError($"{path}.status", "must be firing or resolved", $"'{status}'"));
        }

        var startsAt = Time(alert, "startsAt", path, errors);
        var generatorUrl = String(alert, "generatorURL", path, errors, required: false);
        var fingerprint = String(alert, "fingerprint", path, errors, required: false);
        if (labels.Count == 0 && errors.Count == before)
        {
            errors.Add(new ContractError($"{path}.labels", "an alert needs at least one label (alertname)"));
        }

        if (errors.Count > before)
        {
            return null;
        }

        foreach (var (key, value) in commonLabels)
        {
            labels.TryAdd(key, value);
        }

        fingerprint ??= Hashing.Sha256Hex(string.Join("\n", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))[..16];
        var started = startsAt ?? DateTimeOffset.UnixEpoch;
        return new Signal
        {
            Id = $"am-{Sanitize(fingerprint)}-{started.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}-{status}",
            Source = SignalSources.Alertmanager,
            Title = labels.GetValueOrDefault("alertname"),
            Text = annotations.GetValueOrDefault("description") ?? annotations.GetValueOrDefault("message") ?? annotations.GetValueOrDefault("summary"),
            Labels = labels,
            Annotations = annotations,
            GeneratorUrl = generatorUrl,
            Status = status == "resolved" ? SignalStatus.Resolved : SignalStatus.Firing,
            StartsAt = startsAt,
            Fingerprint = fingerprint,
            Resource = new SignalResource
            {
                Namespace = labels.GetValueOrDefault("namespace"),
                Name = labels.GetValueOrDefault("pod") ?? labels.GetValueOrDefault("deployment") ?? labels.GetValueOrDefault("statefulset"),
                Kind = labels.ContainsKey("pod") ? "Pod" : labels.ContainsKey("deployment") ? "Deployment" : labels.ContainsKey("statefulset") ? "StatefulSet" : null,
                Container = labels.GetValueOrDefault("container"),
                Host = labels.GetValueOrDefault("node") ?? labels.GetValueOrDefault("instance"),
            },
        };
    }

    private static string Sanitize(string value) => new(value.Where(c => char.IsAsciiLetterOrDigit(c)).Take(64).ToArray());

    private static string? String(JsonElement element, string name, string path, List<ContractError> errors, bool required)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(new ContractError($"{path}.{name}", "is required"));
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new ContractError($"{path}.{name}", "must be a string", value.ValueKind.ToString().ToLowerInvariant()));
            return null;
        }

        var text = value.GetString()!;
        if (text.Length > MaxOtherStringLength)
        {
            errors.Add(new ContractError($"{path}.{name}", $"is longer than {MaxOtherStringLength} characters", $"{text.Length} characters"));
            return null;
        }

        return text;
    }

    private static DateTimeOffset? Time(JsonElement element, string name, string path, List<ContractError> errors)
    {
        var text = String(element, name, path, errors, required: false);
        if (text is null)
        {
            return null;
        }

        if (Primitives.Rfc3339.TryParse(text, out var time))
        {
            return time;
        }

        errors.Add(new ContractError($"{path}.{name}", "must be an RFC 3339 time", $"'{text}'"));
        return null;
    }

    private static Dictionary<string, string> Strings(JsonElement element, string name, string path, List<ContractError> errors, IntakeLimits limits, bool isLabels)
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

    private static AlertmanagerParseResult Fail(ContractError error) => new(null, [error]);
}
