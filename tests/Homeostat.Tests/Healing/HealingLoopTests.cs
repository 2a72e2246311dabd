using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Remediation;
using Homeostat.TestKit;
using Homeostat.Verification;

namespace Homeostat.Tests.Healing;

public sealed class HealingLoopTests
{
    [Fact]
    public async Task Reconcile_DiskFullThatClears_ActsOnceVerifiesAndEndsRemediated()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "1m", verifyTimeout: "10m"));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared, "usage back under the threshold");

        // The signal arrives, is classified and the remediation runs once.
        var incident = await h.HandleAsync(SignalBuilder.DiskFull());
        incident.State.ShouldBe(IncidentState.Verifying);
        incident.Classification!.Class.ShouldBe("disk_full");
        h.DiskAction.Executed.ShouldHaveSingleItem().Signal.Label("path").ShouldBe("/var/log");

        // Nothing is checked before verify.after.
        h.Time.Advance(TimeSpan.FromSeconds(59));
        await h.RunUntilIdleAsync();
        h.Verifier.Checked.ShouldBeEmpty();

        // At verify.after the signal is re-checked and the incident is remediated.
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(incident.Id)).State.ShouldBe(IncidentState.Remediated);
        h.Notifier.Sent.ShouldBeEmpty();

        var types = (await h.AuditAsync(incident.Id)).Select(r => r.Type).ToList();
        types.ShouldBe(
        [
            AuditTypes.SignalReceived, AuditTypes.Classified,
            .. Enumerable.Repeat(AuditTypes.Guardrail, 10),
            AuditTypes.Decided, AuditTypes.ActionStarted, AuditTypes.ActionPreviewed, AuditTypes.ActionExecuted,
            AuditTypes.Verification, AuditTypes.Remediated,
        ]);
    }

    [Fact]
    public async Task Reconcile_ActionDoesNotFixIt_EscalatesVerifyFailedAfterTimeoutWithoutRetrying()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "2m", verifyTimeout: "10m"));
        h.Verifier.AlwaysReturns(VerificationStatus.NotCleared, "still 97% full");

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        // First check at 2 minutes: not cleared, not escalated yet.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.RunUntilIdleAsync();
        h.Verifier.Checked.Count.ShouldBe(1);
        h.Notifier.Sent.ShouldBeEmpty();
        (await h.IncidentAsync(incident.Id)).State.ShouldBe(IncidentState.Verifying);

        // The window closes: escalate, and never run the action again.
        for (var minute = 0; minute < 8; minute++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.RunUntilIdleAsync();
        }

        var final = await h.IncidentAsync(incident.Id);
        final.State.ShouldBe(IncidentState.Escalated);
        final.Reason.ShouldBe(EscalationReasons.VerifyFailed);
        h.DiskAction.Executed.Count.ShouldBe(1);
        h.Verifier.Checked.Count.ShouldBeGreaterThan(2);
        h.Notifier.Sent.ShouldHaveSingleItem().Reason.ShouldBe(EscalationReasons.VerifyFailed);

        // Nothing further is scheduled.
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.RunUntilIdleAsync();
        h.DiskAction.Executed.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Publish_SameAlertTwice_SecondIsDuplicateAndActsOnce()
    {
        await using var h = new PipelineHarness();
        var startsAt = PipelineHarness.Start.AddMinutes(-1);
        var first = await h.PublishAsync(SignalBuilder.DiskFull(startsAt: startsAt, fingerprint: "fp-1"));
        await h.RunUntilIdleAsync();

        var second = await h.PublishAsync(SignalBuilder.DiskFull(startsAt: startsAt, fingerprint: "fp-1"));
        await h.RunUntilIdleAsync();

        first.Decision.ShouldBe(IntakeDecision.Accepted);
        second.Decision.ShouldBe(IntakeDecision.Duplicate);
        second.IncidentId.ShouldBe(first.IncidentId);
        h.DiskAction.Executed.Count.ShouldBe(1);
        (await h.AuditAsync(first.IncidentId)).Count(r => r.Type == AuditTypes.Duplicate).ShouldBe(1);
    }

    [Fact]
    public async Task Publish_LateResendAfterRemediation_IsStillDuplicate()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "1m"));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared);
        var signal = SignalBuilder.DiskFull(startsAt: PipelineHarness.Start, fingerprint: "fp-2");
        var first = await h.HandleAsync(signal);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(first.Id)).State.ShouldBe(IncidentState.Remediated);

        var resend = await h.PublishAsync(signal with { Id = "resend" });

        resend.Decision.ShouldBe(IntakeDecision.Duplicate);
        h.DiskAction.Executed.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Reconcile_UnclassifiableSignal_EscalatesUnknownClassToAHuman()
    {
        await using var h = new PipelineHarness();

        var incident = await h.HandleAsync(SignalBuilder.Unclassifiable());

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.UnknownClass);
        h.Actions.Values.ShouldAllBe(a => a.Executed.Count == 0);
        h.Notifier.Sent.ShouldHaveSingleItem().Reason.ShouldBe(EscalationReasons.UnknownClass);
        (await h.AuditAsync(incident.Id)).Select(r => r.Type).ShouldContain(AuditTypes.Notified);
    }

    [Fact]
    public async Task Reconcile_AutoFalseClass_OnlyNotifies()
    {
        await using var h = new PipelineHarness();

        var incident = await h.HandleAsync(SignalBuilder.Timeout());

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.NotAuto);
        h.Actions["open_circuit_breaker"].Executed.ShouldBeEmpty();
    }

    [Fact]
    public async Task Reconcile_ClassWithoutRemediation_EscalatesNoRemediation()
    {
        await using var h = new PipelineHarness();
        var signal = SignalBuilder.Timeout() with { Title = "PostgresTooManyConnections", Text = "FATAL: sorry, too many clients already" };

        var incident = await h.HandleAsync(signal);

        incident.Classification!.Class.ShouldBe("connection_pool_exhausted");
        incident.Reason.ShouldBe(EscalationReasons.NoRemediation);
    }

    [Fact]
    public async Task Reconcile_ActionFails_EscalatesActionFailedAndDoesNotVerify()
    {
        await using var h = new PipelineHarness();
        h.DiskAction.ThenReturns(ActionOutcome.Failed("permission denied on /var/log/app.log"));

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.ActionFailed);
        incident.Detail!.ShouldContain("permission denied");
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.RunUntilIdleAsync();
        h.Verifier.Checked.ShouldBeEmpty();
    }

    [Fact]
    public async Task Reconcile_ActionThrows_EscalatesActionFailedWithTheException()
    {
        await using var h = new PipelineHarness();
        h.DiskAction.ThrowOnExecute = new IOException("disk vanished");

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.Reason.ShouldBe(EscalationReasons.ActionFailed);
        incident.Detail!.ShouldContain("disk vanished");
    }

    [Fact]
    public async Task Reconcile_ActionNotImplementedInThisBuild_EscalatesActionFailedAndSaysSo()
    {
        const string catalog = """
            remediations:
              cert_expiry:
                action: trigger_cert_renewal
                confidence_floor: 0.9
                auto: true
            """;
        await using var h = new PipelineHarness(catalog);

        // A cert-manager Certificate needs the Kubernetes adapter, which this host has not enabled.
        var signal = SignalBuilder.Unclassifiable() with
        {
            Title = "CertificateExpiringSoon",
            Text = "x509: certificate has expired or is not yet valid: current time 2026-11-28T03:00:00Z is after 2026-11-27T00:00:00Z",
            Resource = new Homeostat.Signals.SignalResource { Kind = "Certificate", Namespace = "shop", Name = "shop-tls" },
        };

        var incident = await h.HandleAsync(signal);

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.ActionFailed);
        incident.Detail!.ShouldContain("Kubernetes adapter");
    }

    [Fact]
    public async Task Reconcile_GlobalDryRun_PreviewsRecordsPlanAndNeverExecutes()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?> { ["Guardrails:DryRun"] = "true" });

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.State.ShouldBe(IncidentState.DryRun);
        h.DiskAction.Executed.ShouldBeEmpty();
        h.DiskAction.Previewed.ShouldHaveSingleItem();
        var plan = (await h.AuditAsync(incident.Id)).Single(r => r.Type == AuditTypes.DryRun);
        plan.Summary.ShouldContain("would run rotate_and_compress_logs");
    }

    [Fact]
    public async Task Reconcile_RemediationMarkedDryRun_NeverExecutesEvenWhenLive()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(dryRun: true));

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.State.ShouldBe(IncidentState.DryRun);
        h.DiskAction.Executed.ShouldBeEmpty();
    }

    [Fact]
    public async Task Publish_ResolvedBeforeAnyAction_ResolvesTheIncident()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?> { ["Guardrails:KillSwitch"] = "true" });
        var firing = SignalBuilder.DiskFull(fingerprint: "fp-r");
        var incident = await h.HandleAsync(firing);
        incident.Reason.ShouldBe(EscalationReasons.Maintenance);

        var resolved = await h.PublishAsync(SignalBuilder.Resolved(firing));

        resolved.Decision.ShouldBe(IntakeDecision.Resolved);
        (await h.IncidentAsync(incident.Id)).State.ShouldBe(IncidentState.Resolved);
        (await h.PublishAsync(SignalBuilder.Resolved(firing))).Decision.ShouldBe(IntakeDecision.Ignored);
    }

    [Fact]
    public async Task Reconcile_IncidentLeftActingByACrashedWorker_EscalatesAndNeverRunsTheActionAgain()
    {
        await using var h = new PipelineHarness();
        var opened = await h.PublishAsync(SignalBuilder.DiskFull());

        // A worker recorded its intent to act and died before recording the outcome.
        await h.Store.WriteAsync(
            async w =>
            {
                var current = (await w.GetIncidentAsync(opened.IncidentId!, CancellationToken.None))!;
                return await w.ForceAsync(
                    current,
                    current with { State = IncidentState.Acting, ActedForReal = true, Action = "rotate_and_compress_logs", NextDueAt = h.Time.GetUtcNow().AddMinutes(15) });
            },
            CancellationToken.None);

        h.Time.Advance(TimeSpan.FromMinutes(15));
        await h.RunUntilIdleAsync();

        var incident = await h.IncidentAsync(opened.IncidentId!);
        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.ActionFailed);
        incident.Detail!.ShouldContain("unknown");
        h.DiskAction.Executed.ShouldBeEmpty();
    }

    [Fact]
    public async Task Reconcile_ApprovalRequired_WaitsPendingApprovalAndNotifies()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(approval: true));

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.State.ShouldBe(IncidentState.PendingApproval);
        h.DiskAction.Executed.ShouldBeEmpty();
        h.Notifier.Sent.ShouldHaveSingleItem().Reason.ShouldBe("pending_approval");
    }

    [Fact]
    public async Task Audit_AfterEveryKindOfPath_ChainVerifies()
    {
        await using var h = new PipelineHarness();
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared);
        await h.HandleAsync(SignalBuilder.DiskFull(service: "a"));
        await h.HandleAsync(SignalBuilder.Unclassifiable(service: "b"));
        await h.HandleAsync(SignalBuilder.Timeout(service: "c"));
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.RunUntilIdleAsync();

        var report = await h.Store.VerifyAuditChainAsync(CancellationToken.None);

        report.IsIntact.ShouldBeTrue(report.Problem);
        report.RecordsChecked.ShouldBe((await h.AuditAsync()).Count);
    }
}
