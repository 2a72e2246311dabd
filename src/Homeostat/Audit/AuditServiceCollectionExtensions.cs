using Homeostat.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// <c>audit.*</c>: the chain's key (read once at start-up; a key that is configured but unusable refuses start-up)
    /// and the checkpoint writer with its log and file sinks. Add it before the workers, so it stops after them and
    /// its shutdown checkpoint sees their last records.
    /// </summary>
    public static HomeostatBuilder AddAuditChain(this HomeostatBuilder builder) => builder.AddModule("audit", module =>
    {
        module.Options<AuditOptions, AuditOptionsValidator>(AuditOptions.Section);
        var services = module.Services;
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuditOptions>>().Value.LoadKeys());
        services.AddSingleton<IAuditCheckpointSink, LogCheckpointSink>();
        services.AddSingleton<IAuditCheckpointSink, FileCheckpointSink>();
        services.AddHttpClient(WebhookCheckpointSink.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IAuditCheckpointSink, WebhookCheckpointSink>();
        services.AddSingleton<AuditCheckpointWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditCheckpointWriter>());
    });
}
