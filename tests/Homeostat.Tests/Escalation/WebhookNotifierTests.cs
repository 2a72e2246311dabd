using Homeostat.TestKit;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Homeostat.Escalation;
using Homeostat.Primitives;
using Microsoft.Extensions.Options;

namespace Homeostat.Tests.Escalation;

/// <summary>The webhook notifier against a real HTTP receiver on 127.0.0.1.</summary>
public sealed class WebhookNotifierTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Body, string? Signature, string? Authorization)> _received = [];
    private readonly Queue<int> _statuses = new();
    private readonly string _url;
    private readonly CancellationTokenSource _stop = new();

    public WebhookNotifierTests()
    {
        var port = LoopbackPorts.Free();
        _url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(_url);
        _listener.Start();
        _ = ServeAsync();
    }

    [Fact]
    public async Task Notify_ReceiverAccepts_PostsTheNoticeAsJsonWithAnHmacSignature()
    {
        Environment.SetEnvironmentVariable("HOMEOSTAT_TEST_WEBHOOK_SECRET", "k3y");
        var notifier = CreateSut(new WebhookNotifierOptions { Url = _url, SecretEnv = "HOMEOSTAT_TEST_WEBHOOK_SECRET" });

        var result = await notifier.NotifyAsync(Notice(), CancellationToken.None);

        result.Delivered.ShouldBeTrue(result.Detail);
        result.Attempts.ShouldBe(1);
        var (body, signature, _) = _received.ShouldHaveSingleItem();
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("kind").GetString().ShouldBe("escalation");
        json.RootElement.GetProperty("notice").GetProperty("reason").GetString().ShouldBe("verify_failed");
        json.RootElement.GetProperty("notice").GetProperty("incidentId").GetString().ShouldBe("inc-1");
        signature.ShouldBe("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("k3y"u8.ToArray(), Encoding.UTF8.GetBytes(body))));
    }

    [Fact]
    public async Task Notify_ServerErrorsThenSuccess_RetriesWithBackoffUntilDelivered()
    {
        _statuses.Enqueue(500);
        _statuses.Enqueue(503);
        var notifier = CreateSut(new WebhookNotifierOptions { Url = _url, MaxAttempts = 5, FirstRetryDelay = Duration.Parse("10ms") });

        var result = await notifier.NotifyAsync(Notice(), CancellationToken.None);

        result.Delivered.ShouldBeTrue(result.Detail);
        result.Attempts.ShouldBe(3);
        _received.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Notify_ReceiverKeepsFailing_GivesUpAfterMaxAttempts()
    {
        for (var i = 0; i < 10; i++)
        {
            _statuses.Enqueue(502);
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
        _statuses.Enqueue(400);
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

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }

    private static WebhookNotifier CreateSut(WebhookNotifierOptions options) =>
        new(new SingleClientFactory(), Options.Create(options), TimeProvider.System);

    private sealed class SingleClientFactory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }

    private static EscalationNotice Notice() => new()
    {
        IncidentId = "inc-1",
        Service = "checkout",
        Reason = "verify_failed",
        Detail = "the signal did not clear",
        Class = "disk_full",
        At = new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero),
    };

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            lock (_received)
            {
                _received.Add((body, context.Request.Headers[WebhookNotifier.SignatureHeader], context.Request.Headers["Authorization"]));
            }

            context.Response.StatusCode = _statuses.TryDequeue(out var status) ? status : 200;
            context.Response.Close();
        }
    }
}
