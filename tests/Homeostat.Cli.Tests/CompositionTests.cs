using System.Net;
using System.Net.Sockets;
using Homeostat.Remediation;
using Homeostat.Server;
using Homeostat.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Tests;

/// <summary>
/// One composition for run, validate and every command: the same modules, the same config sources, one error format
/// (file:line:col: dotted.key: message (value)) with every problem at once.
/// </summary>
public sealed class CompositionTests
{
    /// <summary>Every action of this build, with the parameters each requires.</summary>
    private static readonly Dictionary<string, string> EveryAction = new()
    {
        ["webhook"] = "endpoint: runbook",
        ["rotate_and_compress_logs"] = "path: /var/log/app",
        ["trigger_cert_renewal"] = "min_remaining: 24h",
        ["clean_directory"] = "older_than: 7d",
        ["run_script"] = "script: flush-cache",
        ["restart_service"] = "unit: app.service",
        ["terminate_idle_connections"] = "target: orders",
        ["restart_workload"] = "min_interval: 5m",
        ["scale_replicas"] = "max: 5",
        ["delete_pod"] = string.Empty,
        ["cordon_node"] = string.Empty,
        ["scale_memory_limit"] = "max_increase: 512Mi",
        ["open_circuit_breaker"] = "consecutive_errors: 5",
    };

    private static readonly string[] KubernetesActions = ["restart_workload", "scale_replicas", "delete_pod", "cordon_node", "scale_memory_limit", "open_circuit_breaker"];

    [Fact]
    public async Task Validate_ACatalogNamingEveryActionOfTheBuild_PassesWithoutAConfig_WarningOncePerTurnedOffAction()
    {
        // The list above is the build's: a new action fails this test until it is added here.
        var services = new ServiceCollection();
        services.AddHomeostatModules(HomeostatComposition.BuildConfiguration(null));
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IActionRegistry>().Descriptors.Select(d => d.Name).Order().ShouldBe(EveryAction.Keys.Order());
        }

        using var temp = new TempDirectory();
        var catalog = temp.Write("catalog.yaml", "remediations:\n" + string.Concat(EveryAction.Select(a =>
            $"  c_{a.Key}:\n    action: {a.Key}\n    confidence_floor: 0.9\n    auto: true\n" + (a.Value.Length == 0 ? string.Empty : $"    params: {{ {a.Value} }}\n"))));

        var result = await CliRunner.RunAsync("validate", catalog);

        result.ExitCode.ShouldBe(0, result.Error);
        var all = Lines(result.Error);
        result.Output.ShouldContain($"{catalog}: valid ({all.Count} warning(s))");

        // Besides the turned-off modules, validate warns about auto: true actions that cannot check their premise.
        foreach (var action in new[] { "webhook", "run_script", "restart_service" })
        {
            all.ShouldContain(line => line.Contains($": warning: remediations.c_{action}.auto: action '{action}' cannot check its premise", StringComparison.Ordinal));
        }

        all.ShouldNotContain(line => line.Contains("c_rotate_and_compress_logs.auto", StringComparison.Ordinal) || line.Contains("c_clean_directory.auto", StringComparison.Ordinal));
        var warnings = all.Where(line => !line.Contains("cannot check its premise", StringComparison.Ordinal)).ToList();
        warnings.Count.ShouldBe(KubernetesActions.Length, result.Error);
        foreach (var action in KubernetesActions)
        {
            warnings.ShouldContain(line => line.StartsWith(catalog + ":", StringComparison.Ordinal)
                && line.Contains($": warning: remediations.c_{action}.action: {action} needs the kubernetes module, which the config turns off: set kubernetes.enabled: true", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task EveryConfigMistake_IsReportedLocatedInOneRun_ByValidateAndByRun()
    {
        using var temp = new TempDirectory();
        temp.Write("catalog.yaml", """
            remediations:
              pod_crashloop:
                action: restart_workload
                confidence_floor: 0.9
                auto: true
            """);
        var config = temp.Write("homeostat.yaml", """
            data: ./data
            catalog: { path: catalog.yaml }
            guardrails:
              rate_limit: { per: 1 hour }
              dry_rn: true
            kubernetes:
              enabled: false
              kubeconfig: kube/config
            server:
              listen: http://0.0.0.0:8088
              api_token_env: HOMEOSTAT_TEST_TOKEN_THAT_IS_NEVER_SET
            healing: { workers: 0 }
            """);
        var kubeconfig = Path.Combine(temp.Path, "kube", "config");
        string[] expected =
        [
            $"{config}:4:22: guardrails.rate_limit.per: is not a duration: write a number and a unit without a space (ms, s, m, h, d, w), such as 30s, 5m or 1h; use 1h (value: '1 hour')",
            $"{config}:5:3: guardrails.dry_rn: unknown key (did you mean 'dry_run'?)",
            $"{config}:8:15: kubernetes.kubeconfig: file '{kubeconfig}' does not exist",
            $"{config}:10:11: server.listen: http://0.0.0.0:8088 is reachable from other hosts but no API token is set",
            $"{config}:12:21: healing.workers: The field Workers must be between",
        ];
        var disabledAction = $"{Path.Combine(temp.Path, "catalog.yaml")}:3:13: remediations.pod_crashloop.action: restart_workload needs the kubernetes module, which the config turns off: set kubernetes.enabled: true (value: 'restart_workload')";

        var validate = await CliRunner.RunAsync("validate", config);
        var run = await CliRunner.RunAsync("run", "--config", config);

        validate.ExitCode.ShouldBe(1);
        run.ExitCode.ShouldBe(1);
        foreach (var line in expected)
        {
            Lines(validate.Error).ShouldContain(l => l.StartsWith(line, StringComparison.Ordinal), $"validate did not say: {line}\n{validate.Error}");
            Lines(run.Error).ShouldContain(l => l.StartsWith(line, StringComparison.Ordinal), $"run did not say: {line}\n{run.Error}");
        }

        // The action whose module is off: a warning for validate, an error naming the key to set for run.
        Lines(validate.Error).ShouldContain(l => l.Contains(": warning: remediations.pod_crashloop.action: restart_workload needs the kubernetes module", StringComparison.Ordinal));
        Lines(run.Error).ShouldContain(disabledAction);
        Lines(run.Error).Count.ShouldBe(expected.Length + 1, run.Error);
        run.Error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Validate_RefusesWhatRunRefuses_APublicListenWithoutAToken()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", "server: { listen: http://0.0.0.0:8088, api_token_env: HOMEOSTAT_TEST_TOKEN_THAT_IS_NEVER_SET }\n");

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldStartWith($"{config}:1:19: server.listen: http://0.0.0.0:8088 is reachable from other hosts but no API token is set");
    }

    [Fact]
    public async Task RelativePaths_ResolveAgainstTheConfigFile_NotTheWorkingDirectory()
    {
        using var temp = new TempDirectory();
        temp.Write("secrets/token", "a-token\n");
        temp.Write("rules/catalog.yaml", "remediations:\n  disk_full:\n    action: rotate_and_compress_logs\n    confidence_floor: 0.9\n    auto: true\n");
        var config = temp.Write("conf/homeostat.yaml", """
            catalog: { path: ../rules/catalog.yaml }
            server: { listen: http://0.0.0.0:8088, api_token_file: ../secrets/token }
            verification:
              prometheus: { url: http://127.0.0.1:9090, bearer_token_file: ../secrets/token }
            actions:
              rotate_and_compress_logs: { allowed_roots: [../logs] }
            """);

        var result = await CliRunner.RunAsync("validate", config);

        Directory.GetCurrentDirectory().ShouldNotStartWith(temp.Path);
        result.ExitCode.ShouldBe(0, result.Error);
    }

    [Fact]
    public async Task TheCli_HonoursHomeostatEnvironmentOverrides_AsRunDoes()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", "guardrails: { dry_run: true }\nserver: { listen: http://127.0.0.1:0 }\n");
        await using (var store = new PipelineHarness(storeConnectionString: $"Data Source={Path.Combine(temp.Path, "homeostat.db")}"))
        {
            await store.HandleAsync(SignalBuilder.DiskFull());
        }

        var environment = new Dictionary<string, string> { ["HOMEOSTAT__HEALING__WORKERS"] = "0" };

        // Each in a process of its own, so the variable reaches no other test.
        var validate = await CliRunner.RunProcessAsync(environment, "validate", config);
        var audit = await CliRunner.RunProcessAsync(environment, "audit", "--config", config, "--data", temp.Path);
        var run = await CliRunner.RunProcessAsync(environment, "run", "--config", config, "--data", temp.Path);

        foreach (var (code, _, error) in new[] { validate, audit, run })
        {
            code.ShouldBe(1, error);
            error.ShouldContain("environment variable HOMEOSTAT__HEALING__WORKERS: healing.workers: The field Workers must be between 1 and 64. (value: '0')");
        }
    }

    [Fact]
    public async Task Run_BadConfig_OneLocatedLineExitOneAndNoStackTrace()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", "data: ./data\nguardrails:\n  rate_limit: { per: 1 hour }\nserver: { listen: http://127.0.0.1:0 }\n");

        var (code, output, error) = await CliRunner.RunProcessAsync("run", "--config", config);

        code.ShouldBe(1, error);
        Lines(error).ShouldBe([$"{config}:3:22: guardrails.rate_limit.per: is not a duration: write a number and a unit without a space (ms, s, m, h, d, w), such as 30s, 5m or 1h; use 1h (value: '1 hour')"]);
        (output + error).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_InvalidCatalog_OneLocatedLineExitOneAndNoStackTrace()
    {
        using var temp = new TempDirectory();
        var catalog = temp.Write("catalog.yaml", "remediations:\n  disk_full:\n    action: rotate_and_compress_logs\n    confidence_floor: 2\n");
        var config = temp.Write("homeostat.yaml", "data: ./data\ncatalog: { path: catalog.yaml }\nserver: { listen: http://127.0.0.1:0 }\n");

        var (code, output, error) = await CliRunner.RunProcessAsync("run", "--config", config);

        code.ShouldBe(1, error);
        Lines(error).ShouldBe([$"{catalog}:4:23: remediations.disk_full.confidence_floor: must be a number between 0 and 1 (value: '2')"]);
        (output + error).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_PortInUse_OneLocatedLineExitOneAndNoStackTrace()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", $"data: ./data\nserver:\n  listen: http://127.0.0.1:{port}\n");

        var (code, output, error) = await CliRunner.RunProcessAsync("run", "--config", config);

        code.ShouldBe(1, error);
        var line = Lines(error).ShouldHaveSingleItem();
        line.ShouldStartWith($"{config}:3:11: server.listen: cannot listen on http://127.0.0.1:{port}: ");
        line.ShouldContain("address already in use");
        (output + error).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_AStoreItCannotOpen_OneLocatedLineExitOneAndNoStackTrace()
    {
        using var temp = new TempDirectory();
        temp.Write("data/homeostat.db", "this is not a database, it is a text file that someone put here by mistake");
        var config = temp.Write("homeostat.yaml", "data: ./data\nserver: { listen: http://127.0.0.1:0 }\n");

        var (code, output, error) = await CliRunner.RunProcessAsync("run", "--config", config);

        code.ShouldBe(1, error);
        Lines(error).ShouldHaveSingleItem().ShouldStartWith($"{config}:1:7: data: cannot open the store: ");
        (output + error).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task SectionWrittenAsASingleValue_OneLocatedLineNamingItsKeys_NotTheBindersMessageAgainElsewhere()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", $"data: {temp.Path}/data\ncatalog: my-catalog.yaml\n");

        var run = await CliRunner.RunAsync("run", "--config", config);
        var validate = await CliRunner.RunAsync("validate", config);

        foreach (var result in new[] { run, validate })
        {
            result.ExitCode.ShouldBe(1);
            var line = Lines(result.Error).Where(l => l.StartsWith(config + ":", StringComparison.Ordinal)).ShouldHaveSingleItem();
            line.ShouldBe($"{config}:2:10: catalog: must be a mapping, not a single value; its keys: path");
            result.Error.ShouldNotContain("Failed to convert");
        }
    }

    [Fact]
    public async Task Run_ConfigThatIsNotYaml_OneLocatedLineForRunAndValidate()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", "guardrails:\n  dry_run: [unclosed\n");

        var run = await CliRunner.RunAsync("run", "--config", config);
        var validate = await CliRunner.RunAsync("validate", config);

        run.ExitCode.ShouldBe(1);
        validate.ExitCode.ShouldBe(1);
        Lines(run.Error).ShouldHaveSingleItem().ShouldStartWith($"{config}:3:1: yaml: is not valid YAML");
        Lines(validate.Error).ShouldHaveSingleItem().ShouldStartWith($"{config}:3:1: yaml: is not valid YAML");
    }

    [Fact]
    public async Task Help_NamesTheCommandHomeostat_NotTheAssembly()
    {
        var root = await CliRunner.RunAsync("--help");
        var validate = await CliRunner.RunAsync("validate", "--help");

        root.ExitCode.ShouldBe(0);
        root.Output.ShouldContain("Usage:\n  homeostat [command] [options]");
        validate.Output.ShouldContain("homeostat validate <files>...");
        (root.Output + validate.Output).ShouldNotContain("Homeostat.Cli");
    }

    private static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
