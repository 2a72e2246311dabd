namespace Homeostat.Cli.Tests;

public sealed class PrometheusConfigValidateTests
{
    [Fact]
    public async Task Validate_ThePrometheusSourceExample_ExitsZero()
    {
        var example = Path.Combine(CliRunner.RepositoryRoot(), "examples", "prometheus-source.yaml");

        var result = await CliRunner.RunAsync("validate", example);

        result.ExitCode.ShouldBe(0, result.Error);
    }

    [Fact]
    public async Task Validate_BadRules_ExitsOneNamingRuleFieldAndValue()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", """
            sources:
              prometheus:
                url: http://127.0.0.1:9090
                rules:
                  - name: Disk
                    expr: node_filesystem_avail_bytes
                    threshold: { op: above, value: 0.9 }
                  - name: Disk
                    expr: ""
                    labels: [instance, not-a-label]
            verification:
              alertmanager_signals: alertmanagr
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("sources.prometheus.rules[0] (Disk): threshold.op 'above' is not one of gt, ge, lt, le, eq, ne");
        result.Error.ShouldContain("sources.prometheus.rules[1] (Disk): name 'Disk' is used by an earlier rule");
        result.Error.ShouldContain("sources.prometheus.rules[1] (Disk): expr is empty");
        result.Error.ShouldContain("sources.prometheus.rules[1] (Disk): labels: 'not-a-label' is not a valid Prometheus label name");
        result.Error.ShouldContain($"{config}:12:25: verification.alertmanager_signals: must be one of prometheus, alertmanager (got 'alertmanagr')");
    }

    [Fact]
    public async Task Validate_MisspeltRuleKey_ExitsOneWithLocation()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", """
            sources:
              prometheus:
                url: http://127.0.0.1:9090
                rules:
                  - name: Up
                    expr: up == 0
                    servce_label: service
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain($"{config}:7:9: sources.prometheus.rules[0].servce_label: unknown key (did you mean 'service_label'?)");
    }
}
