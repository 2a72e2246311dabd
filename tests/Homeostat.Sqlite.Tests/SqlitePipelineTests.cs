using Homeostat.Healing;
using Homeostat.TestKit;
using Microsoft.Data.Sqlite;

namespace Homeostat.Sqlite.Tests;

/// <summary>The whole loop on a store chosen by the test: here SQLite on a file, as a deployment runs it.</summary>
public sealed class SqlitePipelineTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-pipeline-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Loop_OnAFileStore_RemediatesAndLeavesAnIntactChain()
    {
        await using var h = new PipelineHarness(addStore: b => b.AddSqliteStore(o => o.DataDirectory = _directory));
        h.Verifier.AlwaysReturns(Homeostat.Verification.VerificationStatus.Cleared);
        var opened = await h.PublishAsync(SignalBuilder.DiskFull());
        await h.RunUntilIdleAsync();
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();

        (await h.IncidentAsync(opened.IncidentId!)).State.ShouldBe(IncidentState.Remediated);
        File.Exists(Path.Combine(_directory, SqliteStoreOptions.FileName)).ShouldBeTrue();
        (await h.Store.VerifyAuditChainAsync(CancellationToken.None)).IsIntact.ShouldBeTrue();
    }

    [Fact]
    public async Task Loop_StoreRefusesEveryWriteWhileAnIncidentIsProcessed_ItIsRetriedAfterAShortBackOff_NotAfterTheLease()
    {
        var store = PipelineHarness.NewStoreConnectionString();
        await using var h = new PipelineHarness(storeConnectionString: store, settings: new Dictionary<string, string?> { ["Healing:ClaimLease"] = "10m" })
        {
            ExpectReconcileFailures = true,
        };
        var opened = await h.PublishAsync(SignalBuilder.DiskFull());
        await using var connection = new SqliteConnection(store);
        connection.Open();

        // As with a full disk: claiming still works, but saving the step, recording the failure and releasing the claim fail.
        Execute(connection, """
            CREATE TRIGGER disk_full BEFORE UPDATE ON incidents
            WHEN NEW.version <> OLD.version OR NEW.claim_owner IS NULL
            BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
            """);
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(opened.IncidentId!)).State.ShouldBe(IncidentState.Open);

        // Space is freed. Within the back-off nothing happens; after it the incident is processed, long before the lease ends.
        Execute(connection, "DROP TRIGGER disk_full;");
        h.Time.Advance(HealingEngine.UnrecordedFailureBackOff - TimeSpan.FromSeconds(1));
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(opened.IncidentId!)).State.ShouldBe(IncidentState.Open);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.RunUntilIdleAsync();
        (await h.IncidentAsync(opened.IncidentId!)).State.ShouldBe(IncidentState.Verifying);
        h.DiskAction.Executed.ShouldHaveSingleItem();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
