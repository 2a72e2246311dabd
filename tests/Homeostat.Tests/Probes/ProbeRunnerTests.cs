using Homeostat.Healing;
using Homeostat.Probes;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.DependencyInjection;

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

    public void Dispose() => Directory.Delete(_directory, recursive: true);

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
