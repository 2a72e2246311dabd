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

/// <summary>One delivery attempt's result. <see cref="Retryable"/> false means trying again cannot help (the receiver refused it).</summary>
public sealed record NotificationResult(string Notifier, bool Delivered, int Attempts, string Detail)
{
    public bool Retryable { get; init; } = true;
}

/// <summary>A channel that pages or tells humans. Each call is one delivery; the outbox retries with back-off.</summary>
public interface INotifier
{
    string Name { get; }

    Task<NotificationResult> NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken);
}

/// <summary>The configured notifiers, by name. Two notifiers with one name is a start-up error.</summary>
public sealed class NotifierSet
{
    private readonly Dictionary<string, INotifier> _byName = new(StringComparer.Ordinal);

    public NotifierSet(IEnumerable<INotifier> notifiers)
    {
        foreach (var notifier in notifiers)
        {
            if (!_byName.TryAdd(notifier.Name, notifier))
            {
                throw new InvalidOperationException($"two notifiers are named '{notifier.Name}' ({_byName[notifier.Name].GetType().Name} and {notifier.GetType().Name})");
            }
        }

        Names = _byName.Keys.Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>False when escalations reach only the service's log.</summary>
    public bool CanPage => Names.Count > 0;

    public const string LogOnlyWarning = "no notifier is configured: escalations reach only the log; nobody is paged (configure notifiers.webhook)";

    public INotifier? Find(string name) => _byName.GetValueOrDefault(name);
}
