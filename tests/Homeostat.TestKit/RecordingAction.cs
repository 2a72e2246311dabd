using System.Collections.Concurrent;
using Homeostat.Remediation;

namespace Homeostat.TestKit;

/// <summary>An action that records what it was asked to do and returns scripted outcomes (success by default).</summary>
public sealed class RecordingAction(ActionDescriptor descriptor) : IRemediationAction
{
    private readonly ConcurrentQueue<ActionOutcome> _scripted = new();

    public ActionDescriptor Descriptor { get; } = descriptor with { UnavailableReason = null };

    public List<ActionRequest> Previewed { get; } = [];

    public List<ActionRequest> Executed { get; } = [];

    /// <summary>Runs on each execution, so a test can make the action fix what the verifier checks.</summary>
    public Action<ActionRequest>? OnExecute { get; set; }

    public Exception? ThrowOnExecute { get; set; }

    public void ThenReturns(params ActionOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            _scripted.Enqueue(outcome);
        }
    }

    public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        lock (Previewed)
        {
            Previewed.Add(request);
        }

        return Task.FromResult(new ActionPreview(true, $"would run {Descriptor.Name} for {request.IncidentId}", [$"change made by {Descriptor.Name}"]));
    }

    public Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        lock (Executed)
        {
            Executed.Add(request);
        }

        if (ThrowOnExecute is { } exception)
        {
            throw exception;
        }

        OnExecute?.Invoke(request);
        return Task.FromResult(_scripted.TryDequeue(out var outcome) ? outcome : new ActionOutcome(ActionStatus.Succeeded, $"{Descriptor.Name} done", ["changed"]));
    }
}
