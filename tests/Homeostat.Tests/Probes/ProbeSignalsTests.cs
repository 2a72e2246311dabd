using Homeostat.Host.Probes;
using Homeostat.Probes;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Tests.Probes;

/// <summary>The labels and shared fields every probe kind's signal gets from <see cref="ProbeSignals"/>.</summary>
public sealed class ProbeSignalsTests
{
    public static TheoryData<string, string> Kinds => new()
    {
        { ProbeKinds.DirectorySize, "/var/log/app" },
        { ProbeKinds.FilesystemUsage, "/" },
        { ProbeKinds.FilesystemInodes, "/" },
        { ProbeKinds.MemoryUsage, "/run/app.pid" },
        { ProbeKinds.CertificateExpiry, "https://shop.example:443" },
        { ProbeKinds.HttpLatency, "http://payments:8080/health" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryHostKind_LabelsItsSignalWithTheProbeAndPath_SeverityWarningUnlessConfigured(string kind, string path)
    {
        var plain = Probe(kind, path, new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "shop" });
        var critical = Probe(kind, path, new Dictionary<string, string>(StringComparer.Ordinal) { ["severity"] = "critical", ["probe"] = "spoofed", ["path"] = "/spoofed" });
        var reading = new ProbeReading(true, 95, 100, "over");

        var signal = plain.ToSignal(reading, PipelineHarness.Start, "s1");
        var criticalSignal = critical.ToSignal(reading with { Breached = false }, PipelineHarness.Start, "s2");

        signal.Id.ShouldBe("s1");
        signal.Source.ShouldBe(SignalSources.Probe);
        signal.Service.ShouldBe("shop");
        signal.Text.ShouldBe("over");
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.StartsAt.ShouldBe(PipelineHarness.Start);
        signal.Labels["probe"].ShouldBe("p1");
        signal.Labels["path"].ShouldBe(path);
        signal.Labels["team"].ShouldBe("shop");
        signal.Labels["severity"].ShouldBe(ProbeSignals.DefaultSeverity);
        criticalSignal.Status.ShouldBe(SignalStatus.Resolved);
        criticalSignal.Labels["severity"].ShouldBe("critical");
        criticalSignal.Labels["probe"].ShouldBe("p1");
        criticalSignal.Labels["path"].ShouldBe(path);
    }

    [Fact]
    public void Create_AddsTheReadingsOwnMetrics_AndTheirRatio()
    {
        var options = new ProbeOptions { Name = "p1", Kind = ProbeKinds.MemoryUsage, Path = "/x", Service = "shop" };
        var reading = new ProbeReading(false, 25, 200, "fine") { Metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["extra"] = 7, ["value"] = 26 } };

        var signal = ProbeSignals.Create(options, reading, PipelineHarness.Start, "s1", "T", new SignalResource { Kind = "K" }, [ProbeSignals.Label("a", "b")],
            new Dictionary<string, double>(StringComparer.Ordinal) { ["value"] = reading.Value, ["ratio"] = ProbeSignals.UsageRatio(reading) });

        signal.Metrics.ShouldBe(new Dictionary<string, double>(StringComparer.Ordinal) { ["value"] = 26, ["ratio"] = 0.125, ["extra"] = 7 }, ignoreOrder: true);
        signal.Labels.ShouldBe(new Dictionary<string, string>(StringComparer.Ordinal) { ["probe"] = "p1", ["a"] = "b", ["severity"] = "warning" }, ignoreOrder: true);
        signal.Title.ShouldBe("T");
        ProbeSignals.UsageRatio(reading with { Limit = 0 }).ShouldBe(0);
    }

    private static IProbe Probe(string kind, string path, Dictionary<string, string> labels) =>
        BuiltInProbeKinds.Catalog(TimeProvider.System).Create(new ProbeOptions
        {
            Name = "p1",
            Kind = kind,
            Path = path,
            Service = "shop",
            Labels = labels,
        });
}
