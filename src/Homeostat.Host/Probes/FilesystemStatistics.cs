using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Homeostat.Probes;

namespace Homeostat.Host.Probes;

/// <summary>Inode counts of a filesystem through statvfs(3); .NET's DriveInfo has only byte counts.</summary>
public static partial class FilesystemStatistics
{
    public readonly record struct InodeCounts(ulong Total, ulong Free)
    {
        public ulong Used => Total >= Free ? Total - Free : 0;
    }

    public static InodeCounts Inodes(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("filesystem_inodes reads statvfs(3) and runs on Linux only");
        }

        if (StatVfs(path, out var result) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"statvfs({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        return new InodeCounts(result.Files, result.FreeFiles);
    }

    /// <summary>
    /// struct statvfs of 64-bit Linux (glibc and musl on x64 and arm64): eleven 8-byte fields, then reserved space,
    /// padded here beyond the C size so a larger libc struct can never write past it.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfsResult
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong FreeBlocks;
        public ulong AvailableBlocks;
        public ulong Files;
        public ulong FreeFiles;
        public ulong AvailableFiles;
        public ulong FilesystemId;
        public ulong Flags;
        public ulong MaxNameLength;
        public Reserved Spare;
    }

    [InlineArray(16)]
    private struct Reserved
    {
        private ulong _element;
    }

    [LibraryImport("libc", EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatVfs(string path, out StatVfsResult result);
}
