using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.TestKit;
using Homeostat.Verification;

namespace Homeostat.Tests.Guardrails;

/// <summary>Each guardrail through the real engine, with a fake clock.</summary>
public sealed class GuardrailScenarioTests
{
    private static readonly Dictionary<string, string?> Live = new() { ["Guardrails:DryRun"] = "false", ["Guardrails:ShadowPeriod"] = "0s" };

    [Theory]
    [InlineData(0.80, IncidentState.Verifying, null)]
    [InlineData(0.94, IncidentState.Verifying, null)]
    [InlineData(0.96, IncidentState.Escalated, EscalationReasons.BelowFloor)]
    [InlineData(1.0, IncidentState.Escalated, EscalationReasons.BelowFloor)]
    public async Task ConfidenceFloor_AgainstRuleConfidence_ActsOnlyAtOrAboveTheFloor(double floor, IncidentState expected, string? reason)
    {
        // The rule classifier gives 0.95 for a disk_full alert name.
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(floor: floor));

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.Classification!.Confidence.ShouldBe(0.95);
        incident.State.ShouldBe(expected);
        incident.Reason.ShouldBe(reason);
        h.DiskAction.Executed.Count.ShouldBe(expected == IncidentState.Verifying ? 1 : 0);
    }

    [Fact]
    public async Task Auto_False_EscalatesNotAutoWhateverTheConfidence()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(auto: false, floor: 0));

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.Reason.ShouldBe(EscalationReasons.NotAuto);
        h.DiskAction.Executed.ShouldBeEmpty();
    }

    [Fact]
    public async Task RateLimit_FourthRunWithinAnHour_EscalatesRateLimitedAndSuspendsUntilResumed()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "1m"));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared);

        // The same fix works three times in an hour…
        for (var i = 0; i < 3; i++)
        {
            var incident = await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()));
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.RunUntilIdleAsync();
            (await h.IncidentAsync(incident.Id)).State.ShouldBe(IncidentState.Remediated);
            h.Time.Advance(TimeSpan.FromMinutes(9));
        }

        // …and the fourth time it stops and pages instead of masking the real problem.
        var fourthSignal = SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow());
        var fourth = await h.HandleAsync(fourthSignal);
        fourth.State.ShouldBe(IncidentState.Escalated);
        fourth.Reason.ShouldBe(EscalationReasons.RateLimited);
        h.DiskAction.Executed.Count.ShouldBe(3);
        h.Notifier.Sent.ShouldHaveSingleItem().Reason.ShouldBe(EscalationReasons.RateLimited);
        var suspension = (await h.Store.ListSuspensionsAsync(activeOnly: true, CancellationToken.None)).ShouldHaveSingleItem();
        suspension.Service.ShouldBe("checkout");
        suspension.Class.ShouldBe("disk_full");

        // The alert keeps firing: repeats are duplicates of the escalated incident, not new attempts.
        (await h.PublishAsync(fourthSignal with { Id = "repeat" })).Decision.ShouldBe(IntakeDecision.Duplicate);

        // Hours later it clears and fires again; the window has slid, but the suspension holds until a human resumes it.
        h.Time.Advance(TimeSpan.FromHours(3));
        await h.PublishAsync(SignalBuilder.Resolved(fourthSignal));
        var fifthSignal = SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow());
        var fifth = await h.HandleAsync(fifthSignal);
        fifth.Reason.ShouldBe(EscalationReasons.Suspended);
        await h.PublishAsync(SignalBuilder.Resolved(fifthSignal));

        // Another service is not affected.
        var other = await h.HandleAsync(SignalBuilder.DiskFull(service: "payments", startsAt: h.Time.GetUtcNow()));
        other.State.ShouldBe(IncidentState.Verifying);

        var resumed = await h.Get<OperatorCommands>().ResumeAsync("checkout", "disk_full", "alice", CancellationToken.None);
        resumed.Changed.ShouldBeTrue();
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.RunUntilIdleAsync();
        var afterResume = await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()));
        afterResume.State.ShouldBe(IncidentState.Verifying);
        (await h.AuditAsync()).ShouldContain(r => r.Type == AuditTypes.Resumed && r.Actor == "alice");
    }

    [Fact]
    public async Task RateLimit_WindowSlides_OldRunsStopCounting()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "1m"));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared);
        for (var i = 0; i < 3; i++)
        {
            await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()));
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.RunUntilIdleAsync();
            h.Time.Advance(TimeSpan.FromMinutes(9));
        }

        // 30 minutes after the first run, three runs are in the window; at 61 minutes only two are.
        h.Time.SetUtcNow(PipelineHarness.Start.AddMinutes(61));
        var fourth = await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()));

        fourth.State.ShouldBe(IncidentState.Verifying);
        h.DiskAction.Executed.Count.ShouldBe(4);
        (await h.Store.ListSuspensionsAsync(activeOnly: true, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task RateLimit_CatalogOverride_AppliesItsOwnLimit()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "1m", rateLimit: "{ max: 1, per: 1d }"));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared);
        await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()));
        h.Time.Advance(TimeSpan.FromHours(5));
        await h.RunUntilIdleAsync();

        var second = await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()));

        second.Reason.ShouldBe(EscalationReasons.RateLimited);
    }

    [Fact]
    public async Task ShadowPeriod_NewSpec_RunsDryUntilThePeriodEnds()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?> { ["Guardrails:DryRun"] = "false", ["Guardrails:ShadowPeriod"] = "14d" });

        var first = await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()));
        first.State.ShouldBe(IncidentState.DryRun);
        first.Detail!.ShouldContain("shadow");

        h.Time.Advance(TimeSpan.FromDays(13));
        (await h.HandleAsync(SignalBuilder.DiskFull(service: "b", startsAt: h.Time.GetUtcNow()))).State.ShouldBe(IncidentState.DryRun);

        h.Time.Advance(TimeSpan.FromDays(1));
        (await h.HandleAsync(SignalBuilder.DiskFull(service: "c", startsAt: h.Time.GetUtcNow()))).State.ShouldBe(IncidentState.Verifying);
        h.DiskAction.Executed.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ShadowPeriod_OperatorPromotes_ActsImmediately()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?> { ["Guardrails:DryRun"] = "false", ["Guardrails:ShadowPeriod"] = "14d" });
        (await h.HandleAsync(SignalBuilder.DiskFull(startsAt: h.Time.GetUtcNow()))).State.ShouldBe(IncidentState.DryRun);

        var promoted = await h.Get<OperatorCommands>().PromoteAsync("disk_full", "bob", CancellationToken.None);
        var next = await h.HandleAsync(SignalBuilder.DiskFull(service: "b", startsAt: h.Time.GetUtcNow()));

        promoted.Changed.ShouldBeTrue();
        next.State.ShouldBe(IncidentState.Verifying);
        (await h.AuditAsync()).ShouldContain(r => r.Type == AuditTypes.Promoted && r.Actor == "bob");
    }

    [Fact]
    public async Task ShadowPeriod_ChangedSpec_StartsANewShadowPeriod()
    {
        var settings = new Dictionary<string, string?> { ["Guardrails:DryRun"] = "false", ["Guardrails:ShadowPeriod"] = "14d" };
        var store = PipelineHarness.NewStoreConnectionString();
        await using var before = new PipelineHarness(CatalogBuilder.DiskFull(floor: 0.8), settings, store);
        await before.Get<OperatorCommands>().PromoteAsync("disk_full", "bob", CancellationToken.None);

        // The same spec, loaded again (a restart), stays promoted…
        await using var same = new PipelineHarness(CatalogBuilder.DiskFull(floor: 0.8), settings, store);
        (await same.HandleAsync(SignalBuilder.DiskFull(service: "a"))).State.ShouldBe(IncidentState.Verifying);

        // …but an edited spec is new: it shadows again.
        await using var after = new PipelineHarness(CatalogBuilder.DiskFull(floor: 0.7), settings, store);
        after.Catalog.Find("disk_full")!.SpecHash.ShouldNotBe(before.Catalog.Find("disk_full")!.SpecHash);
        (await after.HandleAsync(SignalBuilder.DiskFull(service: "b"))).State.ShouldBe(IncidentState.DryRun);
    }

    [Fact]
    public async Task BlastRadius_MaxInFlightReached_EscalatesTheNextOne()
    {
        await using var h = new PipelineHarness(
            CatalogBuilder.DiskFull(verifyAfter: "5m"),
            new Dictionary<string, string?>(Live) { ["Guardrails:BlastRadius:MaxInFlight"] = "2" });

        (await h.HandleAsync(SignalBuilder.DiskFull(service: "a"))).State.ShouldBe(IncidentState.Verifying);
        (await h.HandleAsync(SignalBuilder.DiskFull(service: "b"))).State.ShouldBe(IncidentState.Verifying);
        var third = await h.HandleAsync(SignalBuilder.DiskFull(service: "c"));

        third.Reason.ShouldBe(EscalationReasons.BlastRadius);
        h.DiskAction.Executed.Count.ShouldBe(2);
    }

    [Fact]
    public async Task KillSwitch_On_EscalatesMaintenanceAndNothingActs()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?>(Live) { ["Guardrails:KillSwitch"] = "true" });

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.Reason.ShouldBe(EscalationReasons.Maintenance);
        h.DiskAction.Executed.ShouldBeEmpty();
    }

    [Fact]
    public async Task MaintenanceWindow_CoveringTheService_EscalatesMaintenanceOnlyInsideTheWindow()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?>(Live)
        {
            ["Guardrails:Maintenance:0:Start"] = "2026-11-28T02:00:00Z",
            ["Guardrails:Maintenance:0:End"] = "2026-11-28T04:00:00Z",
            ["Guardrails:Maintenance:0:Services:0"] = "checkout",
        });

        var during = SignalBuilder.DiskFull(service: "checkout");
        (await h.HandleAsync(during)).Reason.ShouldBe(EscalationReasons.Maintenance);
        (await h.HandleAsync(SignalBuilder.DiskFull(service: "payments"))).State.ShouldBe(IncidentState.Verifying);
        h.Time.SetUtcNow(new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero));
        await h.PublishAsync(SignalBuilder.Resolved(during));
        (await h.HandleAsync(SignalBuilder.DiskFull(service: "checkout", startsAt: h.Time.GetUtcNow()))).State.ShouldBe(IncidentState.Verifying);
    }

    [Fact]
    public async Task Guardrails_EveryVerdictIsAuditedInTheArchitecturesOrder()
    {
        await using var h = new PipelineHarness();

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        var guardrails = (await h.AuditAsync(incident.Id)).Where(r => r.Type == AuditTypes.Guardrail).Select(r => r.PayloadJson().GetProperty("guardrail").GetString()!).ToList();
        guardrails.ShouldBe(Homeostat.Guardrails.GuardrailNames.Order);
    }
}
