using Homeostat.Escalation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeostat.Healing;

public static class HealingServiceCollectionExtensions
{
    /// <summary>The incident lifecycle: intake, reconciler, engine, operator commands and the notification outbox.</summary>
    public static IServiceCollection AddHealingLoop(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<EscalationLog>();
        if (!string.IsNullOrWhiteSpace(configuration[$"{WebhookNotifierOptions.Section}:Url"]))
        {
            services.AddHttpClient(WebhookNotifier.ClientName);
            services.AddSingleton<INotifier, WebhookNotifier>();
        }

        services.AddSingleton<NotifierSet>();
        services.AddSingleton<TransitionWriter>();
        services.AddSingleton<OutboxDelivery>();

        services.AddSingleton<WorkSignal>();
        services.AddSingleton<SignalIntake>();
        services.TryAddSingleton<StoreHealth>();
        services.AddSingleton<IncidentReconciler>();
        services.AddSingleton<HealingEngine>();
        services.AddSingleton<OperatorCommands>();
        return services;
    }
}
