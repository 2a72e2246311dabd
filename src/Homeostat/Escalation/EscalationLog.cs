using Microsoft.Extensions.Logging;

namespace Homeostat.Escalation;

/// <summary>Writes every escalation to the service's log when it is decided. A log, not a delivery: it never clears a page.</summary>
public sealed partial class EscalationLog(ILogger<EscalationLog> logger)
{
    public void Escalated(string incidentId, string service, string reason, string? failureClass, string detail) =>
        LogEscalation(logger, incidentId, service, reason, failureClass ?? "unclassified", detail);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Escalated incident {IncidentId} for {Service}: {Reason} (class {Class}). {Detail}")]
    private static partial void LogEscalation(ILogger logger, string incidentId, string service, string reason, string @class, string detail);
}
