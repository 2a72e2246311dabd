using Homeostat.Catalog;
using Homeostat.Escalation;
using Homeostat.Guardrails;
using Homeostat.Healing;
using Homeostat.Probes;
using Homeostat.Remediation;

namespace Homeostat.Configuration;

/// <summary>The engine's config sections and the options classes they bind to; hosts add their own.</summary>
public static class ConfigSections
{
    public static Dictionary<string, Type> Engine() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Data"] = typeof(string),
        [CatalogOptions.Section] = typeof(CatalogOptions),
        [GuardrailOptions.Section] = typeof(GuardrailOptions),
        [HealingOptions.Section] = typeof(HealingOptions),
        ["Actions"] = typeof(ActionsSection),
        ["Notifiers"] = typeof(NotifiersSection),
        [ProbesOptions.Section] = typeof(List<ProbeOptions>),
        ["Verification"] = typeof(VerificationSection),
        ["Sources"] = typeof(SourcesSection),
    };

    /// <summary>The shape of the <c>actions:</c> section, for key checking.</summary>
    public class ActionsSection
    {
        public RotateAndCompressLogsOptions? RotateAndCompressLogs { get; set; }

        public Remediation.Certificates.HostCertificateOptions? TriggerCertRenewal { get; set; }

        public Remediation.Webhook.WebhookActionOptions? Webhook { get; set; }

        public Remediation.HostActions.CleanDirectoryOptions? CleanDirectory { get; set; }

        public Remediation.HostActions.RunScriptOptions? RunScript { get; set; }

        public Remediation.HostActions.RestartServiceOptions? RestartService { get; set; }
    }

    /// <summary>The shape of the <c>verification:</c> section, for key checking.</summary>
    public sealed class VerificationSection
    {
        public string? AlertmanagerSignals { get; set; }

        public Verification.Prometheus.PrometheusOptions? Prometheus { get; set; }

        public Verification.Alertmanager.AlertmanagerApiOptions? Alertmanager { get; set; }
    }

    /// <summary>The shape of the <c>sources:</c> section, for key checking.</summary>
    public sealed class SourcesSection
    {
        public Prometheus.PrometheusSourceOptions? Prometheus { get; set; }
    }

    /// <summary>The shape of the <c>notifiers:</c> section, for key checking.</summary>
    public sealed class NotifiersSection
    {
        public WebhookNotifierOptions? Webhook { get; set; }
    }
}
