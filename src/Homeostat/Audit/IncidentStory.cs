using System.Globalization;
using System.Text;
using System.Text.Json;
using Homeostat.Healing;

namespace Homeostat.Audit;

/// <summary>Tells one incident's story in plain words from its audit trail: what came in, what was decided and why, what ran, and how it ended.</summary>
public static class IncidentStory
{
    public static string Tell(Incident incident, IReadOnlyList<AuditRecord> records)
    {
        var text = new StringBuilder();
        var outcome = incident.Reason is null ? incident.State.ToWord() : $"{incident.State.ToWord()} ({incident.Reason})";
        text.AppendLine(CultureInfo.InvariantCulture, $"Incident {incident.Id} for service '{incident.Service}': {outcome}");
        if (incident.Detail is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {incident.Detail}");
        }

        text.AppendLine();
        var signal = incident.Signal;
        text.AppendLine(CultureInfo.InvariantCulture, $"Signal      {signal.Source} '{signal.Title ?? signal.Label("alertname") ?? "(untitled)"}', received {Time(incident.CreatedAt)}, fingerprint {incident.Fingerprint}");
        if (signal.Labels.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"            labels: {string.Join(", ", signal.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={Clean(l.Value)}"))}");
        }

        if (!string.IsNullOrEmpty(signal.Text))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"            text: {Clean(signal.Text)}");
        }

        if (incident.Classification is { } classification)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Class       {classification.Class}, confidence {classification.Confidence:0.00} ({classification.Classifier}): {classification.Reasoning}");
        }

        foreach (var decided in records.Where(r => r.Type == AuditTypes.Decided))
        {
            var payload = decided.PayloadJson();
            var catalogVersion = Str(payload, "catalogVersion");
            var action = Str(payload, "action");
            var mapping = action is null ? ", no remediation for this class" : $", remediation '{Str(payload, "remediation")}' -> action {action} ({Str(payload, "catalogLocation")})";
            text.Append("Catalog     version ").Append(catalogVersion ?? "?").AppendLine(mapping);
            if (payload.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"            parameters: {string.Join(", ", parameters.EnumerateObject().Select(p => $"{p.Name}={p.Value}"))}");
            }
        }

        var guardrails = records.Where(r => r.Type == AuditTypes.Guardrail).ToList();
        if (guardrails.Count > 0)
        {
            text.AppendLine("Guardrails");
            foreach (var record in guardrails)
            {
                var payload = record.PayloadJson();
                var kind = Str(payload, "kind") ?? "?";
                var mark = kind switch { "pass" => "pass  ", "escalate" => "STOP  ", "dry_run" => "dry   ", _ => "wait  " };
                text.AppendLine(CultureInfo.InvariantCulture, $"  {mark}{Str(payload, "guardrail")}: {Str(payload, "reason")}");
            }
        }

        foreach (var decided in records.Where(r => r.Type == AuditTypes.Decided))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Decision    {decided.Summary["decision: ".Length..]}");
        }

        foreach (var record in records.Where(r => r.Type is AuditTypes.DryRun or AuditTypes.ActionPreviewed or AuditTypes.ActionExecuted))
        {
            var payload = record.PayloadJson();
            var label = record.Type switch { AuditTypes.DryRun => "Dry run", AuditTypes.ActionPreviewed => "Preview", _ => "Action" };
            var duration = payload.TryGetProperty("durationMs", out var ms) ? $" in {ms.GetDouble().ToString("0.#", CultureInfo.InvariantCulture)} ms" : string.Empty;
            text.AppendLine(CultureInfo.InvariantCulture, $"{label,-12}{Str(payload, "action")}{duration}: {Str(payload, "summary")}");
            if (payload.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array)
            {
                foreach (var change in changes.EnumerateArray().Take(20))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"            - {change.GetString()}");
                }

                if (changes.GetArrayLength() > 20)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"            … and {changes.GetArrayLength() - 20} more");
                }
            }
        }

        foreach (var record in records.Where(r => r.Type == AuditTypes.Verification))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Verify      {Time(record.At)} {record.Summary}");
        }

        foreach (var record in records.Where(r => r.Type is AuditTypes.Escalated or AuditTypes.Notified or AuditTypes.Suspended or AuditTypes.Remediated or AuditTypes.Resolved or AuditTypes.Duplicate))
        {
            var label = record.Type switch
            {
                AuditTypes.Escalated => "Escalation",
                AuditTypes.Notified => "Notified",
                AuditTypes.Suspended => "Suspended",
                AuditTypes.Remediated => "Outcome",
                AuditTypes.Resolved => "Resolved",
                _ => "Duplicate",
            };
            text.AppendLine(CultureInfo.InvariantCulture, $"{label,-12}{Time(record.At)} {record.Summary}");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Timeline ({records.Count} audit records)");
        foreach (var record in records)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  #{record.Sequence,-6} {Time(record.At)}  {record.Type,-17} {Clean(record.Summary)}");
        }

        return text.ToString();
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Untrusted text is shown on one line with control characters made visible, so it cannot forge lines of the story.</summary>
    public static string Clean(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 300));
        foreach (var character in text.Length > 300 ? text[..300] + "…" : text)
        {
            builder.Append(char.IsControl(character) ? $"\\u{(int)character:x4}" : character.ToString());
        }

        return builder.ToString();
    }
}
