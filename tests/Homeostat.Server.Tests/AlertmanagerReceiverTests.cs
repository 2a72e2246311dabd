using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Homeostat.Server.Tests;

/// <summary>
/// The Alertmanager receiver under Alertmanager's delivery model: at least once, repeated every repeat_interval,
/// and sent by every replica of an HA cluster. Each occurrence (fingerprint + startsAt) must act exactly once.
/// </summary>
public sealed class AlertmanagerReceiverTests
{
    private const string Path = "/api/v1/alertmanager";

    [Fact]
    public async Task SameGroupDeliveredTwice_ActsOnce()
    {
        await using var server = await ServerHarness.StartAsync();
        var payload = ServerHarness.TestData("alertmanager-disk-firing.json");

        // A retry racing the original (the first POST timed out on Alertmanager's side), then a repeat_interval resend.
        var racing = await Task.WhenAll(PostAsync(server, payload), PostAsync(server, payload));
        var incidentId = racing.Single(r => Decision(r) == "accepted").GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        racing.Count(r => Decision(r) == "duplicate").ShouldBe(1);
        await server.WaitForDecisionAsync(incidentId);
        var resend = await PostAsync(server, payload);

        Decision(resend).ShouldBe("duplicate");
        resend.GetProperty("results")[0].GetProperty("incidentId").GetString().ShouldBe(incidentId);
        server.DiskAction.Executed.Count.ShouldBe(1);
        (await Incidents(server)).Count.ShouldBe(1);
        (await AuditTypes(server)).Count(t => t == "duplicate").ShouldBe(2);
    }

    [Fact]
    public async Task SameAlertFromTwoReplicas_ActsOnce()
    {
        await using var server = await ServerHarness.StartAsync();
        var replicaA = ServerHarness.TestData("alertmanager-disk-firing.json");
        var replicaB = ServerHarness.TestData("alertmanager-disk-firing-replica-b.json");

        // Both replicas of an HA pair fire at once: different receiver, externalURL and groupKey; same fingerprint and startsAt.
        var both = await Task.WhenAll(PostAsync(server, replicaA), PostAsync(server, replicaB));

        both.Select(Decision).ShouldBe(["accepted", "duplicate"], ignoreOrder: true);
        var incidentId = both.Single(r => Decision(r) == "accepted").GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        both.Single(r => Decision(r) == "duplicate").GetProperty("results")[0].GetProperty("incidentId").GetString().ShouldBe(incidentId);
        await server.WaitForDecisionAsync(incidentId);
        Decision(await PostAsync(server, replicaB)).ShouldBe("duplicate");
        server.DiskAction.Executed.Count.ShouldBe(1);
        (await Incidents(server)).ShouldHaveSingleItem().GetProperty("id").GetString().ShouldBe(incidentId);
    }

    [Fact]
    public async Task GroupWithOneSeenAndOneNewAlert_OpensOnlyTheNewOne()
    {
        await using var server = await ServerHarness.StartAsync();
        var seen = Alert("a1b2c3d4e5f60001", "firing", "2026-11-28T03:00:00Z", "worker-1:9100");
        var fresh = Alert("a1b2c3d4e5f60002", "firing", "2026-11-28T03:00:30Z", "worker-2:9100");

        var first = await PostAsync(server, Notification("firing", [seen]));
        var second = await PostAsync(server, Notification("firing", [seen, fresh]));

        Decision(first).ShouldBe("accepted");
        var results = second.GetProperty("results").EnumerateArray().ToList();
        results.Select(r => r.GetProperty("decision").GetString()).ShouldBe(["duplicate", "accepted"]);
        results[0].GetProperty("incidentId").GetString().ShouldBe(first.GetProperty("results")[0].GetProperty("incidentId").GetString());
        var incidents = await Incidents(server);
        incidents.Count.ShouldBe(2);
        incidents.Select(i => i.GetProperty("fingerprint").GetString()).ShouldBe(["a1b2c3d4e5f60001", "a1b2c3d4e5f60002"], ignoreOrder: true);
    }

    [Fact]
    public async Task ResolvedThenFiringWithANewStartsAt_ResolvesThenOpensANewIncident()
    {
        await using var server = await ServerHarness.StartAsync();
        const string fingerprint = "0badc0ffee000001";

        var firing = await PostAsync(server, Notification("firing", [Alert(fingerprint, "firing", "2026-11-28T04:00:00Z")]));
        var firstId = firing.GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        (await server.WaitForDecisionAsync(firstId)).GetProperty("incident").GetProperty("state").GetString().ShouldBe("escalated");
        var resolved = await PostAsync(server, Notification("resolved", [Alert(fingerprint, "resolved", "2026-11-28T04:00:00Z", endsAt: "2026-11-28T04:05:00Z")]));
        var resolvedAgain = await PostAsync(server, Notification("resolved", [Alert(fingerprint, "resolved", "2026-11-28T04:00:00Z", endsAt: "2026-11-28T04:05:00Z")]));
        var lateResend = await PostAsync(server, Notification("firing", [Alert(fingerprint, "firing", "2026-11-28T04:00:00Z")]));
        var refired = await PostAsync(server, Notification("firing", [Alert(fingerprint, "firing", "2026-11-28T04:30:00Z")]));

        Decision(resolved).ShouldBe("resolved");
        (await server.GetJsonAsync($"/api/v1/incidents/{firstId}")).GetProperty("incident").GetProperty("state").GetString().ShouldBe("resolved");
        Decision(resolvedAgain).ShouldBe("ignored");
        Decision(lateResend).ShouldBe("duplicate");
        Decision(refired).ShouldBe("accepted");
        var secondId = refired.GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        secondId.ShouldNotBe(firstId);
        (await Incidents(server)).Count.ShouldBe(2);
        (await server.GetJsonAsync($"/api/v1/incidents/{firstId}")).GetProperty("incident").GetProperty("state").GetString().ShouldBe("resolved");
    }

    [Fact]
    public async Task TruncatedGroup_IsAcceptedRecordedAndLoggedAsAWarning()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await ServerHarness.StartAsync(configure: services => services.AddSingleton<ILoggerProvider>(logs));
        var alerts = new[]
        {
            Alert("feedfacecafe0001", "firing", "2026-11-28T05:00:00Z", "db-1:9100"),
            Alert("feedfacecafe0002", "firing", "2026-11-28T05:00:00Z", "db-2:9100"),
        };

        using var response = await server.PostAsync(Path, Notification("firing", alerts, truncatedAlerts: 3, groupKey: "{}:{alertname=\"QueueBacklogHigh\"}"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("truncatedAlerts").GetInt32().ShouldBe(3);
        body.GetProperty("warning").GetString()!.ShouldContain("dropped 3 alert(s)");
        body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("decision").GetString()).ShouldBe(["accepted", "accepted"]);
        var record = (await server.GetJsonAsync("/api/v1/audit?type=truncated_alerts")).GetProperty("records").EnumerateArray().ShouldHaveSingleItem();
        record.GetProperty("summary").GetString()!.ShouldContain("dropped 3 alert(s)");
        var payload = record.GetProperty("payload");
        payload.GetProperty("groupKey").GetString().ShouldBe("{}:{alertname=\"QueueBacklogHigh\"}");
        payload.GetProperty("truncatedAlerts").GetInt32().ShouldBe(3);
        payload.GetProperty("receivedAlerts").GetInt32().ShouldBe(2);
        logs.Entries.ShouldContain(e => e.Level == LogLevel.Warning && e.Message.Contains("QueueBacklogHigh") && e.Message.Contains('3'));
    }

    [Fact]
    public async Task UntruncatedGroup_HasNoWarningAndNoTruncationRecord()
    {
        await using var server = await ServerHarness.StartAsync();

        var body = await PostAsync(server, Notification("firing", [Alert("feedfacecafe0009", "firing", "2026-11-28T05:00:00Z")]));

        body.TryGetProperty("warning", out _).ShouldBeFalse();
        (await server.GetJsonAsync("/api/v1/audit?type=truncated_alerts")).GetProperty("records").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("Bearer", "am-s3cret")]
    [InlineData("Basic", "alertmanager:am-s3cret")]
    [InlineData("Basic", ":am-s3cret")]
    public async Task Credentials_AsAlertmanagerHttpConfigSendsThem_AreAccepted(string scheme, string credentials)
    {
        await using var server = await ServerHarness.StartAsync(token: "am-s3cret");

        using var response = await SendAsync(server, scheme, credentials);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Incidents(server)).Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Bearer", "wrong-token")]
    [InlineData("Bearer", "")]
    [InlineData("Basic", "alertmanager:wrong-token")]
    [InlineData("Basic", "am-s3cret:")]
    [InlineData("Basic", "not base64!")]
    public async Task WrongOrMissingToken_Gets401AndNothingIsStored(string? scheme, string? credentials)
    {
        await using var server = await ServerHarness.StartAsync(token: "am-s3cret");

        using var response = await SendAsync(server, scheme, credentials);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldContain("Bearer");
        (await Incidents(server)).Count.ShouldBe(0);
        (await server.GetJsonAsync("/api/v1/audit")).GetProperty("records").GetArrayLength().ShouldBe(0);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("am-s3cret");
    }

    private static async Task<HttpResponseMessage> SendAsync(ServerHarness server, string? scheme, string? credentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(ServerHarness.TestData("alertmanager-disk-firing.json"), Encoding.UTF8, "application/json") };
        request.Headers.UserAgent.ParseAdd("Alertmanager/0.25.0");
        if (scheme is not null)
        {
            var parameter = scheme == "Basic" && credentials != "not base64!" ? Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials!)) : credentials;
            request.Headers.TryAddWithoutValidation("Authorization", string.IsNullOrEmpty(parameter) ? scheme : $"{scheme} {parameter}");
        }

        return await server.Client.SendAsync(request);
    }

    private static async Task<JsonElement> PostAsync(ServerHarness server, string payload)
    {
        using var response = await server.PostAsync(Path, payload);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Decision(JsonElement body) => body.GetProperty("results").EnumerateArray().ShouldHaveSingleItem().GetProperty("decision").GetString()!;

    private static async Task<List<JsonElement>> Incidents(ServerHarness server) =>
        (await server.GetJsonAsync("/api/v1/incidents")).GetProperty("incidents").EnumerateArray().ToList();

    private static async Task<List<string>> AuditTypes(ServerHarness server) =>
        (await server.GetJsonAsync("/api/v1/audit")).GetProperty("records").EnumerateArray().Select(r => r.GetProperty("type").GetString()!).ToList();

    /// <summary>An alert with no known failure class: it escalates to a human and runs no action.</summary>
    private static JsonObject Alert(string fingerprint, string status, string startsAt, string instance = "worker-1:9100", string endsAt = "0001-01-01T00:00:00Z") => new()
    {
        ["status"] = status,
        ["labels"] = new JsonObject
        {
            ["alertname"] = "QueueBacklogHigh",
            ["service"] = "checkout",
            ["instance"] = instance,
            ["severity"] = "warning",
        },
        ["annotations"] = new JsonObject { ["summary"] = $"Queue backlog on {instance} is growing" },
        ["startsAt"] = startsAt,
        ["endsAt"] = endsAt,
        ["generatorURL"] = "http://prometheus:9090/graph?g0.expr=queue_backlog+%3E+1000&g0.tab=1",
        ["fingerprint"] = fingerprint,
    };

    private static string Notification(string status, JsonObject[] alerts, int truncatedAlerts = 0, string groupKey = "{}:{alertname=\"QueueBacklogHigh\"}") => new JsonObject
    {
        ["receiver"] = "homeostat",
        ["status"] = status,
        ["alerts"] = new JsonArray(alerts.Select(a => (JsonNode)a.DeepClone()).ToArray()),
        ["groupLabels"] = new JsonObject { ["alertname"] = "QueueBacklogHigh" },
        ["commonLabels"] = new JsonObject { ["alertname"] = "QueueBacklogHigh", ["service"] = "checkout" },
        ["commonAnnotations"] = new JsonObject(),
        ["externalURL"] = "http://alertmanager:9093",
        ["version"] = "4",
        ["groupKey"] = groupKey,
        ["truncatedAlerts"] = truncatedAlerts,
    }.ToJsonString();

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

        public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(_entries);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel Level, string Message)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
