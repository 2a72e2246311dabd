using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Homeostat.Server.Tests.Attack;

/// <summary>
/// The auth class of the attack suite: whatever is presented in place of a valid token is a 401 (or a 431 from the
/// server for a header beyond its limit), never a 500 and never a way in, and <c>/healthz</c> answers after each.
/// </summary>
public sealed class AuthAttackTests : IAsyncLifetime
{
    private const string Token = "the-right-token-0123456789";

    private ServerHarness _server = null!;

    public static TheoryData<string, string?> Headers => new()
    {
        { "missing", null },
        { "empty", "" },
        { "scheme only", "Bearer" },
        { "scheme and spaces", "Bearer    " },
        { "wrong scheme", "Token " + Token },
        { "digest scheme", "Digest username=\"x\", response=\"" + Token + "\"" },
        { "no scheme", Token },
        { "scheme glued to token", "Bearer" + Token },
        { "one byte different at the end", "Bearer " + Token[..^1] + "8" },
        { "one byte different at the start", "Bearer " + "T" + Token[1..] },
        { "one byte short", "Bearer " + Token[..^1] },
        { "one byte long", "Bearer " + Token + "0" },
        { "token twice", "Bearer " + Token + " " + Token },
        { "case changed", "Bearer " + Token.ToUpperInvariant() },
        { "basic with empty password", "Basic " + Base64("alertmanager:") },
        { "basic with the token as user name", "Basic " + Base64(Token + ":") },
        { "basic without a colon", "Basic " + Base64(Token) },
        { "basic not base64", "Basic %%%not-base64%%%" },
        { "basic with invalid UTF-8", "Basic " + Convert.ToBase64String([0x61, 0x3a, 0xff, 0xfe]) },
        { "long token", "Bearer " + new string('a', 8000) },
        { "null byte appended", "Bearer " + Token + "%00" },
    };

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync(token: Token);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Headers))]
    public async Task AnythingButTheToken_Gets401_OnReadsAndWrites(string attack, string? header)
    {
        foreach (var (method, path, body) in new[] { (HttpMethod.Get, "/api/v1/audit", (string?)null), (HttpMethod.Post, "/api/v1/signals", """{"source": "api", "title": "x"}"""), (HttpMethod.Post, "/api/v1/incidents/x/resolve", null) })
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            if (header is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", header).ShouldBeTrue(attack);
            }

            using var response = await _server.Client.SendAsync(request);

            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{attack}: {method} {path}");
            response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().ShouldBe(401);
        }

        await HealthzAnswersAsync();
    }

    [Fact]
    public async Task AHugeAuthorizationHeader_IsRefusedWithoutA500()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/audit");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('a', 64 * 1024));

        using var response = await _server.Client.SendAsync(request);

        ((int)response.StatusCode).ShouldBeOneOf(401, 431);
        await HealthzAnswersAsync();
    }

    [Theory]
    [InlineData("?token=" + Token)]
    [InlineData("?access_token=" + Token)]
    [InlineData("?api_token=" + Token)]
    [InlineData("?authorization=Bearer%20" + Token)]
    public async Task ATokenInTheQueryString_IsNotAccepted(string query)
    {
        using var read = await _server.Client.GetAsync("/api/v1/incidents" + query);
        using var write = await _server.PostAsync("/api/v1/signals" + query, """{"source": "api", "title": "x"}""", authorize: false);

        read.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        write.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await HealthzAnswersAsync();
    }

    [Fact]
    public async Task ATokenInACookieOrAnotherHeader_IsNotAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/incidents");
        request.Headers.TryAddWithoutValidation("Cookie", "token=" + Token);
        request.Headers.TryAddWithoutValidation("X-Api-Token", Token);
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Bearer " + Token);

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await HealthzAnswersAsync();
    }

    [Fact]
    public async Task TheRightToken_StillGetsIn_AfterTheAttacks()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/incidents");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Base64("alertmanager:" + Token));

        using var basic = await _server.Client.SendAsync(request);
        var bearer = await _server.GetJsonAsync("/api/v1/incidents");

        basic.StatusCode.ShouldBe(HttpStatusCode.OK);
        bearer.TryGetProperty("incidents", out _).ShouldBeTrue();
        await HealthzAnswersAsync();
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private async Task HealthzAnswersAsync()
    {
        using var health = await _server.Client.GetAsync("/healthz");
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
