using System.Collections.Concurrent;
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
    /// <summary>
    /// How long an incident whose failure could not even be recorded (the store refused the write) stays claimed before
    /// it is tried again: long enough not to spin on a full disk, far shorter than the lease.
    /// </summary>
    public static readonly TimeSpan UnrecordedFailureBackOff = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, HeldClaim> _held = new(StringComparer.Ordinal);

    public string ReplicaId { get; } = options.CurrentValue.ReplicaId ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>When the earliest claim this process keeps after a failure is to be let go, so a worker wakes for it.</summary>
    public DateTimeOffset? NextHeldReleaseAt => _held.IsEmpty ? null : _held.Values.Min(h => h.ReleaseAt);

    /// <summary>Reconciles every incident that is due now, then delivers every notification due; returns how many it handled.</summary>
    public async Task<int> ProcessDueAsync(string worker, CancellationToken cancellationToken)
    {
        await ReleaseHeldClaimsAsync(cancellationToken);
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
                // failures hand the incident to a human instead of retrying for ever. When even the record cannot be
                // written (a full disk), the incident is still due now: releasing it would retry it in a tight loop, and
                // leaving the claim to expire would park it for the whole lease, so it is held briefly instead.
                LogReconcileFailed(logger, exception, incident.Id);
                var recorded = await RecordFailureAsync(incident, exception);
                await ReleaseOrHoldAsync(incident.Id, owner, recorded ? TimeSpan.Zero : UnrecordedFailureBackOff);
                handled++;
                continue;
            }

            await ReleaseOrHoldAsync(incident.Id, owner, TimeSpan.Zero);
            handled++;
        }

        return handled + await outbox.DeliverDueAsync(owner, cancellationToken);
    }

    /// <summary>
    /// Ends every claim of this replica, in the store and those held after a failure: on graceful shutdown so another
    /// replica or the next start picks the work up at once, and at start-up to take back what a previous run under the
    /// same replica id left claimed (it is dead: its claims are stale). Returns how many claims ended in the store.
    /// </summary>
    public async Task<int> ReleaseAllClaimsAsync(CancellationToken cancellationToken)
    {
        var released = await store.ReleaseClaimsAsync(ReplicaId, cancellationToken);
        _held.Clear();
        return released;
    }

    private async Task ReleaseHeldClaimsAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var held in _held.Values.Where(h => h.ReleaseAt <= now).ToList())
        {
            // A store that still refuses writes throws here, and the worker backs off before trying again.
            await store.ReleaseClaimAsync(held.IncidentId, held.Owner, cancellationToken);
            _held.TryRemove(held.IncidentId, out _);
        }
    }

    private async Task ReleaseOrHoldAsync(string incidentId, string owner, TimeSpan holdFor)
    {
        var now = timeProvider.GetUtcNow();
        if (holdFor <= TimeSpan.Zero)
        {
            try
            {
                await store.ReleaseClaimAsync(incidentId, owner, CancellationToken.None);
                return;
            }
            catch (Exception exception)
            {
                LogReleaseFailed(logger, exception, incidentId);
            }
        }

        _held[incidentId] = new HeldClaim(incidentId, owner, now + holdFor);
    }

    private async Task<bool> RecordFailureAsync(Incident incident, Exception exception)
    {
        try
        {
            var failed = new ReconcileFailed($"{exception.GetType().Name}: {exception.Message}", options.CurrentValue.MaxReconcileFailures);
            await store.WriteAsync(writer => transitions.ApplyAsync(writer, incident.Id, expectedVersion: null, failed, CancellationToken.None), CancellationToken.None);
            return true;
        }
        catch (Exception recordFailure)
        {
            LogReconcileFailed(logger, recordFailure, incident.Id);
            return false;
        }
    }

    private sealed record HeldClaim(string IncidentId, string Owner, DateTimeOffset ReleaseAt);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Reconciling incident {IncidentId} failed; it will be retried after a back-off")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string incidentId);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Could not release the claim on incident {IncidentId}; this process keeps it and releases it when the store accepts writes again")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string incidentId);
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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifiers.CanPage)
        {
            LogLogOnly(logger, Escalation.NotifierSet.LogOnlyWarning);
        }

        await ReleaseClaimsAsync(starting: true, stoppingToken);
        try
        {
            await Task.WhenAll(Enumerable.Range(1, options.CurrentValue.Workers).Select(i => RunWorkerAsync($"w{i}", stoppingToken)));
        }
        finally
        {
            // Every worker has finished what it was doing (actions are not cut short by shutdown): what this process
            // still holds is let go, so a restart or another replica takes it at once rather than after the lease.
            await ReleaseClaimsAsync(starting: false, CancellationToken.None);
        }
    }

    private async Task ReleaseClaimsAsync(bool starting, CancellationToken cancellationToken)
    {
        try
        {
            var released = await engine.ReleaseAllClaimsAsync(cancellationToken);
            if (released > 0)
            {
                LogClaimsReleased(logger, released, engine.ReplicaId, starting ? "taken back at start-up from a previous run under the same replica id" : "released on shutdown");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // The store refusing a write must not stop start-up or shutdown; the claims then end with their lease.
            LogClaimsNotReleased(logger, exception, engine.ReplicaId);
        }
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
                if (engine.NextHeldReleaseAt is { } held && (next is null || held < next))
                {
                    next = held;
                }

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

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "{Count} claim(s) of replica {Replica} {How}")]
    private static partial void LogClaimsReleased(ILogger logger, int count, string replica, string how);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "Could not release the claims of replica {Replica}; they end with their lease")]
    private static partial void LogClaimsNotReleased(ILogger logger, Exception exception, string replica);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogLogOnly(ILogger logger, string warning);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Worker {Worker} hit a fault; it backs off and goes on")]
    private static partial void LogWorkerFault(ILogger logger, Exception exception, string worker);
}
