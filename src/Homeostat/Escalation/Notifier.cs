using Homeostat.Healing;

namespace Homeostat.Escalation;

/// <summary>What a human is told when the loop hands an incident over.</summary>
public sealed record EscalationNotice
{
    public required string IncidentId { get; init; }

    public required string Service { get; init; }

    /// <summary>One of <see cref="EscalationReasons"/>, or <c>pending_approval</c>.</summary>
    public required string Reason { get; init; }

    public required string Detail { get; init; }

    public string? Class { get; init; }

    public double? Confidence { get; init; }

    public string? Action { get; init; }

    public string? Title { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public required DateTimeOffset At { get; init; }

    public static EscalationNotice From(Incident incident, string reason, string detail, DateTimeOffset at) => new()
    {
        IncidentId = incident.Id,
        Service = incident.Service,
        Reason = reason,
        Detail = detail,
        Class = incident.Classification?.Class,
        Confidence = incident.Classification?.Confidence,
        Action = incident.Action,
        Title = incident.Signal.Title ?? incident.Signal.Label("alertname"),
        Labels = incident.Signal.Labels,
        At = at,
    };
}

public sealed record NotificationResult(string Notifier, bool Delivered, int Attempts, string Detail);

public interface INotifier
{
    string Name { get; }

    Task<NotificationResult> NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken);
}

/// <summary>Sends one notice to every configured notifier; a failing notifier never stops the others or the loop.</summary>
public sealed class EscalationDispatcher(IEnumerable<INotifier> notifiers)
{
    public async Task<IReadOnlyList<NotificationResult>> DispatchAsync(EscalationNotice notice, CancellationToken cancellationToken)
    {
        var results = new List<NotificationResult>();
        foreach (var notifier in notifiers)
        {
            try
            {
                results.Add(await notifier.NotifyAsync(notice, cancellationToken));
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                results.Add(new NotificationResult(notifier.Name, false, 1, $"{exception.GetType().Name}: {exception.Message}"));
            }
        }

        return results;
    }
}
