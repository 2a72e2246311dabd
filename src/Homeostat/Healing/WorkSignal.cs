namespace Homeostat.Healing;

/// <summary>
/// Wakes idle workers when new work arrives. A worker takes <see cref="Current"/> before it looks for work and
/// waits on it afterwards, so a wake-up in between is never lost.
/// </summary>
public sealed class WorkSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Current => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public static async Task WaitAsync(Task wakeUp, TimeSpan longest, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (longest <= TimeSpan.Zero || wakeUp.IsCompleted)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(longest, timeProvider, stop.Token);
        await Task.WhenAny(wakeUp, timer).ConfigureAwait(false);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
