using System.Globalization;
using System.Text;
using System.Text.Json;
using Homeostat.Healing;
using Homeostat.Primitives;

namespace Homeostat.Audit;

/// <summary>Tells one incident's story in plain words from its audit trail: what came in, what was decided and why, what ran, and how it ended.</summary>
public static class IncidentStory
{
    public static string Tell(Incident incident, IReadOnlyList<AuditRecord> records)
    {
        var text = new StringBuilder();
        var outcome = incident.Reason is null ? incident.State.ToWord() : $"{incident.State.ToWord()} ({incident.Reason})";
        Line(text, $"Incident {incident.Id} for service '{incident.Service}': {outcome}");
        if (incident.Detail is not null)
        {
            Line(text, $"  {incident.Detail}");
        }

        text.AppendLine();
        var signal = incident.Signal;
        Line(text, $"Signal      {signal.Source} '{signal.Title ?? signal.Label("alertname") ?? "(untitled)"}', received {Time(incident.CreatedAt)}, fingerprint {incident.Fingerprint}");
        if (signal.Labels.Count > 0)
        {
            Line(text, $"            labels: {string.Join(", ", signal.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={Clean(l.Value)}"))}");
        }

        if (!string.IsNullOrEmpty(signal.Text))
        {
            Line(text, $"            text: {Clean(signal.Text)}");
        }

        if (incident.Classification is { } classification)
        {
            Line(text, $"Class       {classification.Class}, confidence {classification.Confidence:0.00} ({classification.Classifier}): {classification.Reasoning}");
            if (classification.Votes is { Count: > 0 } votes)
            {
                Line(text, "            votes: " + string.Join("; ", votes.Select(v => $"{v.Classifier} {v.Class} {v.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}")));
            }
        }

        foreach (var decided in records.Where(r => r.Type == AuditTypes.Decided))
        {
            var payload = decided.PayloadJson();
            var catalogVersion = Str(payload, "catalogVersion");
            var action = Str(payload, "action");
            var mapping = action is null ? ", no remediation for this class" : $", remediation '{Str(payload, "remediation")}' -> action {action} ({Str(payload, "catalogLocation")})";
            Line(text, $"Catalog     version {catalogVersion ?? "?"}{mapping}");
            if (payload.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
            {
                Line(text, $"            parameters: {string.Join(", ", parameters.EnumerateObject().Select(p => $"{p.Name}={p.Value}"))}");
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
                Line(text, $"  {mark}{Str(payload, "guardrail")}: {Str(payload, "reason")}");
            }
        }

        foreach (var decided in records.Where(r => r.Type == AuditTypes.Decided))
        {
            Line(text, $"Decision    {decided.Summary["decision: ".Length..]}");
        }

        foreach (var record in records.Where(r => r.Type is AuditTypes.DryRun or AuditTypes.ActionPreviewed or AuditTypes.ActionExecuted))
        {
            var payload = record.PayloadJson();
            var label = record.Type switch { AuditTypes.DryRun => "Dry run", AuditTypes.ActionPreviewed => "Preview", _ => "Action" };
            var duration = payload.TryGetProperty("durationMs", out var ms) ? $" in {ms.GetDouble().ToString("0.#", CultureInfo.InvariantCulture)} ms" : string.Empty;
            Line(text, $"{label,-12}{Str(payload, "action")}{duration}: {Str(payload, "summary")}");
            if (payload.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array)
            {
                foreach (var change in changes.EnumerateArray().Take(20))
                {
                    Line(text, $"            - {change.GetString()}");
                }

                if (changes.GetArrayLength() > 20)
                {
                    Line(text, $"            … and {changes.GetArrayLength() - 20} more");
                }
            }
        }

        foreach (var record in records.Where(r => r.Type == AuditTypes.Verification))
        {
            Line(text, $"Verify      {Time(record.At)} {record.Summary}");
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
            Line(text, $"{label,-12}{Time(record.At)} {record.Summary}");
        }

        text.AppendLine();
        Line(text, $"Timeline ({records.Count} audit records)");
        foreach (var record in records)
        {
            Line(text, $"  #{record.Sequence,-6} {Time(record.At)}  {record.Type,-17} {Clean(record.Summary)}");
        }

        return text.ToString();
    }

    /// <summary>Appends one line with every unsafe character made visible, so untrusted text cannot move the cursor, forge lines or reorder what is shown.</summary>
    private static void Line(StringBuilder text, string line) => text.Append(TerminalText.Escape(line)).AppendLine();

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Untrusted text shown on one line, at most 300 characters, with unsafe characters made visible (see <see cref="TerminalText"/>).</summary>
    public static string Clean(string text) => TerminalText.Escape(text, 300);
}
