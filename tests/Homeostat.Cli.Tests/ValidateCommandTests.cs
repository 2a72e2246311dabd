namespace Homeostat.Cli.Tests;

public sealed class ValidateCommandTests
{
    [Fact]
    public async Task Validate_SeedCatalogAsWritten_ExitsZero()
    {
        var seed = Path.Combine(CliRunner.RepositoryRoot(), "examples", "seed-catalog.yaml");

        var result = await CliRunner.RunAsync("validate", seed);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("valid");
    }

    [Fact]
    public async Task Validate_TheSeedDocumentsOwnBlock_ExitsZero()
    {
        // The catalog exactly as the seed document prints it, cut from the shared seed when it is present.
        var seedDocument = Path.Combine(CliRunner.RepositoryRoot(), "..", "shared", "seed", "000_4993a17f181c878e.txt");
        if (!File.Exists(seedDocument))
        {
            // Outside the project's workspace the seed is not beside the checkout; examples/seed-catalog.yaml is its copy.
            return;
        }

        var text = await File.ReadAllTextAsync(seedDocument);
        var start = text.IndexOf("remediations:\n", StringComparison.Ordinal);
        var end = text.IndexOf("Notice dependency_timeout", StringComparison.Ordinal);
        using var temp = new TempDirectory();
        var catalog = temp.Write("seed.yaml", text[start..end]);

        var result = await CliRunner.RunAsync("validate", catalog);

        result.ExitCode.ShouldBe(0, result.Error);
    }

    [Fact]
    public async Task Validate_MisspeltParameter_ExitsOneNamingFileLineAndKey()
    {
        using var temp = new TempDirectory();
        var catalog = temp.Write("catalog.yaml", """
            remediations:
              oom:
                action: scale_memory_limit
                max_increse: "512Mi"
                confidence_floor: 0.85
                auto: true
            """);

        var result = await CliRunner.RunAsync("validate", catalog);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain($"{catalog}:4:5: remediations.oom.max_increse: unknown key");
        result.Error.ShouldContain("did you mean 'max_increase'");
    }

    [Fact]
    public async Task Validate_SeveralProblems_ReportsThemAll()
    {
        using var temp = new TempDirectory();
        var catalog = temp.Write("catalog.yaml", """
            remediations:
              disk_full:
                action: rotate_and_compres_logs
                confidence_floor: 1.2
              cert_expiry:
                action: trigger_cert_renewal
                confidence_floor: 0.9
                rate_limit: { max: 3, per: "an hour" }
            """);

        var result = await CliRunner.RunAsync("validate", catalog);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain(":3:13: remediations.disk_full.action: no registered action implements this (did you mean 'rotate_and_compress_logs'?)");
        result.Error.ShouldContain(":4:23: remediations.disk_full.confidence_floor: must be a number between 0 and 1 (value: '1.2')");
        result.Error.ShouldContain(":8:32: remediations.cert_expiry.rate_limit.per: is not a duration");
        result.Output.ShouldContain("3 error(s)");
    }

    [Fact]
    public async Task Validate_ConfigWithUnknownKey_ExitsOneWithLocation()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", """
            guardrails:
              dry_run: false
              rate_limt: { max: 3 }
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain($"{config}:3:3: guardrails.rate_limt: unknown key (did you mean 'rate_limit'?)");
    }

    [Fact]
    public async Task Validate_KubernetesWithoutKubeconfigOutsideACluster_SaysHowToFixIt()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", """
            kubernetes:
              enabled: true
              allowed_namespaces: [shop]
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1, result.Error);
        // Not written at all: located at its section, the key named as written in YAML.
        result.Error.ShouldContain($"{config}:1:1: kubernetes.kubeconfig: not set, and Homeostat is not running in a cluster");
        result.Error.ShouldNotContain("internal error");
    }

    [Fact]
    public async Task Validate_KubernetesWithAnUnreadableKubeconfig_NamesTheFileAndTheProblem()
    {
        using var temp = new TempDirectory();
        var kubeconfig = temp.Write("kubeconfig", "clusters: [\n");
        var config = temp.Write("homeostat.yaml", $"""
            kubernetes:
              enabled: true
              kubeconfig: {kubeconfig}
              allowed_namespaces: [shop]
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1, result.Error);
        result.Error.ShouldContain($"{config}:3:15: kubernetes.kubeconfig: '{kubeconfig}' cannot be used:");
        result.Error.ShouldNotContain("internal error");
    }

    [Fact]
    public async Task Validate_ConfigWithBadValue_ExitsOne()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", """
            guardrails:
              rate_limit: { max: 0, per: 1h }
            probes:
              - name: logs
                kind: directory_size
                path: /var/log
                service: web
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("max");
        result.Error.ShouldContain("max_bytes");
    }

    [Fact]
    public async Task Validate_HostProbes_NewKindsAreAcceptedAndTheirErrorsNameProbeAndField()
    {
        var variable = "HOMEOSTAT_CLI_TEST_PG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "Host=127.0.0.1;Port=5432;Username=monitor;Password=s3cret-value;Database=postgres");
        try
        {
            using var temp = new TempDirectory();
            var valid = temp.Write("valid.yaml", $$"""
                probes:
                  - { name: root-inodes, kind: filesystem_inodes, path: /, max_percent: 90, interval: 1m, service: node }
                  - { name: nginx-memory, kind: memory_usage, path: /run/nginx.pid, max_percent: 90, interval: 30s, service: web }
                  - { name: app-cgroup, kind: memory_usage, path: /sys/fs/cgroup/system.slice/app.service, max_bytes: 2Gi, service: app }
                  - { name: orders-pg, kind: postgres_connections, connection_string_env: {{variable}}, max_percent: 80, timeout: 5s, service: orders }
                """);
            var invalid = temp.Write("invalid.yaml", """
                probes:
                  - { name: inodes, kind: filesystem_inodes, max_bytes: 1Gi, service: node }
                  - { name: orders-pg, kind: postgres_connections, service: orders }
                  - { name: nginx-memory, kind: memory_usage, path: /run/nginx.pid, max_percent: 150, service: web }
                """);

            var ok = await CliRunner.RunAsync("validate", valid);
            var bad = await CliRunner.RunAsync("validate", invalid);

            ok.ExitCode.ShouldBe(0, ok.Error);
            bad.ExitCode.ShouldBe(1);
            bad.Error.ShouldContain("probes[0] (inodes): path is required");
            bad.Error.ShouldContain("probes[0] (inodes): max_bytes does not apply to a filesystem_inodes probe");
            bad.Error.ShouldContain("probes[1] (orders-pg): connection_string_env is required");
            bad.Error.ShouldContain("probes[2] (nginx-memory): max_percent:");
            bad.Error.ShouldNotContain("s3cret-value");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Validate_QuickstartConfigAndCatalog_AreValid()
    {
        var quickstart = Path.Combine(CliRunner.RepositoryRoot(), "examples", "quickstart");

        var result = await CliRunner.RunAsync("validate", Path.Combine(quickstart, "homeostat.yaml"), Path.Combine(quickstart, "catalog.yaml"));

        result.ExitCode.ShouldBe(0, result.Error);
    }

    [Fact]
    public async Task Validate_ACatalogOfDeclaredClassesOnly_IsReadAsACatalog()
    {
        using var temp = new TempDirectory();
        var catalog = temp.Write("classes.yaml", "classes:\n  crashloop:\n    match: [ ['alertname=~\"Crash[[:alpha:]]+\"'] ]\n");

        var result = await CliRunner.RunAsync("validate", catalog);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldNotContain("unknown section");
        result.Error.ShouldContain("classes.yaml:3:");
        result.Error.ShouldContain("POSIX class");
    }
}
