namespace Homeostat.Cli.Tests;

/// <summary>The access checks <c>run</c> makes before it listens, through the real executable, and <c>validate</c> saying the same.</summary>
public sealed class AccessStartupTests
{
    [Theory]
    [InlineData("http://127.0.0.1:0/;http://0.0.0.0:0", "http://0.0.0.0:0")]
    [InlineData("http://localhost:0/;http://*:0", "http://*:0")]
    public async Task Run_ListeningBeyondLoopbackOnAnyUrlWithoutAToken_IsRefused(string listen, string open)
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", "data: ./data\n");

        var (code, _, error) = await CliRunner.RunProcessAsync("run", "--config", config, "--listen", listen);

        code.ShouldBe(1, error);
        error.ShouldContain($"server.listen: {open} is reachable from other hosts but no API token is set");
        error.ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("http://127.0.0.1:8088/;http://0.0.0.0:8089", "http://0.0.0.0:8089")]
    [InlineData("http://localhost:8088/;http://*:8089", "http://*:8089")]
    public async Task Validate_ReportsTheSameRefusal(string listen, string open)
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", $"server:\n  listen: \"{listen}\"\n  api_token_env: HOMEOSTAT_TEST_TOKEN_THAT_IS_NEVER_SET\n");

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldStartWith($"{config}:2:11: server.listen: {open} is reachable from other hosts but no API token is set");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public async Task Run_WithAnEmptyTokenFile_IsRefusedEvenWhenTheVariableHoldsAToken(string content)
    {
        using var temp = new TempDirectory();
        var token = temp.Write("token", content);
        var config = temp.Write("homeostat.yaml", "data: ./data\nserver: { listen: http://127.0.0.1:0, api_token_file: token }\n");

        var (code, _, error) = await CliRunner.RunProcessAsync(new Dictionary<string, string> { ["HOMEOSTAT_API_TOKEN"] = "a-token-in-the-environment" }, "run", "--config", config);
        var validate = await CliRunner.RunAsync("validate", config);

        code.ShouldBe(1, error);
        error.Trim().ShouldBe($"{config}:2:55: server.api_token_file: '{token}' is empty; it must hold the API token (an empty file never turns authentication off)");
        validate.ExitCode.ShouldBe(1);
        validate.Error.ShouldContain("server.api_token_file: ");
    }

    [Fact]
    public async Task Validate_ANamedTokenWhoseFileIsMissing_IsLocatedAtItsKey()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", """
            server:
              listen: http://0.0.0.0:8088
              tokens:
                - { name: alice, role: operator, file: secrets/alice }
                - { name: am, role: pager, env: HOMEOSTAT_TEST_TOKEN_THAT_IS_NEVER_SET }
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain($"server.tokens[0].file: '{Path.Combine(temp.Path, "secrets", "alice")}' does not exist");
        result.Error.ShouldContain("server.tokens[1].role: must be one of viewer, ingest, operator, admin (got 'pager')");
        result.Error.ShouldNotContain("is reachable from other hosts");
    }
}
