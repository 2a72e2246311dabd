using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Healing;
using Homeostat.Remediation;
using Homeostat.Signals;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Xunit;

namespace Homeostat.TestKit.StoreContract;

/// <summary>
/// What every <see cref="IHomeostatStore"/> must do. A store's test project derives from this class and says how to
/// open the store and a second replica of it (another instance on the same database); every fact then runs on it.
/// </summary>
public abstract class StoreContractTests : IDisposable
{
    private readonly List<IDisposable> _opened = [];
    private IHomeostatStore? _store;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));

    protected IHomeostatStore Store => _store ??= Track(OpenStore(Time));

    /// <summary>Opens the store under test on a fresh, empty database.</summary>
    protected abstract IHomeostatStore OpenStore(FakeTimeProvider time);

    /// <summary>Opens another instance on the same database, as another replica or process would.</summary>
    protected abstract IHomeostatStore OpenReplica(FakeTimeProvider time);

    [Fact]
    public async Task Save_NewIncident_IsVersionOne_WithItsRecordsInOrder()
    {
        var version = await SaveAsync(new Transition(null, Incident("i-1", "fp-1"), [Record("opened", "i-1"), Record("classified", "i-1")]));

        version.ShouldBe(1);
        (await Store.GetIncidentAsync("i-1", CancellationToken.None))!.Version.ShouldBe(1);
        (await Store.QueryAuditAsync(new AuditQuery { IncidentId = "i-1" }, CancellationToken.None)).Select(r => r.Summary).ShouldBe(["opened", "classified"]);
    }

    [Fact]
    public async Task Save_FromAStaleVersion_IsAConflict_AndNothingOfItIsWritten()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1"), []));
        var stored = (await Store.GetIncidentAsync("i-1", CancellationToken.None))!;
        (await SaveAsync(new Transition(stored, stored with { Detail = "first" }, [Record("first", "i-1")]))).ShouldBe(2);

        await Should.ThrowAsync<IncidentVersionConflictException>(() => SaveAsync(new Transition(stored, stored with { Detail = "second" }, [Record("second", "i-1")])));

        (await Store.GetIncidentAsync("i-1", CancellationToken.None))!.Detail.ShouldBe("first");
        (await Store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).Select(r => r.Summary).ShouldBe(["first"]);
    }

    [Fact]
    public async Task Save_RecordsOnly_KeepsTheVersion()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1"), []));
        var stored = (await Store.GetIncidentAsync("i-1", CancellationToken.None))!;

        (await SaveAsync(new Transition(stored, null, [Record("a duplicate", "i-1")]))).ShouldBe(1);
        (await Store.GetIncidentAsync("i-1", CancellationToken.None))!.Version.ShouldBe(1);
    }

    [Fact]
    public async Task Write_ThatThrows_LeavesNothingBehind()
    {
        await Should.ThrowAsync<InvalidOperationException>(() => Store.WriteAsync<bool>(
            async w =>
            {
                await w.SaveAsync(new Transition(null, Incident("i-1", "fp-1"), [Record("half", "i-1")]), CancellationToken.None);
                throw new InvalidOperationException("boom");
            },
            CancellationToken.None));

        (await Store.GetIncidentAsync("i-1", CancellationToken.None)).ShouldBeNull();
        (await Store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task OneActiveIncidentPerFingerprint_IsFoundByFingerprintAndDelivery()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1"), []));

        (await Store.WriteAsync(w => w.FindActiveIncidentAsync("fp-1", CancellationToken.None), CancellationToken.None))!.Id.ShouldBe("i-1");
        (await Store.WriteAsync(w => w.FindIncidentByDeliveryAsync("fp-1@delivery", CancellationToken.None), CancellationToken.None))!.Id.ShouldBe("i-1");
        (await Store.WriteAsync(w => w.FindActiveIncidentAsync("fp-2", CancellationToken.None), CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task AuditChain_ConcurrentWritersFromTwoReplicas_StaysOneUnbrokenChain()
    {
        var replica = Replica();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? Store : replica).WriteAsync(
            async w =>
            {
                await w.AppendAuditAsync(Record($"record {i}", null), CancellationToken.None);
                return true;
            },
            CancellationToken.None)));

        var records = await Store.QueryAuditAsync(new AuditQuery { Limit = 100 }, CancellationToken.None);
        records.Select(r => r.Sequence).ShouldBe(Enumerable.Range(1, 40).Select(i => (long)i));
        var report = await Store.VerifyAuditChainAsync(CancellationToken.None);
        report.IsIntact.ShouldBeTrue(report.Problem);
        report.RecordsChecked.ShouldBe(40);
    }

    [Fact]
    public async Task RateLimit_CountedInTheSameTransaction_ConcurrentReplicasNeverTakeMoreThanTheLastSlot()
    {
        var replica = Replica();
        var since = Time.GetUtcNow().AddHours(-1);
        var taken = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? Store : replica).WriteAsync(
            async w =>
            {
                if (await w.CountExecutionsAsync("checkout", "rotate_and_compress_logs", since, CancellationToken.None) >= 3)
                {
                    return false;
                }

                await w.AppendAuditAsync(AuditEntry.Of(new ActionStartedPayload("rotate_and_compress_logs", DryRun: false), "started", $"i-{i}", "checkout"), CancellationToken.None);
                return true;
            },
            CancellationToken.None)));

        taken.Count(t => t).ShouldBe(3);
        (await Store.CountExecutionsAsync("checkout", "rotate_and_compress_logs", since, CancellationToken.None)).ShouldBe(3);
    }

    [Fact]
    public async Task CountExecutions_OnlyRealStartsOfThatActionForThatServiceInTheWindow()
    {
        await Append(AuditEntry.Of(new ActionStartedPayload("rotate_and_compress_logs", DryRun: false), "old", "i", "checkout"));
        Time.Advance(TimeSpan.FromMinutes(90));
        await Append(
            AuditEntry.Of(new ActionStartedPayload("rotate_and_compress_logs", DryRun: false), "counted", "i", "checkout"),
            AuditEntry.Of(new ActionStartedPayload("rotate_and_compress_logs", DryRun: true), "dry", "i", "checkout"),
            AuditEntry.Of(new ActionStartedPayload("scale_memory_limit", DryRun: false), "other action", "i", "checkout"),
            AuditEntry.Of(new ActionStartedPayload("rotate_and_compress_logs", DryRun: false), "other service", "i", "payments"),
            AuditEntry.Of(new PreviewPayload("rotate_and_compress_logs", DryRun: false, CanRun: true, "preview"), "a preview is no start", "i", "checkout"));

        (await Store.CountExecutionsAsync("checkout", "rotate_and_compress_logs", Time.GetUtcNow().AddHours(-1), CancellationToken.None)).ShouldBe(1);
    }

    [Fact]
    public async Task CountExecutions_ARunThatFoundItsPremiseMissingOrItsTargetOutOfReach_IsNoRealRun()
    {
        const string Action = "rotate_and_compress_logs";
        await Append(
            AuditEntry.Of(new ActionStartedPayload(Action, DryRun: false), "started", "premise", "checkout"),
            AuditEntry.Of(new ActionExecutedPayload(Action, ActionStatus.PremiseNotMet, "premise not met: 1Ki within 5Gi"), "premise not met", "premise", "checkout"),
            AuditEntry.Of(new ActionStartedPayload(Action, DryRun: false), "started", "target", "checkout"),
            AuditEntry.Of(new ActionExecutedPayload(Action, ActionStatus.NotApplicable, "not applicable: / is not mapped"), "not applicable", "target", "checkout"),
            AuditEntry.Of(new ActionStartedPayload(Action, DryRun: false), "started", "ran", "checkout"),
            AuditEntry.Of(new ActionExecutedPayload(Action, ActionStatus.Succeeded, "compressed 3 logs"), "succeeded", "ran", "checkout"),
            AuditEntry.Of(new ActionStartedPayload(Action, DryRun: false), "started, outcome unknown", "interrupted", "checkout"));

        (await Store.CountExecutionsAsync("checkout", Action, Time.GetUtcNow().AddHours(-1), CancellationToken.None)).ShouldBe(2);
    }

    [Fact]
    public async Task BlastRadius_CountsIncidentsActingOrVerifyingForReal()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1") with { State = IncidentState.Acting, ActedForReal = true }, []));
        await SaveAsync(new Transition(null, Incident("i-2", "fp-2") with { State = IncidentState.Verifying, ActedForReal = true }, []));
        await SaveAsync(new Transition(null, Incident("i-3", "fp-3") with { State = IncidentState.Acting }, []));
        await SaveAsync(new Transition(null, Incident("i-4", "fp-4") with { State = IncidentState.Remediated, ActedForReal = true }, []));

        (await Store.CountInFlightAsync(CancellationToken.None)).ShouldBe(2);
    }

    [Fact]
    public async Task Claims_OneOwnerAtATime_UntilReleasedOrTheLeaseEnds()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1"), []));
        var replica = Replica();
        var now = Time.GetUtcNow();

        (await Store.ClaimNextDueAsync("a", now, TimeSpan.FromMinutes(10), CancellationToken.None))!.Id.ShouldBe("i-1");
        (await replica.ClaimNextDueAsync("b", now, TimeSpan.FromMinutes(10), CancellationToken.None)).ShouldBeNull();
        (await Store.NextDueAtAsync(CancellationToken.None)).ShouldBe(now.AddMinutes(10));

        Time.Advance(TimeSpan.FromMinutes(10));
        (await replica.ClaimNextDueAsync("b", Time.GetUtcNow(), TimeSpan.FromMinutes(10), CancellationToken.None))!.Id.ShouldBe("i-1");
        await replica.ReleaseClaimAsync("i-1", "b", CancellationToken.None);
        (await Store.ClaimNextDueAsync("a", Time.GetUtcNow(), TimeSpan.FromMinutes(10), CancellationToken.None))!.Id.ShouldBe("i-1");
    }

    [Fact]
    public async Task Claims_ReleasedForAReplica_EndForEveryWorkerOfItAndItsOutboxEntries_AndNoOtherReplicas()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1"), []) { Outbox = [Entry("i-1", "webhook")] });
        await SaveAsync(new Transition(null, Incident("i-2", "fp-2"), []));
        await SaveAsync(new Transition(null, Incident("i-3", "fp-3"), []));
        await SaveAsync(new Transition(null, Incident("i-4", "fp-4"), []));
        var now = Time.GetUtcNow();
        var lease = TimeSpan.FromMinutes(10);
        (await Store.ClaimNextDueAsync("r1/w1", now, lease, CancellationToken.None)).ShouldNotBeNull();
        (await Store.ClaimNextDueAsync("r1/w2", now, lease, CancellationToken.None)).ShouldNotBeNull();
        (await Store.ClaimNextDueAsync("r10/w1", now, lease, CancellationToken.None)).ShouldNotBeNull();
        (await Store.ClaimNextDueAsync("r_/w1", now, lease, CancellationToken.None)).ShouldNotBeNull();
        (await Store.ClaimNextNotificationAsync("r1/w1", now, lease, CancellationToken.None)).ShouldNotBeNull();

        var released = await Replica().ReleaseClaimsAsync("r1", CancellationToken.None);

        released.ShouldBe(3);
        var retaken = new List<string>();
        while (await Store.ClaimNextDueAsync("r2/w1", now, lease, CancellationToken.None) is { } incident)
        {
            retaken.Add(incident.Id);
        }

        retaken.Count.ShouldBe(2);
        (await Store.ClaimNextNotificationAsync("r2/w1", now, lease, CancellationToken.None))!.IncidentId.ShouldBe("i-1");
        (await Store.ReleaseClaimsAsync("r1", CancellationToken.None)).ShouldBe(0);
    }

    [Fact]
    public async Task Claims_IncidentNotYetDue_IsNotClaimed()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1") with { NextDueAt = Time.GetUtcNow().AddMinutes(5) }, []));

        (await Store.ClaimNextDueAsync("a", Time.GetUtcNow(), TimeSpan.FromMinutes(1), CancellationToken.None)).ShouldBeNull();
        (await Store.NextDueAtAsync(CancellationToken.None)).ShouldBe(Time.GetUtcNow().AddMinutes(5));
    }

    [Fact]
    public async Task Suspensions_OneActivePerServiceAndClass_UntilResumed()
    {
        var suspension = new Suspension("checkout", "disk_full", "rotate_and_compress_logs", "4th run in an hour", Time.GetUtcNow());
        await Store.WriteAsync(async w => { await w.SuspendAsync(suspension, CancellationToken.None); await w.SuspendAsync(suspension with { Reason = "again" }, CancellationToken.None); return true; }, CancellationToken.None);

        (await Store.FindActiveSuspensionAsync("checkout", "disk_full", CancellationToken.None))!.Reason.ShouldBe("4th run in an hour");
        (await Store.FindActiveSuspensionAsync("payments", "disk_full", CancellationToken.None)).ShouldBeNull();
        (await Store.WriteAsync(w => w.ResumeAsync("checkout", "disk_full", "alice", Time.GetUtcNow(), CancellationToken.None), CancellationToken.None)).ShouldBeTrue();
        (await Store.WriteAsync(w => w.ResumeAsync("checkout", "disk_full", "alice", Time.GetUtcNow(), CancellationToken.None), CancellationToken.None)).ShouldBeFalse();
        (await Store.FindActiveSuspensionAsync("checkout", "disk_full", CancellationToken.None)).ShouldBeNull();
        (await Store.ListSuspensionsAsync(activeOnly: false, CancellationToken.None)).ShouldHaveSingleItem().ResumedBy.ShouldBe("alice");
    }

    [Fact]
    public async Task Shadows_FirstSeenIsKept_AndAPromotionHappensOnce()
    {
        var first = await Store.WriteAsync(w => w.RegisterShadowAsync("disk_full", "hash-1", Time.GetUtcNow(), CancellationToken.None), CancellationToken.None);
        Time.Advance(TimeSpan.FromDays(1));
        var again = await Store.WriteAsync(w => w.RegisterShadowAsync("disk_full", "hash-1", Time.GetUtcNow(), CancellationToken.None), CancellationToken.None);

        again.FirstSeenAt.ShouldBe(first.FirstSeenAt);
        (await Store.WriteAsync(w => w.PromoteAsync("disk_full", "hash-1", "alice", Time.GetUtcNow(), CancellationToken.None), CancellationToken.None)).ShouldBeTrue();
        (await Store.WriteAsync(w => w.PromoteAsync("disk_full", "hash-1", "bob", Time.GetUtcNow(), CancellationToken.None), CancellationToken.None)).ShouldBeFalse();
        (await Store.GetShadowAsync("disk_full", "hash-1", CancellationToken.None))!.PromotedBy.ShouldBe("alice");
        (await Store.GetShadowAsync("disk_full", "hash-2", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Outbox_EachNotifiersEntry_IsClaimedByOneOwnerAndSettledOnItsOwn()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1") with { NextDueAt = null }, []) { Outbox = [Entry("i-1", "pagerduty"), Entry("i-1", "webhook")] });
        var replica = Replica();
        var now = Time.GetUtcNow();

        var first = (await Store.ClaimNextNotificationAsync("a", now, TimeSpan.FromMinutes(1), CancellationToken.None))!;
        var second = (await replica.ClaimNextNotificationAsync("b", now, TimeSpan.FromMinutes(1), CancellationToken.None))!;
        (await Store.ClaimNextNotificationAsync("c", now, TimeSpan.FromMinutes(1), CancellationToken.None)).ShouldBeNull();
        new[] { first.Notifier, second.Notifier }.Order().ShouldBe(["pagerduty", "webhook"]);

        await Store.WriteAsync(async w => { await w.UpdateNotificationAsync(first with { Attempts = 1, Status = OutboxStatus.Delivered }, CancellationToken.None); return true; }, CancellationToken.None);
        await replica.WriteAsync(async w => { await w.UpdateNotificationAsync(second with { Attempts = 1, NextAttemptAt = now.AddMinutes(5), LastDetail = "HTTP 503" }, CancellationToken.None); return true; }, CancellationToken.None);

        (await Store.NextDueAtAsync(CancellationToken.None)).ShouldBe(now.AddMinutes(5));
        (await Store.ClaimNextNotificationAsync("a", now, TimeSpan.FromMinutes(1), CancellationToken.None)).ShouldBeNull();
        Time.Advance(TimeSpan.FromMinutes(5));
        var retry = (await Store.ClaimNextNotificationAsync("a", Time.GetUtcNow(), TimeSpan.FromMinutes(1), CancellationToken.None))!;
        retry.Notifier.ShouldBe(second.Notifier);
        retry.Attempts.ShouldBe(1);
        retry.LastDetail.ShouldBe("HTTP 503");
        (await Store.ListNotificationsAsync("i-1", CancellationToken.None)).Count(e => e.Status == OutboxStatus.Delivered).ShouldBe(1);
    }

    [Fact]
    public async Task Outbox_CancelledWithTheIncident_IsNeitherClaimedNorRevivedByALateAttempt()
    {
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1") with { NextDueAt = null }, []) { Outbox = [Entry("i-1", "webhook")] });
        var claimed = (await Store.ClaimNextNotificationAsync("a", Time.GetUtcNow(), TimeSpan.FromMinutes(1), CancellationToken.None))!;
        var stored = (await Store.GetIncidentAsync("i-1", CancellationToken.None))!;

        await SaveAsync(new Transition(stored, stored with { State = IncidentState.Resolved }, []) { CancelNotifications = true });
        await Store.WriteAsync(async w => { await w.UpdateNotificationAsync(claimed with { Attempts = 1, NextAttemptAt = Time.GetUtcNow() }, CancellationToken.None); return true; }, CancellationToken.None);

        (await Store.ListNotificationsAsync("i-1", CancellationToken.None)).ShouldHaveSingleItem().Status.ShouldBe(OutboxStatus.Cancelled);
        Time.Advance(TimeSpan.FromMinutes(2));
        (await Store.ClaimNextNotificationAsync("a", Time.GetUtcNow(), TimeSpan.FromMinutes(1), CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Save_WithASuspension_RecordsItInTheSameTransaction()
    {
        var suspension = new Suspension("checkout", "disk_full", "rotate_and_compress_logs", "rate limited", Time.GetUtcNow()) { IncidentId = "i-1" };
        await SaveAsync(new Transition(null, Incident("i-1", "fp-1"), []) { Suspend = suspension });

        (await Store.FindActiveSuspensionAsync("checkout", "disk_full", CancellationToken.None))!.IncidentId.ShouldBe("i-1");
    }

    [Fact]
    public async Task TypedRecords_ReadBackWithTheirColumns()
    {
        await Append(AuditEntry.Of(new DecidedPayload("act", "every guardrail passed") { Remediation = "disk_full", Action = "rotate_and_compress_logs" }, "decided", "i-1", "checkout"));

        var record = (await Store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).Single();
        record.Decision.ShouldBe("act");
        record.Class.ShouldBe("disk_full");
        record.Action.ShouldBe("rotate_and_compress_logs");
        record.Read<DecidedPayload>()!.Detail.ShouldBe("every guardrail passed");
        record.Read<EscalatedPayload>().ShouldBeNull();
    }

    public void Dispose()
    {
        foreach (var opened in _opened)
        {
            opened.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private IHomeostatStore Replica()
    {
        _ = Store;
        return Track(OpenReplica(Time));
    }

    protected T Track<T>(T store)
    {
        if (store is IDisposable disposable)
        {
            _opened.Add(disposable);
        }

        return store;
    }

    private Task<long> SaveAsync(Transition transition) => Store.WriteAsync(w => w.SaveAsync(transition, CancellationToken.None), CancellationToken.None);

    private Task Append(params AuditEntry[] entries) => Store.WriteAsync(
        async w =>
        {
            foreach (var entry in entries)
            {
                await w.AppendAuditAsync(entry, CancellationToken.None);
            }

            return true;
        },
        CancellationToken.None);

    private static AuditEntry Record(string summary, string? incidentId) => AuditEntry.Of(new EscalatedPayload("test", summary), summary, incidentId, "checkout");

    private OutboxEntry Entry(string incidentId, string notifier) => new()
    {
        IncidentId = incidentId,
        Notifier = notifier,
        Reason = EscalationReasons.UnknownClass,
        Detail = "nobody knows this one",
        CreatedAt = Time.GetUtcNow(),
        NextAttemptAt = Time.GetUtcNow(),
    };

    private Incident Incident(string id, string fingerprint) => new()
    {
        Id = id,
        Fingerprint = fingerprint,
        DeliveryKey = fingerprint + "@delivery",
        Service = "checkout",
        State = IncidentState.Open,
        Signal = new Signal { Id = "s-" + id, Source = SignalSources.Api, Title = "disk almost full" },
        CreatedAt = Time.GetUtcNow(),
        UpdatedAt = Time.GetUtcNow(),
        NextDueAt = Time.GetUtcNow(),
    };
}
