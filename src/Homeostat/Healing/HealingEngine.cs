using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Healing;

/// <summary>Claims due incidents through the store and reconciles them, one at a time per worker.</summary>
public sealed partial class HealingEngine(
    IHomeostatStore store,
    IncidentReconciler reconciler,
    OutboxDelivery outbox,
    TransitionWriter transitions,
    IOptionsMonitor<HealingOptions> options,
    TimeProvider timeProvider,
    ILogger<HealingEngine> logger)
{
    public string ReplicaId { get; } = options.CurrentValue.ReplicaId ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Reconciles every incident that is due now, then delivers every notification due; returns how many it handled.</summary>
    public async Task<int> ProcessDueAsync(string worker, CancellationToken cancellationToken)
    {
        var handled = 0;
        var owner = $"{ReplicaId}/{worker}";
        while (!cancellationToken.IsCancellationRequested)
        {
            var incident = await store.ClaimNextDueAsync(owner, timeProvider.GetUtcNow(), options.CurrentValue.ClaimLease.Value, cancellationToken);
            if (incident is null)
            {
                break;
            }

            try
            {
                await reconciler.ReconcileAsync(incident, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A bug or an I/O fault on one incident must not stop the loop: record it, back off, and after a few
                // failures hand the incident to a human instead of retrying for ever.
                LogReconcileFailed(logger, exception, incident.Id);
                await RecordFailureAsync(incident, exception);
                await store.ReleaseClaimAsync(incident.Id, owner, CancellationToken.None);
                handled++;
                continue;
            }

            await store.ReleaseClaimAsync(incident.Id, owner, cancellationToken);
            handled++;
        }

        return handled + await outbox.DeliverDueAsync(owner, cancellationToken);
    }

    private async Task RecordFailureAsync(Incident incident, Exception exception)
    {
        try
        {
            var failed = new ReconcileFailed($"{exception.GetType().Name}: {exception.Message}", options.CurrentValue.MaxReconcileFailures);
            await store.WriteAsync(writer => transitions.ApplyAsync(writer, incident.Id, expectedVersion: null, failed, CancellationToken.None), CancellationToken.None);
        }
        catch (Exception recordFailure)
        {
            LogReconcileFailed(logger, recordFailure, incident.Id);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Reconciling incident {IncidentId} failed; it will be retried when its claim expires")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string incidentId);
}

/// <summary>Runs the configured number of workers. Idle workers wait on a <see cref="TimeProvider"/> timer or a wake-up, never a sleep.</summary>
public sealed partial class HealingWorker(
    HealingEngine engine,
    IHomeostatStore store,
    WorkSignal workSignal,
    Escalation.NotifierSet notifiers,
    IOptionsMonitor<HealingOptions> options,
    TimeProvider timeProvider,
    ILogger<HealingWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifiers.CanPage)
        {
            LogLogOnly(logger, Escalation.NotifierSet.LogOnlyWarning);
        }

        return Task.WhenAll(Enumerable.Range(1, options.CurrentValue.Workers).Select(i => RunWorkerAsync($"w{i}", stoppingToken)));
    }

    private async Task RunWorkerAsync(string name, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wakeUp = workSignal.Current;
            try
            {
                await engine.ProcessDueAsync(name, stoppingToken);
                var next = await store.NextDueAtAsync(stoppingToken);
                var idle = options.CurrentValue.IdlePoll.Value;
                var wait = next is { } due ? due - timeProvider.GetUtcNow() : idle;
                await WorkSignal.WaitAsync(wakeUp, wait < idle ? wait : idle, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogWorkerFault(logger, exception, name);
                try
                {
                    await WorkSignal.WaitAsync(workSignal.Current, TimeSpan.FromSeconds(5), timeProvider, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogLogOnly(ILogger logger, string warning);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Worker {Worker} hit a fault; it backs off and goes on")]
    private static partial void LogWorkerFault(ILogger logger, Exception exception, string worker);
}
