using Homeostat.Host.Actions;

namespace Homeostat.Host.Tests.Actions;

/// <summary>A filesystem as full as the test says, whatever the machine's disk holds; it records what was measured.</summary>
internal sealed class FixedFilesystemUsage(double usedPercent) : IFilesystemUsage
{
    public const long Total = 100L * 1024 * 1024 * 1024;

    public double UsedPercent { get; set; } = usedPercent;

    public List<string> Measured { get; } = [];

    /// <summary>The host's mount points as the test says; empty: the mount table cannot say.</summary>
    public List<string> Mounts { get; } = [];

    public FilesystemUse Measure(string path)
    {
        Measured.Add(path);
        return new FilesystemUse(Total, (long)(Total * (100 - UsedPercent) / 100));
    }

    public IReadOnlyList<string> MountPoints() => Mounts;
}
