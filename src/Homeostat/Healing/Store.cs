using Homeostat.Audit;
using Homeostat.Escalation;

namespace Homeostat.Healing;

/// <summary>A remediation stopped for one service until a human resumes it.</summary>
public sealed record Suspension(string Service, string Class, string Action, string Reason, DateTimeOffset CreatedAt)
{
    public string? IncidentId { get; init; }

    public DateTimeOffset? ResumedAt { get; init; }

    public string? ResumedBy { get; init; }

    public bool IsActive => ResumedAt is null;
}

/// <summary>When a remediation's spec (by hash) was first seen, and whether an operator promoted it.</summary>
public sealed record ShadowState(string Class, string SpecHash, DateTimeOffset FirstSeenAt)
{
    public DateTimeOffset? PromotedAt { get; init; }

    public string? PromotedBy { get; init; }
}

/// <summary>
/// Reads every replica agrees on. Rate-limit counts, in-flight counts and suspensions come from here, not from
/// process memory, so several replicas see the same limits.
/// </summary>
public interface IStoreReader
{
    Task<Incident?> GetIncidentAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<Incident>> ListIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken);

    /// <summary>Real (not dry-run) executions of an action for a service since a time, counted from the audit trail.</summary>
    Task<int> CountExecutionsAsync(string service, string action, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Incidents whose real action is running or awaiting verification.</summary>
    Task<int> CountInFlightAsync(CancellationToken cancellationToken);

    Task<Suspension?> FindActiveSuspensionAsync(string service, string failureClass, CancellationToken cancellationToken);

    Task<IReadOnlyList<Suspension>> ListSuspensionsAsync(bool activeOnly, CancellationToken cancellationToken);

    Task<ShadowState?> GetShadowAsync(string failureClass, string specHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Outbox entries, newest first; of one incident when <paramref name="incidentId"/> is given.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListNotificationsAsync(string? incidentId, CancellationToken cancellationToken);
}

/// <summary>Writes inside one serialisable transaction: either all of them happen, or none.</summary>
public interface IStoreWriter : IStoreReader
{
    Task<Incident?> FindActiveIncidentAsync(string fingerprint, CancellationToken cancellationToken);

    Task<Incident?> FindIncidentByDeliveryAsync(string deliveryKey, CancellationToken cancellationToken);

    /// <summary>
    /// Saves a transition of the incident lifecycle in one call: inserts <see cref="Transition.Next"/> when
    /// <see cref="Transition.Before"/> is null, otherwise updates it only if the stored version is still
    /// <c>Before.Version</c> (else throws <see cref="IncidentVersionConflictException"/>); appends
    /// <see cref="Transition.Records"/> in order; queues <see cref="Transition.Outbox"/>; records
    /// <see cref="Transition.Suspend"/>; cancels the incident's pending notifications when asked. Returns the
    /// incident's version after the call (unchanged when <see cref="Transition.Next"/> is null; 1 for a new incident).
    /// </summary>
    Task<long> SaveAsync(Transition transition, CancellationToken cancellationToken);

    /// <summary>Records a delivery attempt of an outbox entry and ends the caller's claim on it; a cancelled entry stays cancelled.</summary>
    Task UpdateNotificationAsync(OutboxEntry entry, CancellationToken cancellationToken);

    Task<AuditRecord> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task SuspendAsync(Suspension suspension, CancellationToken cancellationToken);

    /// <summary>Ends the active suspension; false when there was none.</summary>
    Task<bool> ResumeAsync(string service, string failureClass, string resumedBy, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Returns the shadow state for a spec hash, recording it as first seen now if it is new.</summary>
    Task<ShadowState> RegisterShadowAsync(string failureClass, string specHash, DateTimeOffset at, CancellationToken cancellationToken);

    Task<bool> PromoteAsync(string failureClass, string specHash, string promotedBy, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>The durable state of Homeostat: incidents, the audit trail, suspensions, shadow state and work claims.</summary>
public interface IHomeostatStore : IStoreReader
{
    /// <summary>
    /// Runs <paramref name="work"/> in one serialisable write transaction and commits it if it returns. A
    /// serialization conflict or a busy database is retried here, running <paramref name="work"/> again from the
    /// start, and never surfaces to the caller; so <paramref name="work"/> must have no effect outside the writer.
    /// An exception from <paramref name="work"/> rolls everything back and is rethrown.
    /// </summary>
    Task<T> WriteAsync<T>(Func<IStoreWriter, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Claims the incident due soonest, so that no other worker or replica works on it until the lease ends.</summary>
    Task<Incident?> ClaimNextDueAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    Task ReleaseClaimAsync(string incidentId, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Ends every claim a replica holds, on incidents and on outbox entries alike: the owner <paramref name="replica"/>
    /// itself and every <c>replica/worker</c> under it. Called on graceful shutdown, and at start-up by a replica that
    /// restarts under its own id, so the work it held is due again at once instead of after the lease. Returns how many
    /// claims ended.
    /// </summary>
    Task<int> ReleaseClaimsAsync(string replica, CancellationToken cancellationToken);

    /// <summary>Claims the pending outbox entry due soonest, for <paramref name="lease"/>; the claim ends with <see cref="IStoreWriter.UpdateNotificationAsync"/>.</summary>
    Task<OutboxEntry?> ClaimNextNotificationAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>When the next incident or outbox entry falls due (claims included), so idle workers know how long to wait.</summary>
    Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken);

    Task<AuditChainReport> VerifyAuditChainAsync(CancellationToken cancellationToken);
}

/// <summary>The stored incident is not at the version a transition was computed from: a bug in the caller, since every change is read and saved in one serialisable transaction.</summary>
public sealed class IncidentVersionConflictException(string incidentId, long expected)
    : InvalidOperationException($"incident {incidentId} is no longer at version {expected}: it changed inside a serialisable transaction");
