using Homeostat.Escalation;

namespace Homeostat.TestKit;

public sealed class RecordingNotifier : INotifier
{
    public string Name => "recording";

    public List<EscalationNotice> Sent { get; } = [];

    public Task<NotificationResult> NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken)
    {
        lock (Sent)
        {
            Sent.Add(notice);
        }

        return Task.FromResult(new NotificationResult(Name, true, 1, "recorded"));
    }
}
