using System.ComponentModel;
using System.Diagnostics;
using Homeostat.Remediation;

namespace Homeostat.Host.Actions;

/// <summary>How a process run ended.</summary>
internal sealed record ProcessResult(int? ExitCode, string StandardOutput, string StandardError, bool TimedOut, bool Cancelled);

/// <summary>
/// Runs a program directly (execve, never a shell) with each argument as its own argv entry, a closed stdin, a time
/// limit after which the whole process tree is killed, and at most 4 KiB of stdout and of stderr kept.
/// </summary>
internal static class BoundedProcess
{
    /// <summary>How long to wait for the output pipes to close after the process ended (a stray grandchild may hold them).</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    /// <exception cref="Win32Exception">The program could not be started.</exception>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        string? workingDirectory,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var process = new Process { StartInfo = start };
        process.Start();
        process.StandardInput.Close();
        var stdout = new OutputBuffer();
        var stderr = new OutputBuffer();
        var readers = Task.WhenAll(stdout.DrainAsync(process.StandardOutput.BaseStream), stderr.DrainAsync(process.StandardError.BaseStream));

        using var limit = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        var timedOut = false;
        var cancelled = false;
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            cancelled = cancellationToken.IsCancellationRequested;
            timedOut = !cancelled;
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        using var drain = new CancellationTokenSource();
        var waited = await Task.WhenAny(readers, Task.Delay(DrainLimit, timeProvider, drain.Token));
        await drain.CancelAsync();
        if (waited == readers)
        {
            await readers;
        }

        return new ProcessResult(
            timedOut || cancelled ? null : process.ExitCode,
            stdout.Text(),
            stderr.Text(),
            timedOut,
            cancelled);
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception)
        {
            // It already exited.
        }
    }

    /// <summary>Reads a pipe to its end, keeping the first 4 KiB; safe to read while the drain still runs.</summary>
    private sealed class OutputBuffer
    {
        private readonly Lock _gate = new();
        private readonly byte[] _kept = new byte[HostText.OutputLimit];
        private int _length;
        private long _total;

        public async Task DrainAsync(Stream stream)
        {
            var buffer = new byte[8192];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    lock (_gate)
                    {
                        var room = _kept.Length - _length;
                        if (room > 0)
                        {
                            var count = Math.Min(room, read);
                            Array.Copy(buffer, 0, _kept, _length, count);
                            _length += count;
                        }

                        _total += read;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
                // The pipe closed under us: keep what was read.
            }
        }

        public string Text()
        {
            lock (_gate)
            {
                return HostText.CleanOutput(_kept.AsSpan(0, _length), _total);
            }
        }
    }
}
