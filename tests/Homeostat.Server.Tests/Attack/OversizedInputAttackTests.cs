using System.Net;
using System.Text;
using System.Text.Json;

namespace Homeostat.Server.Tests.Attack;

/// <summary>Each intake limit, one past it: a 400 (or 413 for body bytes and too many signals) naming the field and the limit.</summary>
public sealed class OversizedInputAttackTests
{
    private static readonly Dictionary<string, string?> RoomyBody = new() { ["Intake:Limits:MaxBodyBytes"] = "4194304" };

    private static string Alert(string labels, string annotations = "{}") =>
        $$"""{"version": "4", "status": "firing", "alerts": [{"status": "firing", "labels": {{labels}}, "annotations": {{annotations}}}]}""";

    public static TheoryData<string, string, string, string> OneOverEachLimit() => new()
    {
        { "/api/v1/alertmanager", Alert($$"""{"alertname": "DiskFull", "service": "{{new string('v', 4097)}}"}"""), "$.alerts[0].labels.service", "4096" },
        { "/api/v1/alertmanager", Alert($$"""{"alertname": "{{new string('a', 600)}}"}"""), "$.alerts[0].labels.alertname", "512" },
        { "/api/v1/alertmanager", Alert($$"""{"alertname": "DiskFull", "{{new string('n', 257)}}": "x"}"""), "$.alerts[0].labels." + new string('n', 64) + "…", "256" },
        { "/api/v1/alertmanager", Alert("{" + string.Join(", ", Enumerable.Range(0, 129).Select(i => $"\"l{i}\": \"x\"")) + "}"), "$.alerts[0].labels", "128" },
        { "/api/v1/alertmanager", Alert("""{"alertname": "DiskFull"}""", $$"""{"runbook": "{{new string('r', 16385)}}"}"""), "$.alerts[0].annotations.runbook", "16384" },
        { "/api/v1/alertmanager", Alert("""{"alertname": "DiskFull"}""", $$"""{"description": "{{new string('d', 65537)}}"}"""), "$.alerts[0].annotations.description", "16384" },
        { "/api/v1/signals", $$$"""{"source": "api", "title": "x", "labels": {"{{{new string('n', 300)}}}": "x"}}""", "$.labels." + new string('n', 64) + "…", "256" },
        { "/api/v1/signals", $$$"""{"source": "api", "title": "x", "labels": {"service": "{{{new string('v', 4097)}}}"}}""", "$.labels.service", "4096" },
        { "/api/v1/signals", $$"""{"source": "api", "title": "{{new string('t', 513)}}"}""", "$.title", "512" },
        { "/api/v1/signals", $$"""{"source": "api", "text": "{{new string('t', 65537)}}"}""", "$.text", "65536" },
        { "/api/v1/signals", $$$"""{"source": "api", "title": "x", "annotations": {"a": "{{{new string('a', 16385)}}}"}}""", "$.annotations.a", "16384" },
    };

    [Theory]
    [MemberData(nameof(OneOverEachLimit))]
    public async Task OneOverALimit_Is400NamingTheFieldAndTheLimit(string path, string body, string field, string limit)
    {
        await using var attack = await AttackHarness.StartAsync(RoomyBody);

        using var response = await attack.PostAsync(path, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, AttackHarness.Problem(response));
        var problem = JsonDocument.Parse(AttackHarness.Problem(response)).RootElement;
        var error = problem.GetProperty("errors").EnumerateArray().First();
        error.GetProperty("field").GetString().ShouldBe(field);
        error.GetProperty("message").GetString()!.ShouldContain(limit);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task LabelValueAtTheLimit_IsAccepted()
    {
        await using var attack = await AttackHarness.StartAsync(RoomyBody);

        using var response = await attack.PostAsync("/api/v1/alertmanager", Alert($$"""{"alertname": "DiskFull", "service": "{{new string('v', 4096)}}"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, AttackHarness.Problem(response));
    }

    [Fact]
    public async Task MegabyteLabelName_IsRefused()
    {
        await using var attack = await AttackHarness.StartAsync(RoomyBody);

        using var response = await attack.PostAsync("/api/v1/signals", $$$"""{"source": "api", "title": "x", "labels": {"{{{new string('n', 500_000)}}}": "x"}}""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        AttackHarness.Problem(response).ShouldContain("max_label_name_length");
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task TenThousandAlertsInOnePost_Is413NamingTheLimit()
    {
        await using var attack = await AttackHarness.StartAsync(RoomyBody);
        var alerts = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $$$"""{"status": "firing", "labels": {"alertname": "A{{{i}}}"}}"""));

        using var response = await attack.PostAsync("/api/v1/alertmanager", $$"""{"version": "4", "alerts": [{{alerts}}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var problem = AttackHarness.Problem(response);
        problem.ShouldContain("\"field\":\"$.alerts\"");
        problem.ShouldContain("max_signals_per_post");
        (await attack.Store.QueryAuditAsync(new Audit.AuditQuery(), CancellationToken.None)).ShouldBeEmpty();
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task ABatchOfSignalsOverTheLimit_Is413()
    {
        await using var attack = await AttackHarness.StartAsync(RoomyBody);
        var body = "[" + string.Join(",", Enumerable.Repeat("""{"source": "api", "title": "a"}""", 1001)) + "]";

        using var response = await attack.PostAsync("/api/v1/signals", body);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task ABodyOverTheByteLimit_Is413NamingTheLimit()
    {
        await using var attack = await AttackHarness.StartAsync();
        var body = Encoding.UTF8.GetBytes($$"""{"source": "api", "title": "x", "text": "{{new string('x', 70_000)}}"}""");

        using var response = await attack.PostBytesAsync("/api/v1/signals", body);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        AttackHarness.Problem(response).ShouldContain("65536");
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task ABodyOverTheByteLimit_SentChunkedWithoutALength_Is413()
    {
        await using var attack = await AttackHarness.StartAsync();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', 70_000) + "{}")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/signals") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await attack.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        await attack.AssertSurvivedAsync();
    }
}
