using System.Globalization;
using Homeostat.Primitives;
using Homeostat.Probes;
using Homeostat.Signals;

namespace Homeostat.Host.Probes;

public abstract class DiskProbe(ProbeOptions options) : IProbe
{
    public ProbeOptions Options { get; } = options;

    protected abstract string Title { get; }

    public abstract Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken);

    public Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id) => ProbeSignals.Create(
        Options,
        reading,
        since,
        id,
        Title,
        new SignalResource { Kind = "Directory", Path = Options.Path, Host = Environment.MachineName },
        [ProbeSignals.Label("path", Options.Path)],
        new Dictionary<string, double>
        {
            ["usage"] = reading.Value,
            ["limit"] = reading.Limit,
            ["usage_ratio"] = ProbeSignals.UsageRatio(reading),
        });
}

/// <summary>How many bytes the files under a directory take, against a budget. Symbolic links are not followed.</summary>
public sealed class DirectorySizeProbe(ProbeOptions options) : DiskProbe(options)
{
    protected override string Title => "DirectoryUsageHigh";

    public override Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken)
    {
        var limit = Options.MaxBytes?.Bytes ?? long.MaxValue;
        var enumeration = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        long used = 0;
        if (Directory.Exists(Options.Path))
        {
            foreach (var file in new DirectoryInfo(Options.Path).EnumerateFiles("*", enumeration))
            {
                cancellationToken.ThrowIfCancellationRequested();
                used += file.Length;
            }
        }

        var percent = limit > 0 ? 100.0 * used / limit : 0;
        var breached = used > limit;
        var description = string.Create(CultureInfo.InvariantCulture,
            $"disk usage of directory {Options.Path} is {new ByteSize(used)}, {(breached ? "over" : "within")} its {new ByteSize(limit)} budget ({percent:0}%)");
        return Task.FromResult(new ProbeReading(breached, used, limit, description));
    }
}

/// <summary>The used share of the filesystem holding a path.</summary>
public sealed class FilesystemUsageProbe(ProbeOptions options) : DiskProbe(options)
{
    protected override string Title => "FilesystemUsageHigh";

    public override Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken)
    {
        var drive = new DriveInfo(Options.Path);
        var total = drive.TotalSize;
        var used = total - drive.AvailableFreeSpace;
        var percent = total > 0 ? 100.0 * used / total : 0;
        var limit = Options.MaxPercent ?? 90;
        var breached = percent > limit;
        var description = string.Create(CultureInfo.InvariantCulture,
            $"filesystem usage of {Options.Path} is {percent:0.0}% ({new ByteSize(used)} of {new ByteSize(total)}), {(breached ? "above" : "within")} the {limit:0}% threshold");
        return Task.FromResult(new ProbeReading(breached, percent, limit, description));
    }
}

/// <summary>
/// The used share of the inodes of the filesystem holding a path, from statvfs(3). A filesystem that reports no inode
/// counts (btrfs, some network filesystems allocate inodes on demand) cannot be measured: that is a measurement error,
/// never a breach.
/// </summary>
public sealed class FilesystemInodesProbe(ProbeOptions options, Func<string, FilesystemStatistics.InodeCounts> inodeCounts) : DiskProbe(options)
{
    public FilesystemInodesProbe(ProbeOptions options)
        : this(options, FilesystemStatistics.Inodes)
    {
    }

    protected override string Title => "FilesystemInodesHigh";

    public override Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken)
    {
        var inodes = inodeCounts(Options.Path);
        var limit = Options.MaxPercent ?? 90;
        if (inodes.Total == 0)
        {
            throw new InvalidOperationException(
                $"the filesystem holding {Options.Path} reports no inode counts (it allocates inodes on demand); a filesystem_inodes probe cannot measure it");
        }

        var percent = 100.0 * inodes.Used / inodes.Total;
        var breached = percent > limit;
        var description = string.Create(CultureInfo.InvariantCulture,
            $"inode usage of the filesystem holding {Options.Path} is {percent:0.0}% ({inodes.Used} of {inodes.Total} inodes), {(breached ? "above" : "within")} the {limit:0}% threshold");
        return Task.FromResult(new ProbeReading(breached, Math.Round(percent, 2), limit, description));
    }
}
