using System.Net;
using Homeostat.Healing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Server.Tests.Attack;

/// <summary>A store that cannot write (SQLITE_FULL raised inside its transaction): 503 with Retry-After, /readyz 503 with the reason, recovery by itself.</summary>
public sealed class StoreUnavailableAttackTests
{
    [Fact]
    public async Task WhileTheStoreCannotWrite_WritesAre503WithRetryAfter_AndReadyzSaysWhy()
    {
        await using var attack = await AttackHarness.StartAsync();
        attack.Store.FailWrites = true;

        foreach (var (path, body) in AttackHarness.JsonWriteEndpoints.Take(2))
        {
            using var write = await attack.PostAsync(path, body);
            write.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, AttackHarness.Problem(write));
            write.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
            AttackHarness.Problem(write).ShouldContain("disk is full");
        }

        using var ready = await attack.Client.GetAsync("/readyz");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        ready.Headers.RetryAfter.ShouldNotBeNull();
        AttackHarness.Problem(ready).ShouldContain("SQLITE_FULL");
        (await attack.Client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);

        attack.Store.FailWrites = false;
        using var retried = await attack.PostAsync("/api/v1/signals", AttackHarness.JsonWriteEndpoints[0].ValidBody);
        retried.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await attack.Client.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task WithNoWritesComing_ReadyzProbesTheStoreAfterTheBackoff_AndRecovers()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var attack = await AttackHarness.StartAsync(health: new StoreHealth(time));
        attack.Store.FailWrites = true;
        using var failed = await attack.PostAsync("/api/v1/signals", AttackHarness.JsonWriteEndpoints[0].ValidBody);
        failed.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        attack.Store.FailWrites = false;
        (await attack.Client.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "the back-off has not passed");
        time.Advance(StoreHealth.FirstBackoff);

        (await attack.Client.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        attack.Server.Services.GetRequiredService<StoreHealth>().IsWritable.ShouldBeTrue();
        await attack.AssertSurvivedAsync();
    }

    [Fact]
    public async Task AProbeThatStillFails_KeepsReadyz503_AndDoublesTheBackoff()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var attack = await AttackHarness.StartAsync(health: new StoreHealth(time));
        attack.Store.FailWrites = true;
        using var failed = await attack.PostAsync("/api/v1/signals", AttackHarness.JsonWriteEndpoints[0].ValidBody);

        time.Advance(StoreHealth.FirstBackoff);
        using var ready = await attack.Client.GetAsync("/readyz");

        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        ready.Headers.RetryAfter!.Delta.ShouldBe(StoreHealth.FirstBackoff * 2);
        await attack.AssertSurvivedAsync();
    }
}
