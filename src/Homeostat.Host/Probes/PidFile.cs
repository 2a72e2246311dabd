using System.Globalization;
using System.Runtime.InteropServices;
using Homeostat.Probes;
using Microsoft.Win32.SafeHandles;

namespace Homeostat.Host.Probes;

/// <summary>
/// A pid file, read strictly: a regular file (a symbolic link to one is followed) holding one positive decimal integer,
/// optionally followed by a newline, at most 64 bytes; anything else is refused. A FIFO, device or socket is refused
/// without waiting on it. <see cref="Identity"/> tells whether the file was rewritten since an earlier read.
/// </summary>
public sealed partial record PidFile(string Path, int Pid, PidFileIdentity Identity)
{
    private const int MaxBytes = 64;

    public static PidFile Read(string path)
    {
        using var stream = OpenRegular(path);
        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        if (length > MaxBytes)
        {
            throw new InvalidDataException($"pid file {path} is longer than {MaxBytes} bytes; not a pid file");
        }

        var text = System.Text.Encoding.ASCII.GetString(buffer, 0, length).TrimEnd('\n', '\r', ' ', '\t');
        if (text.Length is 0 or > 10 || !text.All(char.IsAsciiDigit) || text[0] == '0'
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            throw new InvalidDataException($"pid file {path} does not hold a positive process id");
        }

        return new PidFile(path, pid, IdentityOf(stream.SafeFileHandle));
    }

    private static PidFileIdentity IdentityOf(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new PidFileIdentity(0, 0, File.GetLastWriteTimeUtc(handle).Ticks, 0);
        }

        var status = Stat((int)handle.DangerousGetHandle(), "", AtEmptyPath);
        return status.Identity;
    }

    private static FileStream OpenRegular(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }

        // The type is checked before opening, so no device is ever opened, and again on the open descriptor, in case
        // the path was swapped in between; O_NONBLOCK keeps even that open from waiting for a FIFO's writer.
        EnsureRegular(path, Stat(AtCurrentDirectory, path, 0).Type);
        var descriptor = Open(path, ReadOnly | NonBlocking | NoControllingTerminal | CloseOnExec);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open pid file {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        try
        {
            EnsureRegular(path, Stat(descriptor, "", AtEmptyPath).Type);
            return new FileStream(handle, FileAccess.Read);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void EnsureRegular(string path, int type)
    {
        if (type != RegularFile)
        {
            var what = type switch
            {
                0x1000 => "a FIFO",
                0x2000 => "a character device",
                0x4000 => "a directory",
                0x6000 => "a block device",
                0xC000 => "a socket",
                _ => "not a regular file",
            };
            throw new InvalidDataException($"pid file {path} is {what}, not a regular file; refused");
        }
    }

    /// <summary>
    /// The S_IFMT bits of a file's mode and its identity through statx(2), whose struct is the same on every Linux
    /// architecture.
    /// </summary>
    private static unsafe (int Type, PidFileIdentity Identity) Stat(int directory, string path, int flags)
    {
        var buffer = stackalloc byte[StatxSize];
        int result;
        try
        {
            result = Statx(directory, path, flags, StatxMask, buffer);
        }
        catch (EntryPointNotFoundException exception)
        {
            throw new PlatformNotSupportedException("reading a pid file needs statx(2) in the C library (glibc 2.28+, musl 1.2.5+)", exception);
        }

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot read pid file {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        var identity = new PidFileIdentity(
            ((ulong)*(uint*)(buffer + StatxDevMajorOffset) << 32) | *(uint*)(buffer + StatxDevMinorOffset),
            *(ulong*)(buffer + StatxInodeOffset),
            *(long*)(buffer + StatxModifiedOffset),
            *(uint*)(buffer + StatxModifiedOffset + 8));
        return (*(ushort*)(buffer + StatxModeOffset) & 0xF000, identity);
    }

    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int NoControllingTerminal = 0x100;
    private const int CloseOnExec = 0x80000;
    private const int AtCurrentDirectory = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxMask = 0x1 | 0x40 | 0x100; // STATX_TYPE | STATX_MTIME | STATX_INO
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int StatxInodeOffset = 32;
    private const int StatxModifiedOffset = 112;
    private const int StatxDevMajorOffset = 136;
    private const int StatxDevMinorOffset = 140;
    private const int RegularFile = 0x8000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}

/// <summary>
/// Which file a pid file is and when it was last written: its device, inode and modification time as the filesystem
/// holds them. Only ever compared for equality, never with the clock, so a stepped wall clock cannot disturb it.
/// </summary>
public readonly record struct PidFileIdentity(ulong Device, ulong Inode, long ModifiedSeconds, uint ModifiedNanoseconds);
