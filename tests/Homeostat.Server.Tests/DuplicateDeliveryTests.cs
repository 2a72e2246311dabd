using System.Net;
using Homeostat.Audit;
using Homeostat.Healing;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Server.Tests;

/// <summary>Resends of one alert are audited as references to the delivery, not as copies of it.</summary>
public sealed class DuplicateDeliveryTests
{
    [Fact]
    public async Task FiftyResendsOfALargeAlert_AddReferencesNotCopies()
    {
        await using var server = await ServerHarness.StartAsync(settings: new Dictionary<string, string?> { ["Intake:Limits:MaxBodyBytes"] = "1048576" });
        var big = string.Join(", ", Enumerable.Range(0, 20).Select(i => $"\"l{i}\": \"{new string('x', 4000)}\""));
        var body = $$$"""{"version": "4", "status": "firing", "alerts": [{"status": "firing", "startsAt": "2026-12-01T00:00:00Z", "fingerprint": "f1", "labels": {"alertname": "DiskFull", "service": "shop", {{{big}}}}}]}""";

        for (var i = 0; i < 50; i++)
        {
            using var response = await server.PostAsync("/api/v1/alertmanager", body);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var store = server.Services.GetRequiredService<IHomeostatStore>();
        var audit = await store.QueryAuditAsync(new AuditQuery { Limit = 10_000 }, CancellationToken.None);
        var received = audit.Single(r => r.Type == AuditTypes.SignalReceived);
        var duplicates = audit.Where(r => r.Type == AuditTypes.Duplicate).ToList();
        duplicates.Count.ShouldBe(49);
        received.Payload.Length.ShouldBeGreaterThan(80_000);
        duplicates.ShouldAllBe(d => d.Payload.Length < 1000);
        var payload = duplicates[0].Read<DuplicatePayload>()!;
        payload.SchemaVersion.ShouldBe(DuplicatePayload.ReferenceVersion);
        payload.Signal.ShouldBeNull();
        payload.Delivery!.Fingerprint.ShouldBe("f1");
        payload.Delivery.DeliveryKey.ShouldBe("f1@2026-12-01T00:00:00.0000000Z");
        duplicates.Select(d => d.Read<DuplicatePayload>()!.Delivery!.ContentHash).Distinct().ShouldHaveSingleItem();
        (await store.VerifyAuditChainAsync(CancellationToken.None)).IsIntact.ShouldBeTrue();
    }

    [Fact]
    public async Task FiftyResolvedNotificationsForNoIncident_AddReferencesNotCopies()
    {
        await using var server = await ServerHarness.StartAsync(settings: new Dictionary<string, string?> { ["Intake:Limits:MaxBodyBytes"] = "1048576" });
        var big = string.Join(", ", Enumerable.Range(0, 20).Select(i => $"\"l{i}\": \"{new string('x', 4000)}\""));
        var body = $$$"""{"version": "4", "status": "resolved", "alerts": [{"status": "resolved", "startsAt": "2026-12-01T00:00:00Z", "endsAt": "2026-12-01T00:05:00Z", "fingerprint": "f2", "labels": {"alertname": "DiskFull", "service": "shop", {{{big}}}}}]}""";

        for (var i = 0; i < 50; i++)
        {
            using var response = await server.PostAsync("/api/v1/alertmanager", body);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var store = server.Services.GetRequiredService<IHomeostatStore>();
        var audit = await store.QueryAuditAsync(new AuditQuery { Limit = 10_000 }, CancellationToken.None);
        audit.ShouldNotContain(r => r.Type == AuditTypes.SignalReceived);
        var unmatched = audit.Where(r => r.Type == AuditTypes.ResolvedUnmatched).ToList();
        unmatched.Count.ShouldBe(50);
        unmatched.ShouldAllBe(r => r.Payload.Length < 1000);
        var payload = unmatched[0].Read<ResolvedUnmatchedPayload>()!;
        payload.Delivery.Fingerprint.ShouldBe("f2");
        payload.Title.ShouldBe("DiskFull");
        (await store.VerifyAuditChainAsync(CancellationToken.None)).IsIntact.ShouldBeTrue();
    }
}
