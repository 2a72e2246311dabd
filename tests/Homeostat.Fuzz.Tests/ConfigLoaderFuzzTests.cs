using Homeostat.Catalog;
using Homeostat.Configuration;
using Homeostat.Server;

namespace Homeostat.Fuzz.Tests;

/// <summary>
/// The config loader as <c>homeostat validate</c> and <c>run</c> use it (the YAML file, every module's sections and
/// options, the catalog it names) on mutated versions of the example configs: a report of located errors or a
/// <see cref="ConfigFileException"/> that carries one, never another exception and never a credential in the text.
/// </summary>
public sealed class ConfigLoaderFuzzTests
{
    private static readonly string[] ConfigKeys =
    [
        "data", "server", "listen", "api_token_file", "api_token_env", "max_request_body_bytes", "catalog", "path", "guardrails", "dry_run",
        "kill_switch", "maintenance", "start", "end", "services", "reason", "rate_limit", "max", "per", "blast_radius", "max_in_flight",
        "shadow_period", "healing", "workers", "claim_lease", "action_timeout", "verify", "after", "timeout", "interval", "actions",
        "rotate_and_compress_logs", "allowed_roots", "verification", "prometheus", "url", "alertmanager_signals", "alertmanager", "sources",
        "rules", "name", "expr", "threshold", "op", "value", "for", "service_label", "labels", "severity", "summary", "kubernetes", "enabled",
        "allowed_namespaces", "watch", "probes", "kind", "max_bytes", "max_percent", "min_remaining", "max_latency", "service",
        "connection_string_env", "notifiers", "webhook", "secret_env", "headers", "classifier", "model_path", "disable_model", "llm",
        "provider", "endpoint", "model", "api_key_env", "bearer_token_file", "kubeconfig", "scripts",
    ];

    [Fact]
    public void MutatedConfigs_ValidateToLocatedErrors_NeverAnotherException() =>
        Fuzz.Check(YamlMutator.Mutated(Seeds.Configs(), ConfigKeys), yaml =>
        {
            var directory = Path.Combine(Path.GetTempPath(), "homeostat-fuzz-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            try
            {
                var path = Path.Combine(directory, "homeostat.yaml");
                // Written as UTF-8 with U+FFFD for unpaired surrogates, as an editor would save it.
                File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(yaml));
                File.WriteAllText(Path.Combine(directory, "catalog.yaml"), Seeds.Catalogs()[0]);
                foreach (var problem in Validate(path))
                {
                    var text = problem.ToString();
                    text.ShouldNotContain(YamlMutator.Secret);
                    text.Any(c => char.IsControl(c) || c is '\u202e' or '\u2066').ShouldBeFalse($"control or bidirectional characters printed raw: {Fuzz.Show(text)}");
                    problem.Key.ShouldNotBeNullOrEmpty(text);
                    problem.File.ShouldNotBeNullOrEmpty(text);
                    if (problem.File.StartsWith(directory, StringComparison.Ordinal))
                    {
                        problem.Line.ShouldBeGreaterThan(0, text);
                    }
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }, cost: 30);

    /// <summary>What <c>validate</c> reports for a config file.</summary>
    internal static IReadOnlyList<CatalogError> Validate(string path)
    {
        try
        {
            var configuration = HomeostatComposition.BuildConfiguration(path);
            using var services = Composition.Compose(configuration);
            var report = StartupCheck.Check(services, configuration, forRun: false);
            return [.. report.Errors, .. report.Warnings];
        }
        catch (ConfigFileException exception)
        {
            exception.Error.ShouldNotBeNull($"a config file problem without a location: {exception.Message}");
            return [exception.Error];
        }
    }
}
