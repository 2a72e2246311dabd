using System.CommandLine;
using Homeostat.Catalog;
using Homeostat.Configuration;
using Homeostat.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Cli.Commands;

/// <summary>Checks catalogs and config files; exit 0 when all are valid, 1 with every error as file:line:col otherwise.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliIo io)
    {
        var files = new Argument<string[]>("files") { Description = "Catalog or config files (YAML).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check catalogs and config files.") { files };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errorCount = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                var errors = IsCatalog(file) ? ValidateCatalog(file) : ValidateConfig(file);
                foreach (var error in errors)
                {
                    await io.Error.WriteLineAsync(error);
                }

                errorCount += errors.Count;
                await io.Out.WriteLineAsync(errors.Count == 0 ? $"{file}: valid" : $"{file}: {errors.Count} error(s)");
            }

            return errorCount == 0 ? HomeostatCli.Success : HomeostatCli.Failure;
        });
        return command;
    }

    private static bool IsCatalog(string file)
    {
        try
        {
            var stream = new YamlStream();
            using var reader = File.OpenText(file);
            stream.Load(reader);
            return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
                && root.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == "remediations");
        }
        catch (Exception exception) when (exception is IOException or YamlDotNet.Core.YamlException or UnauthorizedAccessException)
        {
            // Let the catalog loader report it with its location.
            return true;
        }
    }

    private static List<string> ValidateCatalog(string file)
    {
        using var services = OfflineServices.Build(null, Path.GetTempPath());
        var loader = services.GetRequiredService<CatalogLoader>();
        return loader.LoadFile(file).Errors.Select(e => e.ToString()).ToList();
    }

    private static List<string> ValidateConfig(string file)
    {
        var sections = ConfigSections.Engine();
        sections[ServerOptions.Section] = typeof(ServerOptions);
        sections[Learning.LearningOptions.Section] = typeof(Learning.LearningOptions);
        sections[Llm.LlmOptions.Section] = typeof(Llm.LlmOptions);
        sections[Kubernetes.KubernetesOptions.Section] = typeof(Kubernetes.KubernetesOptions);
        sections["Actions"] = typeof(AllActions);
        var keyErrors = new ConfigValidator(sections).ValidateKeys(file);
        if (keyErrors.Count > 0)
        {
            return keyErrors.Select(e => e.ToString()).ToList();
        }

        var errors = new List<string>();
        try
        {
            using var services = OfflineServices.Build(file, Path.GetTempPath());
            foreach (var resolve in OptionResolvers())
            {
                try
                {
                    resolve(services);
                }
                catch (OptionsValidationException exception)
                {
                    errors.AddRange(exception.Failures.Select(f => $"{file}: {f}"));
                }
                catch (InvalidOperationException exception)
                {
                    errors.Add($"{file}: {exception.InnerException?.Message ?? exception.Message}");
                }
            }

            try
            {
                services.GetRequiredService<ICatalogProvider>();
            }
            catch (CatalogInvalidException exception)
            {
                errors.AddRange(exception.Errors.Select(e => e.ToString()));
            }
            catch (OptionsValidationException exception)
            {
                // The catalog's actions need options already reported above; report anything not yet said.
                errors.AddRange(exception.Failures.Select(f => $"{file}: {f}").Except(errors));
            }
        }
        catch (ConfigFileException exception)
        {
            errors.Add(exception.Message);
        }

        return errors;
    }

    private static IEnumerable<Action<IServiceProvider>> OptionResolvers() =>
    [
        s => _ = s.GetRequiredService<IOptions<Guardrails.GuardrailOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Healing.HealingOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<CatalogOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Remediation.RotateAndCompressLogsOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Escalation.WebhookNotifierOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Probes.ProbesOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Remediation.Certificates.HostCertificateOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Remediation.Webhook.WebhookActionOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Postgres.Actions.PostgresActionOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Remediation.HostActions.CleanDirectoryOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Remediation.HostActions.RunScriptOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Remediation.HostActions.RestartServiceOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Kubernetes.KubernetesOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Verification.VerificationOptions>>().Value,
        s => _ = s.GetRequiredService<IOptions<Homeostat.Prometheus.PrometheusSourceOptions>>().Value,
    ];

    /// <summary>The shape of the <c>actions:</c> section: the engine's actions and the adapters', for key checking.</summary>
    private sealed class AllActions : ConfigSections.ActionsSection
    {
        public Postgres.Actions.PostgresActionOptions? TerminateIdleConnections { get; set; }
    }
}
