using System.Net;
using System.Text;

namespace Homeostat.Server.Tests.Attack;

/// <summary>HTTP itself misused: wrong media types, bodies shorter or longer than announced, stalled or endless bodies, huge headers.</summary>
public sealed class ProtocolAbuseAttackTests
{
    // Short enough that a stalled body is answered well before Kestrel's own minimum-data-rate grace period (5 s).
    private static readonly Dictionary<string, string?> QuickTimeout = new() { ["Intake:Limits:BodyReadTimeout"] = "1s" };

    private static readonly byte[] Signal = """{"source": "api", "title": "x"}"""u8.ToArray();

    [Theory]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("image/png")]
    public async Task AMediaTypeThatIsNotJson_Is415(string contentType)
    {
        await using var attack = await AttackHarness.StartAsync();

        foreach (var (path, body) in AttackHarness.JsonWriteEndpoints)
        {
            using var response = await attack.PostBytesAsync(path, Encoding.UTF8.GetBytes(body), contentType);
            response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType, path);
        }

        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/x-ndjson")]
    [InlineData("text/plain")]
    public async Task JsonAndPlainTextMediaTypes_OrNone_AreAccepted(string? contentType)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostBytesAsync("/api/v1/signals", Signal, contentType);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, AttackHarness.Problem(response));
    }

    [Fact]
    public async Task ABodyShorterThanItsContentLength_ThenClosed_IsNotApplied()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        var status = await attack.SendRawAsync(Request("Content-Length: 100", Signal), holdOpen: false);

        // A client that has closed its side is gone: Kestrel aborts the request, or answers 400 if it still can.
        status.ShouldBeOneOf(0, 400);
        (await attack.Store.QueryAuditAsync(new Audit.AuditQuery(), CancellationToken.None)).ShouldBeEmpty();
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task ABodyShorterThanItsContentLength_HeldOpen_Is408()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        var status = await attack.SendRawAsync(Request("Content-Length: 100", Signal));

        status.ShouldBe(408);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task AChunkedBodyThatNeverEnds_Is408()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        var status = await attack.SendRawAsync(Request("Transfer-Encoding: chunked", Encoding.ASCII.GetBytes("5\r\n{\"sou\r\n")));

        status.ShouldBe(408);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task BrokenChunkFraming_Is400()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        var status = await attack.SendRawAsync(Request("Transfer-Encoding: chunked", Encoding.ASCII.GetBytes("zz\r\nhello\r\n0\r\n\r\n")));

        status.ShouldBe(400);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task ABodyLongerThanItsContentLength_IsReadOnlyAsFarAsAnnounced()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        // The first 5 bytes are the body (malformed JSON); the rest is not a valid next request.
        var status = await attack.SendRawAsync(Request("Content-Length: 5", Signal));

        status.ShouldBe(400);
        (await attack.Store.QueryAuditAsync(new Audit.AuditQuery(), CancellationToken.None)).ShouldBeEmpty();
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task ConflictingContentLengths_Are400()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        var status = await attack.SendRawAsync(Request($"Content-Length: {Signal.Length}\r\nContent-Length: 3", Signal));

        status.ShouldBe(400);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task HugeHeaders_Are431()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        var status = await attack.SendRawAsync(Request($"Content-Length: {Signal.Length}\r\nX-Padding: {new string('a', 64 * 1024)}", Signal));

        status.ShouldBe(431);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task AHugeRequestLine_IsRefused()
    {
        await using var attack = await AttackHarness.StartAsync(QuickTimeout);

        var status = await attack.SendRawAsync(AttackHarness.Http($"GET /api/v1/audit?service={new string('a', 20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n"));

        status.ShouldBeOneOf(414, 431);
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("/api/v1/audit?limit=2147483647")]
    [InlineData("/api/v1/audit?limit=-1")]
    [InlineData("/api/v1/incidents?limit=1001")]
    [InlineData("/api/v1/audit?cursor=not-a-cursor")]
    [InlineData("/api/v1/incidents?cursor=YTox")]
    [InlineData("/api/v1/audit?since=yesterday%0A")]
    public async Task OutOfRangeLimitsAndForgedCursors_Are400(string path)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.Client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, AttackHarness.Problem(response));
        await attack.AssertSurvivedAsync();
    }

    private static byte[] Request(string headers, byte[] body) =>
        AttackHarness.Http($"POST /api/v1/signals HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{headers}\r\n\r\n", body);
}
