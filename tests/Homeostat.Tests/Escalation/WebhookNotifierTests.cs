using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Homeostat.Escalation;
using Homeostat.Primitives;
using Homeostat.TestKit;
using Microsoft.Extensions.Options;

namespace Homeostat.Tests.Escalation;

/// <summary>The webhook notifier against a real HTTP receiver on 127.0.0.1.</summary>
public sealed class WebhookNotifierTests : IDisposable
{
    private readonly StubHttpServer _server = new("/hook/");
    private readonly string _url;

    public WebhookNotifierTests()
    {
        _url = _server.Url + "/hook/";
        _server.Respond = _ => Status(200);
    }

    [Fact]
    public async Task Notify_ReceiverAccepts_PostsTheNoticeAsJsonWithAnHmacSignature()
    {
        Environment.SetEnvironmentVariable("HOMEOSTAT_TEST_WEBHOOK_SECRET", "k3y");
        var notifier = CreateSut(new WebhookNotifierOptions { Url = _url, SecretEnv = "HOMEOSTAT_TEST_WEBHOOK_SECRET" });

        var result = await notifier.NotifyAsync(Notice(), CancellationToken.None);

        result.Delivered.ShouldBeTrue(result.Detail);
        result.Attempts.ShouldBe(1);
        var received = _server.Requests.ShouldHaveSingleItem();
        using var json = JsonDocument.Parse(received.Body);
        json.RootElement.GetProperty("kind").GetString().ShouldBe("escalation");
        json.RootElement.GetProperty("notice").GetProperty("reason").GetString().ShouldBe("verify_failed");
        json.RootElement.GetProperty("notice").GetProperty("incidentId").GetString().ShouldBe("inc-1");
        received.Header(WebhookNotifier.SignatureHeader).ShouldBe("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("k3y"u8.ToArray(), Encoding.UTF8.GetBytes(received.Body))));
    }

    [Fact]
    public async Task Notify_ServerErrorsThenSuccess_RetriesWithBackoffUntilDelivered()
    {
        _server.Enqueue(Status(500));
        _server.Enqueue(Status(503));
        var notifier = CreateSut(new WebhookNotifierOptions { Url = _url, MaxAttempts = 5, FirstRetryDelay = Duration.Parse("10ms") });

        var result = await notifier.NotifyAsync(Notice(), CancellationToken.None);

        result.Delivered.ShouldBeTrue(result.Detail);
        result.Attempts.ShouldBe(3);
        _server.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Notify_ReceiverKeepsFailing_GivesUpAfterMaxAttempts()
    {
        for (var i = 0; i < 10; i++)
        {
            _server.Enqueue(Status(502));
        }

        var notifier = CreateSut(new WebhookNotifierOptions { Url = _url, MaxAttempts = 3, FirstRetryDelay = Duration.Parse("10ms") });

        var result = await notifier.NotifyAsync(Notice(), CancellationToken.None);

        result.Delivered.ShouldBeFalse();
        result.Attempts.ShouldBe(3);
        result.Detail.ShouldContain("502");
    }

    [Fact]
    public async Task Notify_ClientError_IsFinalWithoutRetry()
    {
        _server.Enqueue(Status(400));
        var notifier = CreateSut(new WebhookNotifierOptions { Url = _url, MaxAttempts = 5, FirstRetryDelay = Duration.Parse("10ms") });

        var result = await notifier.NotifyAsync(Notice(), CancellationToken.None);

        result.Delivered.ShouldBeFalse();
        result.Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task Notify_NobodyListening_FailsWithTheReasonInsteadOfThrowing()
    {
        var notifier = CreateSut(new WebhookNotifierOptions { Url = $"http://127.0.0.1:{LoopbackPorts.Free()}/", MaxAttempts = 2, FirstRetryDelay = Duration.Parse("10ms") });

        var result = await notifier.NotifyAsync(Notice(), CancellationToken.None);

        result.Delivered.ShouldBeFalse();
        result.Attempts.ShouldBe(2);
    }

    public void Dispose() => _server.Dispose();

    private static WebhookNotifier CreateSut(WebhookNotifierOptions options) =>
        new(new PlainHttpClientFactory(), Options.Create(options), TimeProvider.System);

    private static EscalationNotice Notice() => new()
    {
        IncidentId = "inc-1",
        Service = "checkout",
        Reason = "verify_failed",
        Detail = "the signal did not clear",
        Class = "disk_full",
        At = new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero),
    };

    /// <summary>A receiver's answer: just a status.</summary>
    private static StubResponse Status(int status) => new(status, string.Empty) { ContentType = "text/plain" };
}
