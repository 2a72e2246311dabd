using Homeostat.Healing;
using Homeostat.Kubernetes.Sources;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Tests;

/// <summary>What the watch sends goes through the intake limits first: a pod's huge message or label is cut, the incident still opens.</summary>
public sealed class IntakeSignalSinkBoundsTests
{
    [Fact]
    public async Task WatchedSignalWithHugeTextAndLabel_IsCutToTheIntakeLimits_AndOpensAnIncident()
    {
        await using var h = new PipelineHarness();
        var limits = new IntakeLimits { MaxTextLength = 200, MaxLabelValueLength = 64 };
        var sink = new IntakeSignalSink(h.Get<SignalIntake>(), Options.Create(limits), NullLogger<IntakeSignalSink>.Instance);
        var signal = new Signal
        {
            Id = "k8s-oom-1",
            Source = SignalSources.Kubernetes,
            Service = "shop",
            Title = "OOMKilled",
            Text = "container killed: " + new string('m', 100_000),
            Labels = new Dictionary<string, string> { ["pod"] = "web-" + new string('x', 10_000), ["reason"] = "OOMKilled" },
        };

        var results = await sink.IngestAsync([signal], CancellationToken.None);

        var incident = (await h.Store.ListIncidentsAsync(new IncidentQuery(), CancellationToken.None)).ShouldHaveSingleItem();
        results.ShouldHaveSingleItem().IncidentId.ShouldBe(incident.Id);
        incident.Signal.Text!.Length.ShouldBe(200);
        incident.Signal.Text.ShouldEndWith(PolledSignalBounds.Marker);
        incident.Signal.Label("pod")!.Length.ShouldBe(64);
        incident.Signal.Label("reason").ShouldBe("OOMKilled");
    }
}
