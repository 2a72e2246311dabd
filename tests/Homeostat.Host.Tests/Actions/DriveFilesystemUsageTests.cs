using Homeostat.Host.Actions;

namespace Homeostat.Host.Tests.Actions;

/// <summary>The real mount table: what the mountpoint check of the disk actions reads on this host.</summary>
public sealed class DriveFilesystemUsageTests
{
    [Fact]
    public void MountPoints_IncludeTheRootAndAPrefixOfATempDirectory_WithoutTrailingSlashes()
    {
        var mounts = new DriveFilesystemUsage().MountPoints();
        var directory = Directory.CreateTempSubdirectory("homeostat-mounts-").FullName;
        try
        {
            mounts.ShouldContain("/");
            mounts.ShouldNotContain(directory);
            mounts.ShouldAllBe(m => m == "/" || !m.EndsWith('/'));
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}
