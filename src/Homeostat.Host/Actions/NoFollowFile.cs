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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
