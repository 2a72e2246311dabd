using System.Runtime.InteropServices;
using Homeostat.Remediation;
using Microsoft.Win32.SafeHandles;

namespace Homeostat.Host.Actions;

/// <summary>
/// Opens a file for reading without following a symbolic link in its last component (open(2) with O_NOFOLLOW), so a
/// link swapped in after the plan was made cannot make Homeostat read a file outside the directory.
/// </summary>
internal static partial class NoFollowFile
{
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int LoopErrno = 40;

    public static FileStream OpenRead(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (SafePaths.IsLink(new FileInfo(path)))
            {
                throw new IOException($"{path} is a symbolic link; not followed");
            }

            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        // O_NOFOLLOW differs between Linux architectures; O_NONBLOCK keeps a planted FIFO from stalling the action.
        var noFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
        var descriptor = Open(path, ReadOnly | noFollow | NonBlocking | CloseOnExec);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException(errno == LoopErrno ? $"{path} is a symbolic link; not followed" : $"cannot open {path} (errno {errno})");
        }

        return new FileStream(new SafeFileHandle(descriptor, ownsHandle: true), FileAccess.Read);
    }

    /// <summary>
    /// Takes an exclusive flock(2) on the file without waiting, held until <paramref name="file"/> is closed; false when
    /// another open file holds it. A FileStream opened with <see cref="FileShare.None"/> holds LOCK_EX on Unix for as long
    /// as it is open and the kernel drops it when the process dies: a temporary file still locked belongs to a run in
    /// progress, an unlocked one was left by a run that was killed.
    /// </summary>
    public static bool TryLockExclusive(FileStream file) =>
        !OperatingSystem.IsLinux() || Flock(file.SafeFileHandle, LockExclusive | LockNonBlocking) == 0;

    /// <summary>
    /// Makes a rename or deletion in <paramref name="directory"/> durable (fsync(2) on the directory), so after a crash
    /// the new name is there before the file it replaces is deleted.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnly | CloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {directory} to make a rename durable (errno {Marshal.GetLastPInvokeError()})");
        }

        using var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        if (Fsync(handle) != 0)
        {
            throw new IOException($"cannot make a rename in {directory} durable (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle descriptor, int operation);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle descriptor);
}
