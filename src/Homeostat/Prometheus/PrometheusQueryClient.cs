using System.Globalization;
using System.Net;
using System.Text.Json;
using Homeostat.Primitives;

namespace Homeostat.Prometheus;

/// <summary>One series of an instant query: its labels (untrusted) and its latest sample.</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, double Value, string RawValue)
{
    private const int MaxShownValueLength = 1024;

    /// <summary>For texts (signals, audit details): each label value is cut, so the text stays bounded.</summary>
    public string Describe()
    {
        var name = Labels.TryGetValue("__name__", out var n) ? Cut(n) : string.Empty;
        var rest = Labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key}=\"{Cut(l.Value)}\""));
        return $"{name}{{{string.Join(",", rest)}}}";

        static string Cut(string value) => value.Length > MaxShownValueLength ? value[..MaxShownValueLength] + "…" : value;
    }
}

/// <summary>The series an instant query returned, or why the query failed. A failure never says anything about the series.</summary>
public sealed record PrometheusQueryResult(IReadOnlyList<PrometheusSeries> Series, string? Error)
{
    public bool Succeeded => Error is null;

    public static PrometheusQueryResult Failed(string error) => new([], error);
}

/// <summary>
/// Runs instant queries (<c>/api/v1/query</c>) with a timeout on the injected clock. Every way the query can fail
/// (unreachable, slow, oversized, non-200, <c>status: error</c>, an unexpected body or result type) comes back as an
/// error with its reason, never as an empty result. Label values are returned whole: verifiers compare them with the
/// values an incident carries, and only the body as a whole is bounded.
/// </summary>
public sealed class PrometheusQueryClient(IHttpClientFactory httpClients, TimeProvider timeProvider)
{
    public const string ClientName = "homeostat-prometheus";

    /// <param name="bearerTokenFile">The token file, when Prometheus wants a bearer token.</param>
    /// <param name="bearerTokenSetting">The setting that names the file, for errors.</param>
    public async Task<PrometheusQueryResult> QueryAsync(
        string baseUrl, string expression, Duration timeout, CancellationToken cancellationToken, string? bearerTokenFile = null, string bearerTokenSetting = "bearer_token_file")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{baseUrl.TrimEnd('/')}/api/v1/query?query={Uri.EscapeDataString(expression)}"));
        if (await BearerTokenFile.ApplyAsync(request, bearerTokenFile, bearerTokenSetting, cancellationToken) is { } tokenProblem)
        {
            return PrometheusQueryResult.Failed(tokenProblem);
        }

        var answer = await JsonHttpGet.SendAsync(httpClients.CreateClient(ClientName), request, $"Prometheus at {baseUrl}", timeout, timeProvider, cancellationToken);
        return answer.Succeeded ? Parse(expression, answer.Status, answer.Body) : PrometheusQueryResult.Failed(answer.Failure!);
    }

    public static PrometheusQueryResult Parse(string expression, HttpStatusCode status, string body)
    {
        JsonDocument? document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            document = null;
        }

        using (document)
        {
            var root = document?.RootElement;
            var reported = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (reported == "error" || status != HttpStatusCode.OK)
            {
                var reason = root is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("error", out var message)
                    ? $"{(e.TryGetProperty("errorType", out var type) ? type.ToString() + ": " : string.Empty)}{message}"
                    : JsonHttpGet.Shorten(body);
                return PrometheusQueryResult.Failed($"Prometheus answered HTTP {(int)status} for `{expression}`: {JsonHttpGet.Shorten(reason)}");
            }

            if (reported != "success" || !root!.Value.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("result", out var result))
            {
                return PrometheusQueryResult.Failed($"Prometheus answered `{expression}` with an unexpected body: {JsonHttpGet.Shorten(body)}");
            }

            var resultType = data.TryGetProperty("resultType", out var t) ? t.ToString() : null;
            if (resultType is not ("vector" or "matrix") || result.ValueKind != JsonValueKind.Array)
            {
                return PrometheusQueryResult.Failed($"`{expression}` returned a {resultType ?? "missing"} result, not a vector of series");
            }

            var series = new List<PrometheusSeries>(result.GetArrayLength());
            foreach (var item in result.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                {
                    var raw = SampleValue(item);
                    series.Add(new PrometheusSeries(SeriesLabels(item), ParseSample(raw), raw));
                }
            }

            return new PrometheusQueryResult(series, null);
        }
    }

    /// <summary>Prometheus writes sample values as strings, with <c>+Inf</c>, <c>-Inf</c> and <c>NaN</c>.</summary>
    public static double ParseSample(string raw) => raw switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN,
    };

    private static Dictionary<string, string> SeriesLabels(JsonElement series)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (series.TryGetProperty("metric", out var metric) && metric.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in metric.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                labels[property.Name] = value;
            }
        }

        return labels;
    }

    private static string SampleValue(JsonElement series)
    {
        var sample = series.TryGetProperty("value", out var value) ? value
            : series.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0 ? values[values.GetArrayLength() - 1]
            : default;
        return sample.ValueKind == JsonValueKind.Array && sample.GetArrayLength() == 2 && sample[1].ValueKind == JsonValueKind.String ? sample[1].GetString()! : "?";
    }
}
