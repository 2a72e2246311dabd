using Homeostat.Healing;
using Homeostat.Verification;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Probes;

/// <summary>The configured probes, built once.</summary>
public sealed class ProbeSet(IOptions<ProbesOptions> options, IEnumerable<IProbeKind> kinds)
{
    public IReadOnlyList<IProbe> Probes { get; } = options.Value.Items.Select(new ProbeKindCatalog(kinds).Create).ToList();

    public IProbe? Find(string name) => Probes.FirstOrDefault(p => p.Options.Name == name);
}

/// <summary>
/// Runs each probe on its interval and sends a firing signal when it crosses its threshold and a resolved one when
/// it comes back. Repeats while firing are not sent: the incident already exists.
/// </summary>
public sealed partial class ProbeRunner(ProbeSet probes, SignalIntake intake, TimeProvider timeProvider, ILogger<ProbeRunner> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(probes.Probes.Select(p => RunAsync(p, stoppingToken)));

    private async Task RunAsync(IProbe probe, CancellationToken stoppingToken)
    {
        await Task.Yield();
        DateTimeOffset? firingSince = null;
        var first = true;
        var failures = new ProbeFailureLog(probe.Options.Name, logger, timeProvider);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var reading = await probe.MeasureAsync(stoppingToken);
                failures.Succeeded();
                var now = timeProvider.GetUtcNow();
                if (first && !reading.Breached)
                {
                    // After a restart the probe does not remember what it sent; a healthy first reading resolves
                    // whatever incident an earlier run left open (it is ignored when there is none).
                    await SendAsync(probe, reading, now, stoppingToken);
                }

                first = false;
                if (reading.Breached && firingSince is null)
                {
                    firingSince = now;
                    await SendAsync(probe, reading, now, stoppingToken);
                }
                else if (!reading.Breached && firingSince is { } since)
                {
                    firingSince = null;
                    await SendAsync(probe, reading, since, stoppingToken);
                }

                await Task.Delay(probe.Options.Interval.Value, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures.Failed(exception);
                try
                {
                    await Task.Delay(probe.Options.Interval.Value, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SendAsync(IProbe probe, ProbeReading reading, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var signal = probe.ToSignal(reading, since, Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("N"));
        var results = await intake.IngestAsync([signal], cancellationToken);
        LogProbeSignal(logger, probe.Options.Name, signal.Status.ToString().ToLowerInvariant(), reading.Description, results[0].Decision.ToString());
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Probe {Probe} sent a {Status} signal: {Description} ({Decision})")]
    private static partial void LogProbeSignal(ILogger logger, string probe, string status, string description, string decision);
}

/// <summary>
/// One probe's failures to measure, as logged: a failure when it first happens (event 1102), the same failure again
/// at most once per <see cref="RepeatEvery"/> (1103), and measuring working again (1104). A probe that cannot measure
/// at all, such as filesystem_inodes on btrfs, fails the same way on every interval for as long as it runs.
/// </summary>
internal sealed partial class ProbeFailureLog(string probe, ILogger logger, TimeProvider timeProvider)
{
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromHours(1);

    private string? _failure;
    private DateTimeOffset _failureLoggedAt;
    private int _failures;
    private DateTimeOffset _failingSince;

    public void Failed(Exception exception)
    {
        var now = timeProvider.GetUtcNow();
        if (_failures++ == 0)
        {
            _failingSince = now;
        }

        var failure = $"{exception.GetType().FullName}: {exception.Message}";
        if (failure != _failure)
        {
            _failure = failure;
            _failureLoggedAt = now;
            LogFailed(logger, exception, probe);
        }
        else if (now - _failureLoggedAt >= RepeatEvery)
        {
            _failureLoggedAt = now;
            LogStillFailing(logger, exception, probe, _failures, _failingSince);
        }
    }

    public void Succeeded()
    {
        if (_failures == 0)
        {
            return;
        }

        LogMeasuresAgain(logger, probe, _failures, _failingSince);
        _failure = null;
        _failures = 0;
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Probe {Probe} failed to measure")]
    private static partial void LogFailed(ILogger logger, Exception exception, string probe);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Probe {Probe} still fails to measure the same way ({Failures} failures since {Since:u})")]
    private static partial void LogStillFailing(ILogger logger, Exception exception, string probe, int failures, DateTimeOffset since);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Probe {Probe} measures again after {Failures} failures since {Since:u}")]
    private static partial void LogMeasuresAgain(ILogger logger, string probe, int failures, DateTimeOffset since);
}

/// <summary>Verifies a probe's own signals by measuring again.</summary>
public sealed class ProbeVerifier(ProbeSet probes) : IVerifier
{
    public string Name => "probe";

    public int Order => VerifierOrder.Probe;

    public bool CanVerify(Incident incident) =>
        VerifierSelector.IsFromProbe(incident) && incident.Signal.Label("probe") is { } name && probes.Find(name) is not null;

    public async Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        var probe = probes.Find(incident.Signal.Label("probe")!)!;
        ProbeReading reading;
        try
        {
            reading = await probe.MeasureAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A probe that cannot measure (server down, process gone) has not seen the signal clear.
            return new VerificationResult(VerificationStatus.Error, $"probe {probe.Options.Name} could not measure: {exception.Message}");
        }

        return reading.Breached
            ? new VerificationResult(VerificationStatus.NotCleared, $"probe {probe.Options.Name} still breached: {reading.Description}")
            : new VerificationResult(VerificationStatus.Cleared, $"probe {probe.Options.Name} measured again: {reading.Description}");
    }
}
