using Homeostat.Healing;
using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.Data.Sqlite;

namespace Homeostat.Cli.Tests;

/// <summary>audit, explain, incidents, resume and promote against a store the real engine wrote.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task AuditVerify_IntactTrail_ExitsZero()
    {
        await RecordIncidentAsync();

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("audit chain intact");
    }

    [Fact]
    public async Task AuditVerify_RecordChangedBehindTheStoresBack_ExitsOneNamingTheRecord()
    {
        await RecordIncidentAsync();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "homeostat.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER audit_no_update; UPDATE audit SET summary = 'checkout was never restarted' WHERE seq = 3;";
            command.ExecuteNonQuery();
        }

        var result = await CliRunner.RunAsync("audit", "--verify", "--data", _data.Path);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("BROKEN at record 3");
    }

    [Fact]
    public async Task Audit_FilteredByServiceAndIncident_PrintsOnlyThoseRecords()
    {
        var incident = await RecordIncidentAsync(service: "checkout");
        await RecordIncidentAsync(service: "payments");

        var byService = await CliRunner.RunAsync("audit", "--data", _data.Path, "--service", "payments", "--json");
        var byIncident = await CliRunner.RunAsync("audit", "--data", _data.Path, "--incident", incident.Id);

        byService.ExitCode.ShouldBe(0, byService.Error);
        byService.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldAllBe(l => l.Contains("\"service\":\"payments\""));
        byIncident.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldAllBe(l => l.Contains(incident.Id));
        byIncident.Output.ShouldContain("remediated");
    }

    [Fact]
    public async Task Audit_TimeRangeInTheFuture_PrintsNothing()
    {
        await RecordIncidentAsync();

        var result = await CliRunner.RunAsync("audit", "--data", _data.Path, "--since", "2099-01-01T00:00:00Z");

        result.ExitCode.ShouldBe(0);
        result.Output.ShouldBeEmpty();
        result.Error.ShouldContain("0 record(s)");
    }

    [Fact]
    public async Task Audit_BadSince_ExitsTwoWithAMessage()
    {
        await RecordIncidentAsync();

        var result = await CliRunner.RunAsync("audit", "--data", _data.Path, "--since", "last tuesday");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("--since 'last tuesday'");
    }

    [Fact]
    public async Task Explain_Incident_TellsSignalClassGuardrailsActionVerificationAndOutcome()
    {
        var incident = await RecordIncidentAsync();

        var result = await CliRunner.RunAsync("explain", incident.Id[..12], "--data", _data.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain($"Incident {incident.Id} for service 'checkout': remediated");
        result.Output.ShouldContain("Class       disk_full, confidence 0.95");
        result.Output.ShouldContain("confidence_floor: confidence 0.95 against floor 0.80");
        result.Output.ShouldContain("rate_limit:");
        result.Output.ShouldContain("Catalog     version");
        result.Output.ShouldContain("Action      rotate_and_compress_logs");
        result.Output.ShouldContain("Verify");
        result.Output.ShouldContain("Outcome");
    }

    [Fact]
    public async Task Explain_UnknownIncident_ExitsOne()
    {
        await RecordIncidentAsync();

        var result = await CliRunner.RunAsync("explain", "nope", "--data", _data.Path);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("no incident 'nope'");
    }

    [Fact]
    public async Task Audit_NoStoreThere_ExitsTwoInsteadOfCreatingOne()
    {
        using var empty = new TempDirectory();

        var result = await CliRunner.RunAsync("audit", "--data", empty.Path);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("no store");
        File.Exists(Path.Combine(empty.Path, "homeostat.db")).ShouldBeFalse();
    }

    [Fact]
    public async Task ResumeAndPromote_FromTheCommandLine_ChangeTheStoreAndAreAudited()
    {
        await RecordIncidentAsync();
        await using (var h = Harness())
        {
            await h.Store.WriteAsync(
                async w =>
                {
                    await w.SuspendAsync(new Suspension("checkout", "disk_full", "rotate_and_compress_logs", "rate limited", h.Time.GetUtcNow()), CancellationToken.None);
                    return true;
                },
                CancellationToken.None);
        }

        var resume = await CliRunner.RunAsync("resume", "--service", "checkout", "--class", "disk_full", "--by", "carol", "--data", _data.Path);
        var again = await CliRunner.RunAsync("resume", "--service", "checkout", "--class", "disk_full", "--data", _data.Path);
        var promote = await CliRunner.RunAsync("promote", "disk_full", "--by", "carol", "--data", _data.Path);
        var audit = await CliRunner.RunAsync("audit", "--data", _data.Path);

        resume.ExitCode.ShouldBe(0, resume.Error);
        again.ExitCode.ShouldBe(1);
        promote.ExitCode.ShouldBe(0, promote.Error);
        audit.Output.ShouldContain("carol resumed 'disk_full' for 'checkout'");
        audit.Output.ShouldContain("carol promoted spec");
    }

    [Fact]
    public async Task Incidents_ListsWithStateFilter()
    {
        await RecordIncidentAsync();

        var remediated = await CliRunner.RunAsync("incidents", "--data", _data.Path, "--state", "remediated");
        var escalated = await CliRunner.RunAsync("incidents", "--data", _data.Path, "--state", "escalated");
        var bad = await CliRunner.RunAsync("incidents", "--data", _data.Path, "--state", "asleep");

        remediated.Output.ShouldContain("checkout");
        escalated.Output.ShouldBeEmpty();
        bad.ExitCode.ShouldBe(2);
    }

    public void Dispose() => _data.Dispose();

    private PipelineHarness Harness() =>
        new(CatalogBuilder.DiskFull(), storeConnectionString: $"Data Source={Path.Combine(_data.Path, "homeostat.db")}");

    private async Task<Incident> RecordIncidentAsync(string service = "checkout")
    {
        await using var h = Harness();
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared, "usage back to 41%");
        var incident = await h.HandleAsync(SignalBuilder.DiskFull(service: service));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();
        return await h.IncidentAsync(incident.Id);
    }
}
