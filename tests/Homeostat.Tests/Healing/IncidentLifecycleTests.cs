using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Healing;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeostat.Tests.Healing;

/// <summary>Recurrence, re-firing, late outcomes, durable notifications, approvals and failures: the edges of an incident's life.</summary>
public sealed class IncidentLifecycleTests
{
    [Fact]
    public async Task Publish_ProblemComesBackWithoutStartTime_OpensANewIncidentOnceTheFirstClosed()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "1m"));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared);
        var signal = SignalBuilder.DiskFull(startsAt: null);
        var first = await h.HandleAsync(signal);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(first.Id)).State.ShouldBe(IncidentState.Remediated);

        var again = await h.PublishAsync(signal with { Id = "again" });

        again.Decision.ShouldBe(IntakeDecision.Accepted);
        again.IncidentId.ShouldNotBe(first.Id);
    }

    [Fact]
    public async Task Publish_FiresAgainAfterResolvedWhileVerifying_IsNotTakenAsCleared()
    {
        // The real verifier for Alertmanager signals: cleared once the source reports the alert resolved.
        await using var h = new PipelineHarness(
            CatalogBuilder.DiskFull(verifyAfter: "2m", verifyTimeout: "10m"),
            configure: services => services.RemoveAll<IVerifier>().AddSingleton<IVerifier, SourceResolvedVerifier>());
        var firing = SignalBuilder.DiskFull(startsAt: PipelineHarness.Start, fingerprint: "am-1") with { Source = SignalSources.Alertmanager };
        var incident = await h.HandleAsync(firing);
        incident.State.ShouldBe(IncidentState.Verifying);

        // Alertmanager says resolved, then the same alert fires again with a new start time before the check.
        await h.PublishAsync(SignalBuilder.Resolved(firing));
        var refired = await h.PublishAsync(firing with { Id = "refired", StartsAt = PipelineHarness.Start.AddSeconds(30) });
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.RunUntilIdleAsync();

        refired.Decision.ShouldBe(IntakeDecision.Duplicate);
        refired.Detail.ShouldContain("fired again");
        var final = await h.IncidentAsync(incident.Id);
        final.State.ShouldBe(IncidentState.Escalated);
        final.Reason.ShouldBe(EscalationReasons.VerifyFailed);
    }

    [Fact]
    public async Task Act_IncidentGivenUpWhileTheActionRan_RecordsTheLateOutcomeWithoutOverwritingTheEscalation()
    {
        await using var h = new PipelineHarness();
        h.DiskAction.OnExecute = request =>
        {
            // Another worker decided the action was lost and escalated while this one was still running it.
            h.Store.WriteAsync(
                async w =>
                {
                    var current = (await w.GetIncidentAsync(request.IncidentId, CancellationToken.None))!;
                    return await w.ForceAsync(current, current with { State = IncidentState.Escalated, Reason = EscalationReasons.ActionFailed });
                },
                CancellationToken.None).GetAwaiter().GetResult();
        };

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        incident.State.ShouldBe(IncidentState.Escalated);
        var executed = (await h.AuditAsync(incident.Id)).Single(r => r.Type == AuditTypes.ActionExecuted);
        executed.Summary.ShouldContain("late");
        executed.PayloadJson().GetProperty("late").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Notification_DecidedButNotDeliveredBeforeACrash_IsDeliveredOnceAfterwards()
    {
        await using var h = new PipelineHarness();
        var opened = await h.PublishAsync(SignalBuilder.Unclassifiable());

        // The escalation was committed with its notification intent, and the process died before sending it.
        await h.Store.WriteAsync(
            async w =>
            {
                var current = (await w.GetIncidentAsync(opened.IncidentId!, CancellationToken.None))!;
                var escalated = current with { State = IncidentState.Escalated, Reason = EscalationReasons.UnknownClass };
                await w.SaveAsync(
                    new Transition(current, escalated, [])
                    {
                        Outbox = [new OutboxEntry { IncidentId = current.Id, Notifier = h.Notifier.Name, Reason = EscalationReasons.UnknownClass, Detail = "nobody knows this one", CreatedAt = h.Time.GetUtcNow(), NextAttemptAt = h.Time.GetUtcNow() }],
                    },
                    CancellationToken.None);
                return true;
            },
            CancellationToken.None);

        await h.RunUntilIdleAsync();
        await h.RunUntilIdleAsync();

        h.Notifier.Sent.ShouldHaveSingleItem().Detail.ShouldBe("nobody knows this one");
        var incident = await h.IncidentAsync(opened.IncidentId!);
        incident.NextDueAt.ShouldBeNull();
        (await h.Store.ListNotificationsAsync(incident.Id, CancellationToken.None)).ShouldHaveSingleItem().Status.ShouldBe(OutboxStatus.Delivered);
    }

    [Fact]
    public async Task Approval_Approved_RechecksTheGuardrailsAndActs()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(approval: true));
        var incident = await h.HandleAsync(SignalBuilder.DiskFull());
        incident.State.ShouldBe(IncidentState.PendingApproval);

        var answer = await h.Get<OperatorCommands>().ApproveAsync(incident.Id, "dana", CancellationToken.None);
        await h.RunUntilIdleAsync();

        answer.Changed.ShouldBeTrue();
        var acted = await h.IncidentAsync(incident.Id);
        acted.State.ShouldBe(IncidentState.Verifying);
        h.DiskAction.Executed.ShouldHaveSingleItem();
        var audit = await h.AuditAsync(incident.Id);
        audit.ShouldContain(r => r.Type == AuditTypes.ApprovalAnswered && r.Actor == "dana");
        audit.Last(r => r.Type == AuditTypes.Guardrail).Summary.ShouldContain("approved by dana");
    }

    [Fact]
    public async Task Approval_Rejected_EscalatesApprovalRejectedAndNeverActs()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(approval: true));
        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        await h.Get<OperatorCommands>().RejectAsync(incident.Id, "dana", "the disk is being migrated", CancellationToken.None);
        await h.RunUntilIdleAsync();

        var rejected = await h.IncidentAsync(incident.Id);
        rejected.Reason.ShouldBe(EscalationReasons.ApprovalRejected);
        rejected.Detail!.ShouldContain("migrated");
        h.DiskAction.Executed.ShouldBeEmpty();
    }

    [Fact]
    public async Task Approval_NobodyAnswers_ExpiresAfterTheApprovalTimeout()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(approval: true), new Dictionary<string, string?> { ["Healing:ApprovalTimeout"] = "30m" });
        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        h.Time.Advance(TimeSpan.FromMinutes(29));
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(incident.Id)).State.ShouldBe(IncidentState.PendingApproval);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();
        var expired = await h.IncidentAsync(incident.Id);
        expired.Reason.ShouldBe(EscalationReasons.ApprovalExpired);
        h.Notifier.Sent.Select(n => n.Reason).ShouldBe(["pending_approval", EscalationReasons.ApprovalExpired]);

        var late = await h.Get<OperatorCommands>().ApproveAsync(incident.Id, "dana", CancellationToken.None);
        late.Changed.ShouldBeFalse();
    }

    [Fact]
    public async Task Resolve_ByAnOperator_ClosesTheIncidentSoTheNextSignalOpensANewOne()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?> { ["Guardrails:DryRun"] = "true" });
        var signal = SignalBuilder.DiskFull();
        var incident = await h.HandleAsync(signal);
        incident.State.ShouldBe(IncidentState.DryRun);

        var resolved = await h.Get<OperatorCommands>().ResolveAsync(incident.Id, "erin", "cleaned up by hand", CancellationToken.None);
        var next = await h.PublishAsync(signal with { Id = "next" });

        resolved.Changed.ShouldBeTrue();
        (await h.IncidentAsync(incident.Id)).State.ShouldBe(IncidentState.Resolved);
        next.Decision.ShouldBe(IntakeDecision.Accepted);
    }

    [Fact]
    public async Task Reconcile_ThatKeepsFailing_BacksOffThenEscalatesInsteadOfRetryingForever()
    {
        await using var h = new PipelineHarness(configure: services => services.AddSingleton<IGuardrail, ExplodingGuardrail>()) { ExpectReconcileFailures = true };
        var opened = await h.PublishAsync(SignalBuilder.DiskFull());

        await h.RunUntilIdleAsync();
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(opened.IncidentId!)).State.ShouldBe(IncidentState.Open);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();

        var incident = await h.IncidentAsync(opened.IncidentId!);
        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Detail!.ShouldContain("could not process");
        (await h.AuditAsync(incident.Id)).Count(r => r.Type == AuditTypes.ReconcileFailed).ShouldBe(3);
        h.Notifier.Sent.ShouldHaveSingleItem();
        h.DiskAction.Executed.ShouldBeEmpty();
    }

    private sealed class ExplodingGuardrail : IGuardrail
    {
        public string Name => "exploding";

        public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a bug in a guardrail");
    }
}
