using Homeostat.Healing;
using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Tests.Healing;

/// <summary>The background workers: woken by new work, and by TimeProvider timers for verification, never by sleeping.</summary>
public sealed class HealingWorkerTests
{
    [Fact]
    public async Task Worker_WaitsOnTheClockForVerification_AndVerifiesOnlyWhenTimeAdvances()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(verifyAfter: "5m", verifyTimeout: "30m"));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared);
        var worker = ActivatorUtilities.CreateInstance<HealingWorker>(h.Services);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            // New work wakes the worker at once.
            var opened = await h.PublishAsync(SignalBuilder.DiskFull());
            await WaitForStateAsync(h, opened.IncidentId!, IncidentState.Verifying);

            // Real time passes, fake time does not: nothing is verified early.
            await Task.Delay(200);
            h.Verifier.Checked.ShouldBeEmpty();

            // Fake time reaches verify.after: the worker's timer fires and it verifies.
            h.Time.Advance(TimeSpan.FromMinutes(5));
            await WaitForStateAsync(h, opened.IncidentId!, IncidentState.Remediated);
            h.Verifier.Checked.ShouldHaveSingleItem();
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Workers_ManySignalsAtOnce_EachIncidentActsExactlyOnce()
    {
        await using var h = new PipelineHarness(
            CatalogBuilder.DiskFull(verifyAfter: "5m"),
            new Dictionary<string, string?> { ["Healing:Workers"] = "4", ["Guardrails:BlastRadius:MaxInFlight"] = "100" });
        var workers = new[] { ActivatorUtilities.CreateInstance<HealingWorker>(h.Services), ActivatorUtilities.CreateInstance<HealingWorker>(h.Services) };
        foreach (var worker in workers)
        {
            await worker.StartAsync(CancellationToken.None);
        }

        try
        {
            var signals = Enumerable.Range(0, 20).Select(i => SignalBuilder.DiskFull(service: $"svc-{i}")).ToArray();
            var results = await h.PublishAllAsync(signals);
            foreach (var result in results)
            {
                await WaitForStateAsync(h, result.IncidentId!, IncidentState.Verifying);
            }

            h.DiskAction.Executed.Count.ShouldBe(20);
            h.DiskAction.Executed.Select(e => e.IncidentId).Distinct().Count().ShouldBe(20);
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.StopAsync(CancellationToken.None);
            }
        }
    }

    private static async Task WaitForStateAsync(PipelineHarness h, string incidentId, IncidentState state)
    {
        for (var i = 0; i < 500; i++)
        {
            if ((await h.IncidentAsync(incidentId)).State == state)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"incident {incidentId} did not reach {state}; it is {(await h.IncidentAsync(incidentId)).State}");
    }
}
