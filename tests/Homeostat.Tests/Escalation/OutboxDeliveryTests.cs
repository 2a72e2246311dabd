using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Healing;
using Homeostat.TestKit;

namespace Homeostat.Tests.Escalation;

/// <summary>Each notifier's copy of a page is delivered, retried and given up on its own, every attempt audited.</summary>
public sealed class OutboxDeliveryTests : IDisposable
{
    private readonly StubHttpServer _webhook = new();

    [Fact]
    public async Task WebhookDownForFiftyMinutes_IsDeliveredOnceAfterRecovery_WhileAWorkingNotifierDoesNotCancelIt()
    {
        var down = true;
        _webhook.Respond = _ => down ? new StubResponse(503, "{}") : StubResponse.Json("{}");
        await using var h = Harness();

        var incident = await h.HandleAsync(SignalBuilder.Unclassifiable());
        incident.Reason.ShouldBe(EscalationReasons.UnknownClass);
        h.Notifier.Sent.ShouldHaveSingleItem();

        var start = h.Time.GetUtcNow();
        while (h.Time.GetUtcNow() - start < TimeSpan.FromMinutes(50))
        {
            h.Time.Advance(TimeSpan.FromSeconds(30));
            await h.RunUntilIdleAsync();
        }

        var failedAttempts = _webhook.Requests.Count;
        failedAttempts.ShouldBeInRange(8, 12);
        down = false;
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.RunUntilIdleAsync();
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.RunUntilIdleAsync();

        _webhook.Requests.Count.ShouldBe(failedAttempts + 1);
        _webhook.Requests[^1].Json().GetProperty("notice").GetProperty("incidentId").GetString().ShouldBe(incident.Id);
        h.Notifier.Sent.ShouldHaveSingleItem();

        var notified = (await h.AuditAsync(incident.Id)).Where(r => r.Type == AuditTypes.Notified).Select(r => r.Read<NotifiedPayload>()!).ToList();
        var webhook = notified.Where(n => n.Notifier == "webhook").ToList();
        webhook.Count.ShouldBe(failedAttempts + 1);
        webhook.Take(failedAttempts).ShouldAllBe(n => n.Outcome == "retrying" && !n.Delivered && n.Detail == "failed: HTTP 503" && n.NextAttemptAt != null);
        webhook[^1].Outcome.ShouldBe("delivered");
        webhook.Select(n => n.Attempts).ShouldBe(Enumerable.Range(1, failedAttempts + 1));
        notified.Where(n => n.Notifier == "recording").ShouldHaveSingleItem().Outcome.ShouldBe("delivered");

        var outbox = await h.Store.ListNotificationsAsync(incident.Id, CancellationToken.None);
        outbox.Select(e => (e.Notifier, e.Status)).Order().ShouldBe([("recording", OutboxStatus.Delivered), ("webhook", OutboxStatus.Delivered)]);
    }

    [Fact]
    public async Task RetriesBackOffExponentially_UpToTheLongestDelay()
    {
        _webhook.Respond = _ => new StubResponse(502, "{}");
        await using var h = Harness();
        var incident = await h.HandleAsync(SignalBuilder.Unclassifiable());

        for (var i = 0; i < 120; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(30));
            await h.RunUntilIdleAsync();
        }

        var times = _webhook.Requests.Count;
        var gaps = (await h.AuditAsync(incident.Id)).Where(r => r.Type == AuditTypes.Notified && r.Read<NotifiedPayload>()!.Notifier == "webhook").Select(r => r.At).ToList();
        var delays = gaps.Zip(gaps.Skip(1), (a, b) => b - a).ToList();
        delays.Take(5).ShouldBe([TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(8)]);
        delays.Skip(5).ShouldAllBe(d => d == TimeSpan.FromMinutes(10));
        times.ShouldBe(gaps.Count);
    }

    [Fact]
    public async Task ReceiverRefusingThePage_IsGivenUpAtOnce_AndSaysSoInTheAudit()
    {
        _webhook.Respond = _ => new StubResponse(400, "{}");
        await using var h = Harness();
        var incident = await h.HandleAsync(SignalBuilder.Unclassifiable());
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.RunUntilIdleAsync();

        _webhook.Requests.Count.ShouldBe(1);
        var attempt = (await h.AuditAsync(incident.Id)).Single(r => r.Type == AuditTypes.Notified && r.Read<NotifiedPayload>()!.Notifier == "webhook");
        attempt.Read<NotifiedPayload>()!.Outcome.ShouldBe("given_up");
        attempt.Summary.ShouldContain("given up");
    }

    [Fact]
    public async Task NotifierThatNeverRecovers_IsGivenUpAfterTheWindow()
    {
        _webhook.Respond = _ => new StubResponse(503, "{}");
        await using var h = Harness(new Dictionary<string, string?> { ["Healing:Notifications:GiveUpAfter"] = "30m" });
        var incident = await h.HandleAsync(SignalBuilder.Unclassifiable());
        for (var i = 0; i < 12; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(10));
            await h.RunUntilIdleAsync();
        }

        var entry = (await h.Store.ListNotificationsAsync(incident.Id, CancellationToken.None)).Single(e => e.Notifier == "webhook");
        entry.Status.ShouldBe(OutboxStatus.GivenUp);
        (entry.NextAttemptAt - entry.CreatedAt).ShouldBeLessThanOrEqualTo(TimeSpan.FromMinutes(30));
        (await h.AuditAsync(incident.Id)).Count(r => r.Type == AuditTypes.Notified && r.Read<NotifiedPayload>()!.Outcome == "given_up").ShouldBe(1);
    }

    [Fact]
    public async Task OperatorResolvingTheIncident_CancelsWhatIsStillOwed()
    {
        _webhook.Respond = _ => new StubResponse(503, "{}");
        await using var h = Harness();
        var incident = await h.HandleAsync(SignalBuilder.Unclassifiable());

        (await h.Get<OperatorCommands>().ResolveAsync(incident.Id, "alice", "fixed by hand", CancellationToken.None)).Changed.ShouldBeTrue();
        var sent = _webhook.Requests.Count;
        h.Time.Advance(TimeSpan.FromHours(2));
        await h.RunUntilIdleAsync();

        _webhook.Requests.Count.ShouldBe(sent);
        (await h.Store.ListNotificationsAsync(incident.Id, CancellationToken.None)).Single(e => e.Notifier == "webhook").Status.ShouldBe(OutboxStatus.Cancelled);
    }

    public void Dispose() => _webhook.Dispose();

    private PipelineHarness Harness(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? []) { ["Notifiers:Webhook:Url"] = _webhook.Url + "/" };
        return new PipelineHarness(settings: all);
    }
}
