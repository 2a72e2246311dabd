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
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var reading = await probe.MeasureAsync(stoppingToken);
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
                LogProbeFailed(logger, exception, probe.Options.Name);
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

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Probe {Probe} failed to measure")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception, string probe);
}

/// <summary>Verifies a probe's own signals by measuring again.</summary>
public sealed class ProbeVerifier(ProbeSet probes) : IVerifier
{
    public string Name => "probe";

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
