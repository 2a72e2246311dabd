using System.Text;
using Homeostat.Signals;

namespace Homeostat.Diagnosis;

/// <summary>The parts of a signal classifiers read, flattened once: title and alert name, labels, annotations, expression, text.</summary>
public sealed record SignalText(string Heading, string Labels, string Annotations, string Expression, string Body)
{
    public const int MaxBodyLength = 16 * 1024;

    public static SignalText From(Signal signal)
    {
        var heading = string.Join(' ', new[] { signal.Title, signal.Label("alertname"), signal.Label("reason") }.Where(s => !string.IsNullOrEmpty(s)).Distinct());
        var labels = string.Join(' ', signal.Labels.Where(l => l.Key is not "alertname").Select(l => $"{l.Key}={l.Value}"));
        var annotations = string.Join(' ', signal.Annotations.Values);
        var body = signal.Text ?? string.Empty;
        if (body.Length > MaxBodyLength)
        {
            body = body[..MaxBodyLength];
        }

        var expression = new StringBuilder(ExpressionFromGeneratorUrl(signal.GeneratorUrl));
        foreach (var metric in signal.Metrics.Keys)
        {
            expression.Append(' ').Append(metric);
        }

        var query = ExpressionFromGeneratorUrl(signal.GeneratorUrl);
        if (query.Length == 0)
        {
            query = signal.Label("expr") ?? (signal.Annotations.TryGetValue("expr", out var annotated) ? annotated : string.Empty);
        }

        return new SignalText(heading, labels, annotations, expression.ToString(), body) { Query = query };
    }

    /// <summary>The alert's PromQL: <c>g0.expr</c> of <c>generatorURL</c>, or an <c>expr</c> label or annotation.</summary>
    public string Query { get; init; } = string.Empty;

    /// <summary>All parts, for patterns that may appear anywhere.</summary>
    public string All => $"{Heading}\n{Labels}\n{Annotations}\n{Expression}\n{Body}";

    /// <summary>The alert expression Prometheus puts in <c>generatorURL</c> as <c>g0.expr</c>.</summary>
    public static string ExpressionFromGeneratorUrl(string? generatorUrl)
    {
        if (string.IsNullOrEmpty(generatorUrl))
        {
            return string.Empty;
        }

        var query = generatorUrl.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return string.Empty;
        }

        foreach (var part in generatorUrl[(query + 1)..].Split('&'))
        {
            if (part.StartsWith("g0.expr=", StringComparison.Ordinal))
            {
                try
                {
                    return Uri.UnescapeDataString(part["g0.expr=".Length..].Replace('+', ' '));
                }
                catch (UriFormatException)
                {
                    return string.Empty;
                }
            }
        }

        return string.Empty;
    }
}
