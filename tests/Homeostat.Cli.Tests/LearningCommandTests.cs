using System.Text.Json;
using Homeostat.TestKit;

namespace Homeostat.Cli.Tests;

/// <summary>train, eval, label and classify --model as a user drives them.</summary>
public sealed class LearningCommandTests
{
    [Fact]
    public async Task Eval_HeldOutSample_PrintsPerClassMetricsConfusionAndUnsafeActions()
    {
        using var temp = new TempDirectory();
        var sample = temp.Write("sample.jsonl", string.Join('\n', File.ReadLines(RepositoryPaths.File("data", "classifier", "heldout.jsonl")).Where((_, i) => i % 5 == 0)));

        var text = await CliRunner.RunAsync("eval", "--input", sample);
        var json = await CliRunner.RunAsync("eval", "--input", sample, "--json", "--classifier", "rules");
        var gate = await CliRunner.RunAsync("eval", "--input", sample, "--min-macro-f1", "1.01");

        text.ExitCode.ShouldBe(0, text.Error);
        text.Output.ShouldContain("macro-F1");
        text.Output.ShouldContain("confusion matrix");
        text.Output.ShouldContain("wrong-class automatic actions at the catalog's floors");
        text.Output.ShouldContain("expected calibration error");
        using var report = JsonDocument.Parse(json.Output);
        report.RootElement.GetProperty("perClass").GetArrayLength().ShouldBe(6);
        report.RootElement.GetProperty("confusion").GetArrayLength().ShouldBe(6);
        gate.ExitCode.ShouldBe(1);
    }

    [Fact]
    public async Task Eval_UnlabelledLine_IsAnErrorNamingTheLine()
    {
        using var temp = new TempDirectory();
        var input = temp.Write("bad.jsonl", "{\"id\": \"a\", \"source\": \"log\", \"text\": \"x\", \"label\": \"oom\"}\n{\"id\": \"b\", \"source\": \"log\", \"text\": \"y\"}\n");

        var result = await CliRunner.RunAsync("eval", "--input", input);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("bad.jsonl:2.label: is required");
    }

    [Fact]
    public async Task TrainThenClassify_WithTheNewModel_UsesIt()
    {
        using var temp = new TempDirectory();
        var sample = temp.Write("train.jsonl", string.Join('\n', File.ReadLines(RepositoryPaths.File("data", "classifier", "train.jsonl")).Where((_, i) => i % 8 == 0)));
        var model = Path.Combine(temp.Path, "model.zip");
        var signals = temp.Write("signals.jsonl", "{\"id\": \"x1\", \"source\": \"log\", \"text\": \"java.lang.OutOfMemoryError: Java heap space\"}\n");

        var train = await CliRunner.RunAsync("train", "--input", sample, "--output", model, "--calibration-folds", "2");
        var classify = await CliRunner.RunAsync("classify", "--model", model, "--classifier", "model", "--input", signals);

        train.ExitCode.ShouldBe(0, train.Error);
        train.Output.ShouldContain("trained on");
        File.Exists(model).ShouldBeTrue();
        classify.ExitCode.ShouldBe(0, classify.Error);
        JsonDocument.Parse(classify.Output).RootElement.GetProperty("classifier").GetString().ShouldBe("model");
    }

    [Fact]
    public async Task LabelThenTrainFromAudit_LearnsFromTheHumansLabel()
    {
        using var temp = new TempDirectory();
        string incidentId;
        await using (var h = new PipelineHarness(storeConnectionString: $"Data Source={Path.Combine(temp.Path, "homeostat.db")}"))
        {
            incidentId = (await h.HandleAsync(SignalBuilder.Unclassifiable() with { Text = "kafka consumer group payments lag 120000 messages" })).Id;
        }

        var label = await CliRunner.RunAsync("label", incidentId, "unknown", "--by", "gina", "--data", temp.Path);
        var badLabel = await CliRunner.RunAsync("label", incidentId, "made_up_class", "--data", temp.Path);
        var sample = temp.Write("train.jsonl", string.Join('\n', File.ReadLines(RepositoryPaths.File("data", "classifier", "train.jsonl")).Where((_, i) => i % 10 == 0)));
        var train = await CliRunner.RunAsync("train", "--input", sample, "--from-audit", "--data", temp.Path, "--output", Path.Combine(temp.Path, "m.zip"), "--calibration-folds", "0");

        label.ExitCode.ShouldBe(0, label.Error);
        badLabel.ExitCode.ShouldBe(1);
        train.ExitCode.ShouldBe(0, train.Error);
        train.Output.ShouldContain("1 labelled incident(s) from the audit trail");
    }
}
