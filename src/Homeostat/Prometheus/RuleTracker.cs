using Homeostat.Signals;

namespace Homeostat.Prometheus;

/// <summary>A signal the tracker wants sent; it counts as sent only once <see cref="RuleTracker.Sent"/> is called.</summary>
public sealed record RuleTransition(RuleMatch Match, DateTimeOffset Since, SignalStatus Status);

/// <summary>
/// Pending and firing state of one rule's series, like a Prometheus alerting rule: a series seen for <c>for</c> fires
/// with its first-seen time; a firing series missing from a successful evaluation resolves. Only successful
/// evaluations reach it: an outage must not look like a recovery. At most <c>maxSeries</c> series are tracked: the cap
/// only keeps new series out, so a tracked series is never pushed out (and resolved) by others while it still matches.
/// </summary>
public sealed class RuleTracker(TimeSpan holdFor, int maxSeries)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _leftovers = new(StringComparer.Ordinal);

    /// <summary>Set once the first successful evaluation has been reconciled with what an earlier run left open.</summary>
    public bool Started { get; set; }

    public int Pending => _entries.Values.Count(e => !e.Fired);

    public int Firing => _entries.Values.Count(e => e.Fired);

    /// <summary>Matching series the last observation left untracked because <c>max_series</c> were already tracked.</summary>
    public int Dropped { get; private set; }

    /// <summary>Incidents an earlier run left open that this run has neither resolved nor fired again yet.</summary>
    public int Leftovers => _leftovers.Count;

    /// <summary>
    /// Series an earlier run left an incident open for, with the incident's start. Each is admitted before other new
    /// series, so after a restart the cap cannot shut it out. Until this run fires it again, the first observation
    /// that sees it present and clear resolves it: without that, an incident whose series was absent at the restart
    /// and came back within the threshold would never be resolved.
    /// </summary>
    public void AdoptLeftovers(IEnumerable<KeyValuePair<string, DateTimeOffset>> leftovers)
    {
        foreach (var (fingerprint, since) in leftovers)
        {
            _leftovers[fingerprint] = since;
        }
    }

    public IReadOnlyList<RuleTransition> Observe(RuleEvaluation evaluation, DateTimeOffset now)
    {
        if (!evaluation.Succeeded)
        {
            throw new ArgumentException("only successful evaluations change a rule's state", nameof(evaluation));
        }

        var present = evaluation.Matches.Select(m => m.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var resolved = new List<RuleTransition>();
        foreach (var (fingerprint, entry) in _entries.ToList())
        {
            if (present.Contains(fingerprint))
            {
                continue;
            }

            if (entry.Fired)
            {
                resolved.Add(new RuleTransition(entry.Last!, entry.Since, SignalStatus.Resolved));
            }
            else
            {
                _entries.Remove(fingerprint);
            }
        }

        var firing = new List<RuleTransition>();
        var dropped = 0;
        foreach (var match in evaluation.Clear.Where(m => _leftovers.ContainsKey(m.Fingerprint)))
        {
            resolved.Add(new RuleTransition(match, _leftovers[match.Fingerprint], SignalStatus.Resolved));
        }

        foreach (var match in evaluation.Matches.OrderBy(m => _leftovers.ContainsKey(m.Fingerprint) ? 0 : 1))
        {
            if (!_entries.TryGetValue(match.Fingerprint, out var entry))
            {
                if (_entries.Count >= maxSeries)
                {
                    dropped++;
                    continue;
                }

                entry = new Entry(now);
                _entries[match.Fingerprint] = entry;
            }

            entry.Last = match;
            if (!entry.Fired && now - entry.Since >= holdFor)
            {
                firing.Add(new RuleTransition(match, entry.Since, SignalStatus.Firing));
            }
        }

        Dropped = dropped;
        return [.. firing, .. resolved];
    }

    /// <summary>Records that a transition's signal reached the intake; an unsent one is offered again next time.</summary>
    public void Sent(RuleTransition transition)
    {
        if (transition.Status == SignalStatus.Firing && _entries.TryGetValue(transition.Match.Fingerprint, out var entry))
        {
            entry.Fired = true;
            _leftovers.Remove(transition.Match.Fingerprint);
        }
        else if (transition.Status == SignalStatus.Resolved)
        {
            _entries.Remove(transition.Match.Fingerprint);
            _leftovers.Remove(transition.Match.Fingerprint);
        }
    }

    private sealed class Entry(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public bool Fired { get; set; }

        public RuleMatch? Last { get; set; }
    }
}
