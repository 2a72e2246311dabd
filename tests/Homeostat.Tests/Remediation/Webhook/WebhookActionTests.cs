using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Homeostat.Catalog;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Remediation.Webhook;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Remediation.Webhook;

/// <summary>The webhook action against a real HTTP receiver on 127.0.0.1 that records requests and scripts answers.</summary>
public sealed class WebhookActionTests : IDisposable
{
    private const string SecretEnv = "HOMEOSTAT_TEST_WEBHOOK_ACTION_SECRET";
    private const string TokenEnv = "HOMEOSTAT_TEST_WEBHOOK_ACTION_TOKEN";
    private const string Secret = "s3cr3t-hmac-key-9f2";
    private const string Token = "tok-abcdef-123456";

    private readonly StubHttpServer _server = new("/runbook/");
    private readonly string _url;

    public WebhookActionTests()
    {
        Environment.SetEnvironmentVariable(SecretEnv, Secret);
        Environment.SetEnvironmentVariable(TokenEnv, Token);
        _url = _server.Url + "/runbook/";
        _server.Respond = _ => Reply(200);
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Execute_SignedEndpoint_PostsJsonWithAVerifiableSignatureTokenAndIdempotencyKey()
    {
        var action = CreateSut(Endpoint(e =>
        {
            e.SecretEnv = SecretEnv;
            e.BearerTokenEnv = TokenEnv;
            e.Headers["X-Rundeck-Project"] = "ops";
        }));
        var request = Request("""{"job": "restart", "service": "{{service}}"}""");

        var outcome = await action.ExecuteAsync(request, CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        var received = _server.Requests.ShouldHaveSingleItem();
        received.Method.ShouldBe("POST");
        received.Headers["Content-Type"].ShouldStartWith("application/json");
        received.Headers[WebhookAction.SignatureHeader].ShouldBe("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), received.Bytes)));
        received.Headers[WebhookAction.IdempotencyHeader].ShouldBe($"inc-7-{request.Remediation.SpecHash}");
        received.Headers["Authorization"].ShouldBe($"Bearer {Token}");
        received.Headers["X-Rundeck-Project"].ShouldBe("ops");
        using var json = JsonDocument.Parse(received.Body);
        json.RootElement.GetProperty("job").GetString().ShouldBe("restart");
        json.RootElement.GetProperty("service").GetString().ShouldBe("checkout");
        outcome.Changes.ShouldContain("attempts: 1");
        outcome.Changes.ShouldContain("status: 200");
        ShouldNotLeak(outcome);
    }

    [Fact]
    public async Task Execute_ServerErrorsThenSuccess_RetriesWithTheSameIdempotencyKeyAndBody()
    {
        _server.Enqueue(Reply(500));
        _server.Enqueue(Reply(503));
        var action = CreateSut(Endpoint(e => e.MaxAttempts = 5));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldContain("attempts: 3");
        _server.Requests.Count.ShouldBe(3);
        _server.Requests.Select(r => r.Headers[WebhookAction.IdempotencyHeader]).Distinct().ShouldHaveSingleItem().ShouldNotBeNullOrEmpty();
        _server.Requests.Select(r => r.Body).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Execute_TooManyRequests_IsRetried()
    {
        _server.Enqueue(Reply(429));
        var action = CreateSut(Endpoint());

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldContain("attempts: 2");
        _server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Execute_ClientError_IsFinalWithTheStatusAndResponse()
    {
        _server.Enqueue(Reply(400, "unknown job 'restart'"));
        var action = CreateSut(Endpoint(e => e.MaxAttempts = 5));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("HTTP 400");
        outcome.Summary.ShouldContain("unknown job 'restart'");
        outcome.Changes.ShouldContain("attempts: 1");
        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Execute_ReceiverKeepsFailing_GivesUpAfterMaxAttempts()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.Enqueue(Reply(502));
        }

        var action = CreateSut(Endpoint(e => e.MaxAttempts = 3));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("HTTP 502");
        outcome.Changes.ShouldContain("attempts: 3");
        _server.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Execute_OneAttempt_CallsOnceAndDoesNotRetry()
    {
        _server.Enqueue(Reply(503));
        var action = CreateSut(Endpoint(e => e.MaxAttempts = 1));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("HTTP 503");
        outcome.Changes.ShouldContain("attempts: 1");
        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Execute_ReceiverTooSlow_TimesOutRetriesThenFails()
    {
        _server.Enqueue(Reply(200, delay: TimeSpan.FromSeconds(3)));
        _server.Enqueue(Reply(200, delay: TimeSpan.FromSeconds(3)));
        var action = CreateSut(Endpoint(e =>
        {
            e.Timeout = Duration.Parse("200ms");
            e.MaxAttempts = 2;
        }));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("no answer within 200ms");
        outcome.Changes.ShouldContain("attempts: 2");

        // The client gave up on the second request before the stub may have finished recording it.
        SpinWait.SpinUntil(() => _server.Requests.Count >= 2, TimeSpan.FromSeconds(5));
        _server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Execute_NobodyListening_RetriesNetworkErrorsThenFails()
    {
        var action = CreateSut(Endpoint(e =>
        {
            e.Url = $"http://127.0.0.1:{LoopbackPorts.Free()}/";
            e.MaxAttempts = 2;
        }));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Changes.ShouldContain("attempts: 2");
    }

    [Fact]
    public async Task Execute_BackoffWaitsOnTheInjectedTimeProvider()
    {
        _server.Enqueue(Reply(503));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));
        var action = CreateSut(Endpoint(e => e.FirstRetryDelay = Duration.Parse("1h")), time);

        var execution = action.ExecuteAsync(Request(), CancellationToken.None);
        await WaitUntil(() => _server.Requests.Count == 1);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        execution.IsCompleted.ShouldBeFalse("the retry must wait for the hour to pass on the injected clock");
        _server.Requests.Count.ShouldBe(1);

        while (!execution.IsCompleted)
        {
            time.Advance(TimeSpan.FromMinutes(30));
            await Task.WhenAny(execution, Task.Delay(TimeSpan.FromMilliseconds(20)));
        }

        var outcome = await execution;
        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldContain("attempts: 2");
    }

    [Fact]
    public async Task Execute_HostileLabelValues_StayInsideTheirJsonStrings()
    {
        const string Hostile = "\"}, \"admin\": true, \"x\": \"";
        const string Multiline = "line one\nline two\r\n\\\"\\\\ end\\";
        var signal = Signal() with
        {
            Service = "evil\"service\\",
            Labels = new Dictionary<string, string> { ["note"] = Hostile, ["multi"] = Multiline, ["unicode"] = "ü </script> \u2028 \0 nul" },
        };
        var action = CreateSut(Endpoint());
        var template = """{"job": "restart", "service": "{{service}}", "note": "{{label.note}}", "multi": "prefix {{ label.multi }} suffix", "nested": {"items": ["{{label.unicode}}", 3, true]}}""";

        var outcome = await action.ExecuteAsync(Request(template, signal), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        using var json = JsonDocument.Parse(_server.Requests.ShouldHaveSingleItem().Body);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).ShouldBe(["job", "service", "note", "multi", "nested"]);
        root.GetProperty("job").GetString().ShouldBe("restart");
        root.GetProperty("service").GetString().ShouldBe("evil\"service\\");
        root.GetProperty("note").GetString().ShouldBe(Hostile);
        root.GetProperty("multi").GetString().ShouldBe($"prefix {Multiline} suffix");
        var items = root.GetProperty("nested").GetProperty("items");
        items.GetArrayLength().ShouldBe(3);
        items[0].GetString().ShouldBe("ü </script> \u2028 \0 nul");
        items[1].GetInt32().ShouldBe(3);
        items[2].GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData("""{"service": {{service}}}""", "not valid JSON")]
    [InlineData("""{"{{service}}": "x"}""", "in the key")]
    [InlineData("""{"node": "{{label.pod}}"}""", "no value for the body's placeholder {{label.pod}}")]
    [InlineData("""{"node": "{{labels.instance}}"}""", "unknown placeholder {{labels.instance}}")]
    public async Task Execute_BadTemplateOrMissingValue_FailsWithTheReasonAndSendsNothing(string template, string reason)
    {
        var action = CreateSut(Endpoint());

        var outcome = await action.ExecuteAsync(Request(template), CancellationToken.None);
        var preview = await action.PreviewAsync(Request(template), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain(reason);
        preview.CanRun.ShouldBeFalse();
        preview.Summary.ShouldContain(reason);
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Execute_NoBody_SendsTheDefaultDocument()
    {
        var action = CreateSut(Endpoint());

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        using var json = JsonDocument.Parse(_server.Requests.ShouldHaveSingleItem().Body);
        var root = json.RootElement;
        root.GetProperty("incidentId").GetString().ShouldBe("inc-7");
        root.GetProperty("service").GetString().ShouldBe("checkout");
        root.GetProperty("class").GetString().ShouldBe("service_hung");
        root.GetProperty("signalTitle").GetString().ShouldBe("CheckoutHung");
        root.GetProperty("labels").GetProperty("instance").GetString().ShouldBe("node-3");
    }

    [Fact]
    public async Task Execute_UnknownEndpoint_FailsWithoutSending()
    {
        var action = CreateSut(Endpoint());

        var outcome = await action.ExecuteAsync(Request(endpoint: "awx"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("no webhook endpoint named 'awx'");
        outcome.Summary.ShouldContain("configured: runbook");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Execute_SnakeCaseNameAgainstPascalCasedConfigKey_FindsTheEndpoint()
    {
        var options = new WebhookActionOptions { Endpoints = { ["RundeckRestart"] = new WebhookEndpointOptions { Url = _url } } };
        var action = CreateSut(options);

        var outcome = await action.ExecuteAsync(Request(endpoint: "rundeck_restart"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
    }

    [Fact]
    public async Task Execute_SecretEnvNotSet_FailsWithoutSendingUnsigned()
    {
        var action = CreateSut(Endpoint(e => e.SecretEnv = "HOMEOSTAT_TEST_WEBHOOK_ACTION_UNSET"));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("HOMEOSTAT_TEST_WEBHOOK_ACTION_UNSET is not set");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Execute_ExpectStatus_OnlyThatStatusSucceeds()
    {
        _server.Enqueue(Reply(200));
        _server.Enqueue(Reply(202));
        var action = CreateSut(Endpoint());

        var wrong = await action.ExecuteAsync(Request(extra: "expect_status: 202"), CancellationToken.None);
        var right = await action.ExecuteAsync(Request(extra: "expect_status: 202"), CancellationToken.None);

        wrong.Status.ShouldBe(ActionStatus.Failed);
        wrong.Summary.ShouldContain("expected HTTP 202");
        right.Status.ShouldBe(ActionStatus.Succeeded, right.Summary);
    }

    [Fact]
    public async Task Execute_LongNoisyResponseEchoingSecrets_IsTruncatedStrippedAndRedacted()
    {
        var echo = $"already done\u0001\u001b[31m Authorization: Bearer {Token} key={Secret}\n" + new string('x', 5000);
        _server.Enqueue(Reply(200, echo));
        var action = CreateSut(Endpoint(e =>
        {
            e.SecretEnv = SecretEnv;
            e.BearerTokenEnv = TokenEnv;
        }));

        var outcome = await action.ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        var response = outcome.Changes.Single(c => c.StartsWith("response: ", StringComparison.Ordinal))["response: ".Length..];
        response.ShouldStartWith("already done");
        response.Length.ShouldBeLessThanOrEqualTo(WebhookAction.MaxResponseChars);
        response.ShouldNotContain('\u0001');
        response.ShouldNotContain('\u001b');
        response.ShouldNotContain('\n');
        ShouldNotLeak(outcome);
    }

    [Fact]
    public async Task Preview_ShowsTheExactRequestWithoutSendingOrRevealingSecrets()
    {
        var action = CreateSut(Endpoint(e =>
        {
            e.Url = _url + "?api_key=query-secret-value&job=restart";
            e.SecretEnv = SecretEnv;
            e.BearerTokenEnv = TokenEnv;
            e.Headers["X-Rundeck-Project"] = "ops";
        }));
        var request = Request("""{"job": "restart", "service": "{{service}}"}""");

        var preview = await action.PreviewAsync(request, CancellationToken.None);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Changes.ShouldContain($"POST {_url}?api_key=***&job=***");
        preview.Changes.ShouldContain("Content-Type: application/json");
        preview.Changes.ShouldContain($"{WebhookAction.IdempotencyHeader}: inc-7-{request.Remediation.SpecHash}");
        preview.Changes.ShouldContain($"{WebhookAction.SignatureHeader}: sha256=<HMAC-SHA256 of the body, key from ${SecretEnv}>");
        preview.Changes.ShouldContain($"Authorization: Bearer <token from ${TokenEnv}>");
        preview.Changes.ShouldContain("X-Rundeck-Project: ops");
        preview.Changes.ShouldContain("""body: {"job":"restart","service":"checkout"}""");
        var text = preview.Summary + string.Join("\n", preview.Changes);
        text.ShouldNotContain(Secret);
        text.ShouldNotContain(Token);
        text.ShouldNotContain("query-secret-value");
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public void Descriptor_ValidatesInTheCatalog()
    {
        var loader = new CatalogLoader(new ActionRegistry([new UnavailableAction(WebhookAction.Definition)]));

        var result = loader.Load(
            """
            remediations:
              service_hung:
                action: webhook
                confidence_floor: 0.9
                params:
                  expect_status: 99
            """,
            "test.yaml");

        result.Errors.Select(e => e.ToString()).ShouldContain(e => e.Contains("endpoint"));
        result.Errors.Select(e => e.ToString()).ShouldContain(e => e.Contains("expect_status"));
    }

    [Fact]
    public void OptionsValidator_RejectsUnsafeOrOutOfRangeSettings()
    {
        var validator = new WebhookActionOptionsValidator();
        var options = new WebhookActionOptions
        {
            Endpoints =
            {
                ["ok"] = new WebhookEndpointOptions { Url = "https://rundeck.example.com/api/45/job/1/run", SecretEnv = "RUNDECK_HMAC", Headers = { ["X-Project"] = "ops" } },
                ["creds"] = new WebhookEndpointOptions { Url = "https://admin:hunter2@rundeck.example.com/" },
                ["ftp"] = new WebhookEndpointOptions { Url = "ftp://example.com/" },
                ["relative"] = new WebhookEndpointOptions { Url = "/api/run" },
                ["zero"] = new WebhookEndpointOptions { Url = "https://example.com/", MaxAttempts = 0 },
                ["eleven"] = new WebhookEndpointOptions { Url = "https://example.com/", MaxAttempts = 11 },
                ["reserved"] = new WebhookEndpointOptions { Url = "https://example.com/", Headers = { ["Authorization"] = "Bearer x" } },
                ["literal"] = new WebhookEndpointOptions { Url = "https://example.com/", BearerTokenEnv = "not an env name" },
            },
        };

        var result = validator.Validate(null, options);

        result.Failed.ShouldBeTrue();
        var failures = result.Failures!.ToList();
        failures.ShouldNotContain(f => f.Contains("endpoints.ok", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("endpoints.creds.url: must not contain credentials", StringComparison.Ordinal));
        failures.ShouldNotContain(f => f.Contains("hunter2", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("endpoints.ftp.url", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("endpoints.relative.url", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("endpoints.zero.max_attempts", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("endpoints.eleven.max_attempts", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("endpoints.reserved.headers: 'Authorization'", StringComparison.Ordinal));
        failures.ShouldContain(f => f.Contains("endpoints.literal.bearer_token_env", StringComparison.Ordinal));
        validator.Validate(null, new WebhookActionOptions { Endpoints = { ["ok"] = options.Endpoints["ok"] } }).Succeeded.ShouldBeTrue();
    }

    private WebhookActionOptions Endpoint(Action<WebhookEndpointOptions>? configure = null)
    {
        var endpoint = new WebhookEndpointOptions { Url = _url, FirstRetryDelay = Duration.Parse("10ms") };
        configure?.Invoke(endpoint);
        return new WebhookActionOptions { Endpoints = { ["runbook"] = endpoint } };
    }

    private static WebhookAction CreateSut(WebhookActionOptions options, TimeProvider? time = null) =>
        new(new PlainHttpClientFactory(), StaticOptionsMonitor.Of(options), time ?? TimeProvider.System);

    private static Signal Signal() => new()
    {
        Id = "sig-1",
        Source = SignalSources.Alertmanager,
        Service = "checkout",
        Title = "CheckoutHung",
        Labels = new Dictionary<string, string> { ["alertname"] = "CheckoutHung", ["instance"] = "node-3" },
    };

    private static ActionRequest Request(string? body = null, Signal? signal = null, string endpoint = "runbook", string? extra = null)
    {
        var loader = new CatalogLoader(new ActionRegistry([new UnavailableAction(WebhookAction.Definition)]));
        var lines = new List<string> { $"      endpoint: {endpoint}" };
        if (body is not null)
        {
            lines.Add($"      body: '{body.Replace("'", "''", StringComparison.Ordinal)}'");
        }

        if (extra is not null)
        {
            lines.Add($"      {extra}");
        }

        var yaml = "remediations:\n  service_hung:\n    action: webhook\n    confidence_floor: 0.9\n    auto: true\n    params:\n" + string.Join("\n", lines) + "\n";
        var result = loader.Load(yaml, "test.yaml");
        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        return new ActionRequest("inc-7", signal ?? Signal(), result.Catalog!.Find("service_hung")!);
    }

    private static void ShouldNotLeak(ActionOutcome outcome)
    {
        var text = outcome.Summary + "\n" + string.Join("\n", outcome.Changes);
        text.ShouldNotContain(Secret);
        text.ShouldNotContain(Token);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        condition().ShouldBeTrue();
    }

    /// <summary>A receiver's answer: a status and a plain body (none by default), after an optional delay.</summary>
    private static StubResponse Reply(int status, string body = "", TimeSpan delay = default) =>
        new(status, body, Delay: delay) { ContentType = "text/plain" };
}
