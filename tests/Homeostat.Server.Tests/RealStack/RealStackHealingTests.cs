using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// The whole loop against the real components: node_exporter's textfile collector reports a sandbox's size,
/// Prometheus fires SandboxDiskFull, Alertmanager posts it to Homeostat, Homeostat compresses the logs for real and
/// verifies through Prometheus that the series is gone. Two Alertmanager replicas that cannot see each other (the
/// fail-open half of an HA pair) both deliver every notification, so each scenario also shows that a second delivery
/// of the same alert acts once.
/// </summary>
[Trait("Category", "RealStack")]
[Collection(RealStackCollection.Name)]
public sealed class RealStackHealingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Budget = 200_000;
    private static readonly TimeProvider Clock = TimeProvider.System;
    private readonly CancellationTokenSource _stop = new();
    private RealStackRun _run = null!;
    private bool _wasOverBudget;
    private DateTimeOffset? _firstSampleBelowBudget;
    private DateTimeOffset? _seriesGoneAt;
    private DateTimeOffset _actedAt = DateTimeOffset.MaxValue;

    public async Task InitializeAsync() => _run = await RealStackRun.StartAsync("realstack", Budget, alertmanagerReplicas: 2, onSample: OnSample);

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.DisposeAsync();
        _stop.Dispose();
    }

    [RealStackFact]
    public async Task OldLogsOverBudget_AreCompressedForReal_AndPrometheusVerifiesTheRecovery()
    {
        var injectedAt = FillSandbox(age: TimeSpan.FromHours(2));
        var watcher = Task.Run(WatchSeriesAsync);

        var (incident, history) = await WaitForEndAsync();

        incident.GetProperty("incident").GetProperty("state").GetString().ShouldBe("remediated", Describe(history));
        var types = history.Select(h => h.GetProperty("type").GetString()).ToList();
        types.Where(t => t is "signal_received" or "classified" or "decided" or "action_executed" or "verification" or "remediated").Distinct()
            .ShouldBe(["signal_received", "classified", "decided", "action_executed", "verification", "remediated"], Describe(history));
        incident.GetProperty("classification").GetProperty("class").GetString().ShouldBe("disk_full");
        var verification = history.Last(h => h.GetProperty("type").GetString() == "verification");
        verification.GetProperty("payload").GetProperty("verifier").GetString().ShouldBe("prometheus", Describe(history));
        Directory.GetFiles(_run.Sandbox.Path, "*.gz").ShouldNotBeEmpty();
        _run.Sandbox.Bytes().ShouldBeLessThan(Budget);
        await watcher;
        await ShouldHaveActedOnceOnBothDeliveriesAsync(incident);

        Report(incident, history, injectedAt);
    }

    [RealStackFact]
    public async Task RecentLogsOverBudget_CannotBeCompressed_AndEscalateWithVerifyFailed()
    {
        FillSandbox(age: TimeSpan.Zero);

        var (incident, history) = await WaitForEndAsync();

        var view = incident.GetProperty("incident");
        view.GetProperty("state").GetString().ShouldBe("escalated", Describe(history));
        view.GetProperty("reason").GetString().ShouldBe("verify_failed", Describe(history));
        history.Where(h => h.GetProperty("type").GetString() == "verification")
            .ShouldAllBe(h => h.GetProperty("payload").GetProperty("verifier").GetString() == "prometheus");
        Directory.GetFiles(_run.Sandbox.Path, "*.gz").ShouldBeEmpty();
        (await _run.Stack.CountSeriesAsync($"homeostat_sandbox_bytes > {Budget}")).ShouldBe(1);
        await ShouldHaveActedOnceOnBothDeliveriesAsync(incident);
    }

    /// <summary>
    /// Both replicas delivered the firing alert (the second delivery is recorded as a duplicate of the one incident),
    /// and the remediation ran once.
    /// </summary>
    private async Task ShouldHaveActedOnceOnBothDeliveriesAsync(JsonElement incident)
    {
        var id = incident.GetProperty("incident").GetProperty("id").GetString();
        var deadline = Clock.GetUtcNow() + TimeSpan.FromSeconds(15);
        List<JsonElement> history;
        do
        {
            var current = await _run.Client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
            history = current.GetProperty("history").EnumerateArray().ToList();
            if (history.Any(h => h.GetProperty("type").GetString() == "duplicate"))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        while (Clock.GetUtcNow() < deadline);

        history.ShouldContain(h => h.GetProperty("type").GetString() == "duplicate", "the second Alertmanager's delivery was never recorded:\n" + Describe(history) + "\n" + _run.Stack.AlertmanagerLogs());
        history.Count(h => h.GetProperty("type").GetString() == "action_executed").ShouldBe(1, Describe(history));
        var incidents = await _run.Client.GetFromJsonAsync<JsonElement>("/api/v1/incidents");
        incidents.GetProperty("incidents").GetArrayLength().ShouldBe(1);
    }

    /// <summary>Writes compressible .log files worth well over the budget, last written <paramref name="age"/> ago.</summary>
    private DateTimeOffset FillSandbox(TimeSpan age)
    {
        _run.Sandbox.Fill(age, Clock.GetUtcNow());
        return Clock.GetUtcNow();
    }

    private void OnSample(long size)
    {
        if (size > Budget)
        {
            _wasOverBudget = true;
        }
        else if (_wasOverBudget && _firstSampleBelowBudget is null)
        {
            _firstSampleBelowBudget = Clock.GetUtcNow();
        }
    }

    /// <summary>Notes when Prometheus first stops returning the alert's series after it was there.</summary>
    private async Task WatchSeriesAsync()
    {
        var seen = false;
        var deadline = Clock.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (Clock.GetUtcNow() < deadline && !_stop.IsCancellationRequested)
        {
            var count = await _run.Stack.CountSeriesAsync($"homeostat_sandbox_bytes > {Budget}");
            if (count > 0)
            {
                seen = true;
            }
            else if (seen)
            {
                _seriesGoneAt = Clock.GetUtcNow();
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private Task<(JsonElement Incident, List<JsonElement> History)> WaitForEndAsync() =>
        IncidentWatch.WaitForEndAsync(
            _run.Client,
            () => $"prometheus:\n{_run.Stack.Log("prometheus")}\nalertmanagers:\n{_run.Stack.AlertmanagerLogs()}",
            history =>
            {
                if (_actedAt == DateTimeOffset.MaxValue && history.FirstOrDefault(h => h.GetProperty("type").GetString() == "action_executed") is { ValueKind: JsonValueKind.Object } acted)
                {
                    _actedAt = acted.GetProperty("at").GetDateTimeOffset();
                }
            });

    private void Report(JsonElement incident, List<JsonElement> history, DateTimeOffset injectedAt)
    {
        DateTimeOffset At(string type, Func<JsonElement, bool>? where = null) =>
            history.First(h => h.GetProperty("type").GetString() == type && (where?.Invoke(h) ?? true)).GetProperty("at").GetDateTimeOffset();
        var startsAt = incident.GetProperty("signal").GetProperty("startsAt").GetDateTimeOffset();
        var received = At("signal_received");
        var decided = At("decided");
        var acted = At("action_executed");
        var verified = At("verification", h => h.GetProperty("payload").GetProperty("status").ToString() is "Cleared" or "cleared" or "0");
        var belowBudget = _firstSampleBelowBudget ?? acted;
        var seriesGone = _seriesGoneAt ?? verified;
        static string S(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s";
        var lines = new[]
        {
            $"fault injected -> rule startsAt (scrape + rule evaluation, Prometheus): {S(startsAt - injectedAt)}",
            $"startsAt -> webhook received (Alertmanager): {S(received - startsAt)}",
            $"webhook received -> decided (Homeostat: intake, classify, guardrails): {S(decided - received)}",
            $"decided -> action_executed (Homeostat: compression): {S(acted - decided)}",
            $"action_executed -> first exporter sample below budget (test exporter, 200 ms loop): {S(belowBudget - acted)}",
            $"first sample below budget -> Prometheus stops returning the series (scrape + query): {S(seriesGone - belowBudget)}",
            $"series gone -> verification cleared (Homeostat: verify after 2s / interval 1s): {S(verified - seriesGone)}",
            $"TOTAL fault injected -> verified recovery: {S(verified - injectedAt)}",
            $"TOTAL rule startsAt -> verified recovery: {S(verified - startsAt)}",
            $"  of which Prometheus/Alertmanager/exporter intervals: {S(received - startsAt + (seriesGone - acted))}",
            $"  of which Homeostat's own time (incl. its verify wait): {S(acted - received + (verified - seriesGone))}",
        };
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "homeostat-realstack-latency.txt"), lines);
    }

    private static string Describe(List<JsonElement> history) => IncidentWatch.Describe(history);
}
