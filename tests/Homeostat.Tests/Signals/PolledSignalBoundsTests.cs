using Homeostat.Signals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Homeostat.Tests.Signals;

/// <summary>The intake limits for signals Homeostat builds from what it polls or watches: cut and logged, never refused whole.</summary>
public sealed class PolledSignalBoundsTests
{
    private static readonly IntakeLimits Limits = new() { MaxLabels = 3, MaxLabelValueLength = 32, MaxAnnotationValueLength = 40, MaxTitleLength = 20, MaxTextLength = 50 };

    private readonly FakeLogger _logger = new();

    [Fact]
    public void WithinTheLimits_TheSameSignal_NothingLogged()
    {
        var signal = Signal(labels: new() { ["pod"] = "web-1" });

        PolledSignalBounds.Bound(signal, Limits, _logger).ShouldBeSameAs(signal);
        _logger.Collector.Count.ShouldBe(0);
    }

    [Fact]
    public void OverLongValuesTitleAndText_AreCutWithTheMarker_AndEachIsLoggedWithSourceFieldAndKey()
    {
        var signal = Signal(
            labels: new() { ["pod"] = new string('p', 5000) },
            annotations: new() { ["message"] = new string('m', 100_000) },
            title: new string('t', 600),
            text: new string('x', 1_000_000));

        var bounded = PolledSignalBounds.Bound(signal, Limits, _logger);

        bounded.Labels["pod"].Length.ShouldBe(32);
        bounded.Labels["pod"].ShouldEndWith(PolledSignalBounds.Marker);
        bounded.Annotations["message"].Length.ShouldBe(40);
        bounded.Title!.Length.ShouldBe(20);
        bounded.Text!.Length.ShouldBe(50);
        bounded.Text.ShouldEndWith(PolledSignalBounds.Marker);
        var warnings = _logger.Collector.GetSnapshot();
        warnings.ShouldAllBe(w => w.Level == LogLevel.Warning);
        warnings.Select(w => w.Message).ShouldBe(
        [
            "Signal from kubernetes (k8s-1): labels pod cut from 5000 to 32 characters (intake.limits)",
            "Signal from kubernetes (k8s-1): annotations message cut from 100000 to 40 characters (intake.limits)",
            "Signal from kubernetes (k8s-1): title - cut from 600 to 20 characters (intake.limits)",
            "Signal from kubernetes (k8s-1): text - cut from 1000000 to 50 characters (intake.limits)",
        ]);
    }

    [Fact]
    public void InvalidOrSurplusLabelNames_AreLeftOutAndLogged_TheRestKept()
    {
        var signal = Signal(labels: new()
        {
            ["a"] = "1",
            ["b"] = "2",
            ["bad-name"] = "3",
            ["c"] = "4",
            ["d"] = "5",
            [new string('n', 300)] = "6",
        });

        var bounded = PolledSignalBounds.Bound(signal, Limits, _logger);

        bounded.Labels.Keys.ShouldBe(["a", "b", "c"], ignoreOrder: true);
        var messages = _logger.Collector.GetSnapshot().Select(w => w.Message).ToList();
        messages.ShouldContain(m => m.Contains("labels bad-name left out: is not a valid label name", StringComparison.Ordinal));
        messages.ShouldContain(m => m.Contains("labels d left out: more than 3 labels (intake.limits.max_labels)", StringComparison.Ordinal));
        messages.ShouldContain(m => m.Contains("left out: the name is longer than 256 characters", StringComparison.Ordinal));
    }

    [Fact]
    public void Cut_NeverSplitsASurrogatePair()
    {
        var value = new string('a', 25) + "\U0001F600" + new string('b', 20);

        var cut = PolledSignalBounds.Cut(value, 32);

        cut.ShouldBe(new string('a', 25) + PolledSignalBounds.Marker);
        cut.Any(char.IsSurrogate).ShouldBeFalse();
    }

    private static Signal Signal(Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null, string? title = "OOMKilled", string? text = "killed") => new()
    {
        Id = "k8s-1",
        Source = SignalSources.Kubernetes,
        Title = title,
        Text = text,
        Labels = labels ?? [],
        Annotations = annotations ?? [],
    };
}
