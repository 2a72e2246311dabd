using Homeostat.Signals;

namespace Homeostat.Probes;

/// <summary>What one measurement found: whether the limit is breached, the value and the limit, in words.</summary>
public sealed record ProbeReading(bool Breached, double Value, double Limit, string Description)
{
    /// <summary>What the measurement found out about its subject (a certificate's CN), for the signal's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Further numbers the measurement found (a cgroup's usage including page cache), for the signal's metrics.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);
}

public interface IProbe
{
    ProbeOptions Options { get; }

    Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken);

    /// <summary>The signal this probe sends for a reading; firing when breached, resolved when back within the limit.</summary>
    Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id);
}
