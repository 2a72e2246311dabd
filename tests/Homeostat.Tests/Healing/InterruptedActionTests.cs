using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.TestKit;

namespace Homeostat.Tests.Healing;

/// <summary>An action whose worker dies mid-run: escalated as interrupted within action timeout plus claim lease, never run again.</summary>
public sealed class InterruptedActionTests
{
    private static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Reconcile_WorkerStopsMidAction_AnotherReplicaEscalatesItAtActionTimeoutPlusLease_NotLater()
    {
        var store = PipelineHarness.NewStoreConnectionString();
        await using var dying = new PipelineHarness(settings: Settings("a"), storeConnectionString: store);
        await using var survivor = new PipelineHarness(settings: Settings("b"), storeConnectionString: store);
        using var stuck = new SemaphoreSlim(0);
        dying.DiskAction.OnExecute = _ => stuck.Wait();

        // Replica a records its intent to act and starts the action, which never returns: as good as dead.
        var opened = await dying.PublishAsync(SignalBuilder.DiskFull());
        var running = Task.Run(dying.RunUntilIdleAsync);
        await WaitUntilAsync(() => dying.DiskAction.Executed.Count == 1);
        var started = (await survivor.AuditAsync(opened.IncidentId)).Single(r => r.Type == AuditTypes.ActionStarted).At;

        // Replica b's clock reaches one second short of action timeout plus lease: the action may still be running.
        survivor.Time.Advance(started - survivor.Time.GetUtcNow() + ActionTimeout + ClaimLease - TimeSpan.FromSeconds(1));
        await survivor.RunUntilIdleAsync();
        (await survivor.IncidentAsync(opened.IncidentId!)).State.ShouldBe(IncidentState.Acting);

        survivor.Time.Advance(TimeSpan.FromSeconds(1));
        await survivor.RunUntilIdleAsync();
        var incident = await survivor.IncidentAsync(opened.IncidentId!);
        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.ActionFailed);
        incident.Detail!.ShouldContain("unknown");
        survivor.DiskAction.Executed.ShouldBeEmpty();

        stuck.Release();
        await running;
        dying.DiskAction.Executed.ShouldHaveSingleItem();
        (await survivor.AuditAsync(opened.IncidentId)).Count(r => r.Type == AuditTypes.ActionStarted).ShouldBe(1);
    }

    private static Dictionary<string, string?> Settings(string replica) => new()
    {
        ["Healing:ActionTimeout"] = "60s",
        ["Healing:ClaimLease"] = "10s",
        ["Healing:ReplicaId"] = replica,
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        condition().ShouldBeTrue();
    }
}
