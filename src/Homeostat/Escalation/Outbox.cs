namespace Homeostat.Escalation;

/// <summary>Where one notifier's delivery of one notification stands.</summary>
public enum OutboxStatus
{
    Pending,
    Delivered,
    GivenUp,
    Cancelled,
}

/// <summary>What one delivery attempt led to.</summary>
public enum NotificationOutcome
{
    Delivered,
    Retrying,
    GivenUp,
}

/// <summary>
/// One notifier's copy of one notification. Each notifier's entry is delivered, retried and given up on its own, so a
/// notifier that works never cancels the delivery of one that is down.
/// </summary>
public sealed record OutboxEntry
{
    public long Id { get; init; }

    public required string IncidentId { get; init; }

    public required string Notifier { get; init; }

    /// <summary>An escalation reason, or <c>pending_approval</c>.</summary>
    public required string Reason { get; init; }

    public required string Detail { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public int Attempts { get; init; }

    public required DateTimeOffset NextAttemptAt { get; init; }

    public OutboxStatus Status { get; init; } = OutboxStatus.Pending;

    public string? LastDetail { get; init; }
}

public static class OutboxWords
{
    public static string ToWord(this NotificationOutcome outcome) => outcome switch
    {
        NotificationOutcome.Delivered => "delivered",
        NotificationOutcome.Retrying => "retrying",
        _ => "given_up",
    };

    public static string ToWord(this OutboxStatus status) => status switch
    {
        OutboxStatus.Pending => "pending",
        OutboxStatus.Delivered => "delivered",
        OutboxStatus.GivenUp => "given_up",
        _ => "cancelled",
    };

    public static OutboxStatus ParseStatus(string word) => word switch
    {
        "pending" => OutboxStatus.Pending,
        "delivered" => OutboxStatus.Delivered,
        "given_up" => OutboxStatus.GivenUp,
        "cancelled" => OutboxStatus.Cancelled,
        _ => throw new FormatException($"unknown outbox status '{word}'"),
    };
}
