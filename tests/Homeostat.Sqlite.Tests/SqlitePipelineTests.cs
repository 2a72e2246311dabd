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

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
