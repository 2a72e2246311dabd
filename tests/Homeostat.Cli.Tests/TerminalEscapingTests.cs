using Homeostat.Healing;
using Homeostat.TestKit;
using Homeostat.Verification;

namespace Homeostat.Cli.Tests;

/// <summary>Stored text with control and bidirectional characters is printed escaped by audit, explain and incidents.</summary>
public sealed class TerminalEscapingTests : IDisposable
{
    private const string Hostile = "disk \u202Eexe.txt\u001b[2J\u200B full\nForged line";

    private readonly TempDirectory _data = new();

    [Theory]
    [InlineData("audit")]
    [InlineData("audit", "--json")]
    [InlineData("explain")]
    [InlineData("incidents")]
    public async Task HostileStoredText_IsPrintedEscaped(params string[] command)
    {
        var incident = await RecordHostileIncidentAsync();
        var arguments = command[0] == "explain" ? [.. command, incident.Id] : command;

        var result = await CliRunner.RunAsync([.. arguments, "--data", _data.Path]);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldNotContain("\u202E");
        result.Output.ShouldNotContain("\u001b");
        result.Output.ShouldNotContain("\u200B");
        result.Output.ShouldNotContain("\nForged line");
        result.Output.ShouldContain("\\u202e");
    }

    public void Dispose() => _data.Dispose();

    private async Task<Incident> RecordHostileIncidentAsync()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(), storeConnectionString: $"Data Source={Path.Combine(_data.Path, "homeostat.db")}");
        h.Verifier.AlwaysReturns(VerificationStatus.NotCleared, Hostile);
        var signal = SignalBuilder.DiskFull() with { Title = Hostile, Labels = new Dictionary<string, string> { ["service"] = "checkout", ["path"] = "/var/log/" + Hostile } };
        var incident = await h.HandleAsync(signal);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();
        return await h.IncidentAsync(incident.Id);
    }
}
