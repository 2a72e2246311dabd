using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// Homeostat watching Prometheus itself, without Alertmanager in the path: its own rule polls the sandbox's size that
/// node_exporter's textfile collector reports, fires after <c>for</c>, Homeostat compresses the logs for real and the
/// source's verifier sees the series fall under the threshold.
/// </summary>
[Trait("Category", "RealStack")]
[Collection(RealStackCollection.Name)]
public sealed class PrometheusSourceRealStackTests : IAsyncLifetime
{
    private const long Budget = 200_000;

    /// <summary>The stack's own alert rule must never fire here: the polling source is under test, not Alertmanager.</summary>
    private const long UnreachableAlertBudget = 1_000_000_000_000;

    private static readonly TimeProvider Clock = TimeProvider.System;
    private RealStackRun _run = null!;

    public async Task InitializeAsync() => _run = await RealStackRun.StartAsync("promsource", UnreachableAlertBudget, homeostatConfig: prometheusUrl => $$"""
        sources:
          prometheus:
            url: {{prometheusUrl}}
            interval: 1s
            timeout: 1s
            rules:
              - name: SandboxDiskFull
                expr: homeostat_sandbox_bytes
                threshold: { op: gt, value: {{Budget.ToString(CultureInfo.InvariantCulture)}} }
                for: 2s
                service: sandbox
                labels: [path]
                severity: critical
                summary: "disk usage of the sandbox is over its budget: no space left soon"
        """);

    public async Task DisposeAsync() => await _run.DisposeAsync();

    [RealStackFact]
    public async Task RuleCrossedForItsDuration_FiresAndIsRemediatedForReal_AndTheRuleVerifierSeesItClear()
    {
        var injectedAt = Clock.GetUtcNow();
        _run.Sandbox.Fill(TimeSpan.FromHours(2), Clock.GetUtcNow());

        var (incident, history) = await WaitForEndAsync();

        var view = incident.GetProperty("incident");
        view.GetProperty("state").GetString().ShouldBe("remediated", Describe(history));
        var signal = incident.GetProperty("signal");
        signal.GetProperty("source").GetString().ShouldBe("prometheus");
        signal.GetProperty("title").GetString().ShouldBe("SandboxDiskFull");
        signal.GetProperty("labels").GetProperty("path").GetString().ShouldBe(_run.Sandbox.Path);
        signal.GetProperty("labels").TryGetProperty("instance", out _).ShouldBeFalse("only the listed labels are carried");
        incident.GetProperty("classification").GetProperty("class").GetString().ShouldBe("disk_full");

        // Fired only after the series had held for `for`, with the time it was first seen.
        var startsAt = signal.GetProperty("startsAt").GetDateTimeOffset();
        var received = history.First(h => h.GetProperty("type").GetString() == "signal_received").GetProperty("at").GetDateTimeOffset();
        (received - startsAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
        startsAt.ShouldBeGreaterThanOrEqualTo(injectedAt.AddSeconds(-1));

        var verification = history.Last(h => h.GetProperty("type").GetString() == "verification");
        verification.GetProperty("payload").GetProperty("verifier").GetString().ShouldBe("prometheus_rule", Describe(history));
        Directory.GetFiles(_run.Sandbox.Path, "*.gz").ShouldNotBeEmpty();
        (await _run.Stack.CountSeriesAsync($"homeostat_sandbox_bytes > {Budget}")).ShouldBe(0);
    }

    private Task<(JsonElement Incident, List<JsonElement> History)> WaitForEndAsync() =>
        IncidentWatch.WaitForEndAsync(_run.Client, () => $"prometheus:\n{_run.Stack.Log("prometheus")}");

    private static string Describe(List<JsonElement> history) => IncidentWatch.Describe(history);
}
