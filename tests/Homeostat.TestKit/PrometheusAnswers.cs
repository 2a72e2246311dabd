using System.Globalization;
using System.Text.Json;

namespace Homeostat.TestKit;

/// <summary>Bodies of Prometheus' <c>/api/v1/query</c> as Prometheus writes them.</summary>
public static class PrometheusAnswers
{
    public static string Vector(params (Dictionary<string, string> Labels, string Value)[] series) =>
        JsonSerializer.Serialize(new
        {
            status = "success",
            data = new
            {
                resultType = "vector",
                result = series.Select(s => new { metric = s.Labels, value = new object[] { 1772359200.123, s.Value } }),
            },
        });

    public static string Vector(Dictionary<string, string> labels, double value) =>
        Vector((labels, value.ToString("R", CultureInfo.InvariantCulture)));

    public static string Error(string type, string message) =>
        JsonSerializer.Serialize(new { status = "error", errorType = type, error = message });
}
