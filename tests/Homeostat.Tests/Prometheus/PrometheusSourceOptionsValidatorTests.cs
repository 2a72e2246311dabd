using Homeostat.Configuration;
using Homeostat.Primitives;
using Homeostat.Prometheus;
using Homeostat.Verification;
using Homeostat.Verification.Alertmanager;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Tests.Prometheus;

public sealed class PrometheusSourceOptionsValidatorTests
{
    [Fact]
    public void WellFormedRules_Pass()
    {
        var result = Validate(new PrometheusSourceOptions
        {
            Url = "http://127.0.0.1:9090",
            Rules =
            [
                new() { Name = "CheckoutDiskFilling", Expr = "node_filesystem_avail_bytes / node_filesystem_size_bytes", Threshold = new() { Op = "lt", Value = 0.1 }, For = Duration.Parse("2m"), ServiceLabel = "service", Labels = ["instance", "mountpoint"], Severity = "critical" },
                new() { Name = "ApiDown", Expr = "up{job=\"api\"} == 0", Service = "api" },
                new() { Name = "Errors", Expr = "rate(errors_total[5m])", Threshold = new() { Op = ">=", Value = 1 } },
            ],
        });

        result.Failed.ShouldBeFalse(result.FailureMessage);
    }

    [Fact]
    public void NoRules_NeedNoUrl()
    {
        Validate(new PrometheusSourceOptions()).Failed.ShouldBeFalse();
    }

    [Fact]
    public void EveryProblem_IsReportedWithRuleFieldAndValue()
    {
        var result = Validate(new PrometheusSourceOptions
        {
            Url = "ftp://prometheus:9090",
            Interval = Duration.Parse("10ms"),
            Timeout = Duration.Zero,
            Rules =
            [
                new() { Name = "Disk", Expr = " ", Threshold = new() { Op = "above", Value = 0.9 } },
                new() { Name = "Disk", Expr = "up", Threshold = new() { Op = "gt" } },
                new() { Name = "9lives", Expr = "up", Service = "a b", ServiceLabel = "service" },
                new() { Name = "Labels", Expr = "up", Labels = ["instance", "bad-name", "alertname", "instance"], ServiceLabel = "0svc", Severity = "CRITICAL!", MaxSeries = 0 },
            ],
        });

        result.Failed.ShouldBeTrue();
        var failures = result.Failures!.ToList();
        failures.ShouldContain("sources.prometheus.url must be an absolute http(s) URL without query, such as http://127.0.0.1:9090 (got 'ftp://prometheus:9090')");
        failures.ShouldContain("sources.prometheus.interval must be at least 100ms (got 10ms)");
        failures.ShouldContain("sources.prometheus.timeout must be longer than zero (got 0s)");
        failures.ShouldContain("sources.prometheus.rules[0] (Disk): expr is empty; write the PromQL expression to evaluate");
        failures.ShouldContain(f => f.StartsWith("sources.prometheus.rules[0] (Disk): threshold.op 'above' is not one of gt, ge, lt, le, eq, ne", StringComparison.Ordinal));
        failures.ShouldContain("sources.prometheus.rules[1] (Disk): name 'Disk' is used by an earlier rule; rule names must be unique");
        failures.ShouldContain("sources.prometheus.rules[1] (Disk): threshold.value is required and must be a number");
        failures.ShouldContain(f => f.StartsWith("sources.prometheus.rules[2] (9lives): name '9lives' must start with a letter", StringComparison.Ordinal));
        failures.ShouldContain("sources.prometheus.rules[2] (9lives): set either service ('a b') or service_label ('service'), not both");
        failures.ShouldContain(f => f.StartsWith("sources.prometheus.rules[2] (9lives): service 'a b' must use", StringComparison.Ordinal));
        failures.ShouldContain("sources.prometheus.rules[3] (Labels): labels: 'bad-name' is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
        failures.ShouldContain("sources.prometheus.rules[3] (Labels): labels: 'alertname' is set by the rule itself and cannot be carried from the series");
        failures.ShouldContain("sources.prometheus.rules[3] (Labels): labels: 'instance' is listed twice");
        failures.ShouldContain("sources.prometheus.rules[3] (Labels): service_label '0svc' is not a valid Prometheus label name");
        failures.ShouldContain(f => f.StartsWith("sources.prometheus.rules[3] (Labels): severity 'CRITICAL!'", StringComparison.Ordinal));
        failures.ShouldContain("sources.prometheus.rules[3] (Labels): max_series must be between 1 and 1000 (got 0)");
        failures.Count.ShouldBe(16, result.FailureMessage);
    }

    [Fact]
    public void RulesWithoutUrl_AndTimeoutOverInterval_AreErrors()
    {
        var result = Validate(new PrometheusSourceOptions { Interval = Duration.Parse("5s"), Timeout = Duration.Parse("10s"), Rules = [new() { Name = "Up", Expr = "up" }] });

        result.Failures!.ShouldBe(
        [
            "sources.prometheus.url is required (an http(s) URL such as http://127.0.0.1:9090)",
            "sources.prometheus.timeout (10s) must not be longer than interval (5s)",
        ]);
    }

    [Fact]
    public void YamlConfig_BindsTheDocumentedShape()
    {
        var file = Path.Combine(Path.GetTempPath(), $"homeostat-prom-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            sources:
              prometheus:
                url: http://127.0.0.1:9090
                interval: 15s
                timeout: 5s
                rules:
                  - name: CheckoutDiskFilling
                    expr: node_filesystem_avail_bytes{mountpoint="/var"} / node_filesystem_size_bytes
                    threshold: { op: "<", value: 0.1 }
                    for: 2m
                    service_label: service
                    labels: [instance, mountpoint]
                    severity: critical
                    summary: "/var is almost full"
            verification:
              alertmanager_signals: alertmanager
              alertmanager:
                url: http://127.0.0.1:9093
            """);
        try
        {
            using var services = Services(new ConfigurationBuilder().AddYamlFile(file).Build());

            var options = services.GetRequiredService<IOptions<PrometheusSourceOptions>>().Value;
            var rule = options.Rules.ShouldHaveSingleItem();
            rule.Expr.ShouldBe("node_filesystem_avail_bytes{mountpoint=\"/var\"} / node_filesystem_size_bytes");
            rule.Threshold!.Op.ShouldBe("<");
            rule.Threshold.Value.ShouldBe(0.1);
            rule.For.ShouldBe(Duration.Parse("2m"));
            rule.Labels.ShouldBe(["instance", "mountpoint"]);
            services.GetRequiredService<PrometheusRuleSet>().Rules.ShouldHaveSingleItem().Expression
                .ShouldBe("(node_filesystem_avail_bytes{mountpoint=\"/var\"} / node_filesystem_size_bytes) < 0.1");
            services.GetRequiredService<IOptions<VerificationOptions>>().Value.AlertmanagerSignals.ShouldBe("alertmanager");
            services.GetRequiredService<IOptions<AlertmanagerApiOptions>>().Value.Url.ShouldBe("http://127.0.0.1:9093");
            new ConfigValidator(Sections()).ValidateKeys(file).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MisspeltRuleKey_IsRejectedByKeyCheckingAndBinding()
    {
        var file = Path.Combine(Path.GetTempPath(), $"homeostat-prom-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            sources:
              prometheus:
                url: http://127.0.0.1:9090
                rules:
                  - name: Up
                    expr: up == 0
                    thresold: { op: gt, value: 1 }
            """);
        try
        {
            var error = new ConfigValidator(Sections()).ValidateKeys(file).ShouldHaveSingleItem();
            error.ToString().ShouldContain(":7:9: sources.prometheus.rules[0].thresold: unknown key (did you mean 'threshold'?)");

            using var services = Services(new ConfigurationBuilder().AddYamlFile(file).Build());
            Should.Throw<InvalidOperationException>(() => services.GetRequiredService<IOptions<PrometheusSourceOptions>>().Value);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void StartUp_FailsOnAnInvalidRuleAndOnAnUnusableVerifierChoice()
    {
        using var services = Services(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:Prometheus:Url"] = "http://127.0.0.1:9090",
            ["Sources:Prometheus:Rules:0:Name"] = "Up",
            ["Sources:Prometheus:Rules:0:Expr"] = "",
            ["Verification:AlertmanagerSignals"] = "alertmanager",
        }).Build());

        var error = Should.Throw<AggregateException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        error.InnerExceptions.ShouldAllBe(e => e is OptionsValidationException);
        error.Message.ShouldContain("sources.prometheus.rules[0] (Up): expr is empty");
        error.Message.ShouldContain("verification.alertmanager_signals is 'alertmanager' but verification.alertmanager.url is not set");
    }

    [Fact]
    public void VerifierChoice_MustBeKnown()
    {
        var result = new VerificationOptionsValidator().Validate(null, new VerificationOptions { AlertmanagerSignals = "both", Alertmanager = new() { Url = "127.0.0.1:9093" } });

        result.Failures!.ShouldBe(
        [
            "verification.alertmanager_signals must be one of prometheus, alertmanager (got 'both')",
            "verification.alertmanager.url must be an absolute http(s) URL without query, such as http://127.0.0.1:9090 (got '127.0.0.1:9093')",
        ]);
    }

    [Fact]
    public void CredentialsInAnyServerUrl_AreRejectedWithoutEchoingThem()
    {
        var source = Validate(new PrometheusSourceOptions { Url = "http://homeostat:s3cret@prometheus:9090", Rules = [new() { Name = "Up", Expr = "up == 0" }] });
        var verification = new VerificationOptionsValidator().Validate(null, new VerificationOptions
        {
            Prometheus = new() { Url = "https://homeostat:s3cret@prometheus:9090" },
            Alertmanager = new() { Url = "http://token@alertmanager:9093" },
        });

        var failures = source.Failures!.Concat(verification.Failures!).ToList();
        failures.Count.ShouldBe(3, string.Join("\n", failures));
        failures.ShouldAllBe(f => !f.Contains("s3cret") && !f.Contains("token@") && f.Contains("must not contain credentials"));
        failures[0].ShouldStartWith("sources.prometheus.url must not contain credentials");
        failures[1].ShouldStartWith("verification.prometheus.url must not contain credentials");
        failures[2].ShouldStartWith("verification.alertmanager.url must not contain credentials");
        failures[2].ShouldContain("verification.alertmanager.bearer_token_file");
        failures[0].ShouldContain("sources.prometheus.bearer_token_file");
        failures[1].ShouldContain("verification.prometheus.bearer_token_file");
    }

    [Fact]
    public void BearerTokenFiles_ThatDoNotExist_AreNamedWithTheirSetting()
    {
        var missing = Path.Combine(Path.GetTempPath(), "homeostat-no-such-token-" + Guid.NewGuid().ToString("N"));
        var source = Validate(new PrometheusSourceOptions { Url = "http://prometheus:9090", BearerTokenFile = missing, Rules = [new() { Name = "Up", Expr = "up == 0" }] });
        var verification = new VerificationOptionsValidator().Validate(null, new VerificationOptions
        {
            Prometheus = new() { Url = "http://prometheus:9090", BearerTokenFile = missing },
        });

        source.Failures.ShouldBe([$"sources.prometheus.bearer_token_file '{missing}' does not exist"]);
        verification.Failures.ShouldBe([$"verification.prometheus.bearer_token_file '{missing}' does not exist"]);
    }

    [Theory]
    [InlineData("http://admin:secret@prom:99999", "http://***@prom:99999")]
    [InlineData("http://admin:se@cret@prom:99999/x", "http://***@prom:99999/x")]
    [InlineData("admin:secret@prom:9090", "***@prom:9090")]
    public void UrlThatDoesNotParse_IsReportedWithItsCredentialsRedacted(string url, string shown)
    {
        var source = Validate(new PrometheusSourceOptions { Url = url, Rules = [new() { Name = "Up", Expr = "up == 0" }] });
        var verification = new VerificationOptionsValidator().Validate(null, new VerificationOptions
        {
            Prometheus = new() { Url = url },
            Alertmanager = new() { Url = url },
        });

        var failures = source.Failures!.Concat(verification.Failures!).ToList();
        failures.Count.ShouldBe(3, string.Join("\n", failures));
        failures.ShouldAllBe(f => !f.Contains("secret") && !f.Contains("admin") && f.Contains($"(got '{shown}')"));
    }

    private static ValidateOptionsResult Validate(PrometheusSourceOptions options) => new PrometheusSourceOptionsValidator().Validate(null, options);

    private static ServiceProvider Services(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddHomeostat(configuration).AddPrometheus();
        return services.BuildServiceProvider();
    }

    private static IEnumerable<ConfigSection> Sections() =>
        new ServiceCollection().AddHomeostat(new ConfigurationBuilder().Build()).AddPrometheus().Modules.SelectMany(m => m.Sections);
}
