using Microsoft.Extensions.Logging;

namespace Homeostat.Escalation;

/// <summary>Writes escalations to the log, so even a bare install tells someone.</summary>
public sealed partial class LogNotifier(ILogger<LogNotifier> logger) : INotifier
{
    public string Name => "log";

    public Task<NotificationResult> NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken)
    {
        LogEscalation(logger, notice.IncidentId, notice.Service, notice.Reason, notice.Class ?? "unclassified", notice.Detail);
        return Task.FromResult(new NotificationResult(Name, true, 1, "written to the log"));
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Escalated incident {IncidentId} for {Service}: {Reason} (class {Class}). {Detail}")]
    private static partial void LogEscalation(ILogger logger, string incidentId, string service, string reason, string @class, string detail);
}
