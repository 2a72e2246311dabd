using Homeostat.Postgres.Probes;
using Homeostat.Probes;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Postgres.Tests.Probes;

/// <summary>The connections probe's signal from a given reading; no server needed.</summary>
public sealed class PostgresConnectionsProbeSignalTests
{
    [Fact]
    public void Signal_CarriesTheSharedProbeLabels_TheServer_AndTheSlotRatio()
    {
        var probe = new PostgresConnectionsProbe(new ProbeOptions
        {
            Name = "orders-pg",
            Kind = ProbeKinds.PostgresConnections,
            ConnectionStringEnv = "UNUSED",
            Service = "orders",
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["instance"] = "orders", ["server"] = "spoofed" },
        });
        var reading = new ProbeReading(true, 50, 57, "50 client connections")
        {
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["server"] = "db:5432/orders" },
        };

        var signal = probe.ToSignal(reading, PipelineHarness.Start, "s1");

        signal.Source.ShouldBe(SignalSources.Probe);
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Title.ShouldBe("PostgresqlTooManyConnections");
        signal.Resource!.Host.ShouldBe("db:5432");
        signal.Labels.ShouldBe(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["instance"] = "orders",
            ["probe"] = "orders-pg",
            ["server"] = "db:5432/orders",
            ["severity"] = ProbeSignals.DefaultSeverity,
        }, ignoreOrder: true);
        signal.Metrics["usage_ratio"].ShouldBe(0.8772);
    }
}
