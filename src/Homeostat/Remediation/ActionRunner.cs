using Homeostat.Healing;
using Homeostat.Primitives;
using Microsoft.Extensions.Options;

namespace Homeostat.Remediation;

public sealed record TimedOutcome<T>(T Result, TimeSpan Duration);

/// <summary>Runs an action's preview or execution with a time limit, turning exceptions and timeouts into failed outcomes.</summary>
public sealed class ActionRunner(IActionRegistry registry, IOptionsMonitor<HealingOptions> options, TimeProvider timeProvider)
{
    /// <param name="timeout">The time limit; <see cref="HealingOptions.ActionTimeout"/> when not given.</param>
    public async Task<TimedOutcome<ActionPreview>> PreviewAsync(ActionRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var action = registry.Find(request.Remediation.Action);
        if (action is null)
        {
            return new(ActionPreview.Refused($"no registered action is named '{request.Remediation.Action}'"), TimeSpan.Zero);
        }

        return await RunAsync(ct => action.PreviewAsync(request, ct), e => ActionPreview.Refused(e), timeout, cancellationToken);
    }

    /// <param name="timeout">The time limit; <see cref="HealingOptions.ActionTimeout"/> when not given.</param>
    public async Task<TimedOutcome<ActionOutcome>> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var action = registry.Find(request.Remediation.Action);
        if (action is null)
        {
            return new(ActionOutcome.Failed($"no registered action is named '{request.Remediation.Action}'"), TimeSpan.Zero);
        }

        return await RunAsync(ct => action.ExecuteAsync(request, ct), ActionOutcome.Failed, timeout, cancellationToken);
    }

    private async Task<TimedOutcome<T>> RunAsync<T>(Func<CancellationToken, Task<T>> run, Func<string, T> failure, TimeSpan? limitOrDefault, CancellationToken cancellationToken)
    {
        var timeout = limitOrDefault ?? options.CurrentValue.ActionTimeout.Value;
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
            var configured = options.CurrentValue.ActionTimeout;
            var said = timeout == configured.Value
                ? $"timed out after {configured}"
                : $"timed out after {Duration.FromTimeSpan(TimeSpan.FromMilliseconds(Math.Floor(timeout.TotalMilliseconds)))}, what the preview left of the {configured} action timeout";
            return new(failure(said), timeProvider.GetElapsedTime(started));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new(failure($"{exception.GetType().Name}: {exception.Message}"), timeProvider.GetElapsedTime(started));
        }
    }
}
