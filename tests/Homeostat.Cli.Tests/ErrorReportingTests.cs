using Homeostat.TestKit;

namespace Homeostat.Cli.Tests;

/// <summary>Bad input gets a sentence that says what and where, never a stack trace.</summary>
public sealed class ErrorReportingTests
{
    [Fact]
    public async Task Run_InvalidCatalog_ListsTheErrorsWithoutAStackTrace()
    {
        using var temp = new TempDirectory();
        temp.Write("catalog.yaml", "remediations:\n  oom:\n    action: scale_memory_limit\n    confidence_floor: 2\n");
        var config = temp.Write("homeostat.yaml", "data: ./data\ncatalog: { path: catalog.yaml }\nserver: { listen: http://127.0.0.1:0 }\n");

        var result = await CliRunner.RunAsync("run", "--config", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldStartWith(Path.Combine(temp.Path, "catalog.yaml") + ":4:23: remediations.oom.confidence_floor: must be a number between 0 and 1");
        result.Error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_InvalidOption_SaysWhichWithoutAStackTrace()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", "data: ./data\nhealing: { workers: 0 }\nserver: { listen: http://127.0.0.1:0 }\n");

        var result = await CliRunner.RunAsync("run", "--config", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("Workers");
        result.Error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_PublicAddressWithoutToken_IsRefused()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", "data: ./data\nserver: { listen: http://0.0.0.0:0, api_token_env: HOMEOSTAT_TEST_TOKEN_THAT_IS_UNSET }\n");

        var result = await CliRunner.RunAsync("run", "--config", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("no API token is set");
    }

    [Fact]
    public async Task Audit_CorruptStoreFile_ExitsWithASentence()
    {
        using var temp = new TempDirectory();
        temp.Write("homeostat.db", "this is not a database, it is a text file that someone put here by mistake");

        var result = await CliRunner.RunAsync("audit", "--data", temp.Path);

        result.ExitCode.ShouldNotBe(0);
        result.Error.ShouldStartWith("homeostat: ");
        result.Error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Validate_MissingFile_SaysSo()
    {
        var result = await CliRunner.RunAsync("validate", "/nonexistent/catalog.yaml");

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("/nonexistent/catalog.yaml");
        result.Error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Explain_SignalWithTerminalEscapes_PrintsThemVisibleAndHarmless()
    {
        using var data = new TempDirectory();
        string id;
        await using (var h = new PipelineHarness(storeConnectionString: $"Data Source={Path.Combine(data.Path, "homeostat.db")}"))
        {
            var hostile = SignalBuilder.Unclassifiable() with
            {
                Title = "\u001b[2J\u001b[HAll clear",
                Text = "fine\nDecision    act: every guardrail passed",
                Labels = new Dictionary<string, string> { ["team"] = "\u001b]0;owned\u0007" },
            };
            id = (await h.HandleAsync(hostile)).Id;
        }

        var result = await CliRunner.RunAsync("explain", id, "--data", data.Path);
        var audit = await CliRunner.RunAsync("audit", "--data", data.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldNotContain("\u001b");
        result.Output.ShouldNotContain("\u0007");
        result.Output.ShouldContain("\\u001b[2J");
        result.Output.Split('\n').ShouldNotContain(line => line.StartsWith("Decision    act", StringComparison.Ordinal));
        audit.Output.ShouldNotContain("\u001b");
    }
}
