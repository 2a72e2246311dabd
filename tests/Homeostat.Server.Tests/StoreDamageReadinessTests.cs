using System.Net;
using System.Text.Json;
using Homeostat.Sqlite;
using Homeostat.TestKit;
using Microsoft.Data.Sqlite;

namespace Homeostat.Server.Tests;

/// <summary>
/// Damage met while running (a page that reads back as SQLITE_CORRUPT): the write that meets it and every later request
/// that needs the store answer 503 naming the damage, /readyz turns 503 with the reason, and /healthz still answers.
/// </summary>
public sealed class StoreDamageReadinessTests
{
    [Fact]
    public async Task DamagedPageMetByAWrite_WriteAndReadyzAnswer503WithTheReason_HealthzStaysUp()
    {
        await using var server = await ServerHarness.StartAsync(live: false);
        var incidents = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            using var accepted = await server.PostAsync("/api/v1/signals", Signal(i));
            accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            incidents.Add((await JsonDocument.ParseAsync(await accepted.Content.ReadAsStreamAsync())).RootElement.GetProperty("results")[0].GetProperty("incidentId").GetString()!);
        }

        // The damage must land on pages the next write reads from the file, not on pages a worker rewrites afterwards.
        foreach (var incident in incidents)
        {
            await server.WaitForDecisionAsync(incident);
        }

        await WaitUntilTheTrailStopsGrowingAsync(server);
        (await server.GetJsonAsync("/readyz")).GetProperty("status").GetString().ShouldBe("ready");
        var database = Path.Combine(server.DataDirectory, SqliteStoreOptions.FileName);
        StoreDamage.Settle(database);
        foreach (var page in StoreDamage.LeafPages(database, "audit").Skip(1))
        {
            StoreDamage.ZeroPage(database, page);
        }

        // The service runs in this process: drop its pooled connections, whose page caches still hold the pages.
        SqliteConnection.ClearAllPools();

        using var write = await server.PostAsync("/api/v1/signals", Signal(99));
        using var ready = await server.Client.GetAsync("/readyz");
        using var health = await server.Client.GetAsync("/healthz");

        write.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await Detail(write)).ShouldStartWith("the store is damaged: ");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var reason = await Detail(ready);
        reason.ShouldStartWith("the store is damaged: ");
        reason.ShouldContain("malformed");
        reason.ShouldContain("homeostat store salvage");
        reason.ShouldNotContain(server.DataDirectory);
        ready.Headers.RetryAfter.ShouldBeNull();
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task WaitUntilTheTrailStopsGrowingAsync(ServerHarness server)
    {
        var last = -1;
        for (var quiet = 0; quiet < 5;)
        {
            var count = (await server.GetJsonAsync("/api/v1/audit?limit=1000")).GetProperty("records").GetArrayLength();
            quiet = count == last ? quiet + 1 : 0;
            last = count;
            await Task.Delay(100);
        }
    }

    private static string Signal(int i) =>
        "{\"source\":\"api\",\"service\":\"svc-" + i + "\",\"title\":\"disk filling on node " + i + "\",\"text\":\"" + new string('x', 600) + "\",\"labels\":{\"n\":\"" + i + "\"}}";

    private static async Task<string> Detail(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("detail").GetString()!;
    }
}
