using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeostat.Verification;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeostat.Server.Tests;

/// <summary>Scenarios through the real HTTP host, as Alertmanager and operators drive it.</summary>
public sealed class HomeostatApiTests
{
    [Fact]
    public async Task Alertmanager_DiskAlert_IsClassifiedActedOnAndAudited()
    {
        await using var server = await ServerHarness.StartAsync();

        using var response = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-disk-firing.json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = body.GetProperty("results")[0];
        result.GetProperty("decision").GetString().ShouldBe("accepted");
        var incidentId = result.GetProperty("incidentId").GetString()!;
        var decided = await server.WaitForDecisionAsync(incidentId);
        var incident = decided.GetProperty("incident");
        incident.GetProperty("state").GetString().ShouldBe("verifying");
        incident.GetProperty("class").GetString().ShouldBe("disk_full");
        incident.GetProperty("service").GetString().ShouldBe("shop-frontend");
        server.DiskAction.Executed.ShouldHaveSingleItem().Signal.Label("path").ShouldBe("/var/log/shop");

        var classified = decided.GetProperty("history").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "classified").GetProperty("payload");
        classified.GetProperty("classifier").GetString().ShouldBe("ensemble");
        classified.GetProperty("votes").EnumerateArray().Select(v => v.GetProperty("classifier").GetString()).ShouldBe(["rules", "model"], ignoreOrder: true);
        var audit = await server.GetJsonAsync($"/api/v1/audit?service=shop-frontend");
        var types = audit.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("type").GetString()).ToList();
        types.ShouldContain("signal_received");
        types.ShouldContain("classified");
        types.ShouldContain("decided");
        types.ShouldContain("action_executed");
    }

    [Fact]
    public async Task Alertmanager_SameNotificationTwice_SecondIsDuplicateAndActsOnce()
    {
        await using var server = await ServerHarness.StartAsync();
        var payload = ServerHarness.TestData("alertmanager-disk-firing.json");

        using var first = await server.PostAsync("/api/v1/alertmanager", payload);
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        await server.WaitForDecisionAsync(firstBody.GetProperty("results")[0].GetProperty("incidentId").GetString()!);
        using var second = await server.PostAsync("/api/v1/alertmanager", payload);
        var secondBody = await second.Content.ReadFromJsonAsync<JsonElement>();

        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        secondBody.GetProperty("results")[0].GetProperty("decision").GetString().ShouldBe("duplicate");
        server.DiskAction.Executed.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Alertmanager_ResolvedNotification_ResolvesTheIncident()
    {
        await using var server = await ServerHarness.StartAsync();

        // The captured demo alert has no known class: it escalates to a human, then Alertmanager reports it resolved.
        using var firing = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-firing.json"));
        var incidentId = (await firing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        var decided = await server.WaitForDecisionAsync(incidentId);
        decided.GetProperty("incident").GetProperty("state").GetString().ShouldBe("escalated");
        decided.GetProperty("incident").GetProperty("reason").GetString().ShouldBe("unknown_class");

        using var resolved = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-resolved.json"));
        var resolvedBody = await resolved.Content.ReadFromJsonAsync<JsonElement>();

        resolvedBody.GetProperty("results")[0].GetProperty("decision").GetString().ShouldBe("resolved");
        var after = await server.GetJsonAsync($"/api/v1/incidents/{incidentId}");
        after.GetProperty("incident").GetProperty("state").GetString().ShouldBe("resolved");
        server.Notifier.Sent.ShouldHaveSingleItem().Reason.ShouldBe("unknown_class");
    }

    [Fact]
    public async Task Alertmanager_ResolvedWhileVerifying_VerifiesAsRemediatedWithoutWaitingForTheNextCheck()
    {
        // The real verifier for Alertmanager signals: cleared once Alertmanager says the alert resolved.
        await using var server = await ServerHarness.StartAsync(scriptVerification: false);
        using var firing = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-disk-firing.json"));
        var incidentId = (await firing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        (await server.WaitForDecisionAsync(incidentId)).GetProperty("incident").GetProperty("state").GetString().ShouldBe("verifying");

        using var resolved = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-disk-resolved.json"));
        var state = "verifying";
        for (var i = 0; i < 500 && state == "verifying"; i++)
        {
            await Task.Delay(20);
            state = (await server.GetJsonAsync($"/api/v1/incidents/{incidentId}")).GetProperty("incident").GetProperty("state").GetString()!;
        }

        state.ShouldBe("remediated");
        var history = (await server.GetJsonAsync($"/api/v1/incidents/{incidentId}")).GetProperty("history").EnumerateArray().Select(r => r.GetProperty("type").GetString()).ToList();
        history.ShouldContain("verification");
        history.Last().ShouldBe("remediated");
    }

    [Fact]
    public async Task Service_DefaultSettings_OnlyDryRuns()
    {
        await using var server = await ServerHarness.StartAsync(live: false);

        using var response = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-disk-firing.json"));
        var incidentId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        var decided = await server.WaitForDecisionAsync(incidentId);

        decided.GetProperty("incident").GetProperty("state").GetString().ShouldBe("dry_run");
        server.DiskAction.Executed.ShouldBeEmpty();
        server.DiskAction.Previewed.ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("{\"version\":\"4\",\"alerts\":[", "$")]
    [InlineData("{\"version\":\"3\",\"alerts\":[]}", "$.version")]
    [InlineData("{\"version\":\"4\"}", "$.alerts")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\",\"severity\":5}}]}", "$.alerts[0].labels.severity")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"burning\",\"labels\":{\"alertname\":\"X\"}}]}", "$.alerts[0].status")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"yesterday\"}]}", "$.alerts[0].startsAt")]
    public async Task Alertmanager_BadPayload_Gets400ProblemNamingTheField(string payload, string field)
    {
        await using var server = await ServerHarness.StartAsync();

        using var response = await server.PostAsync("/api/v1/alertmanager", payload);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ShouldContain(field);
        (await server.GetJsonAsync("/api/v1/incidents")).GetProperty("incidents").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Signals_BatchWithOneBadSignal_IsRejectedWholeAndNothingIsStored()
    {
        await using var server = await ServerHarness.StartAsync();
        const string batch = """
            [
              {"source": "api", "service": "checkout", "title": "DiskFull", "text": "No space left on device"},
              {"source": "api", "service": "checkout", "labels": {"severity": 3}}
            ]
            """;

        using var response = await server.PostAsync("/api/v1/signals", batch);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("$[1].labels.severity");
        (await server.GetJsonAsync("/api/v1/incidents")).GetProperty("incidents").GetArrayLength().ShouldBe(0);
        (await server.GetJsonAsync("/api/v1/audit")).GetProperty("records").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Signals_JsonLines_AreAllAccepted()
    {
        await using var server = await ServerHarness.StartAsync(live: false);
        const string lines = """
            {"id": "s1", "source": "log", "service": "api", "text": "java.lang.OutOfMemoryError: Java heap space"}
            {"id": "s2", "source": "log", "service": "worker", "text": "write /data/queue: no space left on device"}
            """;

        using var response = await server.PostAsync("/api/v1/signals", lines);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("signalId").GetString()).ShouldBe(["s1", "s2"]);
    }

    [Fact]
    public async Task ReadsAndWrites_WithTokenConfigured_RequireTheBearerToken()
    {
        await using var server = await ServerHarness.StartAsync(token: "s3cret-token");
        const string signal = """{"source": "api", "title": "x"}""";

        using var anonymous = await server.PostAsync("/api/v1/signals", signal, authorize: false);
        using var authorized = await server.PostAsync("/api/v1/signals", signal);
        using var read = await server.Client.GetAsync("/api/v1/incidents");

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        authorized.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        read.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.GetJsonAsync("/api/v1/audit")).GetRawText().ShouldNotContain("s3cret-token");
    }

    [Fact]
    public async Task Writes_BasicAuthWithTheTokenAsPassword_AreAccepted()
    {
        await using var server = await ServerHarness.StartAsync(token: "am-token");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/alertmanager") { Content = new StringContent(ServerHarness.TestData("alertmanager-firing.json")) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("alertmanager:am-token"u8.ToArray()));

        using var response = await server.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Signals_BodyOverTheLimit_Gets413()
    {
        await using var server = await ServerHarness.StartAsync();
        var huge = "{\"source\":\"api\",\"text\":\"" + new string('x', 100_000) + "\"}";

        using var response = await server.PostAsync("/api/v1/signals", huge);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Health_Endpoints_Answer()
    {
        await using var server = await ServerHarness.StartAsync();

        using var health = await server.Client.GetAsync("/healthz");
        var ready = await server.GetJsonAsync("/readyz");

        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        ready.GetProperty("status").GetString().ShouldBe("ready");
        ready.GetProperty("notifiers").EnumerateArray().Select(n => n.GetString()).ShouldBe(["recording"]);
        ready.GetProperty("escalations").GetString().ShouldBe("paged through recording");
    }

    [Fact]
    public async Task Ready_WithNoNotifierConfigured_SaysLoudlyThatEscalationsReachOnlyTheLog()
    {
        await using var server = await ServerHarness.StartAsync(configure: s => s.RemoveAll<Escalation.INotifier>());

        var ready = await server.GetJsonAsync("/readyz");

        ready.GetProperty("status").GetString().ShouldBe("ready");
        ready.GetProperty("notifiers").GetArrayLength().ShouldBe(0);
        ready.GetProperty("escalations").GetString()!.ShouldStartWith("LOG ONLY: no notifier is configured: escalations reach only the log");
    }

    [Fact]
    public async Task Incidents_FilterWithUnknownState_Gets400NamingTheParameter()
    {
        await using var server = await ServerHarness.StartAsync();

        using var response = await server.Client.GetAsync("/api/v1/incidents?state=sleeping");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("state");
    }

    [Fact]
    public async Task Resume_WithoutSuspension_Gets404AndWithoutToken401()
    {
        await using var server = await ServerHarness.StartAsync(token: "t");

        using var anonymous = await server.PostAsync("/api/v1/suspensions/resume", """{"service":"checkout","class":"disk_full"}""", authorize: false);
        using var missing = await server.PostAsync("/api/v1/suspensions/resume", """{"service":"checkout","class":"disk_full"}""");
        using var invalid = await server.PostAsync("/api/v1/suspensions/resume", """{"service":"checkout"}""");

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Approvals_PendingActionApprovedThroughTheApi_Runs()
    {
        var catalog = Path.Combine(Path.GetTempPath(), $"homeostat-approval-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(catalog, """
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                auto: true
                approval: required
            """);
        try
        {
            await using var server = await ServerHarness.StartAsync(token: "approver-token", settings: new Dictionary<string, string?> { ["Catalog:Path"] = catalog });
            using var firing = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-disk-firing.json"));
            var incidentId = (await firing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;
            (await server.WaitForDecisionAsync(incidentId)).GetProperty("incident").GetProperty("state").GetString().ShouldBe("pending_approval");

            var approvals = await server.GetJsonAsync("/api/v1/approvals");
            using var anonymous = await server.PostAsync($"/api/v1/approvals/{incidentId}/approve", "", authorize: false);
            using var approved = await server.PostAsync($"/api/v1/approvals/{incidentId}/approve", """{"by": "frank", "note": "looks right"}""");
            using var twice = await server.PostAsync($"/api/v1/approvals/{incidentId}/approve", "");

            approvals.GetProperty("approvals")[0].GetProperty("id").GetString().ShouldBe(incidentId);
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            approved.StatusCode.ShouldBe(HttpStatusCode.OK);
            twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            var state = await server.WaitForDecisionAsync(incidentId);
            for (var i = 0; i < 250 && state.GetProperty("incident").GetProperty("state").GetString() != "verifying"; i++)
            {
                await Task.Delay(20);
                state = await server.GetJsonAsync($"/api/v1/incidents/{incidentId}");
            }

            state.GetProperty("incident").GetProperty("state").GetString().ShouldBe("verifying");
            server.DiskAction.Executed.ShouldHaveSingleItem();
        }
        finally
        {
            File.Delete(catalog);
        }
    }
}
