using System.Diagnostics;
using System.Text;
using Homeostat.Cli;

namespace Homeostat.Cli.Tests.Crash;

/// <summary>The built homeostat executable running <c>homeostat run</c> as a separate process, so a test can SIGKILL it.</summary>
public sealed class HomeostatProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HomeostatProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>What the process printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>homeostat run --config … --listen …</c> and waits until <c>/readyz</c> answers 200.</summary>
    public static async Task<HomeostatProcess> StartAsync(string config, Uri listen, HttpClient client)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(HomeostatCli).Assembly.Location, "run", "--config", config, "--listen", listen.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("HOMEOSTAT_API_TOKEN");
        var started = new HomeostatProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start homeostat"));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (started._process.HasExited)
            {
                throw new InvalidOperationException($"homeostat exited during start-up ({started._process.ExitCode}):\n{started.Output}");
            }

            try
            {
                using var ready = await client.GetAsync(new Uri(listen, "/readyz"));
                if (ready.IsSuccessStatusCode)
                {
                    return started;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        await started.KillAsync();
        throw new TimeoutException($"homeostat did not become ready within 60 s:\n{started.Output}");
    }

    /// <summary>SIGKILL: the process gets no chance to finish, flush or release anything.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
