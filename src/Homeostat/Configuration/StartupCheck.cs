using System.Reflection;
using System.Text.RegularExpressions;
using Homeostat.Catalog;
using Homeostat.Remediation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Configuration;

/// <summary>Every problem found in one check, each as <c>file:line:col: dotted.key: message (value)</c>.</summary>
public sealed record StartupReport(IReadOnlyList<CatalogError> Errors, IReadOnlyList<CatalogError> Warnings)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>The start-up refused: every problem, already located. Printed one per line, without a stack trace.</summary>
public sealed class StartupException(IReadOnlyList<CatalogError> errors)
    : Exception("Homeostat cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<CatalogError> Errors { get; } = errors;
}

/// <summary>
/// What <c>run</c> checks before it starts and <c>validate</c> reports: the keys and values of every config file, the
/// options of every module, the actions (one per name) and the catalog. One check for both, so whatever <c>run</c>
/// refuses, <c>validate</c> refuses.
/// </summary>
public static partial class StartupCheck
{
    /// <param name="forRun">
    /// True for <c>run</c>: a configured catalog that names an action whose module the config turns off is an error.
    /// For <c>validate</c> it is a warning.
    /// </param>
    public static StartupReport Check(IServiceProvider services, IConfiguration configuration, bool forRun)
    {
        var errors = new List<CatalogError>();
        var warnings = new List<CatalogError>();
        var modules = services.GetServices<HomeostatModule>().ToList();
        var sections = modules.SelectMany(m => m.Sections).ToList();
        var locator = new ConfigLocator(configuration, sections);

        foreach (var file in locator.Files)
        {
            errors.AddRange(new ConfigValidator(sections).ValidateKeys(file));
        }

        var broken = errors.Select(e => e.Key).ToList();
        foreach (var section in sections.Where(s => s.Options is not null))
        {
            // A section whose keys or values are already reported would only fail to bind again.
            if (broken.Any(key => IsWithin(key, section.DottedKey)))
            {
                continue;
            }

            Collect(errors, locator, section.Key, () => Resolve(services, section.Options!));
        }

        // A value already reported fails again wherever another section binds it: say it once, where it is written.
        // That includes a section whose options read another's (the classifier's read the catalog's): the binder then
        // fails with no key of its own, so an unlocated failure of the options is left out once a key is reported.
        errors = errors.Where((error, index) => index < broken.Count
            || (!broken.Any(key => IsWithin(error.Key, key)) && (broken.Count == 0 || error.Line > 0))).ToList();

        var registry = Collect(errors, locator, "actions", () => services.GetRequiredService<IActionRegistry>());
        if (registry is null)
        {
            return new StartupReport(Distinct(errors), warnings);
        }

        var catalog = broken.Any(key => IsWithin(key, CatalogOptions.Section))
            ? null
            : Collect(errors, locator, CatalogOptions.Section, () => services.GetRequiredService<CatalogProvider>());
        if (catalog is not null)
        {
            var configured = !string.IsNullOrWhiteSpace(configuration[$"{CatalogOptions.Section}:Path"]);
            (forRun && configured ? errors : warnings).AddRange(catalog.Warnings);
        }

        return new StartupReport(Distinct(errors), warnings);
    }

    /// <summary>Checks for <c>run</c> and throws <see cref="StartupException"/> with every error when there is one.</summary>
    public static StartupReport EnsureValid(IServiceProvider services, IConfiguration configuration)
    {
        var report = Check(services, configuration, forRun: true);
        return report.IsValid ? report : throw new StartupException(report.Errors);
    }

    /// <summary>The located form of a start-up failure thrown by the options system, a binder or a module.</summary>
    public static IReadOnlyList<CatalogError> Locate(Exception exception, IConfiguration configuration, IEnumerable<ConfigSection> sections) =>
        Describe(exception, new ConfigLocator(configuration, sections.ToList()), section: null);

    private static T? Collect<T>(List<CatalogError> errors, ConfigLocator locator, string section, Func<T> resolve)
        where T : class
    {
        try
        {
            return resolve();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            errors.AddRange(Describe(exception, locator, section));
            return null;
        }
    }

    private static IReadOnlyList<CatalogError> Describe(Exception exception, ConfigLocator locator, string? section)
    {
        switch (exception)
        {
            case TargetInvocationException { InnerException: { } inner }:
                return Describe(inner, locator, section);
            case StartupException startup:
                return startup.Errors;
            case CatalogInvalidException invalid:
                // A catalog file that cannot be read has no line of its own: point at the config key that names it.
                return invalid.Errors.Select(e => e.Line == 0 && section == CatalogOptions.Section
                    ? locator.At($"{CatalogOptions.Section}:Path", $"the catalog {e.Message}", quoteValue: false)
                    : e).ToList();
            case OptionsValidationException options:
                return options.Failures.Select(f => locator.Failure(f, options.OptionsType, section)).ToList();
            case ConfigFileException { Error: { } located }:
                return [located];
            case DuplicateActionException duplicate:
                return [new CatalogError("homeostat", 0, 0, "actions", duplicate.Message)];
            case InvalidOperationException { InnerException: { } inner } when inner is OptionsValidationException or CatalogInvalidException or DuplicateActionException or TargetInvocationException:
                return Describe(inner, locator, section);
            case InvalidOperationException invalid when BindingFailure().Match(invalid.Message) is { Success: true } match:
                return [locator.At(match.Groups["key"].Value, $"cannot be read as {match.Groups["type"].Value.Split('.')[^1]}" + (invalid.InnerException is { } cause ? $": {cause.Message}" : string.Empty), quoteValue: true)];
            default:
                var message = exception.InnerException is { } innerCause && exception is InvalidOperationException ? innerCause.Message : exception.Message;
                return [locator.At(section ?? "config", message, quoteValue: false)];
        }
    }

    private static object Resolve(IServiceProvider services, Type options)
    {
        var accessor = services.GetRequiredService(typeof(IOptions<>).MakeGenericType(options));
        return accessor.GetType().GetProperty(nameof(IOptions<object>.Value))!.GetValue(accessor)!;
    }

    private static bool IsWithin(string key, string section) =>
        string.Equals(key, section, StringComparison.OrdinalIgnoreCase)
        || (key.StartsWith(section, StringComparison.OrdinalIgnoreCase) && key.Length > section.Length && key[section.Length] is '.' or '[');

    private static List<CatalogError> Distinct(List<CatalogError> errors) => errors.DistinctBy(e => e.ToString()).ToList();

    [GeneratedRegex(@"configuration value (?:'.*' )?at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BindingFailure();
}
