using System.Security.Cryptography;
using System.Text.Json;
using Homeostat.Audit;
using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.Data.Sqlite;

namespace Homeostat.Cli.Tests;

/// <summary>A damaged, emptied or busy store through the real commands: run, audit --verify, store salvage, store backup.</summary>
public sealed class StoreIntegrityTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private string Database => Path.Combine(_data.Path, "homeostat.db");

    [Fact]
    public async Task Run_StoreWithAZeroedPage_IsRefusedInOneLineNamingTheFileThePageAndTheRecovery()
    {
        await WriteIncidentsAsync(6);
        var page = StoreDamage.LeafPages(Database, "audit")[1];
        StoreDamage.ZeroPage(Database, page);
        var config = _data.Write("homeostat.yaml", "server: { listen: http://127.0.0.1:0 }\n");

        var result = await RunBrieflyAsync("run", "--config", config, "--data", _data.Path);

        result.ExitCode.ShouldBe(1, result.Output + result.Error);
        var line = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem();
        line.ShouldContain($"the store {Database} is damaged: page {page}");
        line.ShouldContain("restore the latest backup");
        line.ShouldContain($"homeostat store salvage --from {Database} --to NEW.db");
        result.Error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_StoreWithFlippedBytesInAPage_IsRefused()
    {
        await WriteIncidentsAsync(6);
        var page = StoreDamage.LeafPages(Database, "audit")[2];

        // The page's header and cell pointers: what SQLite needs to find the records in it.
        StoreDamage.FlipBytes(Database, page, 0, 16);

        var result = await RunBrieflyAsync("run", "--config", _data.Write("homeostat.yaml", "server: { listen: http://127.0.0.1:0 }\n"), "--data", _data.Path);

        result.ExitCode.ShouldBe(1, result.Output + result.Error);
        result.Error.ShouldContain($"the store {Database} is damaged: ");
        result.Error.ShouldContain($"page {page}");
    }

    [Fact]
    public async Task AuditVerify_ZeroedPage_NamesThePageAndExitsOne_WithoutAnInternalError()
    {
        await WriteIncidentsAsync(6);
        var page = StoreDamage.LeafPages(Database, "audit")[1];
        StoreDamage.ZeroPage(Database, page);

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        result.ExitCode.ShouldBe(1, result.Error);
        result.Error.ShouldContain($"the store {Database} is damaged:");
        result.Error.ShouldContain($"page {page}");
        result.Error.ShouldContain("store salvage");
        (result.Output + result.Error).ShouldNotContain("internal error");
        result.Output.ShouldNotContain("intact: ");
    }

    [Fact]
    public async Task AuditVerify_ATimeGarbledInsideARecord_NamesTheRecordAndExitsOne()
    {
        await WriteIncidentsAsync(2);
        await using (var connection = new SqliteConnection($"Data Source={Database}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER audit_no_update; UPDATE audit SET at = '2026-13-45T99:00:00Z' WHERE seq = 4;";
            command.ExecuteNonQuery();
        }

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        result.ExitCode.ShouldBe(1, result.Error);
        result.Error.ShouldContain("record seq 4: at is not a time");
        (result.Output + result.Error).ShouldNotContain("internal error");
    }

    [Fact]
    public async Task AuditVerify_SoundStore_SaysTheFileIsIntactToo()
    {
        await WriteIncidentsAsync(1);

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("store file intact: every page checked");
        result.Output.ShouldContain("audit chain intact");
    }

    [Fact]
    public async Task Salvage_ZeroedMiddlePage_KeepsTheVerifiedPrefix_ListsTheRest_AndLeavesTheDamagedFileAlone()
    {
        await WriteIncidentsAsync(6);
        var total = long.Parse(await ReadColumnAsync("SELECT MAX(seq) FROM audit"), System.Globalization.CultureInfo.InvariantCulture);
        var leaves = StoreDamage.LeafPages(Database, "audit");
        StoreDamage.ZeroPage(Database, leaves[1]);
        var before = SHA256.HashData(File.ReadAllBytes(Database));
        using var rescue = new TempDirectory();
        var salvaged = Path.Combine(rescue.Path, "homeostat.db");

        var result = await CliRunner.RunAsync("store", "salvage", "--from", Database, "--to", salvaged);

        result.ExitCode.ShouldBe(0, result.Error);
        SHA256.HashData(File.ReadAllBytes(Database)).ShouldBe(before);
        result.Output.ShouldContain("audit: kept seq 1-");
        result.Output.ShouldContain("could not be read");
        // The kept records verify; incidents whose later records were lost are named by verify, which is what a salvage must show.
        var verify = await CliRunner.RunAsync("audit", "--verify", "--data", rescue.Path);
        verify.Error.ShouldNotContain("BROKEN at record");
        var kept = long.Parse(System.Text.RegularExpressions.Regex.Match(verify.Output + verify.Error, @"(\d+) record\(s\) \(").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        kept.ShouldBeGreaterThan(0);
        kept.ShouldBeLessThan(total);

        // Every record after the gap that could still be read is in the sidecar, none is lost silently.
        var dropped = File.ReadAllLines(salvaged + ".dropped.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToList();
        dropped.ShouldNotBeEmpty();
        dropped.ShouldAllBe(d => d.GetProperty("table").GetString() == "audit" && d.GetProperty("row").GetProperty("seq").GetInt64() > kept);
        dropped.Max(d => d.GetProperty("row").GetProperty("seq").GetInt64()).ShouldBe(total);
        result.Output.ShouldContain($"{dropped.Count} row(s) read but not kept are in {salvaged}.dropped.jsonl");
    }

    [Fact]
    public async Task Salvage_ARecordEditedInTheMiddle_KeepsOnlyTheRecordsBeforeIt()
    {
        await WriteIncidentsAsync(2);
        await using (var connection = new SqliteConnection($"Data Source={Database}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER audit_no_update; UPDATE audit SET summary = 'forged' WHERE seq = 5;";
            command.ExecuteNonQuery();
        }

        using var rescue = new TempDirectory();
        var salvaged = Path.Combine(rescue.Path, "homeostat.db");

        var result = await CliRunner.RunAsync("store", "salvage", "--from", Database, "--to", salvaged);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("audit: kept seq 1-4 (4 record(s), chain verified)");
        result.Output.ShouldContain("does not verify against the chain");
        var dropped = File.ReadAllLines(salvaged + ".dropped.jsonl").Select(l => JsonDocument.Parse(l).RootElement.GetProperty("row").GetProperty("seq").GetInt64()).ToList();
        dropped.Min().ShouldBe(5);
        (await CliRunner.RunAsync("audit", "--verify", "--data", rescue.Path)).Error.ShouldNotContain("BROKEN at record");
    }

    [Fact]
    public async Task ATruncatedStore_IsRefusedByRunAndTheCommands_AndNeverRecreated()
    {
        await WriteIncidentsAsync(1);
        SqliteConnection.ClearAllPools();
        File.Delete(Database + "-wal");
        File.Delete(Database + "-shm");
        await File.WriteAllBytesAsync(Database, []);

        var run = await RunBrieflyAsync("run", "--config", _data.Write("homeostat.yaml", "server: { listen: http://127.0.0.1:0 }\n"), "--data", _data.Path);
        var audit = await CliRunner.RunAsync("audit", "--data", _data.Path);
        var verify = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        foreach (var result in new[] { run, audit, verify })
        {
            result.ExitCode.ShouldBe(1, result.Output + result.Error);
            result.Error.ShouldContain($"the store {Database} is damaged: it is an empty file (0 bytes)");
            result.Error.ShouldContain("a missing file is a new store");
        }

        new FileInfo(Database).Length.ShouldBe(0);
    }

    [Fact]
    public async Task AMissingStore_IsANewStore_MadeWhole()
    {
        var run = await RunBrieflyAsync("run", "--config", _data.Write("homeostat.yaml", "server: { listen: http://127.0.0.1:0 }\n"), "--data", _data.Path);

        run.ExitCode.ShouldBe(0, run.Error);
        SqliteConnection.ClearAllPools();
        new FileInfo(Database).Length.ShouldBeGreaterThan(0);
        Directory.GetFiles(_data.Path, "homeostat.db.new-*").ShouldBeEmpty();
        (await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path)).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Backup_WhileTheEngineWrites_IsAConsistentCopyHoldingEverythingWrittenBefore()
    {
        await WriteIncidentsAsync(1);
        using var target = new TempDirectory();
        var backup = Path.Combine(target.Path, "homeostat.db");
        await using var h = Harness();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await h.Store.WriteAsync(w => w.AppendAuditAsync(new AuditEntry("note", $"busy write {i}"), CancellationToken.None), CancellationToken.None);
            }
        });
        await WaitForRecordsAsync(h, 50);
        var before = (await h.Store.QueryAuditAsync(new AuditQuery { Limit = 1_000_000 }, CancellationToken.None)).Count;

        var result = await CliRunner.RunAsync("store", "backup", "--data", _data.Path, "--out", backup);

        await stop.CancelAsync();
        await writer;
        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain($"to {backup}");
        result.Output.ShouldContain("the copy passes quick_check");
        File.Exists(backup + "-wal").ShouldBeFalse();
        var verify = await CliRunner.RunAsync("audit", "--verify", "--data", target.Path);
        verify.ExitCode.ShouldBe(0, verify.Error);
        var copied = long.Parse(verify.Output.Split("audit chain intact: ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        copied.ShouldBeGreaterThanOrEqualTo(before);
    }

    [Fact]
    public async Task Backup_OntoAnExistingFile_IsRefusedWithoutForce()
    {
        await WriteIncidentsAsync(1);
        using var target = new TempDirectory();
        var existing = target.Write("old.db", "yesterday's backup");

        var refused = await CliRunner.RunAsync("store", "backup", "--data", _data.Path, "--out", existing);
        var forced = await CliRunner.RunAsync("store", "backup", "--data", _data.Path, "--out", existing, "--force");

        refused.ExitCode.ShouldBe(1);
        refused.Error.ShouldContain("already exists; pass --force");
        forced.ExitCode.ShouldBe(0, forced.Error);
        (await File.ReadAllBytesAsync(existing))[..15].ShouldBe("SQLite format 3"u8.ToArray());
    }

    public void Dispose() => _data.Dispose();

    /// <summary>Runs a command that would serve until stopped (run), stopping it after a while if it started.</summary>
    private static async Task<CliResult> RunBrieflyAsync(params string[] args)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await HomeostatCli.RunAsync(args, output, error, stop.Token);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private PipelineHarness Harness() => new(CatalogBuilder.DiskFull(), storeConnectionString: $"Data Source={Database}");

    private async Task WriteIncidentsAsync(int count)
    {
        await using (var h = Harness())
        {
            h.Verifier.AlwaysReturns(VerificationStatus.Cleared, "usage back to 41%");
            for (var i = 0; i < count; i++)
            {
                await h.HandleAsync(SignalBuilder.DiskFull(service: $"service-{i}"));
                h.Time.Advance(TimeSpan.FromMinutes(1));
                await h.RunUntilIdleAsync();
            }
        }

        StoreDamage.Settle(Database);
    }

    private async Task<string> ReadColumnAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static async Task WaitForRecordsAsync(PipelineHarness h, int atLeast)
    {
        // Real time: the writer runs on its own; this only waits for it to have written something.
        for (var i = 0; i < 500 && (await h.Store.QueryAuditAsync(new AuditQuery { Limit = atLeast }, CancellationToken.None)).Count < atLeast; i++)
        {
            await Task.Delay(10);
        }
    }
}
