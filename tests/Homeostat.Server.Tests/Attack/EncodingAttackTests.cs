using System.Net;
using System.Text;
using System.Text.Json;

namespace Homeostat.Server.Tests.Attack;

/// <summary>Text that is not text: lone surrogates, invalid and overlong UTF-8, a byte-order mark, bidirectional overrides.</summary>
public sealed class EncodingAttackTests
{
    private const string LoneSurrogate = "\\ud800";

    public static TheoryData<string, string, string> LoneSurrogateInEveryWriteBody() => new()
    {
        { "/api/v1/signals", $$"""{"source": "api", "title": "disk {{LoneSurrogate}} full"}""", "$.title" },
        { "/api/v1/signals", $$$"""[{"source": "api", "title": "ok"}, {"source": "api", "labels": {"service": "{{{LoneSurrogate}}}"}}]""", "$[1].labels.service" },
        { "/api/v1/alertmanager", $$$"""{"version": "4", "alerts": [{"status": "firing", "labels": {"alertname": "x", "service": "a{{{LoneSurrogate}}}"}}]}""", "$.alerts[0].labels.service" },
        { "/api/v1/alertmanager", $$"""{"version": "4", "receiver": "{{LoneSurrogate}}", "alerts": []}""", "$.receiver" },
        { "/api/v1/suspensions/resume", $$"""{"service": "{{LoneSurrogate}}", "class": "disk_full"}""", "$.service" },
        { "/api/v1/approvals/inc-1/approve", $$"""{"by": "{{LoneSurrogate}}"}""", "$.by" },
        { "/api/v1/approvals/inc-1/reject", $$"""{"by": "alice", "note": "{{LoneSurrogate}}"}""", "$.note" },
        { "/api/v1/incidents/inc-1/resolve", $$"""{"note": "x{{LoneSurrogate}}y"}""", "$.note" },
        { "/api/v1/incidents/inc-1/label", $$"""{"class": "{{LoneSurrogate}}"}""", "$.class" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogateInEveryWriteBody))]
    public async Task LoneSurrogate_InAnyString_Is400NamingTheField(string path, string body, string field)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostAsync(path, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, AttackHarness.Problem(response));
        JsonDocument.Parse(AttackHarness.Problem(response)).RootElement.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe(field);
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("/api/v1/signals")]
    [InlineData("/api/v1/alertmanager")]
    public async Task LoneSurrogate_InAPropertyName_Is400(string path)
    {
        await using var attack = await AttackHarness.StartAsync();
        var body = path.EndsWith("signals", StringComparison.Ordinal)
            ? $$$"""{"source": "api", "title": "x", "annotations": {"{{{LoneSurrogate}}}": "x"}}"""
            : $$$"""{"version": "4", "alerts": [{"status": "firing", "labels": {"{{{LoneSurrogate}}}": "x"}}]}""";

        using var response = await attack.PostAsync(path, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, AttackHarness.Problem(response));
        await attack.AssertSurvivedAsync();
    }

    public static TheoryData<string, byte[]> BadUtf8() => new()
    {
        { "invalid continuation", [.. "{\"source\": \"api\", \"title\": \""u8, 0xC3, 0x28, .. "\"}"u8] },
        { "overlong slash", [.. "{\"source\": \"api\", \"title\": \""u8, 0xC0, 0xAF, .. "\"}"u8] },
        { "encoded surrogate", [.. "{\"source\": \"api\", \"title\": \""u8, 0xED, 0xA0, 0x80, .. "\"}"u8] },
        { "truncated sequence", [.. "{\"source\": \"api\", \"title\": \""u8, 0xE2, 0x82] },
        { "latin-1", Encoding.Latin1.GetBytes("{\"source\": \"api\", \"title\": \"café\"}") },
    };

    [Theory]
    [MemberData(nameof(BadUtf8))]
    public async Task InvalidUtf8_Is400(string kind, byte[] body)
    {
        await using var attack = await AttackHarness.StartAsync();

        foreach (var (path, _) in AttackHarness.JsonWriteEndpoints)
        {
            using var response = await attack.PostBytesAsync(path, body);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{kind} on {path}: {AttackHarness.Problem(response)}");
            AttackHarness.Problem(response).ShouldContain("UTF-8");
        }

        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task AByteOrderMark_BeforeTheJson_IsIgnored()
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostBytesAsync("/api/v1/signals", [0xEF, 0xBB, 0xBF, .. """{"source": "api", "title": "with a BOM"}"""u8]);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, AttackHarness.Problem(response));
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("""{"source": "api", "service": "shop\u202Etxt.exe", "title": "x"}""", "$.service")]
    [InlineData("""{"source": "api", "id": "sig\u202E1", "title": "x"}""", "$.id")]
    [InlineData("""{"source": "api", "title": "x", "annotations": {"run\u202Ebook": "x"}}""", "$.annotations.run\\u202ebook")]
    [InlineData("""{"source": "api", "title": "x", "labels": {"na\u0000me": "x"}}""", "$.labels.na\\u0000me")]
    public async Task ControlAndBidiCharacters_InNamesAndIds_Are400(string body, string field)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostAsync("/api/v1/signals", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, AttackHarness.Problem(response));
        JsonDocument.Parse(AttackHarness.Problem(response)).RootElement.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe(field);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task BidiOverride_InALabelValue_IsStoredAsSent()
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostAsync("/api/v1/signals", """{"source": "api", "title": "x", "labels": {"path": "/var/log/\u202Egol.exe"}}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, AttackHarness.Problem(response));
        var records = await attack.Store.QueryAuditAsync(new Audit.AuditQuery { Type = "signal_received" }, CancellationToken.None);
        records.ShouldHaveSingleItem().Read<Audit.SignalReceivedPayload>()!.Signal.Labels["path"].ShouldBe("/var/log/\u202Egol.exe");
        await attack.AssertSurvivedAsync();
    }
}
