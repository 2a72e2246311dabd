using System.Text.Json;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;

namespace Homeostat.Cli.Tests;

/// <summary>classify and explain show a declared classification with the catalog file and line that declared it.</summary>
public sealed class DeclaredClassCommandTests : IDisposable
{
    private const string CatalogYaml = """
        classes:
          crashloop:
            match:
              - ['alertname="KubePodCrashLooping"']
          log_growth:
            match: [ ['alertname=~"AppLog.*"'] ]
        remediations:
          crashloop:
            action: open_circuit_breaker
            confidence_floor: 1.0
            auto: true
        """;

    private readonly TempDirectory _data = new();

    [Fact]
    public async Task Classify_WithADeclaringCatalog_ShowsTheDeclaredVoteWithFileAndLine()
    {
        var catalog = _data.Write("catalog.yaml", CatalogYaml);
        var input = _data.Write("signals.jsonl", """
            {"id": "a", "source": "alertmanager", "labels": {"alertname": "KubePodCrashLooping", "namespace": "shop"}}
            {"id": "b", "source": "alertmanager", "labels": {"alertname": "AppLogDirectoryTooLarge", "team": "shop"}}
            {"id": "c", "source": "alertmanager", "labels": {"alertname": "QueueBacklogHigh", "homeostat_class": "log_growth"}}
            {"id": "d", "source": "log", "text": "write /var/lib/data/seg-0042: no space left on device"}
            """);

        var result = await CliRunner.RunAsync("classify", "--catalog", catalog, "--input", input);

        result.ExitCode.ShouldBe(0, result.Error);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Select(l => l.GetProperty("class").GetString()).ShouldBe(["crashloop", "log_growth", "log_growth", "disk_full"]);
        lines.Select(l => l.GetProperty("classifier").GetString()).ShouldBe(["declared", "declared", "class_label", "ensemble"]);
        lines[0].GetProperty("confidence").GetDouble().ShouldBe(1.0);
        lines[0].GetProperty("reasoning").GetString().ShouldBe($"declared by {catalog}:4 alertname=\"KubePodCrashLooping\"");
        lines[1].GetProperty("reasoning").GetString().ShouldBe($"declared by {catalog}:6 alertname=~\"AppLog.*\"");
    }

    [Fact]
    public async Task Classify_CatalogWithABadMatcher_FailsWithTheLocatedError()
    {
        var catalog = _data.Write("catalog.yaml", CatalogYaml.Replace("alertname=~\"AppLog.*\"", "alertname=~\"AppLog(.*\"", StringComparison.Ordinal));
        var input = _data.Write("signals.jsonl", "{\"id\": \"a\", \"source\": \"log\", \"text\": \"x\"}\n");

        var result = await CliRunner.RunAsync("classify", "--catalog", catalog, "--input", input);

        result.ExitCode.ShouldNotBe(0);
        result.Error.ShouldContain($"{catalog}:6:15: classes.log_growth.match[0][0]: is not a valid regular expression");
    }

    [Fact]
    public async Task Explain_DeclaredIncident_ShowsTheDeclarationWithFileAndLine()
    {
        string incidentId;
        await using (var engine = new PipelineHarness(CatalogYaml, storeConnectionString: $"Data Source={Path.Combine(_data.Path, "homeostat.db")}"))
        {
            engine.Verifier.AlwaysReturns(VerificationStatus.Cleared, "the pod stopped restarting");
            var incident = await engine.HandleAsync(new Signal
            {
                Id = "crash-1",
                Source = SignalSources.Alertmanager,
                Service = "shop",
                Title = "KubePodCrashLooping",
                Labels = new Dictionary<string, string> { ["alertname"] = "KubePodCrashLooping", ["namespace"] = "shop" },
            });
            engine.Time.Advance(TimeSpan.FromMinutes(1));
            await engine.RunUntilIdleAsync();
            incidentId = incident.Id;
        }

        var result = await CliRunner.RunAsync("explain", incidentId, "--data", _data.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("Class       crashloop, confidence 1.00 (declared): declared by test-catalog.yaml:4 alertname=\"KubePodCrashLooping\"");
        result.Output.ShouldContain("Action      open_circuit_breaker");
    }

    public void Dispose() => _data.Dispose();
}
