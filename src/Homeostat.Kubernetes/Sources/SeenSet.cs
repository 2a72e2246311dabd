namespace Homeostat.Kubernetes.Sources;

/// <summary>The keys already sent, oldest forgotten first once <c>capacity</c> is reached. Thread-safe.</summary>
public sealed class SeenSet(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _keys.Count;
            }
        }
    }

    public bool Contains(string key)
    {
        lock (_gate)
        {
            return _keys.Contains(key);
        }
    }

    /// <summary>Remembers the key; false when it was already there.</summary>
    public bool Add(string key)
    {
        lock (_gate)
        {
            if (!_keys.Add(key))
            {
                return false;
            }

            _order.Enqueue(key);
            while (_order.Count > capacity)
            {
                _keys.Remove(_order.Dequeue());
            }

            return true;
        }
    }
}
