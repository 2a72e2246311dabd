using Homeostat.Signals;

namespace Homeostat.Prometheus;

/// <summary>A signal the tracker wants sent; it counts as sent only once <see cref="RuleTracker.Sent"/> is called.</summary>
public sealed record RuleTransition(RuleMatch Match, DateTimeOffset Since, SignalStatus Status);

/// <summary>
/// Pending and firing state of one rule's series, like a Prometheus alerting rule: a series seen for <c>for</c> fires
/// with its first-seen time; a firing series missing from a successful evaluation resolves. Only successful
/// evaluations reach it: an outage must not look like a recovery.
/// </summary>
public sealed class RuleTracker(TimeSpan holdFor)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Set once the first successful evaluation has been reconciled with what an earlier run left open.</summary>
    public bool Started { get; set; }

    public int Pending => _entries.Values.Count(e => !e.Fired);

    public int Firing => _entries.Values.Count(e => e.Fired);

    public IReadOnlyList<RuleTransition> Observe(RuleEvaluation evaluation, DateTimeOffset now)
    {
        if (!evaluation.Succeeded)
        {
            throw new ArgumentException("only successful evaluations change a rule's state", nameof(evaluation));
        }

        var transitions = new List<RuleTransition>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var match in evaluation.Matches)
        {
            present.Add(match.Fingerprint);
            if (!_entries.TryGetValue(match.Fingerprint, out var entry))
            {
                entry = new Entry(now);
                _entries[match.Fingerprint] = entry;
            }

            entry.Last = match;
            if (!entry.Fired && now - entry.Since >= holdFor)
            {
                transitions.Add(new RuleTransition(match, entry.Since, SignalStatus.Firing));
            }
        }

        foreach (var (fingerprint, entry) in _entries.ToList())
        {
            if (present.Contains(fingerprint))
            {
                continue;
            }

            if (entry.Fired)
            {
                transitions.Add(new RuleTransition(entry.Last!, entry.Since, SignalStatus.Resolved));
            }
            else
            {
                _entries.Remove(fingerprint);
            }
        }

        return transitions;
    }

    /// <summary>Records that a transition's signal reached the intake; an unsent one is offered again next time.</summary>
    public void Sent(RuleTransition transition)
    {
        if (transition.Status == SignalStatus.Firing && _entries.TryGetValue(transition.Match.Fingerprint, out var entry))
        {
            entry.Fired = true;
        }
        else if (transition.Status == SignalStatus.Resolved)
        {
            _entries.Remove(transition.Match.Fingerprint);
        }
    }

    private sealed class Entry(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public bool Fired { get; set; }

        public RuleMatch? Last { get; set; }
    }
}
