using Homeostat.TestKit;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Homeostat.Cli.Tests;

/// <summary>The README's main command, run as a user runs it from a checkout.</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task Quickstart_FromTheCheckout_RemediatesTheSandboxAndPrintsTheAuditTrail()
    {
        var root = CliRunner.RepositoryRoot();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "examples", "quickstart", "run.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment["QUICKSTART_EXIT"] = "1";
        start.Environment["HOMEOSTAT_LISTEN"] = $"http://127.0.0.1:{LoopbackPorts.Free()}";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(guard.Token);

        var printed = await output + await error;
        process.ExitCode.ShouldBe(0, printed);
        printed.ShouldContain("quickstart: disk_full remediated and verified in the sandbox");
        printed.ShouldContain("action_executed");
        printed.ShouldContain("audit chain intact");
        var sandbox = Path.Combine(root, "examples", "quickstart", "sandbox", "var", "log", "shop");
        Directory.GetFiles(sandbox, "*.gz").ShouldNotBeEmpty();
        Directory.GetFiles(sandbox).Sum(f => new FileInfo(f).Length).ShouldBeLessThan(24L * 1024 * 1024);
    }
}
