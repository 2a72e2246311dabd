using Homeostat.Healing;
using Microsoft.Extensions.Options;

namespace Homeostat.Remediation;

public sealed record TimedOutcome<T>(T Result, TimeSpan Duration);

/// <summary>Runs an action's preview or execution with a time limit, turning exceptions and timeouts into failed outcomes.</summary>
public sealed class ActionRunner(IActionRegistry registry, IOptionsMonitor<HealingOptions> options, TimeProvider timeProvider)
{
    public async Task<TimedOutcome<ActionPreview>> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        var action = registry.Find(request.Remediation.Action);
        if (action is null)
        {
            return new(ActionPreview.Refused($"no registered action is named '{request.Remediation.Action}'"), TimeSpan.Zero);
        }

        return await RunAsync(ct => action.PreviewAsync(request, ct), e => ActionPreview.Refused(e), cancellationToken);
    }

    public async Task<TimedOutcome<ActionOutcome>> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        var action = registry.Find(request.Remediation.Action);
        if (action is null)
        {
            return new(ActionOutcome.Failed($"no registered action is named '{request.Remediation.Action}'"), TimeSpan.Zero);
        }

        return await RunAsync(ct => action.ExecuteAsync(request, ct), ActionOutcome.Failed, cancellationToken);
    }

    private async Task<TimedOutcome<T>> RunAsync<T>(Func<CancellationToken, Task<T>> run, Func<string, T> failure, CancellationToken cancellationToken)
    {
        var timeout = options.CurrentValue.ActionTimeout.Value;
        var started = timeProvider.GetTimestamp();
        using var limit = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        try
        {
            var result = await run(linked.Token);
            return new(result, timeProvider.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new(failure($"timed out after {options.CurrentValue.ActionTimeout}"), timeProvider.GetElapsedTime(started));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new(failure($"{exception.GetType().Name}: {exception.Message}"), timeProvider.GetElapsedTime(started));
        }
    }
}
