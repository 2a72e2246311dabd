using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Homeostat.Primitives;

namespace Homeostat.Remediation.Webhook;

/// <summary>
/// Builds the JSON a webhook sends. A template is parsed as JSON first; placeholders are then filled inside its
/// string values only, and the document is written back by System.Text.Json, so a hostile value (quotes, newlines,
/// backslashes) stays inside its string and can never add keys or change the document's shape.
/// </summary>
public static partial class WebhookBody
{
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.Default, WriteIndented = false };

    public static bool TryBuild(ActionRequest request, string? template, out string body, out string problem)
    {
        body = string.Empty;
        problem = string.Empty;
        if (string.IsNullOrWhiteSpace(template))
        {
            body = JsonSerializer.Serialize(
                new
                {
                    version = "1",
                    kind = "remediation",
                    incidentId = request.IncidentId,
                    service = request.Signal.Service,
                    @class = request.Remediation.Class,
                    signalTitle = request.Signal.Title,
                    labels = request.Signal.Labels,
                },
                HomeostatJson.Options);
            return true;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(template);
        }
        catch (JsonException exception)
        {
            problem = $"the body template is not valid JSON (placeholders belong inside JSON strings, e.g. \"{{{{service}}}}\"): {exception.Message}";
            return false;
        }

        if (!TryFill(root, request, out var filled, out problem))
        {
            return false;
        }

        body = filled?.ToJsonString(Output) ?? "null";
        try
        {
            using var check = JsonDocument.Parse(body);
        }
        catch (JsonException exception)
        {
            problem = $"the filled body is not valid JSON: {exception.Message}";
            return false;
        }

        return true;
    }

    private static bool TryFill(JsonNode? node, ActionRequest request, out JsonNode? filled, out string problem)
    {
        filled = node;
        problem = string.Empty;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (name.Contains("{{", StringComparison.Ordinal))
                    {
                        problem = $"the body template has a placeholder in the key '{name}'; placeholders may only be used in string values";
                        return false;
                    }

                    if (!TryFill(child, request, out var replaced, out problem))
                    {
                        return false;
                    }

                    if (!ReferenceEquals(replaced, child))
                    {
                        obj[name] = replaced;
                    }
                }

                return true;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    if (!TryFill(child, request, out var replaced, out problem))
                    {
                        return false;
                    }

                    if (!ReferenceEquals(replaced, child))
                    {
                        array[i] = replaced;
                    }
                }

                return true;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                if (!text.Contains("{{", StringComparison.Ordinal))
                {
                    return true;
                }

                if (!TryFillString(text, request, out var result, out problem))
                {
                    return false;
                }

                filled = JsonValue.Create(result);
                return true;
            default:
                return true;
        }
    }

    private static bool TryFillString(string text, ActionRequest request, out string result, out string problem)
    {
        string? error = null;
        result = Placeholder().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            var value = Resolve(name, request, out var missing);
            if (value is null)
            {
                error ??= missing;
                return string.Empty;
            }

            return value;
        });
        problem = error ?? string.Empty;
        return error is null;
    }

    /// <summary>The value of one placeholder, or null with why it has none.</summary>
    private static string? Resolve(string name, ActionRequest request, out string problem)
    {
        var signal = request.Signal;
        problem = $"the signal has no value for the body's placeholder {{{{{name}}}}}";
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var (prefix, rest) = dot < 0 ? (name, string.Empty) : (name[..dot], name[(dot + 1)..]);
        switch (prefix)
        {
            case "label" when rest.Length > 0:
                return signal.Labels.TryGetValue(rest, out var label) ? label : null;
            case "annotation" when rest.Length > 0:
                return signal.Annotations.TryGetValue(rest, out var annotation) ? annotation : null;
        }

        switch (name)
        {
            case "incident.id":
                return request.IncidentId;
            case "service":
                return signal.Service;
            case "class":
                return request.Remediation.Class;
            case "signal.title":
                return signal.Title;
            case "resource.namespace":
                return signal.Resource?.Namespace;
            case "resource.name":
                return signal.Resource?.Name;
            case "resource.host":
                return signal.Resource?.Host;
            default:
                problem = $"the body template has an unknown placeholder {{{{{name}}}}}; known: incident.id, service, class, signal.title, "
                    + "resource.namespace, resource.name, resource.host, label.NAME, annotation.NAME";
                return null;
        }
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[^{}\s]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
