using Microsoft.Extensions.Logging;

namespace Homeostat.Signals;

/// <summary>
/// The intake limits (<c>intake.limits</c>) for signals Homeostat builds itself from what it polls or watches (the
/// Prometheus rules, the Kubernetes watch). Nobody is there to answer a 400, and the problem the signal reports is real,
/// so nothing is refused as a whole: an over-long value, title or text is cut and ends with <see cref="Marker"/>; a label
/// or annotation whose name the limits refuse, and those beyond <see cref="IntakeLimits.MaxLabels"/>, are left out.
/// Each change is logged as a warning naming the source, the field and the key.
/// </summary>
public static partial class PolledSignalBounds
{
    /// <summary>Ends every value that was cut, so a reader knows it is not the whole text.</summary>
    public const string Marker = "…[cut]";

    public static Signal Bound(Signal signal, IntakeLimits limits, ILogger logger)
    {
        var labels = BoundMap(signal, signal.Labels, "labels", limits.MaxLabelValueLength, limits, logger);
        var annotations = BoundMap(signal, signal.Annotations, "annotations", limits.MaxAnnotationValueLength, limits, logger);
        var title = BoundText(signal, signal.Title, "title", null, limits.MaxTitleLength, logger);
        var text = BoundText(signal, signal.Text, "text", null, limits.MaxTextLength, logger);
        return ReferenceEquals(labels, signal.Labels) && ReferenceEquals(annotations, signal.Annotations) && ReferenceEquals(title, signal.Title) && ReferenceEquals(text, signal.Text)
            ? signal
            : signal with { Labels = labels, Annotations = annotations, Title = title, Text = text };
    }

    /// <summary><paramref name="value"/> cut to <paramref name="max"/> characters, the last of them <see cref="Marker"/>, never splitting a surrogate pair.</summary>
    public static string Cut(string value, int max)
    {
        if (value.Length <= max)
        {
            return value;
        }

        var keep = Math.Max(0, max - Marker.Length);
        if (keep > 0 && char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        return value[..keep] + Marker[..Math.Min(Marker.Length, max)];
    }

    private static IReadOnlyDictionary<string, string> BoundMap(Signal signal, IReadOnlyDictionary<string, string> map, string field, int maxValue, IntakeLimits limits, ILogger logger)
    {
        var isLabels = field == "labels";
        var needsWork = map.Count > limits.MaxLabels || map.Any(entry => entry.Value.Length > maxValue || IntakeBounds.NameProblem(entry.Key, limits, isLabels) is not null);
        if (!needsWork)
        {
            return map;
        }

        var bounded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            if (IntakeBounds.NameProblem(name, limits, isLabels) is { } problem)
            {
                LogChanged(logger, signal.Source, signal.Id, field, IntakeBounds.Shown(name), "left out: " + problem);
                continue;
            }

            if (bounded.Count == limits.MaxLabels)
            {
                LogChanged(logger, signal.Source, signal.Id, field, IntakeBounds.Shown(name), $"left out: more than {limits.MaxLabels} {field} (intake.limits.max_labels)");
                continue;
            }

            bounded[name] = BoundText(signal, value, field, name, maxValue, logger)!;
        }

        return bounded;
    }

    private static string? BoundText(Signal signal, string? value, string field, string? key, int max, ILogger logger)
    {
        if (value is null || value.Length <= max)
        {
            return value;
        }

        LogChanged(logger, signal.Source, signal.Id, field, key is null ? "-" : IntakeBounds.Shown(key), $"cut from {value.Length} to {max} characters (intake.limits)");
        return Cut(value, max);
    }

    [LoggerMessage(EventId = 1150, Level = LogLevel.Warning, Message = "Signal from {Source} ({SignalId}): {Field} {Key} {Change}")]
    private static partial void LogChanged(ILogger logger, string source, string signalId, string field, string key, string change);
}
