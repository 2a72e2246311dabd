using Homeostat.Signals;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeostat.Diagnosis;

/// <summary>
/// Loads and runs the local classifier members once before the workers start. Without it the first real signal
/// pays for loading the learned model and compiling its pipeline (about two seconds measured end to end, see
/// docs/performance.md); the remote LLM member is left alone so start-up never waits on a network call.
/// </summary>
public sealed partial class ClassifierWarmup(
    IEnumerable<IClassifierMember> members,
    IClassSetProvider classes,
    TimeProvider timeProvider,
    ILogger<ClassifierWarmup> logger) : IHostedService
{
    private static readonly Signal Probe = new()
    {
        Id = "warmup",
        Source = SignalSources.Api,
        Service = "homeostat-warmup",
        Title = "HomeostatClassifierWarmup",
        Text = "synthetic signal classified once at start-up",
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var classSet = classes.Current;
        foreach (var member in members.Where(m => m.Name != ClassifierNames.Llm))
        {
            try
            {
                await member.ClassifyAsync(Probe, classSet, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The ensemble turns a failing member into an unknown vote at run time; start-up degrades the same way.
                LogMemberFailed(logger, exception, member.Name);
            }
        }

        LogWarmedUp(logger, timeProvider.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "Classifier members loaded and warmed up in {Milliseconds:0} ms")]
    private static partial void LogWarmedUp(ILogger logger, double milliseconds);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "Classifier member {Member} failed while warming up; it will vote unknown until it works")]
    private static partial void LogMemberFailed(ILogger logger, Exception exception, string member);
}
