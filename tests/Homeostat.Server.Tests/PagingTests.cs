using System.Net;
using System.Text.Json;

namespace Homeostat.Server.Tests;

/// <summary>The list endpoints page with an opaque cursor and a capped page size.</summary>
public sealed class PagingTests
{
    [Fact]
    public async Task Audit_FollowingNext_ReturnsEveryRecordOnceInOrder()
    {
        await using var server = await ServerHarness.StartAsync();
        await PostSignalsAsync(server, 7);
        var everything = (await server.GetJsonAsync("/api/v1/audit")).GetProperty("records").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()).ToList();

        var paged = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await server.GetJsonAsync("/api/v1/audit?limit=3" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            var records = page.GetProperty("records").EnumerateArray().ToList();
            records.Count.ShouldBeLessThanOrEqualTo(3);
            paged.AddRange(records.Select(r => r.GetProperty("sequence").GetInt64()));
            cursor = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null);

        // The workers keep appending while the pages are read: the pages hold everything there was before, in order, once.
        var after = (await server.GetJsonAsync("/api/v1/audit")).GetProperty("records").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()).ToList();
        paged.Take(everything.Count).ShouldBe(everything);
        paged.ShouldBe(after.Take(paged.Count));
        everything.Count.ShouldBeGreaterThanOrEqualTo(7);
        pages.ShouldBe((paged.Count + 2) / 3);
    }

    [Fact]
    public async Task Incidents_FollowingNext_ReturnsEveryIncidentOnceNewestFirst()
    {
        await using var server = await ServerHarness.StartAsync();
        await PostSignalsAsync(server, 5);

        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await server.GetJsonAsync("/api/v1/incidents?limit=2" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            ids.AddRange(page.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        var all = (await server.GetJsonAsync("/api/v1/incidents")).GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
        all.Count.ShouldBe(5);
        ids.ShouldBe(all);
    }

    [Fact]
    public async Task ALimitAboveTheMaximum_Is400NamingTheMaximum()
    {
        await using var server = await ServerHarness.StartAsync();

        using var response = await server.Client.GetAsync("/api/v1/audit?limit=2147483647");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("\"field\":\"limit\"");
        body.ShouldContain("1 to 1000");
    }

    [Fact]
    public async Task TheLastPage_HasNoNext()
    {
        await using var server = await ServerHarness.StartAsync();
        await PostSignalsAsync(server, 1);

        var page = await server.GetJsonAsync("/api/v1/incidents?limit=1000");

        page.TryGetProperty("next", out _).ShouldBeFalse();
    }

    private static async Task PostSignalsAsync(ServerHarness server, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await server.PostAsync("/api/v1/signals", $$$"""{"source": "api", "title": "problem {{{i}}}", "labels": {"service": "svc{{{i}}}"}}""");
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }
    }
}
