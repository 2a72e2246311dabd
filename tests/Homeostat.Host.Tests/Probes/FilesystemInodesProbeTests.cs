using System.Diagnostics;
using System.Globalization;
using Homeostat.Host.Probes;
using Homeostat.Probes;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Host.Tests.Probes;

/// <summary>The inode probe against the real filesystem of the temp directory, checked against df -i, and against given counts.</summary>
public sealed class FilesystemInodesProbeTests
{
    private static readonly string Directory = Path.GetTempPath();

    [SkippableFact]
    public async Task Inodes_OfTheTempFilesystem_MatchDfAndPlausible()
    {
        var counts = FilesystemStatistics.Inodes(Directory);
        Skip.If(counts.Total == 0, $"the filesystem holding {Directory} reports no inode counts (btrfs?)");
        var (total, used) = await DfInodesAsync(Directory);

        counts.Total.ShouldBe(total);
        // Other tests create and delete files meanwhile.
        ((double)counts.Used).ShouldBe(used, tolerance: Math.Max(1000, used * 0.01));
        counts.Used.ShouldBeGreaterThan(0UL);
        counts.Used.ShouldBeLessThan(counts.Total);
    }

    [SkippableFact]
    public async Task Probe_ThresholdBelowCurrentUsage_BreachesAndClassifiesAsDiskFull_AboveDoesNot()
    {
        var counts = FilesystemStatistics.Inodes(Directory);
        var percent = counts.Total == 0 ? 0 : 100.0 * counts.Used / counts.Total;
        Skip.If(percent < 1.5, $"only {percent:0.00}% of the inodes are in use here: too few to set a threshold below it (max_percent starts at 1)");

        var low = new FilesystemInodesProbe(Options(maxPercent: Math.Floor(percent) - 0.5));
        var high = new FilesystemInodesProbe(Options(maxPercent: Math.Min(100, Math.Ceiling(percent) + 1)));

        var breached = await low.MeasureAsync(CancellationToken.None);
        var within = await high.MeasureAsync(CancellationToken.None);

        breached.Breached.ShouldBeTrue(breached.Description);
        breached.Description.ShouldStartWith($"inode usage of the filesystem holding {Directory} is ");
        within.Breached.ShouldBeFalse(within.Description);
        var signal = low.ToSignal(breached, PipelineHarness.Start, "s1");
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Title.ShouldBe("FilesystemInodesHigh");
        CertificateExpiryProbeTests.Classify(signal).ShouldBe("disk_full");
    }

    [Fact]
    public async Task Probe_OnAFilesystemReportingNoInodeCounts_FailsToMeasure_NeverBreaches()
    {
        var probe = new FilesystemInodesProbe(Options(maxPercent: 90), _ => new FilesystemStatistics.InodeCounts(Total: 0, Free: 0));

        var error = await Should.ThrowAsync<InvalidOperationException>(() => probe.MeasureAsync(CancellationToken.None));

        error.Message.ShouldBe($"the filesystem holding {Directory} reports no inode counts (it allocates inodes on demand); a filesystem_inodes probe cannot measure it");
    }

    [Theory]
    [InlineData(1000UL, 50UL, true, "inode usage of the filesystem holding {0} is 95.0% (950 of 1000 inodes), above the 90% threshold")]
    [InlineData(1000UL, 900UL, false, "inode usage of the filesystem holding {0} is 10.0% (100 of 1000 inodes), within the 90% threshold")]
    public async Task Probe_WithGivenInodeCounts_BreachesAboveMaxPercent(ulong total, ulong free, bool breached, string description)
    {
        var probe = new FilesystemInodesProbe(Options(maxPercent: 90), path => path == Directory ? new FilesystemStatistics.InodeCounts(total, free) : throw new IOException(path));

        var reading = await probe.MeasureAsync(CancellationToken.None);

        reading.Breached.ShouldBe(breached);
        reading.Description.ShouldBe(string.Format(CultureInfo.InvariantCulture, description, Directory));
    }

    [Fact]
    public void Inodes_OfAMissingPath_FailWithTheErrno()
    {
        var missing = Path.Combine(Directory, "homeostat-missing-" + Guid.NewGuid().ToString("N"));

        var error = Should.Throw<IOException>(() => FilesystemStatistics.Inodes(missing));

        error.Message.ShouldContain("errno 2");
    }

    private static ProbeOptions Options(double maxPercent) => new()
    {
        Name = "tmp-inodes",
        Kind = ProbeKinds.FilesystemInodes,
        Path = Directory,
        MaxPercent = maxPercent,
        Service = "node",
    };

    private static async Task<(ulong Total, ulong Used)> DfInodesAsync(string path)
    {
        var start = new ProcessStartInfo("df") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--output=itotal,iused", path })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0);
        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (ulong.Parse(fields[0], CultureInfo.InvariantCulture), ulong.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}
