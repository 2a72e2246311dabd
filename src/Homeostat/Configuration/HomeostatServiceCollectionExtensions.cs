using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Healing;
using Homeostat.Probes;
using Homeostat.Remediation;
using Homeostat.Remediation.Webhook;
using Homeostat.Signals;
using Homeostat.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Homeostat.Configuration;

public static class HomeostatServiceCollectionExtensions
{
    /// <summary>
    /// The engine's core module: options (validated at start-up, unknown keys rejected), catalog, rule classifier,
    /// guardrails, the webhook action, probe and verification plumbing, notifiers and the healing loop. Add the other
    /// modules on the returned builder; a store must come from one of them (<c>AddSqliteStore</c>).
    /// </summary>
    public static HomeostatBuilder AddHomeostat(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = new HomeostatBuilder(services, configuration);
        return builder.AddModule(ModuleNames.Core, module =>
        {
            services.TryAddSingleton(TimeProvider.System);
            services.AddLogging();

            module.Section("Data", typeof(string))
                .Options<GuardrailOptions, GuardrailOptionsValidator>(GuardrailOptions.Section)
                .Options<HealingOptions>(HealingOptions.Section)
                .Options<CatalogOptions>(CatalogOptions.Section)
                .Options<WebhookNotifierOptions>(WebhookNotifierOptions.Section)
                .Options<IntakeLimits, IntakeLimitsValidator>(IntakeLimits.Section)
                .Section(ProbesOptions.Section, typeof(List<ProbeOptions>), typeof(ProbesOptions));
            services.AddOptions<ProbesOptions>()
                .Configure(o => configuration.GetSection(ProbesOptions.Section).Bind(o.Items, b => b.ErrorOnUnknownConfiguration = true))
                .ValidateOnStart();
            services.AddSingleton<IValidateOptions<ProbesOptions>, ProbesOptionsValidator>();

            services.AddSingleton(sp => new SignalParser(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<IntakeLimits>>().Value));
            services.TryAddSingleton<IActionRegistry, ActionRegistry>();
            services.AddSingleton<CatalogLoader>();
            services.TryAddSingleton<CatalogProvider>();
            services.AddSingleton<ICatalogProvider>(sp => sp.GetRequiredService<CatalogProvider>());
            services.AddSingleton<IClassSetProvider>(sp => sp.GetRequiredService<CatalogProvider>());

            services.AddSingleton<RuleClassifier>();
            services.AddSingleton<IClassifierMember>(sp => sp.GetRequiredService<RuleClassifier>());
            services.TryAddSingleton<IClassifier>(sp => sp.GetRequiredService<RuleClassifier>());
            // The catalog's declarations come first, whichever classifier a later module makes the IClassifier.
            services.AddSingleton(sp => new DeclaredClassifier(sp.GetRequiredService<IClassifier>(), sp.GetRequiredService<ICatalogProvider>()));

            module.Guardrail<RemediationExistsGuardrail>()
                .Guardrail<AutoGuardrail>()
                .Guardrail<ConfidenceFloorGuardrail>()
                .Guardrail<KillSwitchGuardrail>()
                .Guardrail<SuspensionGuardrail>()
                .Guardrail<RateLimitGuardrail>()
                .Guardrail<BlastRadiusGuardrail>()
                .Guardrail<DryRunGuardrail>()
                .Guardrail<ShadowPeriodGuardrail>()
                .Guardrail<ApprovalGuardrail>();
            services.AddSingleton<GuardrailPipeline>();

            module.Options<WebhookActionOptions, WebhookActionOptionsValidator>(WebhookActionOptions.Section)
                .Action<WebhookAction>(WebhookAction.Definition);
            services.AddHttpClient(WebhookAction.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
            services.AddSingleton<ActionRunner>();

            services.AddSingleton<ProbeSet>();
            module.Verifier<ProbeVerifier>()
                .Verifier<SourceResolvedVerifier>();
            services.AddSingleton<VerifierSelector>();

            services.AddHealingLoop(configuration);
        });
    }

    /// <summary>The background loops of the service: classifier warm-up, the healing workers and the probe runner.</summary>
    public static HomeostatBuilder AddWorkers(this HomeostatBuilder builder)
    {
        // Hosted services start in order: the classifier is warm before the first signal is worked on.
        builder.Services.AddHostedService<ClassifierWarmup>();
        builder.Services.AddHostedService<HealingWorker>();
        builder.Services.AddHostedService<ProbeRunner>();
        return builder;
    }
}

/// <summary>The names of the modules this repository ships, as errors and <c>validate</c> show them.</summary>
public static class ModuleNames
{
    public const string Core = "core";
    public const string HostActions = "host-actions";
    public const string HostProbes = "host-probes";
    public const string Prometheus = "prometheus";
    public const string Kubernetes = "kubernetes";
    public const string Postgres = "postgres";
    public const string Learning = "learning";
    public const string Llm = "llm";
    public const string Sqlite = "sqlite";
    public const string Server = "server";
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
