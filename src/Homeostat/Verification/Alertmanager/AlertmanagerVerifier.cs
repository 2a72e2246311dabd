using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Verification.Alertmanager;

/// <summary>
/// Verifies Alertmanager-born signals by asking Alertmanager's API v2 whether the alert is still there
/// (<c>GET /api/v2/alerts</c>, filtered by alertname, silenced and inhibited alerts included: a silenced problem is still
/// a problem). Cleared when no listed alert has the incident's fingerprint or label set; any failure is an error.
/// Used when <c>verification.alertmanager_signals</c> is <c>alertmanager</c>.
/// </summary>
public sealed class AlertmanagerVerifier(
    IHttpClientFactory httpClients,
    IOptionsMonitor<AlertmanagerApiOptions> options,
    IOptionsMonitor<VerificationOptions> routing,
    TimeProvider timeProvider) : IVerifier
{
    public const string ClientName = "homeostat-alertmanager";

    public string Name => "alertmanager";

    public int Order => VerifierOrder.Alertmanager;

    public bool CanVerify(Incident incident) =>
        routing.CurrentValue.AlertmanagerSignals == VerificationOptions.UseAlertmanager
        && !string.IsNullOrWhiteSpace(options.CurrentValue.Url)
        && incident.Signal.Source == SignalSources.Alertmanager
        && !string.IsNullOrEmpty(incident.Signal.Label("alertname"));

    public async Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var alertname = incident.Signal.Label("alertname");
        if (string.IsNullOrWhiteSpace(current.Url) || string.IsNullOrEmpty(alertname))
        {
            return Error("no Alertmanager URL or no alertname to look for");
        }

        var filter = Uri.EscapeDataString($"alertname=\"{EscapeMatcherValue(alertname)}\"");
        var url = new Uri($"{current.Url.TrimEnd('/')}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true&filter={filter}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (await BearerTokenFile.ApplyAsync(request, current.BearerTokenFile, "verification.alertmanager.bearer_token_file", cancellationToken) is { } tokenProblem)
        {
            return Error(tokenProblem);
        }

        var answer = await JsonHttpGet.SendAsync(httpClients.CreateClient(ClientName), request, $"Alertmanager at {current.Url}", current.Timeout, timeProvider, cancellationToken);
        return answer.Succeeded ? Evaluate(incident, alertname, answer.Status, answer.Body) : Error(answer.Failure!);
    }

    private static VerificationResult Evaluate(Incident incident, string alertname, HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.OK)
        {
            return Error($"Alertmanager answered HTTP {(int)status} for alerts named {alertname}: {JsonHttpGet.Shorten(body)}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Error($"Alertmanager answered with a body that is not JSON: {JsonHttpGet.Shorten(body)}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Error($"Alertmanager answered with an unexpected body (not a list of alerts): {JsonHttpGet.Shorten(body)}");
            }

            var listed = 0;
            foreach (var alert in document.RootElement.EnumerateArray())
            {
                if (alert.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                listed++;
                if (IsTheIncidentsAlert(alert, incident.Signal))
                {
                    var state = alert.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object && s.TryGetProperty("state", out var st) ? st.ToString() : "active";
                    return new VerificationResult(VerificationStatus.NotCleared, $"Alertmanager still lists {alertname} ({Fingerprint(alert) ?? "no fingerprint"}) as {state}");
                }
            }

            return new VerificationResult(
                VerificationStatus.Cleared,
                listed == 0
                    ? $"Alertmanager lists no alert named {alertname}"
                    : $"Alertmanager lists no {alertname} alert with the incident's labels ({listed} other)");
        }
    }

    /// <summary>
    /// The same fingerprint, or the same label set: a signal whose webhook carried no fingerprint got one computed by
    /// Homeostat, which Alertmanager's will not equal.
    /// </summary>
    private static bool IsTheIncidentsAlert(JsonElement alert, Signal signal)
    {
        if (!string.IsNullOrEmpty(signal.Fingerprint) && Fingerprint(alert) == signal.Fingerprint)
        {
            return true;
        }

        if (!alert.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var count = 0;
        foreach (var label in labels.EnumerateObject())
        {
            count++;
            if (signal.Label(label.Name) != label.Value.ToString())
            {
                return false;
            }
        }

        return count == signal.Labels.Count;
    }

    private static string? Fingerprint(JsonElement alert) =>
        alert.TryGetProperty("fingerprint", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;

    /// <summary>Inside a matcher's double quotes, backslash and quote are escaped and a newline is written as \n.</summary>
    public static string EscapeMatcherValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static VerificationResult Error(string detail) => new(VerificationStatus.Error, detail);
}
