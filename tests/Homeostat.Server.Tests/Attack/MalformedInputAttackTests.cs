using System.Net;

namespace Homeostat.Server.Tests.Attack;

/// <summary>Bodies that are not JSON, or not the JSON an endpoint takes: each is a 400 naming the problem, never a 500.</summary>
public sealed class MalformedInputAttackTests
{
    public static TheoryData<string, string> MalformedBodies()
    {
        var data = new TheoryData<string, string>();
        string[] bodies = ["{", "[1, 2", "{\"by\": }", "{\"a\": \"b\"", new string('[', 200) + new string(']', 200), "{\"by\": \"x\"}}"];
        foreach (var (path, _) in AttackHarness.JsonWriteEndpoints)
        {
            foreach (var body in bodies)
            {
                data.Add(path, body);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedJson_OnEveryWriteEndpoint_Is400(string path, string body)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostAsync(path, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, AttackHarness.Problem(response));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("""{"source": 5, "title": "x"}""", "$.source")]
    [InlineData("""{"source": "api", "labels": ["a"]}""", "$.labels")]
    [InlineData("""{"source": "api", "labels": {"service": 7}}""", "$.labels.service")]
    [InlineData("""{"source": "api", "title": "x", "metrics": {"m": "NaN"}}""", "$.metrics.m")]
    public async Task WrongTypes_InASignal_Are400NamingTheField(string body, string field)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostAsync("/api/v1/signals", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        AttackHarness.Problem(response).ShouldContain($"\"field\":\"{field}\"");
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("""{"version": "4", "alerts": "many"}""", "$.alerts")]
    [InlineData("""{"version": "4", "alerts": [{"status": "firing", "labels": {"alertname": ["x"]}}]}""", "$.alerts[0].labels.alertname")]
    [InlineData("""{"version": "4", "alerts": [{"status": "burning", "labels": {"alertname": "x"}}]}""", "$.alerts[0].status")]
    [InlineData("""{"version": "4", "truncatedAlerts": -1, "alerts": []}""", "$.truncatedAlerts")]
    public async Task WrongTypes_InAnAlertmanagerNotification_Are400NamingTheField(string body, string field)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostAsync("/api/v1/alertmanager", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        AttackHarness.Problem(response).ShouldContain($"\"field\":\"{field}\"");
        await attack.AssertSurvivedAsync();
    }
}
