using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Homeostat.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

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
    private readonly string _root = Path.Combine(Path.GetTempPath(), "homeostat-promsource-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private LogSandbox _sandbox = null!;
    private MonitoringStack? _stack;
    private WebApplication? _app;
    private HttpClient? _client;
    private Task? _exporter;

    public async Task InitializeAsync()
    {
        if (!File.Exists(MonitoringStack.Prometheus))
        {
            return; // The fact is skipped with the reason.
        }

        _sandbox = new LogSandbox(Path.Combine(_root, "sandbox"));
        Directory.CreateDirectory(_sandbox.Path);
        var homeostatPort = LoopbackPorts.Free();
        var prometheusPort = LoopbackPorts.Free();
        _stack = await MonitoringStack.StartAsync(Path.Combine(_root, "stack"), prometheusPort, UnreachableAlertBudget, $"http://127.0.0.1:{LoopbackPorts.Free()}/nowhere");
        _exporter = Task.Run(() => _sandbox.ExportAsync(_stack.TextfileDirectory, onSample: null, _stop.Token));

        var catalog = Path.Combine(_root, "catalog.yaml");
        await File.WriteAllTextAsync(catalog, """
            version: promsource-1
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.80
                auto: true
                shadow_period: 0s
                params:
                  pattern: "*.log*"
                  compress_older_than: 10m
                  keep: 100
                verify: { after: 2s, timeout: 30s, interval: 1s }
            """);
        var config = Path.Combine(_root, "homeostat.yaml");
        await File.WriteAllTextAsync(config, $$"""
            sources:
              prometheus:
                url: {{_stack.PrometheusUrl}}
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
        _app = HomeostatApplication.Build(new HomeostatAppSettings
        {
            ConfigPath = config,
            DataDirectory = Path.Combine(_root, "data"),
            Listen = $"http://127.0.0.1:{homeostatPort}",
            Live = true,
            MinimumLogLevel = LogLevel.Warning,
            Overrides = new Dictionary<string, string?>
            {
                ["Guardrails:ShadowPeriod"] = "0s",
                ["Catalog:Path"] = catalog,
                ["Actions:RotateAndCompressLogs:AllowedRoots:0"] = _sandbox.Path,
            },
        });
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{homeostatPort}") };
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_exporter is not null)
        {
            await _exporter;
        }

        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [RealStackFact]
    public async Task RuleCrossedForItsDuration_FiresAndIsRemediatedForReal_AndTheRuleVerifierSeesItClear()
    {
        var injectedAt = Clock.GetUtcNow();
        _sandbox.Fill(TimeSpan.FromHours(2), Clock.GetUtcNow());

        var (incident, history) = await WaitForEndAsync();

        var view = incident.GetProperty("incident");
        view.GetProperty("state").GetString().ShouldBe("remediated", Describe(history));
        var signal = incident.GetProperty("signal");
        signal.GetProperty("source").GetString().ShouldBe("prometheus");
        signal.GetProperty("title").GetString().ShouldBe("SandboxDiskFull");
        signal.GetProperty("labels").GetProperty("path").GetString().ShouldBe(_sandbox.Path);
        signal.GetProperty("labels").TryGetProperty("instance", out _).ShouldBeFalse("only the listed labels are carried");
        incident.GetProperty("classification").GetProperty("class").GetString().ShouldBe("disk_full");

        // Fired only after the series had held for `for`, with the time it was first seen.
        var startsAt = signal.GetProperty("startsAt").GetDateTimeOffset();
        var received = history.First(h => h.GetProperty("type").GetString() == "signal_received").GetProperty("at").GetDateTimeOffset();
        (received - startsAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
        startsAt.ShouldBeGreaterThanOrEqualTo(injectedAt.AddSeconds(-1));

        var verification = history.Last(h => h.GetProperty("type").GetString() == "verification");
        verification.GetProperty("payload").GetProperty("verifier").GetString().ShouldBe("prometheus_rule", Describe(history));
        Directory.GetFiles(_sandbox.Path, "*.gz").ShouldNotBeEmpty();
        (await _stack!.CountSeriesAsync($"homeostat_sandbox_bytes > {Budget}")).ShouldBe(0);
    }

    private Task<(JsonElement Incident, List<JsonElement> History)> WaitForEndAsync() =>
        IncidentWatch.WaitForEndAsync(_client!, () => $"prometheus:\n{_stack!.Log("prometheus")}");

    private static string Describe(List<JsonElement> history) => IncidentWatch.Describe(history);
}
