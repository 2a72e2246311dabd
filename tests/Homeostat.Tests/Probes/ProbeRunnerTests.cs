using Homeostat.Healing;
using Homeostat.Host.Probes;
using Homeostat.Probes;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Probes;

/// <summary>A directory probe against real files, driven by the fake clock.</summary>
public sealed class ProbeRunnerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-probe-" + Guid.NewGuid().ToString("N"));

    public ProbeRunnerTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task DirectorySizeProbe_OverBudget_IsBreachedAndItsSignalClassifiesAsDiskFull()
    {
        Fill("a.log", 3000);
        var probe = new DirectorySizeProbe(Options(maxBytes: "2Ki"));

        var reading = await probe.MeasureAsync(CancellationToken.None);
        var signal = probe.ToSignal(reading, PipelineHarness.Start, "s1");

        reading.Breached.ShouldBeTrue();
        reading.Value.ShouldBe(3000);
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Label("path").ShouldBe(_directory);
        new Homeostat.Diagnosis.RuleClassifier().Classify(signal, new Homeostat.Diagnosis.ClassSet(Homeostat.Diagnosis.FailureClasses.Seed)).Class.ShouldBe("disk_full");
    }

    [Fact]
    public async Task DirectorySizeProbe_SymlinkToABigFileOutside_IsNotCounted()
    {
        var outside = Path.Combine(Path.GetTempPath(), "homeostat-outside-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(outside, new byte[10_000]);
        try
        {
            File.CreateSymbolicLink(Path.Combine(_directory, "link.log"), outside);
            Fill("small.log", 100);

            var reading = await new DirectorySizeProbe(Options(maxBytes: "1Ki")).MeasureAsync(CancellationToken.None);

            reading.Value.ShouldBe(100);
            reading.Breached.ShouldBeFalse();
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task ProbeRunner_CrossingAndRecovering_SendsOneFiringAndOneResolvedSignal()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?>
        {
            ["Guardrails:DryRun"] = "true",
            ["Probes:0:Name"] = "logs",
            ["Probes:0:Kind"] = "directory_size",
            ["Probes:0:Path"] = _directory,
            ["Probes:0:MaxBytes"] = "2Ki",
            ["Probes:0:Interval"] = "10s",
            ["Probes:0:Service"] = "shop",
        });
        Fill("a.log", 3000);
        var runner = ActivatorUtilities.CreateInstance<ProbeRunner>(h.Services);
        await runner.StartAsync(CancellationToken.None);
        try
        {
            // First measurement: over budget, one incident opens.
            var opened = await WaitForAsync(h, incidents => incidents.Count == 1);
            opened[0].Signal.Source.ShouldBe(SignalSources.Probe);

            // Still over budget ten seconds later: no second signal.
            h.Time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(100);
            (await h.AuditAsync()).Count(r => r.Type is "signal_received" or "duplicate").ShouldBe(1);

            // Back within budget: the resolved signal resolves the incident.
            File.Delete(Path.Combine(_directory, "a.log"));
            h.Time.Advance(TimeSpan.FromSeconds(10));
            await WaitForAsync(h, incidents => incidents.Count == 1 && incidents[0].State == IncidentState.Resolved);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void FailureLog_TheSameFailureOnEveryInterval_IsLoggedOnceThenHourly_AndTheRecoveryOnce()
    {
        var time = new FakeTimeProvider(PipelineHarness.Start);
        var logger = new FakeLogger<ProbeRunner>(new FakeLogCollector(Microsoft.Extensions.Options.Options.Create(new FakeLogCollectorOptions { TimeProvider = time })));
        var log = new ProbeFailureLog("inodes", logger, time);

        // Two hours of a filesystem without inode counts, measured every 30 seconds from 03:00 to 05:00.
        for (var i = 0; i <= 240; i++)
        {
            log.Failed(new InvalidOperationException("/srv reports no inode counts"));
            time.Advance(TimeSpan.FromSeconds(30));
        }

        log.Succeeded();
        log.Succeeded();

        var records = logger.Collector.GetSnapshot();
        records.Select(r => r.Id.Id).ShouldBe([1102, 1103, 1103, 1104]);
        records[0].Level.ShouldBe(LogLevel.Warning);
        records[0].Message.ShouldBe("Probe inodes failed to measure");
        records[0].Exception!.Message.ShouldBe("/srv reports no inode counts");
        records[1].Message.ShouldBe("Probe inodes still fails to measure the same way (121 failures since 2026-11-28 03:00:00Z)");
        records[1].Timestamp.ShouldBe(PipelineHarness.Start + TimeSpan.FromHours(1));
        records[2].Message.ShouldBe("Probe inodes still fails to measure the same way (241 failures since 2026-11-28 03:00:00Z)");
        records[3].Level.ShouldBe(LogLevel.Information);
        records[3].Message.ShouldBe("Probe inodes measures again after 241 failures since 2026-11-28 03:00:00Z");
    }

    [Fact]
    public void FailureLog_ADifferentFailure_IsLoggedAtOnce_AndAFailureAfterRecovery_Too()
    {
        var time = new FakeTimeProvider(PipelineHarness.Start);
        var logger = new FakeLogger<ProbeRunner>();
        var log = new ProbeFailureLog("app-memory", logger, time);

        log.Failed(new InvalidOperationException("process 42 is not running"));
        log.Failed(new InvalidOperationException("process 42 is not running"));
        log.Failed(new InvalidDataException("pid file /run/app.pid does not hold a positive process id"));
        log.Failed(new InvalidOperationException("process 42 is not running"));
        log.Succeeded();
        log.Failed(new InvalidOperationException("process 42 is not running"));

        logger.Collector.GetSnapshot().Select(r => (r.Id.Id, r.Exception?.Message)).ShouldBe(
        [
            (1102, "process 42 is not running"),
            (1102, "pid file /run/app.pid does not hold a positive process id"),
            (1102, "process 42 is not running"),
            (1104, null),
            (1102, "process 42 is not running"),
        ]);
    }

    [Fact]
    public async Task ProbeRunner_AProbeFailingTheSameWayEveryInterval_IsLoggedOnce_ThenItsRecovery()
    {
        await using var h = new PipelineHarness(settings: new Dictionary<string, string?> { ["Guardrails:DryRun"] = "true" });
        var probe = new FailingProbe(failures: 6);
        var probes = new ProbeSet(
            Microsoft.Extensions.Options.Options.Create(new ProbesOptions { Items = [probe.Options] }),
            [new FailingProbeKind(probe)]);
        var logger = new FakeLogger<ProbeRunner>();
        var runner = new ProbeRunner(probes, h.Services.GetRequiredService<SignalIntake>(), h.Time, logger);
        await runner.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 500 && probe.Calls == 0; i++)
            {
                await Task.Delay(10);
            }

            // The runner waits on the fake clock; an advance made before it starts waiting is missed, so advance again.
            for (var i = 0; i < 500 && probe.Calls <= 6; i++)
            {
                var calls = probe.Calls;
                h.Time.Advance(probe.Options.Interval.Value);
                for (var j = 0; j < 50 && probe.Calls == calls; j++)
                {
                    await Task.Delay(10);
                }
            }

            probe.Calls.ShouldBeGreaterThan(6);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
        }

        var records = logger.Collector.GetSnapshot().Where(r => r.Id.Id is 1102 or 1103 or 1104).ToList();
        records.Select(r => r.Id.Id).ShouldBe([1102, 1104]);
        records[1].Message.ShouldBe("Probe flaky measures again after 6 failures since 2026-11-28 03:00:00Z");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A probe that fails to measure the same way a number of times, then measures within its limit.</summary>
    private sealed class FailingProbe(int failures) : IProbe
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ProbeOptions Options { get; } = new()
        {
            Name = "flaky",
            Kind = "flaky",
            Path = "/nowhere",
            Interval = Homeostat.Primitives.Duration.Parse("10s"),
            Service = "shop",
        };

        public Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) <= failures
                ? throw new InvalidOperationException("/nowhere reports no inode counts")
                : Task.FromResult(new ProbeReading(false, 1, 100, "fine"));

        public Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id) => ProbeSignals.Create(
            Options, reading, since, id, "FilesystemInodesHigh", new SignalResource { Kind = "Filesystem", Path = Options.Path },
            [ProbeSignals.Label("path", Options.Path)], new Dictionary<string, double>());
    }

    private sealed class FailingProbeKind(FailingProbe probe) : IProbeKind
    {
        public string Kind => "flaky";

        public IProbe Create(ProbeOptions options) => probe;

        public IEnumerable<string> Validate(ProbeOptions options) => [];
    }

    private static async Task<IReadOnlyList<Incident>> WaitForAsync(PipelineHarness h, Func<IReadOnlyList<Incident>, bool> condition)
    {
        for (var i = 0; i < 250; i++)
        {
            await h.RunUntilIdleAsync();
            var incidents = await h.Store.ListIncidentsAsync(new IncidentQuery(), CancellationToken.None);
            if (condition(incidents))
            {
                return incidents;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the probe runner did not reach the expected state");
    }

    private ProbeOptions Options(string maxBytes) => new()
    {
        Name = "logs",
        Kind = ProbeKinds.DirectorySize,
        Path = _directory,
        MaxBytes = Homeostat.Primitives.ByteSize.Parse(maxBytes),
        Service = "shop",
    };

    private void Fill(string name, int bytes) => File.WriteAllBytes(Path.Combine(_directory, name), new byte[bytes]);
}
