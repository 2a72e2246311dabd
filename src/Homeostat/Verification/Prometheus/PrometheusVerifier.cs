using System.Globalization;
using System.Net;
using System.Text.Json;
using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Verification.Prometheus;

/// <summary>
/// Re-runs the alert's own expression (from <c>generatorURL</c>) against Prometheus: cleared when no returned series
/// matches the alert's labels; a series still matching is not cleared; any failure of the query itself is an error,
/// never cleared.
/// </summary>
public sealed class PrometheusVerifier(IHttpClientFactory httpClients, IOptionsMonitor<PrometheusOptions> options, TimeProvider timeProvider) : IVerifier
{
    public const string ClientName = "homeostat-prometheus";
    private const int MaxErrorText = 300;

    /// <summary>Series labels that say nothing about which alert instance a series is.</summary>
    private static readonly HashSet<string> IgnoredLabels = new(StringComparer.Ordinal) { "__name__", "alertname", "severity" };

    public string Name => "prometheus";

    public bool CanVerify(Incident incident) =>
        !string.IsNullOrWhiteSpace(options.CurrentValue.Url)
        && incident.Signal.Source is SignalSources.Alertmanager or SignalSources.Prometheus
        && !string.IsNullOrWhiteSpace(SignalText.ExpressionFromGeneratorUrl(incident.Signal.GeneratorUrl));

    public async Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var expression = SignalText.ExpressionFromGeneratorUrl(incident.Signal.GeneratorUrl);
        if (string.IsNullOrWhiteSpace(current.Url) || string.IsNullOrWhiteSpace(expression))
        {
            return Error("no Prometheus URL or no alert expression to re-run");
        }

        var url = $"{current.Url.TrimEnd('/')}/api/v1/query?query={Uri.EscapeDataString(expression)}";
        var timeout = current.Timeout.Value;
        using var limit = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        var client = httpClients.CreateClient(ClientName);
        try
        {
            using var response = await client.GetAsync(new Uri(url), HttpCompletionOption.ResponseContentRead, linked.Token);
            var body = await response.Content.ReadAsStringAsync(linked.Token);
            return Evaluate(incident, expression, response.StatusCode, body);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Error($"Prometheus at {current.Url} gave no answer within {current.Timeout}");
        }
        catch (HttpRequestException exception)
        {
            return Error($"Prometheus at {current.Url} is unreachable: {exception.Message}");
        }
    }

    private static VerificationResult Evaluate(Incident incident, string expression, HttpStatusCode status, string body)
    {
        JsonDocument? document = null;
        try
        {
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                document = null;
            }

            var root = document?.RootElement;
            var reported = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (reported == "error" || status != HttpStatusCode.OK)
            {
                var reason = root is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("error", out var message)
                    ? $"{(e.TryGetProperty("errorType", out var type) ? type.GetString() + ": " : string.Empty)}{message.GetString()}"
                    : Shorten(body);
                return Error($"Prometheus answered HTTP {(int)status} for `{expression}`: {reason}");
            }

            if (reported != "success" || !root!.Value.TryGetProperty("data", out var data) || !data.TryGetProperty("result", out var result))
            {
                return Error($"Prometheus answered `{expression}` with an unexpected body: {Shorten(body)}");
            }

            var resultType = data.TryGetProperty("resultType", out var t) ? t.GetString() : null;
            if (resultType is not ("vector" or "matrix") || result.ValueKind != JsonValueKind.Array)
            {
                return Error($"`{expression}` returned a {resultType ?? "missing"} result, not a vector; cannot compare it with the alert");
            }

            var alertLabels = incident.Signal.Labels;
            var total = 0;
            foreach (var series in result.EnumerateArray())
            {
                total++;
                var labels = SeriesLabels(series);
                if (Matches(labels, alertLabels))
                {
                    return new VerificationResult(
                        VerificationStatus.NotCleared,
                        $"`{expression}` still returns {Format(labels)} = {SeriesValue(series)}");
                }
            }

            return new VerificationResult(
                VerificationStatus.Cleared,
                total == 0
                    ? $"`{expression}` returns no series"
                    : $"`{expression}` returns no series matching the alert's labels ({total} other series)");
        }
        finally
        {
            document?.Dispose();
        }
    }

    /// <summary>A series is the alert's when every label both carry agrees; labels the rule added are not in the series.</summary>
    private static bool Matches(IReadOnlyDictionary<string, string> series, IReadOnlyDictionary<string, string> alert) =>
        series.All(l => IgnoredLabels.Contains(l.Key) || !alert.TryGetValue(l.Key, out var value) || value == l.Value);

    private static Dictionary<string, string> SeriesLabels(JsonElement series)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (series.TryGetProperty("metric", out var metric) && metric.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in metric.EnumerateObject())
            {
                labels[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return labels;
    }

    private static string SeriesValue(JsonElement series)
    {
        var sample = series.TryGetProperty("value", out var value) ? value
            : series.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0 ? values[values.GetArrayLength() - 1]
            : default;
        return sample.ValueKind == JsonValueKind.Array && sample.GetArrayLength() == 2 ? sample[1].GetString() ?? "?" : "?";
    }

    private static string Format(IReadOnlyDictionary<string, string> labels)
    {
        var name = labels.TryGetValue("__name__", out var n) ? n : string.Empty;
        var rest = labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key}=\"{l.Value}\""));
        return $"{name}{{{string.Join(",", rest)}}}";
    }

    private static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxErrorText ? (text.Length == 0 ? "(empty body)" : text) : text[..MaxErrorText] + "…";
    }

    private static VerificationResult Error(string detail) => new(VerificationStatus.Error, detail);
}
