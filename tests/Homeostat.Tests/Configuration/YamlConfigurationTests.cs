using Homeostat.Configuration;
using Homeostat.Guardrails;
using Homeostat.Primitives;
using Homeostat.Probes;
using Microsoft.Extensions.Configuration;

namespace Homeostat.Tests.Configuration;

public sealed class YamlConfigurationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-config-" + Guid.NewGuid().ToString("N"));

    public YamlConfigurationTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public void Load_SnakeCaseKeys_BindToOptionsWithTypedDurations()
    {
        var configuration = Load("""
            guardrails:
              dry_run: false
              rate_limit: { max: 5, per: 2h }
              shadow_period: 7d
            """);

        var options = configuration.GetSection("Guardrails").Get<GuardrailOptions>()!;

        options.DryRun.ShouldBeFalse();
        options.RateLimit.Max.ShouldBe(5);
        options.RateLimit.Per.ShouldBe(Duration.Parse("2h"));
        options.ShadowPeriod.Value.ShouldBe(TimeSpan.FromDays(7));
    }

    [Fact]
    public void Load_RelativePaths_AreResolvedAgainstTheConfigFile()
    {
        var configuration = Load("""
            data: ./state
            probes:
              - { name: logs, kind: directory_size, path: logs/app, max_bytes: 1Gi, service: app }
            """);

        configuration["Data"].ShouldBe(Path.Combine(_directory, "state"));
        configuration["Probes:0:Path"].ShouldBe(Path.Combine(_directory, "logs", "app"));
        configuration.GetSection("Probes").Get<List<ProbeOptions>>()![0].MaxBytes.ShouldBe(ByteSize.Parse("1Gi"));
    }

    [Fact]
    public void Load_ProbeUrlPaths_AreNotTakenAsRelativeFiles()
    {
        var configuration = Load("""
            probes:
              - { name: tls, kind: certificate_expiry, path: "https://shop.example.com:443", min_remaining: 21d, service: shop }
              - { name: api, kind: http_latency, path: "http://payments:8080/health", max_latency: 500ms, timeout: 3s, service: shop }
              - { name: pem, kind: certificate_expiry, path: certs/shop.pem, service: shop }
            """);

        var probes = configuration.GetSection("Probes").Get<List<ProbeOptions>>()!;
        probes[0].Path.ShouldBe("https://shop.example.com:443");
        probes[0].MinRemaining.ShouldBe(Duration.Parse("21d"));
        probes[1].Path.ShouldBe("http://payments:8080/health");
        probes[1].MaxLatency.ShouldBe(Duration.Parse("500ms"));
        probes[1].Timeout.ShouldBe(Duration.Parse("3s"));
        probes[2].Path.ShouldBe(Path.Combine(_directory, "certs", "shop.pem"));
    }

    [Fact]
    public void Load_LabelKeys_AreKeptAsWritten()
    {
        var configuration = Load("""
            probes:
              - name: logs
                labels: { team: sre, app_kubernetes_io_name: shop }
            """);

        configuration["Probes:0:Labels:team"].ShouldBe("sre");
        configuration.GetSection("Probes:0:Labels").GetChildren().Select(c => c.Key).ShouldBe(["app_kubernetes_io_name", "team"], ignoreOrder: true);
    }

    [Fact]
    public void Load_InvalidYaml_SaysWhere()
    {
        var exception = Should.Throw<ConfigFileException>(() => Load("guardrails:\n  dry_run: [unclosed\n"));

        exception.Message.ShouldContain("homeostat.yaml:");
        exception.Message.ShouldContain("is not valid YAML");
    }

    [Fact]
    public void Load_NestingDeeperThanAnySettingNeeds_IsALocatedErrorNotAStackOverflow()
    {
        var exception = Should.Throw<ConfigFileException>(() => Load("guardrails: " + new string('[', 20_000) + "\n"));

        exception.Message.ShouldContain("homeostat.yaml:1:");
        exception.Message.ShouldContain("deeper than 32 levels");
    }

    [Fact]
    public void Load_RelativePaths_ResolveAgainstTheConfigFile_DataAndExecutableNamesStayAsWritten()
    {
        var configuration = Load("""
            kubernetes: { kubeconfig: kube/config }
            server: { api_token_file: secrets/token }
            verification:
              prometheus: { bearer_token_file: ../prom-token }
            classifier: { model_path: models/m.zip }
            actions:
              run_script: { scripts: { flush: { path: bin/flush.sh, working_directory: work } } }
              trigger_cert_renewal: { client_path: certbot, state_path: acme }
            probes:
              - { name: x, kind: http_latency, path: http://127.0.0.1:8080/health, labels: { path: relative/label } }
            """);

        configuration["Kubernetes:Kubeconfig"].ShouldBe(Path.Combine(_directory, "kube", "config"));
        configuration["Server:ApiTokenFile"].ShouldBe(Path.Combine(_directory, "secrets", "token"));
        configuration["Verification:Prometheus:BearerTokenFile"].ShouldBe(Path.GetFullPath(Path.Combine(_directory, "..", "prom-token")));
        configuration["Classifier:ModelPath"].ShouldBe(Path.Combine(_directory, "models", "m.zip"));
        configuration["Actions:RunScript:Scripts:flush:Path"].ShouldBe(Path.Combine(_directory, "bin", "flush.sh"));
        configuration["Actions:RunScript:Scripts:flush:WorkingDirectory"].ShouldBe(Path.Combine(_directory, "work"));
        configuration["Actions:TriggerCertRenewal:StatePath"].ShouldBe(Path.Combine(_directory, "acme"));
        configuration["Actions:TriggerCertRenewal:ClientPath"].ShouldBe("certbot");
        configuration["Probes:0:Path"].ShouldBe("http://127.0.0.1:8080/health");
        configuration["Probes:0:Labels:path"].ShouldBe("relative/label");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private IConfiguration Load(string yaml)
    {
        var path = Path.Combine(_directory, "homeostat.yaml");
        File.WriteAllText(path, yaml);
        return new ConfigurationBuilder().AddYamlFile(path).Build();
    }
}
