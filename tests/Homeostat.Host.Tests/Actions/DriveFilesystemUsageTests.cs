using Homeostat.Host.Actions;

namespace Homeostat.Host.Tests.Actions;

/// <summary>The real mount table: what the mountpoint check of the disk actions reads on this host.</summary>
public sealed class DriveFilesystemUsageTests
{
    [Fact]
    public void MountPointOf_ATempDirectory_IsAMountedPrefixOfIt()
    {
        var usage = new DriveFilesystemUsage();
        var directory = Directory.CreateTempSubdirectory("homeostat-mounts-").FullName;
        try
        {
            var mount = usage.MountPointOf(directory).ShouldNotBeNull();

            SafePaths.IsUnder(SafePaths.RealPath(directory), mount).ShouldBeTrue(mount);
            usage.IsMountPoint(mount).ShouldBeTrue();
            usage.IsMountPoint("/").ShouldBeTrue();
            usage.IsMountPoint(directory).ShouldBeFalse();
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}
