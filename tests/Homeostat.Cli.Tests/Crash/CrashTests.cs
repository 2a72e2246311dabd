using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Homeostat.Cli.Tests.Crash;

/// <summary>
/// Kills the real homeostat process with SIGKILL during bursts of signals and during an action, restarts it on the same
/// store, and checks what survived. Runs <see cref="Runs"/> times each: 3 by default (CI), more with
/// <c>HOMEOSTAT_CRASH_RUNS</c> (the documented long run is 20; see docs/reliability.md). The figures are printed to the
/// test output and appended to the file <c>HOMEOSTAT_CRASH_REPORT</c> names, when set.
/// </summary>
[Trait("Category", "Crash")]
[Collection(nameof(CrashTests))]
public sealed class CrashTests(ITestOutputHelper output)
{
    private static int Runs =>
        int.TryParse(Environment.GetEnvironmentVariable("HOMEOSTAT_CRASH_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : 3;

    [Fact]
    public async Task Sigkill_DuringBurstsOfSignals_NoAcknowledgedSignalIsLost_AndTheChainVerifies()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        long acknowledged = 0;
        long lost = 0;
        for (var run = 1; run <= Runs; run++)
        {
            using var sandbox = new CrashSandbox();
            var random = new Random(run);
            var acks = new ConcurrentBag<string>();
            await using (var process = await HomeostatProcess.StartAsync(sandbox.Config, sandbox.Listen, client))
            {
                using var stop = new CancellationTokenSource();
                var posters = Enumerable.Range(0, 4).Select(poster => PostUntilStoppedAsync(client, sandbox.Listen, $"r{run}-p{poster}", acks, stop.Token)).ToList();
                while (acks.IsEmpty)
                {
                    await Task.Delay(5);
                }

                await Task.Delay(random.Next(200, 1500));
                await process.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(posters);
            }

            // Restarted on the same store, the process comes up and works; then it is killed as well.
            await using (var restarted = await HomeostatProcess.StartAsync(sandbox.Config, sandbox.Listen, client))
            {
                using var answer = await client.PostAsync(new Uri(sandbox.Listen, "/api/v1/signals"), Signal($"r{run}-after-restart"));
                ((int)answer.StatusCode).ShouldBe(202, restarted.Output);
                await restarted.KillAsync();
            }

            var stored = sandbox.ReadAudit()
                .Where(r => r.Type == "signal_received")
                .Select(r => r.Payload.GetProperty("signal").GetProperty("id").GetString())
                .ToHashSet(StringComparer.Ordinal);
            var missing = acks.Where(id => !stored.Contains(id)).ToList();
            acknowledged += acks.Count;
            lost += missing.Count;
            missing.ShouldBeEmpty($"run {run}: acknowledged with 202 but not in the store after a SIGKILL");
            stored.ShouldContain($"r{run}-after-restart");
            var verify = await sandbox.VerifyAsync();
            verify.ExitCode.ShouldBe(0, $"run {run}: {verify.Output}{verify.Error}");
        }

        Report($"signal bursts: {Runs} SIGKILLs, {acknowledged} signals acknowledged, {lost} lost, chain verified after each");
    }

    [Fact]
    public async Task Sigkill_DuringAnAction_ItIsNotRunAgain_ItIsEscalatedAsInterrupted_AndItsLeftoversAreCleanedByTheNextRun()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var interrupted = 0;
        var runTwice = 0;
        var leftoversCleaned = 0;
        var escalations = new List<TimeSpan>();
        for (var run = 1; run <= Runs; run++)
        {
            using var sandbox = new CrashSandbox();
            sandbox.WriteBigLog("app.log", megabytes: 24, seed: run);
            string? temporary = null;
            await using (var process = await HomeostatProcess.StartAsync(sandbox.Config, sandbox.Listen, client))
            {
                using var answer = await client.PostAsync(new Uri(sandbox.Listen, "/api/v1/signals"), CrashSandbox.DiskFullSignal($"disk-{run}-1", sandbox.Logs));
                ((int)answer.StatusCode).ShouldBe(202, process.Output);

                // SIGKILL as soon as the action is writing its archive.
                var waiting = Stopwatch.StartNew();
                while (temporary is null && waiting.Elapsed < TimeSpan.FromSeconds(30))
                {
                    temporary = Directory.EnumerateFiles(sandbox.Logs, "*.gz.tmp").FirstOrDefault();
                    if (temporary is null)
                    {
                        await Task.Delay(2);
                    }
                }

                await process.KillAsync();
                temporary.ShouldNotBeNull($"run {run}: the action never started writing its archive:\n{process.Output}");
            }

            var killedMidAction = File.Exists(temporary);
            await using (var restarted = await HomeostatProcess.StartAsync(sandbox.Config, sandbox.Listen, client))
            {
                // The interrupted incident is escalated (not run again) within action timeout + lease of its start.
                await WaitForAsync(() => sandbox.ReadAudit().Any(r => r.Type is "escalated" or "action_executed"), TimeSpan.FromSeconds(30), restarted);

                // The next run of the action on the same directory removes what the killed one left, and says so.
                using var answer = await client.PostAsync(new Uri(sandbox.Listen, "/api/v1/signals"), CrashSandbox.DiskFullSignal($"disk-{run}-2", sandbox.Logs));
                ((int)answer.StatusCode).ShouldBe(202, restarted.Output);
                await WaitForAsync(() => sandbox.ReadAudit().Count(r => r.Type == "action_executed") >= (killedMidAction ? 1 : 2), TimeSpan.FromSeconds(30), restarted);
                await restarted.KillAsync();
            }

            var records = sandbox.ReadAudit();
            var first = records.First(r => r.Type == "signal_received").IncidentId!;
            var second = records.Last(r => r.Type == "signal_received").IncidentId!;
            var starts = records.Where(r => r.Type == "action_started").ToList();
            starts.Count(r => r.IncidentId == first).ShouldBe(1, $"run {run}: the interrupted action was started again");
            starts.Count(r => r.IncidentId == second).ShouldBe(1);
            runTwice += starts.Count(r => r.IncidentId == first) - 1;

            if (killedMidAction)
            {
                interrupted++;
                records.ShouldNotContain(r => r.Type == "action_executed" && r.IncidentId == first, $"run {run}: an outcome was recorded for a killed action");
                var escalated = records.Single(r => r.Type == "escalated" && r.IncidentId == first);
                escalated.Payload.GetProperty("reason").GetString().ShouldBe("action_failed");
                escalated.Payload.GetProperty("detail").GetString()!.ShouldContain("unknown");
                escalations.Add(escalated.At - starts.Single(r => r.IncidentId == first).At);

                var cleaned = records.Single(r => r.Type == "action_executed" && r.IncidentId == second);
                cleaned.Payload.GetProperty("changes").EnumerateArray().Select(c => c.GetString()!)
                    .ShouldContain(c => c.StartsWith($"remove {temporary} ", StringComparison.Ordinal) && c.EndsWith("left by an interrupted run", StringComparison.Ordinal));
                leftoversCleaned++;
            }

            File.Exists(temporary).ShouldBeFalse($"run {run}: the temporary archive is still there");
            Directory.EnumerateFiles(sandbox.Logs, "*.tmp").ShouldBeEmpty();
            var verify = await sandbox.VerifyAsync();
            verify.ExitCode.ShouldBe(0, $"run {run}: {verify.Output}{verify.Error}");
        }

        interrupted.ShouldBeGreaterThan(0, "no SIGKILL landed during the action");
        var bound = CrashSandbox.ActionTimeout + CrashSandbox.ClaimLease;
        Report(
            $"actions: {Runs} SIGKILLs, {interrupted} mid-action, {runTwice} run twice, {leftoversCleaned} leftovers removed and reported by the next run; "
            + $"escalated after {Seconds(escalations.Min())}-{Seconds(escalations.Max())} s (median {Seconds(escalations.Order().ElementAt(escalations.Count / 2))} s) "
            + $"of the action's start, bound {Seconds(bound)} s (action timeout + lease) plus the restart");
    }

    private static StringContent Signal(string id) => CrashSandbox.Json(new
    {
        id,
        source = "api",
        service = "burst",
        fingerprint = id,
        title = "CrashBurst",
        text = "a signal posted while the process may be killed",
        labels = new Dictionary<string, string> { ["severity"] = "warning" },
    });

    private static async Task PostUntilStoppedAsync(HttpClient client, Uri listen, string prefix, ConcurrentBag<string> acks, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var id = $"{prefix}-{n}";
            try
            {
                using var answer = await client.PostAsync(new Uri(listen, "/api/v1/signals"), Signal(id), stop);
                if (answer.IsSuccessStatusCode)
                {
                    acks.Add(id);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
            {
                // Killed mid-request: not acknowledged, so it may or may not be stored.
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan longest, HomeostatProcess process)
    {
        var waiting = Stopwatch.StartNew();
        while (!condition())
        {
            if (waiting.Elapsed > longest)
            {
                throw new TimeoutException($"not reached within {longest}:\n{process.Output}");
            }

            await Task.Delay(100);
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    private void Report(string figures)
    {
        output.WriteLine(figures);
        if (Environment.GetEnvironmentVariable("HOMEOSTAT_CRASH_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllText(file, $"{DateTimeOffset.UtcNow:O} {figures}\n");
        }
    }
}
