using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Healing;
using Homeostat.Probes;
using Homeostat.Prometheus;
using Homeostat.Remediation;
using Homeostat.Remediation.Certificates;
using Homeostat.Remediation.HostActions;
using Homeostat.Remediation.Webhook;
using Homeostat.Signals;
using Homeostat.Verification;
using Homeostat.Verification.Alertmanager;
using Homeostat.Verification.Prometheus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Homeostat.Configuration;

public static class HomeostatServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine: options (validated at start-up, unknown keys rejected), catalog, classifier, guardrails,
    /// actions, verifiers, notifiers and the healing loop. A store must be added by an adapter (SQLite, PostgreSQL).
    /// </summary>
    public static IServiceCollection AddHomeostatEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        services.BindValidated<GuardrailOptions>(configuration, GuardrailOptions.Section);
        services.AddSingleton<IValidateOptions<GuardrailOptions>, GuardrailOptionsValidator>();
        services.BindValidated<HealingOptions>(configuration, HealingOptions.Section);
        services.BindValidated<CatalogOptions>(configuration, CatalogOptions.Section);
        services.BindValidated<RotateAndCompressLogsOptions>(configuration, RotateAndCompressLogsOptions.Section);
        services.BindValidated<WebhookNotifierOptions>(configuration, WebhookNotifierOptions.Section);
        services.AddOptions<ProbesOptions>()
            .Configure(o => configuration.GetSection(ProbesOptions.Section).Bind(o.Items, b => b.ErrorOnUnknownConfiguration = true))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProbesOptions>, ProbesOptionsValidator>();

        services.AddSingleton<SignalParser>();

        foreach (var placeholder in KnownActions.Placeholders())
        {
            services.AddSingleton(placeholder);
        }

        // Registered after the placeholders: the registry keeps the last action of a name.
        services.AddSingleton<IRemediationAction, RotateAndCompressLogsAction>();
        services.BindValidated<HostCertificateOptions>(configuration, HostCertificateOptions.Section);
        services.AddSingleton<IRemediationAction, HostCertificateRenewalAction>();
        services.BindValidated<WebhookActionOptions>(configuration, WebhookActionOptions.Section);
        services.AddSingleton<IValidateOptions<WebhookActionOptions>, WebhookActionOptionsValidator>();
        services.AddHttpClient(WebhookAction.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IRemediationAction, WebhookAction>();
        services.BindValidated<CleanDirectoryOptions>(configuration, CleanDirectoryOptions.Section);
        services.BindValidated<RunScriptOptions>(configuration, RunScriptOptions.Section);
        services.AddSingleton<IValidateOptions<RunScriptOptions>, RunScriptOptionsValidator>();
        services.BindValidated<RestartServiceOptions>(configuration, RestartServiceOptions.Section);
        services.AddSingleton<IValidateOptions<RestartServiceOptions>, RestartServiceOptionsValidator>();
        services.TryAddSingleton<ISystemctl, Systemctl>();
        services.AddSingleton<IRemediationAction, CleanDirectoryAction>();
        services.AddSingleton<IRemediationAction, RunScriptAction>();
        services.AddSingleton<IRemediationAction, RestartServiceAction>();

        services.TryAddSingleton<IActionRegistry, ActionRegistry>();
        services.AddSingleton<CatalogLoader>();
        services.TryAddSingleton<CatalogProvider>();
        services.AddSingleton<ICatalogProvider>(sp => sp.GetRequiredService<CatalogProvider>());
        services.AddSingleton<IClassSetProvider>(sp => sp.GetRequiredService<CatalogProvider>());

        services.AddSingleton<RuleClassifier>();
        services.AddSingleton<IClassifierMember>(sp => sp.GetRequiredService<RuleClassifier>());
        services.TryAddSingleton<IClassifier>(sp => sp.GetRequiredService<RuleClassifier>());

        services.AddSingleton<IGuardrail, RemediationExistsGuardrail>();
        services.AddSingleton<IGuardrail, AutoGuardrail>();
        services.AddSingleton<IGuardrail, ConfidenceFloorGuardrail>();
        services.AddSingleton<IGuardrail, KillSwitchGuardrail>();
        services.AddSingleton<IGuardrail, SuspensionGuardrail>();
        services.AddSingleton<IGuardrail, RateLimitGuardrail>();
        services.AddSingleton<IGuardrail, BlastRadiusGuardrail>();
        services.AddSingleton<IGuardrail, DryRunGuardrail>();
        services.AddSingleton<IGuardrail, ShadowPeriodGuardrail>();
        services.AddSingleton<IGuardrail, ApprovalGuardrail>();
        services.AddSingleton<GuardrailPipeline>();

        services.AddSingleton<ActionRunner>();
        services.AddHomeostatProbeKinds();
        services.AddSingleton<ProbeSet>();
        services.AddSingleton<IVerifier, ProbeVerifier>();
        services.BindValidated<VerificationOptions>(configuration, VerificationOptions.Section);
        services.AddSingleton<IValidateOptions<VerificationOptions>, VerificationOptionsValidator>();
        services.BindValidated<PrometheusOptions>(configuration, PrometheusOptions.Section);
        services.AddHttpClient(PrometheusQueryClient.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<PrometheusQueryClient>();
        services.BindValidated<PrometheusSourceOptions>(configuration, PrometheusSourceOptions.Section);
        services.AddSingleton<IValidateOptions<PrometheusSourceOptions>, PrometheusSourceOptionsValidator>();
        services.AddSingleton<PrometheusRuleSet>();

        // Before the generatorURL verifier: the source's own signals carry a generatorURL too, and their rule (with
        // its threshold and carried labels) is the better judge while it is configured.
        services.AddSingleton<IVerifier, PrometheusRuleVerifier>();
        services.AddSingleton<IVerifier, PrometheusVerifier>();
        services.BindValidated<AlertmanagerApiOptions>(configuration, AlertmanagerApiOptions.Section);
        services.AddHttpClient(AlertmanagerVerifier.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IVerifier, AlertmanagerVerifier>();
        services.AddSingleton<IVerifier, SourceResolvedVerifier>();
        services.AddSingleton<VerifierSelector>();

        services.AddHealingLoop(configuration);
        return services;
    }

    /// <summary>The background loops: healing workers, host probes and the Prometheus rule source.</summary>
    public static IServiceCollection AddHomeostatWorkers(this IServiceCollection services)
    {
        // Hosted services start in order: the classifier is warm before the first signal is worked on.
        services.AddHostedService<ClassifierWarmup>();
        services.AddHostedService<HealingWorker>();
        services.AddHostedService<ProbeRunner>();
        services.AddHostedService<PrometheusRuleSource>();
        return services;
    }

    private static void BindValidated<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
    {
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section), b => b.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}

public sealed class GuardrailOptionsValidator : IValidateOptions<GuardrailOptions>
{
    public ValidateOptionsResult Validate(string? name, GuardrailOptions options)
    {
        var errors = new List<string>();
        if (options.RateLimit.Max < 1)
        {
            errors.Add($"guardrails.rate_limit.max must be at least 1 (got {options.RateLimit.Max})");
        }

        if (options.RateLimit.Per.Value <= TimeSpan.Zero)
        {
            errors.Add($"guardrails.rate_limit.per must be longer than zero (got {options.RateLimit.Per})");
        }

        if (options.BlastRadius.MaxInFlight < 1)
        {
            errors.Add($"guardrails.blast_radius.max_in_flight must be at least 1 (got {options.BlastRadius.MaxInFlight})");
        }

        for (var i = 0; i < options.Maintenance.Count; i++)
        {
            if (options.Maintenance[i].End <= options.Maintenance[i].Start)
            {
                errors.Add($"guardrails.maintenance[{i}]: end must be after start");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks every probe at start-up: the fields all kinds share here, the rest by the probe's registered kind.</summary>
public sealed class ProbesOptionsValidator(IEnumerable<IProbeKind> kinds) : IValidateOptions<ProbesOptions>
{
    private readonly ProbeKindCatalog _kinds = new(kinds);

    public ValidateOptionsResult Validate(string? name, ProbesOptions options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Items.Count; i++)
        {
            var probe = options.Items[i];
            var where = $"probes[{i}] ({(string.IsNullOrEmpty(probe.Name) ? "unnamed" : probe.Name)})";
            var context = new System.ComponentModel.DataAnnotations.ValidationContext(probe);
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(probe, context, results, validateAllProperties: true))
            {
                errors.AddRange(results.Select(r => $"{where}: {string.Join(", ", r.MemberNames.Select(m => YamlName(m)))}: {r.ErrorMessage}"));
            }

            if (!names.Add(probe.Name))
            {
                errors.Add($"{where}: the name is used twice");
            }

            if (probe.Interval.Value < TimeSpan.FromMilliseconds(100))
            {
                errors.Add($"{where}: interval must be at least 100ms (got {probe.Interval})");
            }

            if (_kinds.Find(probe.Kind) is { } kind)
            {
                errors.AddRange(kind.Validate(probe).Select(e => $"{where}: {e}"));
            }
            else if (!string.IsNullOrEmpty(probe.Kind))
            {
                errors.Add($"{where}: kind '{probe.Kind}' is not one of {string.Join(", ", _kinds.Names)}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string YamlName(string member) =>
        string.Concat(member.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
