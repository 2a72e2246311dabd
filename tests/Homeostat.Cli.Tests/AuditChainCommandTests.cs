using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Tests;

/// <summary>audit --verify, audit verify, audit export and explain against tampering, with and without a key and checkpoints.</summary>
public sealed class AuditChainCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _outside = new();

    private string Database => Path.Combine(_data.Path, "homeostat.db");

    [Fact]
    public async Task Verify_WithoutAKey_SaysIntactAndWhatItCannotDetect()
    {
        await RecordIncidentAsync();

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("audit chain intact");
        result.Output.ShouldContain("not checked: the chain is not keyed: it shows records edited or removed in place, but someone with write access to the store can rewrite records and recompute every later hash");
        result.Output.ShouldContain("not checked: no checkpoints were given");
    }

    [Fact]
    public async Task IncidentStateChangedInTheTable_VerifyNamesIt_AndExplainWarns()
    {
        var incident = await RecordIncidentAsync();
        Execute($"UPDATE incidents SET state = 'escalated', body = json_set(body, '$.state', 'escalated') WHERE id = '{incident.Id}'");

        var verify = await CliRunner.RunAsync("audit", "verify", "--data", _data.Path);
        var explain = await CliRunner.RunAsync("explain", incident.Id, "--data", _data.Path);

        verify.ExitCode.ShouldBe(1);
        verify.Error.ShouldContain($"incident {incident.Id}: the incidents table says escalated, but its audit records say remediated");
        explain.ExitCode.ShouldBe(1);
        explain.Output.ShouldContain($"WARNING: incident {incident.Id}: the stored state is escalated, but its audit records say remediated");
    }

    [Fact]
    public async Task Export_ThenVerifyOffline_RoundTrips_AndATamperedExportIsCaught()
    {
        var key = _outside.Write("audit.key", "0123456789abcdef0123456789abcdef\n");
        var config = _outside.Write("homeostat.yaml", $"audit:\n  key_file: {key}\n");
        await RecordIncidentAsync(config);
        var file = Path.Combine(_outside.Path, "trail.jsonl");

        var export = await CliRunner.RunAsync("audit", "export", "--config", config, "--data", _data.Path, "--out", file);
        var verified = await CliRunner.RunAsync("audit", "verify", file, "--key-file", key);
        var keyless = await CliRunner.RunAsync("audit", "verify", file);
        File.WriteAllText(file, File.ReadAllText(file).Replace("remediated: rotate_and_compress_logs", "nothing to see: rotate_and_compress_logs", StringComparison.Ordinal));
        var tampered = await CliRunner.RunAsync("audit", "verify", file, "--key-file", key);

        export.ExitCode.ShouldBe(0, export.Error);
        export.Error.ShouldContain("signed with key");
        verified.ExitCode.ShouldBe(0, verified.Error + verified.Output);
        verified.Output.ShouldContain("intact");
        keyless.ExitCode.ShouldBe(0, keyless.Error);
        keyless.Output.ShouldContain("which was not given (--key-file): its signature and the HMAC of its keyed records were not checked");
        tampered.ExitCode.ShouldBe(1);
        tampered.Error.ShouldContain("its HMAC");
        tampered.Error.ShouldContain("do not match the digest in its trailer");
    }

    [Fact]
    public async Task CheckpointsThenStoreTruncatedToZeroBytes_VerifyRefusesTheEmptiedStore()
    {
        var checkpoints = Path.Combine(_outside.Path, "checkpoints");
        await RecordIncidentAsync();
        var head = (await CliRunner.RunAsync("audit", "--data", _data.Path, "--json")).Output.Trim().Split('\n')[^1];
        var seq = System.Text.Json.JsonDocument.Parse(head).RootElement.GetProperty("sequence").GetInt64();
        var hash = System.Text.Json.JsonDocument.Parse(head).RootElement.GetProperty("hash").GetString();
        Directory.CreateDirectory(checkpoints);
        File.WriteAllText(Path.Combine(checkpoints, "checkpoints.jsonl"), $"{{\"seq\":{seq},\"hash\":\"{hash}\",\"at\":\"2026-12-05T22:00:00.0000000Z\",\"alg\":\"none\"}}\n");
        SqliteConnection.ClearAllPools();
        File.WriteAllBytes(Database, []);

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path, "--checkpoints", checkpoints);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("is damaged: it is an empty file (0 bytes)");
        new FileInfo(Database).Length.ShouldBe(0);
    }

    [Fact]
    public async Task RecordWhoseTimeDoesNotParse_IsNamed_NotAnInternalError()
    {
        await RecordIncidentAsync();
        Execute("DROP TRIGGER audit_no_update; UPDATE audit SET at = 'not a time' WHERE seq = 2;");

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("seq 2");
        result.Error.ShouldContain("not a time");
        result.Error.ShouldNotContain("internal error");
    }

    [Fact]
    public async Task KeyFileInsideTheDataDirectory_OrEmpty_RefusesStartUpNamingTheSetting()
    {
        await RecordIncidentAsync();
        var inside = _data.Write("audit.key", "0123456789abcdef0123456789abcdef");
        var empty = _outside.Write("empty.key", "\n");
        var insideConfig = _outside.Write("inside.yaml", $"audit:\n  key_file: {inside}\n");
        var emptyConfig = _outside.Write("empty.yaml", $"audit:\n  key_file: {empty}\n");

        var insideResult = await CliRunner.RunAsync("audit", "--verify", "--config", insideConfig, "--data", _data.Path);
        var emptyResult = await CliRunner.RunAsync("audit", "--verify", "--config", emptyConfig, "--data", _data.Path);

        insideResult.ExitCode.ShouldBe(1);
        insideResult.Error.ShouldContain("audit.key_file");
        insideResult.Error.ShouldContain("is inside the data directory");
        emptyResult.ExitCode.ShouldBe(1);
        emptyResult.Error.ShouldContain("audit.key_file");
        emptyResult.Error.ShouldContain("is empty");
    }

    public void Dispose()
    {
        _data.Dispose();
        _outside.Dispose();
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task<Healing.Incident> RecordIncidentAsync(string? config = null)
    {
        Audit.AuditKeyRing? keys = null;
        if (config is not null)
        {
            keys = new Audit.AuditKeyRing(Audit.AuditKey.FromFile(File.ReadAllLines(config)[1].Split(": ")[1], "test", out _)!);
        }

        await using var h = new PipelineHarness(
            CatalogBuilder.DiskFull(),
            storeConnectionString: $"Data Source={Database}",
            configure: keys is null ? null : s => s.AddSingleton(keys));
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared, "usage back to 41%");
        var incident = await h.HandleAsync(SignalBuilder.DiskFull(service: "checkout"));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();
        return await h.IncidentAsync(incident.Id);
    }
}
