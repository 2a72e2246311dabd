using Homeostat.Escalation;

namespace Homeostat.Healing;

/// <summary>
/// Saves lifecycle transitions inside a store transaction: the notification a transition owes becomes one outbox entry
/// per configured notifier, and every escalation is written to the service's log.
/// </summary>
public sealed class TransitionWriter(NotifierSet notifiers, EscalationLog escalationLog, TimeProvider timeProvider)
{
    /// <summary>
    /// Applies <paramref name="event"/> to the incident as stored now and saves the result; null when the incident is
    /// no longer at <paramref name="expectedVersion"/> (any version when null) or the event does not apply to it.
    /// </summary>
    public async Task<Incident?> ApplyAsync(IStoreWriter writer, string incidentId, long? expectedVersion, IncidentEvent @event, CancellationToken cancellationToken)
    {
        var current = await writer.GetIncidentAsync(incidentId, cancellationToken);
        if (current is null || (expectedVersion is { } expected && current.Version != expected)
            || !IncidentLifecycle.TryApply(current, @event, timeProvider.GetUtcNow(), out var transition, out _))
        {
            return null;
        }

        return await SaveAsync(writer, transition!, cancellationToken);
    }

    /// <summary>Saves the transition and returns the incident as it now stands (with its new version).</summary>
    public async Task<Incident?> SaveAsync(IStoreWriter writer, Transition transition, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var incident = transition.Current;
        if (transition.Notify is { } intent && incident is not null)
        {
            transition = transition with
            {
                Outbox = notifiers.Names.Select(name => new OutboxEntry
                {
                    IncidentId = incident.Id,
                    Notifier = name,
                    Reason = intent.Reason,
                    Detail = intent.Detail,
                    CreatedAt = now,
                    NextAttemptAt = now,
                }).ToList(),
            };
            escalationLog.Escalated(incident.Id, incident.Service, intent.Reason, incident.Classification?.Class, intent.Detail);
        }

        var version = await writer.SaveAsync(transition, cancellationToken);
        return incident is null ? null : incident with { Version = version };
    }
}
