using Homeostat.Audit;
using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Healing;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;

namespace Homeostat.Tests.Healing;

/// <summary>The state machine over every state and every event: what it allows, what it refuses, and where each event leads.</summary>
public sealed class IncidentLifecycleTableTests
{
    private static readonly DateTimeOffset Now = PipelineHarness.Start;
    private static readonly RemediationSpec Spec = LoadSpec();
    private static readonly Signal Firing = SignalBuilder.DiskFull();

    private static readonly IncidentState[] All = Enum.GetValues<IncidentState>();
    private static readonly IncidentState[] NotClosed = All.Where(s => s is not (IncidentState.Remediated or IncidentState.Resolved)).ToArray();
    private static readonly IncidentState[] Finished = [IncidentState.Remediated, IncidentState.Resolved, IncidentState.DryRun, IncidentState.Escalated];

    /// <summary>Each event, and the states in which it applies to an existing incident. Everything else is refused.</summary>
    public static TheoryData<string> EventNames => new(Events.Keys);

    private static readonly Dictionary<string, (IncidentEvent Event, IncidentState[] AllowedIn)> Events = new()
    {
        ["duplicate"] = (new DeliveryRepeated(Firing), All),
        ["classified"] = (new Classified(Classification("disk_full"), "v1"), [IncidentState.Open]),
        ["decided"] = (Decision(DecisionKind.Act), [IncidentState.Open]),
        ["dry-run previewed"] = (new DryRunPreviewed(Spec, new ActionPreview(true, "would compress 3 files", []), TimeSpan.Zero), All),
        ["action previewed"] = (new ActionPreviewed(Spec, new ActionPreview(true, "will compress 3 files", []), TimeSpan.Zero), All),
        ["action finished"] = (new ActionFinished(Spec, new ActionOutcome(ActionStatus.Succeeded, "compressed 3 files", []), TimeSpan.Zero, Verify()), All),
        ["action interrupted"] = (new ActionInterrupted(), [IncidentState.Acting]),
        ["verification"] = (new VerificationChecked("probe", new VerificationResult(VerificationStatus.Cleared, "gone"), TimeSpan.FromSeconds(15)), [IncidentState.Verifying]),
        ["approval expired"] = (new ApprovalExpired(), [IncidentState.PendingApproval]),
        ["approved"] = (new ApprovalAnswered(true, "alice", null), [IncidentState.PendingApproval]),
        ["rejected"] = (new ApprovalAnswered(false, "alice", "not now"), [IncidentState.PendingApproval]),
        ["resolved by the source"] = (new SourceResolved(SignalBuilder.Resolved(Firing)), NotClosed),
        ["resolved by an operator"] = (new ResolvedByOperator("alice", null), NotClosed.Where(s => s != IncidentState.Acting).ToArray()),
        ["labelled"] = (new LabelledByOperator("disk_full", "alice"), All),
        ["processing failed"] = (new ReconcileFailed("IOException: disk", 3), NotClosed),
        ["notification outcome"] = (new NotificationAttempted(Outbox(), new NotificationResult("webhook", true, 1, "HTTP 200"), NotificationOutcome.Delivered, null), All),
        ["settled"] = (new Settled(), Finished),
        ["signal received"] = (new SignalOpened("new", Firing, "fp", "fp", "checkout"), []),
        ["promoted"] = (new Promoted("disk_full", "hash", "alice"), []),
        ["resumed"] = (new Resumed("checkout", "disk_full", "alice"), []),
    };

    [Theory]
    [MemberData(nameof(EventNames))]
    public void EveryStateAndEvent_IsAllowedOrRefusedAsTheTableSays(string name)
    {
        var (@event, allowedIn) = Events[name];
        @event.Name.ShouldBe(name);
        foreach (var state in All)
        {
            var incident = InState(state);
            var allowed = IncidentLifecycle.TryApply(incident, @event, Now, out var transition, out var refusal);

            allowed.ShouldBe(allowedIn.Contains(state), $"'{name}' in state {state.ToWord()}: {refusal}");
            if (allowed)
            {
                transition!.Before.ShouldBe(incident);
                transition.Records.ShouldAllBe(r => r.IncidentId == incident.Id);
            }
            else
            {
                refusal.ShouldNotBeNullOrWhiteSpace();
                refusal.ShouldContain(name == "rejected" || name == "approved" || name.StartsWith("resolved by an", StringComparison.Ordinal) ? incident.Id : $"'{name}'");
                Should.Throw<IllegalTransitionException>(() => IncidentLifecycle.Apply(incident, @event, Now)).Message.ShouldBe(refusal);
            }
        }
    }

    [Fact]
    public void EventsOutsideAnIncident_ApplyOnlyWithoutOne()
    {
        IncidentLifecycle.Apply(null, new SignalOpened("i-1", Firing, "fp", "fp@t", "checkout"), Now).Next!.State.ShouldBe(IncidentState.Open);
        IncidentLifecycle.Apply(null, new Promoted("disk_full", "hash", "alice"), Now).Records.ShouldHaveSingleItem().Type.ShouldBe(AuditTypes.Promoted);
        IncidentLifecycle.Apply(null, new Resumed("checkout", "disk_full", "alice"), Now).Records.ShouldHaveSingleItem().Actor.ShouldBe("alice");
        foreach (var (name, (@event, _)) in Events.Where(e => e.Value.Event is not (SignalOpened or Promoted or Resumed)))
        {
            IncidentLifecycle.Refusal(null, @event, Now).ShouldBe($"'{name}' needs an incident");
        }
    }

    [Theory]
    [InlineData(DecisionKind.Act, IncidentState.Acting, null, false)]
    [InlineData(DecisionKind.DryRun, IncidentState.DryRun, null, false)]
    [InlineData(DecisionKind.PendingApproval, IncidentState.PendingApproval, null, true)]
    [InlineData(DecisionKind.Escalate, IncidentState.Escalated, EscalationReasons.BelowFloor, true)]
    public void Decided_LeadsToTheDecisionsState_AndOwesANotificationOnlyWhenAHumanIsNeeded(DecisionKind kind, IncidentState expected, string? reason, bool notifies)
    {
        var transition = IncidentLifecycle.Apply(InState(IncidentState.Open), Decision(kind), Now);

        transition.Next!.State.ShouldBe(expected);
        transition.Next.Reason.ShouldBe(reason);
        (transition.Notify is not null).ShouldBe(notifies);
        transition.Records.Select(r => r.Type).ShouldContain(AuditTypes.Decided);
        transition.Records.Single(r => r.Type == AuditTypes.Decided).Facts.Decision.ShouldBe(IncidentLifecycle.Word(((Decided)Decision(kind)).Decision));
        if (kind == DecisionKind.Act)
        {
            var started = transition.Records.Single(r => r.Type == AuditTypes.ActionStarted);
            started.Facts.ShouldBe(new AuditFacts(Action: Spec.Action, DryRun: false));
            transition.Next.ActedForReal.ShouldBeTrue();
            transition.Next.NextDueAt.ShouldBe(Now + TimeSpan.FromMinutes(20));
        }
    }

    [Fact]
    public void Decided_RateLimited_EscalatesAndSuspendsInTheSameTransition()
    {
        var verdict = GuardrailVerdict.Escalate(GuardrailNames.RateLimit, EscalationReasons.RateLimited, "4th run in an hour") with { SuspendRemediation = true };
        var transition = IncidentLifecycle.Apply(InState(IncidentState.Open), new Decided(new GuardrailDecision(DecisionKind.Escalate, [verdict]), Spec, "v1", TimeSpan.FromHours(1), TimeSpan.FromMinutes(20)), Now);

        transition.Next!.Reason.ShouldBe(EscalationReasons.RateLimited);
        transition.Suspend!.Class.ShouldBe(Spec.Class);
        transition.Records.Select(r => r.Type).ShouldBe([AuditTypes.Guardrail, AuditTypes.Decided, AuditTypes.Escalated, AuditTypes.Suspended]);
    }

    [Theory]
    [InlineData(VerificationStatus.Cleared, 0, IncidentState.Remediated, null)]
    [InlineData(VerificationStatus.NotCleared, 0, IncidentState.Verifying, null)]
    [InlineData(VerificationStatus.NotCleared, 10, IncidentState.Escalated, EscalationReasons.VerifyFailed)]
    [InlineData(VerificationStatus.Error, 10, IncidentState.Escalated, EscalationReasons.VerifyFailed)]
    public void Verification_ClearsOrWaitsOrEscalatesAtTheDeadline(VerificationStatus status, int minutesLater, IncidentState expected, string? reason)
    {
        var verifying = InState(IncidentState.Verifying) with { VerifyDeadline = Now.AddMinutes(5) };
        var transition = IncidentLifecycle.Apply(verifying, new VerificationChecked("probe", new VerificationResult(status, "measured"), TimeSpan.FromSeconds(15)), Now.AddMinutes(minutesLater));

        transition.Next!.State.ShouldBe(expected);
        transition.Next.Reason.ShouldBe(reason);
        transition.Next.VerificationAttempts.ShouldBe(1);
        (transition.Notify?.Reason).ShouldBe(reason);
    }

    [Fact]
    public void ActionFinished_AfterTheIncidentMovedOn_IsRecordedLateAndChangesNothing()
    {
        var transition = IncidentLifecycle.Apply(InState(IncidentState.Escalated), Events["action finished"].Event, Now);

        transition.Next.ShouldBeNull();
        var record = transition.Records.ShouldHaveSingleItem();
        record.Type.ShouldBe(AuditTypes.ActionExecuted);
        record.Payload.ShouldContain("\"late\":true");
    }

    [Fact]
    public void Rejection_AndResolveByHand_CancelWhatWasOwed()
    {
        IncidentLifecycle.Apply(InState(IncidentState.PendingApproval), new ApprovalAnswered(false, "alice", null), Now).CancelNotifications.ShouldBeTrue();
        IncidentLifecycle.Apply(InState(IncidentState.Escalated), new ResolvedByOperator("alice", "fixed by hand"), Now).CancelNotifications.ShouldBeTrue();
    }

    [Fact]
    public void ApprovalExpired_BeforeTheDeadline_IsRefused()
    {
        var pending = InState(IncidentState.PendingApproval) with { ApprovalDeadline = Now.AddMinutes(1) };

        IncidentLifecycle.Refusal(pending, new ApprovalExpired(), Now).ShouldNotBeNull();
        IncidentLifecycle.Apply(pending, new ApprovalExpired(), Now.AddMinutes(1)).Next!.Reason.ShouldBe(EscalationReasons.ApprovalExpired);
    }

    [Fact]
    public void ReconcileFailed_BacksOffThenEscalatesAtTheLimit()
    {
        var open = InState(IncidentState.Open);
        var first = IncidentLifecycle.Apply(open, new ReconcileFailed("boom", 2), Now).Next!;
        first.State.ShouldBe(IncidentState.Open);
        first.NextDueAt.ShouldBe(Now.AddSeconds(30));

        var second = IncidentLifecycle.Apply(first, new ReconcileFailed("boom", 2), Now);
        second.Next!.State.ShouldBe(IncidentState.Escalated);
        second.Notify.ShouldNotBeNull();
    }

    private static Incident InState(IncidentState state) => new()
    {
        Id = "inc-" + state.ToWord(),
        Fingerprint = "fp",
        DeliveryKey = "fp@t",
        Service = "checkout",
        State = state,
        Signal = Firing,
        Classification = state == IncidentState.Open ? null : Classification("disk_full"),
        Action = Spec.Action,
        ActedForReal = state is IncidentState.Acting or IncidentState.Verifying,
        ApprovalDeadline = state == IncidentState.PendingApproval ? Now : null,
        VerifyDeadline = state == IncidentState.Verifying ? Now.AddMinutes(5) : null,
        CreatedAt = Now,
        UpdatedAt = Now,
        NextDueAt = Now,
        Version = 3,
    };

    private static Classification Classification(string name) => new() { Class = name, Confidence = 0.95, Classifier = "rules", Reasoning = "a test" };

    private static IncidentEvent Decision(DecisionKind kind)
    {
        var verdict = kind switch
        {
            DecisionKind.Escalate => GuardrailVerdict.Escalate(GuardrailNames.ConfidenceFloor, EscalationReasons.BelowFloor, "too unsure"),
            DecisionKind.DryRun => new GuardrailVerdict(GuardrailNames.DryRun, VerdictKind.DryRun, "global dry-run"),
            DecisionKind.PendingApproval => new GuardrailVerdict(GuardrailNames.Approval, VerdictKind.RequireApproval, "approval required"),
            _ => GuardrailVerdict.Pass(GuardrailNames.Auto, "auto"),
        };
        return new Decided(new GuardrailDecision(kind, [verdict]), Spec, "v1", TimeSpan.FromHours(1), TimeSpan.FromMinutes(20));
    }

    private static VerifySpec Verify() => new(Homeostat.Primitives.Duration.Parse("30s"), Homeostat.Primitives.Duration.Parse("5m"), Homeostat.Primitives.Duration.Parse("15s"));

    private static OutboxEntry Outbox() => new() { Id = 1, IncidentId = "x", Notifier = "webhook", Reason = "unknown_class", Detail = "d", CreatedAt = Now, NextAttemptAt = Now, Attempts = 1 };

    private static RemediationSpec LoadSpec()
    {
        var harness = new PipelineHarness();
        var spec = harness.Catalog.Find(FailureClasses.DiskFull)!;
        harness.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return spec;
    }
}
