using System.CommandLine;
using Homeostat.Catalog;
using Homeostat.Configuration;
using Homeostat.Remediation;
using Homeostat.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Cli.Commands;

/// <summary>
/// Checks catalogs and config files with the composition <c>run</c> uses: exit 0 when all are valid, 1 otherwise, every
/// problem as <c>file:line:col: key: message</c>. Catalogs are checked against the config given beside them (or the
/// defaults): an action this build contains but the config turns off is a warning here and an error for <c>run</c>.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(CliIo io)
    {
        var files = new Argument<string[]>("files") { Description = "Catalog or config files (YAML).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check catalogs and config files.") { files };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var paths = parse.GetValue(files)!;
            var catalogs = paths.Where(IsCatalog).ToList();
            var configs = paths.Except(catalogs).ToList();
            var errorCount = 0;
            foreach (var file in paths)
            {
                var report = catalogs.Contains(file) ? ValidateCatalog(file, configs.FirstOrDefault()) : ValidateConfig(file);
                foreach (var error in report.Errors)
                {
                    await io.Error.WriteLineAsync(error.ToString());
                }

                foreach (var warning in report.Warnings)
                {
                    await io.Error.WriteLineAsync((warning with { Key = $"warning: {warning.Key}" }).ToString());
                }

                errorCount += report.Errors.Count;
                var warnings = report.Warnings.Count == 0 ? string.Empty : $" ({report.Warnings.Count} warning(s))";
                await io.Out.WriteLineAsync(report.IsValid ? $"{file}: valid{warnings}" : $"{file}: {report.Errors.Count} error(s){warnings}");
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
                && root.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value is "remediations" or "classes" or "class_label");
        }
        catch (Exception exception) when (exception is IOException or YamlDotNet.Core.YamlException or UnauthorizedAccessException)
        {
            // Let the catalog loader report it with its location.
            return true;
        }
    }

    private static StartupReport ValidateCatalog(string file, string? config)
    {
        ServiceProvider services;
        try
        {
            services = Compose(config, out _);
        }
        catch (ConfigFileException) when (config is not null)
        {
            // The config beside it is broken and reports that itself; check the catalog against the defaults.
            services = Compose(null, out _);
        }

        using (services)
        {
            var result = services.GetRequiredService<CatalogLoader>().LoadFile(file);
            IReadOnlyList<CatalogError> blind = result.Catalog is null ? [] : UncheckedAutomaticActions(result.Catalog, services.GetRequiredService<IActionRegistry>());
            return new StartupReport(result.Errors, [.. result.Warnings, .. blind]);
        }
    }

    /// <summary>
    /// An <c>auto: true</c> remediation whose action cannot check its premise on the target acts on the classifier's word
    /// alone: a misclassified signal changes something. That is allowed, and worth a warning here (not for <c>run</c>).
    /// </summary>
    public static IReadOnlyList<CatalogError> UncheckedAutomaticActions(RemediationCatalog catalog, IActionRegistry actions) =>
        catalog.Remediations.Values
            .Where(spec => spec.Auto && actions.Find(spec.Action)?.Descriptor.Premise is { IsObservable: false })
            .OrderBy(spec => spec.Location.Line)
            .Select(spec => new CatalogError(
                spec.Location.File, spec.Location.Line, spec.Location.Column, $"remediations.{spec.Class}.auto",
                $"action '{spec.Action}' cannot check its premise before it acts ({actions.Find(spec.Action)!.Descriptor.Premise.CannotObserve}), "
                + "so a misclassified signal would change something: consider auto: false (a human approves) or an action that checks"))
            .ToList();

    private static StartupReport ValidateConfig(string file)
    {
        try
        {
            using var services = Compose(file, out var configuration);
            return StartupCheck.Check(services, configuration, forRun: false);
        }
        catch (ConfigFileException exception)
        {
            return new StartupReport([exception.Error ?? new CatalogError(file, 0, 0, "config", exception.Message)], []);
        }
    }

    private static ServiceProvider Compose(string? config, out IConfigurationRoot configuration)
    {
        configuration = HomeostatComposition.BuildConfiguration(config);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddHomeostatModules(configuration);
        return services.BuildServiceProvider();
    }
}
