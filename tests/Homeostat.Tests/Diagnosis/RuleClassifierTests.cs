using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Tests.Diagnosis;

public sealed class RuleClassifierTests
{
    private static readonly ClassSet Classes = new(FailureClasses.Seed);

    [Theory]
    [InlineData("KubeContainerOOMKilled", "", "oom")]
    [InlineData("", "Last State: Terminated, Reason: OOMKilled, Exit Code: 137", "oom")]
    [InlineData("", "java.lang.OutOfMemoryError: Java heap space", "oom")]
    [InlineData("", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "oom")]
    [InlineData("", "kernel: Memory cgroup out of memory: Killed process 4242 (python3) total-vm:812344kB, anon-rss:512000kB", "oom")]
    [InlineData("NodeFilesystemAlmostOutOfSpace", "", "disk_full")]
    [InlineData("", "ERROR: could not extend file \"base/16384/2619\": No space left on device", "disk_full")]
    [InlineData("", "The node was low on resource: ephemeral-storage.", "disk_full")]
    [InlineData("", "flood stage disk watermark [95%] exceeded on [es-data-2]", "disk_full")]
    [InlineData("SSLCertExpiringSoon", "", "cert_expiry")]
    [InlineData("", "x509: certificate has expired or is not yet valid: current time 2026-11-28T03:00:00Z is after 2026-11-27T00:00:00Z", "cert_expiry")]
    [InlineData("", "upstream request timeout", "dependency_timeout")]
    [InlineData("", "rpc error: code = DeadlineExceeded desc = context deadline exceeded", "dependency_timeout")]
    [InlineData("", "FATAL: sorry, too many clients already", "connection_pool_exhausted")]
    [InlineData("", "HikariPool-1 - Connection is not available, request timed out after 30000ms.", "connection_pool_exhausted")]
    [InlineData("", "Timeout expired. The timeout period elapsed prior to obtaining a connection from the pool.", "connection_pool_exhausted")]
    [InlineData("", "ERR max number of clients reached", "connection_pool_exhausted")]
    public void Classify_KnownFailureMessages_GiveTheirClass(string title, string text, string expected)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(expected);
        result.Confidence.ShouldBeGreaterThanOrEqualTo(0.85);
        result.Reasoning.ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("", "dial tcp 10.0.3.7:5432: connect: connection refused")]
    [InlineData("", "x509: certificate signed by unknown authority")]
    [InlineData("", "blk_update_request: I/O error, dev nvme0n1, sector 2048")]
    [InlineData("", "container memory usage is 310MiB of 512MiB")]
    [InlineData("HighCpuUsage", "CPU above 95% for 10 minutes")]
    [InlineData("", "lookup payments.internal on 10.96.0.10:53: no such host")]
    [InlineData("", "Back-off restarting failed container")]
    public void Classify_NearMisses_AreUnknown(string title, string text)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(Classification.Unknown);
    }

    [Fact]
    public void Classify_AlertExpressionInGeneratorUrl_CountsAsEvidence()
    {
        var signal = Signal("VolumeAlmostFull", string.Empty) with
        {
            GeneratorUrl = "http://prometheus:9090/graph?g0.expr=kubelet_volume_stats_available_bytes+%2F+kubelet_volume_stats_capacity_bytes+%3C+0.03&g0.tab=1",
        };

        new RuleClassifier().Classify(signal, Classes).Class.ShouldBe("disk_full");
    }

    [Fact]
    public void Classify_ClassOutsideTheClosedList_BecomesUnknown()
    {
        var result = new RuleClassifier().Classify(Signal("KubeContainerOOMKilled", string.Empty), new ClassSet(["disk_full"]));

        result.Class.ShouldBe(Classification.Unknown);
        result.Confidence.ShouldBe(0);
    }

    [Fact]
    public void Classify_KeepsTheSignalsId()
    {
        new RuleClassifier().Classify(Signal("KubeContainerOOMKilled", string.Empty) with { Id = "sig-7" }, Classes).Id.ShouldBe("sig-7");
    }

    [Fact]
    public void Classify_HugeHostileText_StaysBoundedAndDoesNotThrow()
    {
        var text = string.Concat(Enumerable.Repeat("timed out timed out (((((aaaaaaaaaaaaaaaa!", 20_000));

        Should.NotThrow(() => new RuleClassifier().Classify(Signal(string.Empty, text), Classes));
    }

    private static Signal Signal(string title, string text) => new()
    {
        Id = "s",
        Source = SignalSources.Log,
        Title = string.IsNullOrEmpty(title) ? null : title,
        Text = string.IsNullOrEmpty(text) ? null : text,
    };
}
