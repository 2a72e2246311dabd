namespace Homeostat.Healing;

/// <summary>The store could not write (disk full, read-only file, I/O error): nothing of the write happened; try again later.</summary>
public sealed class StoreUnavailableException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    public string Reason { get; } = reason;
}

/// <summary>A store that can prove it writes again with a tiny committed write that touches no incident or audit record.</summary>
public interface IStoreWriteProbe
{
    Task ProbeWriteAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Whether the store can write, from the outcomes of its writes. A failed write marks it unwritable and sets a back-off
/// (5 s, doubling to 60 s) after which readiness probes it again; any successful write marks it writable at once.
/// </summary>
public sealed class StoreHealth(TimeProvider timeProvider)
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private string? _reason;
    private TimeSpan _backoff = TimeSpan.Zero;
    private DateTimeOffset _nextProbeAt;

    public bool IsWritable
    {
        get
        {
            lock (_lock)
            {
                return _reason is null;
            }
        }
    }

    /// <summary>Why the last write failed; null while the store writes.</summary>
    public string? Reason
    {
        get
        {
            lock (_lock)
            {
                return _reason;
            }
        }
    }

    /// <summary>When a client should try again: the time left of the back-off, at least one second.</summary>
    public TimeSpan RetryAfter
    {
        get
        {
            lock (_lock)
            {
                var left = _nextProbeAt - timeProvider.GetUtcNow();
                return left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left;
            }
        }
    }

    /// <summary>True when the store is unwritable and its back-off has passed: time to probe it again.</summary>
    public bool ProbeDue
    {
        get
        {
            lock (_lock)
            {
                return _reason is not null && timeProvider.GetUtcNow() >= _nextProbeAt;
            }
        }
    }

    public void WriteFailed(string reason)
    {
        lock (_lock)
        {
            _backoff = _reason is null ? FirstBackoff : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
            _reason = reason;
            _nextProbeAt = timeProvider.GetUtcNow() + _backoff;
        }
    }

    public void WriteSucceeded()
    {
        lock (_lock)
        {
            _reason = null;
            _backoff = TimeSpan.Zero;
        }
    }
}
