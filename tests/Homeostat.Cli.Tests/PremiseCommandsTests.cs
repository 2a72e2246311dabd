using Homeostat.Healing;
using Homeostat.Remediation;
using Homeostat.TestKit;
using Homeostat.Verification;

namespace Homeostat.Cli.Tests;

/// <summary>An action that found its premise missing: explain calls it a suspected misclassification, incidents --to-label offers it until labelled.</summary>
public sealed class PremiseCommandsTests : IDisposable
{
    private const string Observed = "/var/log holds 1Ki, within its budget 5Gi";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private async Task<(Incident Suspect, Incident Remediated)> RecordAsync()
    {
        await using var h = new PipelineHarness(CatalogBuilder.DiskFull(), storeConnectionString: $"Data Source={Path.Combine(_data.Path, "homeostat.db")}");
        h.Verifier.AlwaysReturns(VerificationStatus.Cleared, "usage back to 41%");
        h.DiskAction.ThenReturns(ActionOutcome.PremiseNotMet(Observed));
        var suspect = await h.HandleAsync(SignalBuilder.DiskFull(service: "checkout"));
        var remediated = await h.HandleAsync(SignalBuilder.DiskFull(service: "payments"));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.RunUntilIdleAsync();
        return (await h.IncidentAsync(suspect.Id), await h.IncidentAsync(remediated.Id));
    }

    [Fact]
    public async Task Explain_PremiseNotMet_SaysSuspectedMisclassificationWithWhatWasSeen()
    {
        var (suspect, _) = await RecordAsync();
        suspect.Reason.ShouldBe(EscalationReasons.PremiseNotMet);

        var result = await CliRunner.RunAsync("explain", suspect.Id, "--data", _data.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain(
            $"Suspected misclassification: rotate_and_compress_logs checked its premise on the target and it did not hold ({Observed}), so this may not be disk_full; label it with 'homeostat label {suspect.Id} CLASS'");
    }

    [Fact]
    public async Task IncidentsToLabel_ListsSuspectsUntilAHumanLabelsThem()
    {
        var (suspect, remediated) = await RecordAsync();

        var before = await CliRunner.RunAsync("incidents", "--to-label", "--data", _data.Path);
        var label = await CliRunner.RunAsync("label", suspect.Id, "unknown", "--by", "carol", "--data", _data.Path);
        var after = await CliRunner.RunAsync("incidents", "--to-label", "--data", _data.Path);
        var explained = await CliRunner.RunAsync("explain", suspect.Id, "--data", _data.Path);

        before.ExitCode.ShouldBe(0, before.Error);
        before.Output.ShouldContain(suspect.Id);
        before.Output.ShouldContain("escalated:premise_not_met");
        before.Output.ShouldNotContain(remediated.Id);
        before.Output.ShouldContain("1 suspected misclassification(s)");
        label.ExitCode.ShouldBe(0, label.Error);
        after.Output.ShouldNotContain(suspect.Id);
        after.Output.ShouldContain("no incident waits for a label");
        explained.Output.ShouldContain("labelled unknown");
    }

    [Fact]
    public async Task Eval_WithTheStore_CountsSuspectedMisclassificationsBesideTheScore()
    {
        var (suspect, _) = await RecordAsync();
        var labelled = Path.Combine(_data.Path, "labelled.jsonl");
        await File.WriteAllTextAsync(labelled, """{"id":"e1","source":"api","service":"shop","title":"No space left on device","label":"disk_full"}""" + "\n");

        var before = await CliRunner.RunAsync("eval", "--input", labelled, "--classifier", "rules", "--data", _data.Path);
        await CliRunner.RunAsync("label", suspect.Id, "unknown", "--by", "carol", "--data", _data.Path);
        var after = await CliRunner.RunAsync("eval", "--input", labelled, "--classifier", "rules", "--data", _data.Path);

        before.ExitCode.ShouldBe(0, before.Error);
        before.Output.ShouldContain("macro-F1");
        before.Output.ShouldContain("suspected misclassifications in the store (premise_not_met): 1, 1 not labelled yet (homeostat incidents --to-label)");
        after.Output.ShouldContain("suspected misclassifications in the store (premise_not_met): 1, 0 not labelled yet");
    }
}
