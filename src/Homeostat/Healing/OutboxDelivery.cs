using Homeostat.Escalation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Healing;

/// <summary>
/// Delivers due outbox entries, one notifier's entry at a time: delivered, retried with back-off, or given up, each
/// attempt audited. Entries are claimed through the store, so replicas and workers never send one entry at once.
/// </summary>
public sealed partial class OutboxDelivery(
    IHomeostatStore store,
    NotifierSet notifiers,
    TransitionWriter transitions,
    IOptionsMonitor<HealingOptions> options,
    TimeProvider timeProvider,
    ILogger<OutboxDelivery> logger)
{
    /// <summary>Entries written by a release that kept one pending notification per incident: meant for every notifier.</summary>
    public const string EveryNotifier = "*";

    /// <summary>Delivers every entry due now; returns how many attempts it made.</summary>
    public async Task<int> DeliverDueAsync(string owner, CancellationToken cancellationToken)
    {
        var handled = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var entry = await store.ClaimNextNotificationAsync(owner, timeProvider.GetUtcNow(), options.CurrentValue.ClaimLease.Value, cancellationToken);
            if (entry is null)
            {
                break;
            }

            if (entry.Notifier == EveryNotifier)
            {
                await FanOutAsync(entry);
            }
            else
            {
                await DeliverAsync(entry, cancellationToken);
            }

            handled++;
        }

        return handled;
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var incident = await store.GetIncidentAsync(entry.IncidentId, CancellationToken.None);
        var notifier = notifiers.Find(entry.Notifier);
        NotificationResult result;
        if (incident is null)
        {
            result = new NotificationResult(entry.Notifier, false, 0, $"incident {entry.IncidentId} does not exist") { Retryable = false };
        }
        else if (notifier is null)
        {
            result = new NotificationResult(entry.Notifier, false, 0, $"the notifier '{entry.Notifier}' is no longer configured") { Retryable = false };
        }
        else
        {
            try
            {
                result = await notifier.NotifyAsync(EscalationNotice.From(incident, entry.Reason, entry.Detail, entry.CreatedAt), cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = new NotificationResult(entry.Notifier, false, 1, $"{exception.GetType().Name}: {exception.Message}");
            }
        }

        var now = timeProvider.GetUtcNow();
        var retry = options.CurrentValue.Notifications;
        var attempts = entry.Attempts + 1;
        NotificationOutcome outcome;
        DateTimeOffset? nextAttempt = null;
        if (result.Delivered)
        {
            outcome = NotificationOutcome.Delivered;
        }
        else if (!result.Retryable || now - entry.CreatedAt + retry.DelayBefore(attempts) > retry.GiveUpAfter.Value)
        {
            outcome = NotificationOutcome.GivenUp;
        }
        else
        {
            outcome = NotificationOutcome.Retrying;
            nextAttempt = now + retry.DelayBefore(attempts);
        }

        var updated = entry with
        {
            Attempts = attempts,
            Status = outcome switch { NotificationOutcome.Delivered => OutboxStatus.Delivered, NotificationOutcome.GivenUp => OutboxStatus.GivenUp, _ => OutboxStatus.Pending },
            NextAttemptAt = nextAttempt ?? now,
            LastDetail = result.Detail,
        };
        if (outcome == NotificationOutcome.GivenUp)
        {
            LogGivenUp(logger, entry.Notifier, entry.IncidentId, attempts, result.Detail);
        }

        await store.WriteAsync(
            async writer =>
            {
                await writer.UpdateNotificationAsync(updated, CancellationToken.None);
                var current = await writer.GetIncidentAsync(entry.IncidentId, CancellationToken.None);
                if (current is not null)
                {
                    await transitions.SaveAsync(writer, IncidentLifecycle.Apply(current, new NotificationAttempted(updated, result, outcome, nextAttempt), now), CancellationToken.None);
                }

                return true;
            },
            CancellationToken.None);
    }

    private Task FanOutAsync(OutboxEntry entry) =>
        store.WriteAsync(
            async writer =>
            {
                var now = timeProvider.GetUtcNow();
                await writer.UpdateNotificationAsync(entry with { Status = OutboxStatus.Cancelled, LastDetail = $"queued again for {string.Join(", ", notifiers.Names)}" }, CancellationToken.None);
                var incident = await writer.GetIncidentAsync(entry.IncidentId, CancellationToken.None);
                if (incident is not null)
                {
                    var entries = notifiers.Names.Select(name => entry with { Id = 0, Notifier = name, Attempts = 0, NextAttemptAt = now, Status = OutboxStatus.Pending }).ToList();
                    await writer.SaveAsync(new Transition(incident, null, []) { Outbox = entries }, CancellationToken.None);
                }

                return true;
            },
            CancellationToken.None);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Gave up notifying {Notifier} about incident {IncidentId} after {Attempts} attempt(s): {Detail}")]
    private static partial void LogGivenUp(ILogger logger, string notifier, string incidentId, int attempts, string detail);
}
