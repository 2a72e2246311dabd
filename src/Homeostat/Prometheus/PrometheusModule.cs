using Homeostat.Configuration;
using Homeostat.Verification;
using Homeostat.Verification.Alertmanager;
using Homeostat.Verification.Prometheus;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Prometheus;

public static class PrometheusModule
{
    /// <summary>
    /// The Prometheus and Alertmanager module: the rule source (<c>sources.prometheus</c>), the generatorURL and rule
    /// verifiers (<c>verification.prometheus</c>) and the Alertmanager verifier (<c>verification.alertmanager</c>).
    /// </summary>
    public static HomeostatBuilder AddPrometheus(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.Prometheus, module =>
    {
        var services = module.Services;
        module.Options<VerificationOptions, VerificationOptionsValidator>(VerificationOptions.Section)
            .Options<PrometheusOptions>(PrometheusOptions.Section)
            .Options<AlertmanagerApiOptions>(AlertmanagerApiOptions.Section)
            .Options<PrometheusSourceOptions, PrometheusSourceOptionsValidator>(PrometheusSourceOptions.Section);
        services.AddHttpClient(PrometheusQueryClient.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient(AlertmanagerVerifier.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<PrometheusQueryClient>();
        services.AddSingleton<PrometheusRuleSet>();
        module.Verifier<PrometheusRuleVerifier>()
            .Verifier<PrometheusVerifier>()
            .Verifier<AlertmanagerVerifier>()
            .Source<PrometheusRuleSource>();
    });
}
