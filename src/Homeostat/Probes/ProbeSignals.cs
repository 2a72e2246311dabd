using Homeostat.Signals;

namespace Homeostat.Probes;

/// <summary>What every probe kind's signal shares: source, service, status, start, text and the standard labels.</summary>
public static class ProbeSignals
{
    public const string DefaultSeverity = "warning";

    /// <summary>
    /// The signal for a reading: firing when breached, resolved otherwise. Its labels are the probe's configured ones,
    /// then <c>probe</c> (the probe's name) and the subject labels (both override configured labels of the same name),
    /// then <c>severity</c> when none was configured. Its metrics are the given ones and the reading's own.
    /// </summary>
    public static Signal Create(
        ProbeOptions options,
        ProbeReading reading,
        DateTimeOffset since,
        string id,
        string title,
        SignalResource resource,
        IEnumerable<KeyValuePair<string, string>> subjectLabels,
        IReadOnlyDictionary<string, double> metrics) => new()
        {
            Id = id,
            Source = SignalSources.Probe,
            Service = options.Service,
            Resource = resource,
            Title = title,
            Text = reading.Description,
            Labels = Labels(options, subjectLabels),
            Metrics = Merge(metrics, reading.Metrics),
            Status = reading.Breached ? SignalStatus.Firing : SignalStatus.Resolved,
            StartsAt = since,
        };

    public static Dictionary<string, string> Labels(ProbeOptions options, IEnumerable<KeyValuePair<string, string>> subjectLabels)
    {
        var labels = new Dictionary<string, string>(options.Labels, StringComparer.Ordinal) { ["probe"] = options.Name };
        foreach (var (name, value) in subjectLabels)
        {
            labels[name] = value;
        }

        labels.TryAdd("severity", DefaultSeverity);
        return labels;
    }

    /// <summary>Value over limit to four places; 0 when there is no positive limit.</summary>
    public static double UsageRatio(ProbeReading reading) => reading.Limit > 0 ? Math.Round(reading.Value / reading.Limit, 4) : 0;

    public static KeyValuePair<string, string> Label(string name, string value) => new(name, value);

    private static IReadOnlyDictionary<string, double> Merge(IReadOnlyDictionary<string, double> metrics, IReadOnlyDictionary<string, double> found)
    {
        if (found.Count == 0)
        {
            return metrics;
        }

        var merged = new Dictionary<string, double>(metrics, StringComparer.Ordinal);
        foreach (var (name, value) in found)
        {
            merged[name] = value;
        }

        return merged;
    }
}
