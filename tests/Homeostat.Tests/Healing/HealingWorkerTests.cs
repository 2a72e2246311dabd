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

    [Fact]
    public async Task Worker_RestartedUnderItsOwnReplicaId_TakesBackTheClaimsOfItsPreviousRunAtOnce()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?> { ["Healing:ReplicaId"] = "r1", ["Healing:ClaimLease"] = "10m" });
        var opened = await h.PublishAsync(SignalBuilder.DiskFull());

        // The previous run of replica r1 claimed the incident and was killed before it could release it.
        (await h.Store.ClaimNextDueAsync("r1/w2", h.Time.GetUtcNow(), TimeSpan.FromMinutes(10), CancellationToken.None))!.Id.ShouldBe(opened.IncidentId);

        var worker = ActivatorUtilities.CreateInstance<HealingWorker>(h.Services);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            await WaitForStateAsync(h, opened.IncidentId!, IncidentState.Verifying);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Worker_StoppedGracefully_ReleasesTheClaimsOfItsReplica_SoAnotherTakesThemAtOnce()
    {
        await using var h = new PipelineHarness(
            CatalogBuilder.DiskFull(approval: true),
            new Dictionary<string, string?> { ["Healing:ReplicaId"] = "r1", ["Healing:ApprovalTimeout"] = "1h" });
        var worker = ActivatorUtilities.CreateInstance<HealingWorker>(h.Services);
        await worker.StartAsync(CancellationToken.None);
        var opened = await h.PublishAsync(SignalBuilder.DiskFull());
        await WaitForStateAsync(h, opened.IncidentId!, IncidentState.PendingApproval);

        // A claim this process holds when it is told to stop (taken when the approval deadline comes).
        var deadline = h.Time.GetUtcNow().AddHours(1);
        (await h.Store.ClaimNextDueAsync("r1/w1", deadline, TimeSpan.FromMinutes(10), CancellationToken.None)).ShouldNotBeNull();
        await worker.StopAsync(CancellationToken.None);

        (await h.Store.ClaimNextDueAsync("r2/w1", deadline, TimeSpan.FromMinutes(10), CancellationToken.None))!.Id.ShouldBe(opened.IncidentId);
    }

    private static async Task WaitForStateAsync(PipelineHarness h, string incidentId, IncidentState state)
    {
        for (var i = 0; i < 3000; i++)
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
