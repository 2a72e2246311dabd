using Homeostat.TestKit;
using Homeostat.Verification.Prometheus;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// One real-stack scenario's moving parts: a log sandbox, Homeostat (live, SQLite, a catalog that compresses the
/// sandbox's logs, the <c>prometheus</c> verifier pointed at the stack), the monitoring stack whose Alertmanagers post
/// to it, and the exporter loop reporting the sandbox's size. Disposing stops and removes all of it.
/// </summary>
public sealed class RealStackRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _exporter;

    private RealStackRun(string root)
    {
        Root = root;
        Sandbox = new LogSandbox(Path.Combine(root, "sandbox"));
        Directory.CreateDirectory(Sandbox.Path);
    }

    public string Root { get; }

    public LogSandbox Sandbox { get; }

    public MonitoringStack Stack { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    private WebApplication? App { get; set; }

    /// <param name="alertBudget">The stack's own alert rule fires above this many sandbox bytes.</param>
    /// <param name="homeostatConfig">Homeostat's config file, given the Prometheus URL; null for none.</param>
    /// <param name="onSample">Told each sandbox size the exporter reports.</param>
    public static async Task<RealStackRun> StartAsync(
        string name, long alertBudget, int alertmanagerReplicas = 1, Func<string, string>? homeostatConfig = null, Action<long>? onSample = null)
    {
        var run = new RealStackRun(Path.Combine(Path.GetTempPath(), $"homeostat-{name}-" + Guid.NewGuid().ToString("N")));
        try
        {
            await run.StartAsync(alertBudget, alertmanagerReplicas, homeostatConfig, onSample);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_exporter is not null)
        {
            await _exporter;
        }

        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        Client?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _stop.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartAsync(long alertBudget, int alertmanagerReplicas, Func<string, string>? homeostatConfig, Action<long>? onSample)
    {
        var homeostatPort = LoopbackPorts.Free();
        var prometheusPort = LoopbackPorts.Free();
        var prometheusUrl = $"http://127.0.0.1:{prometheusPort}";
        var catalog = Path.Combine(Root, "catalog.yaml");
        await File.WriteAllTextAsync(catalog, """
            version: realstack-1
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
                  max_used_percent: 1   # the premise holds on any disk: the test is about the stack, not the budget
                verify: { after: 2s, timeout: 30s, interval: 1s }
            """);
        string? config = null;
        if (homeostatConfig is not null)
        {
            config = Path.Combine(Root, "homeostat.yaml");
            await File.WriteAllTextAsync(config, homeostatConfig(prometheusUrl));
        }

        App = HomeostatApplication.Build(new HomeostatAppSettings
        {
            ConfigPath = config,
            DataDirectory = Path.Combine(Root, "data"),
            Listen = $"http://127.0.0.1:{homeostatPort}",
            Live = true,
            MinimumLogLevel = LogLevel.Warning,
            Overrides = new Dictionary<string, string?>
            {
                ["Guardrails:ShadowPeriod"] = "0s",
                ["Catalog:Path"] = catalog,
                ["Actions:RotateAndCompressLogs:AllowedRoots:0"] = Sandbox.Path,
                [$"{PrometheusOptions.Section}:Url"] = prometheusUrl,
            },
        });
        await App.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{homeostatPort}") };

        Stack = await MonitoringStack.StartAsync(
            Path.Combine(Root, "stack"), prometheusPort, alertBudget, $"http://127.0.0.1:{homeostatPort}/api/v1/alertmanager", alertmanagerReplicas);
        _exporter = Task.Run(() => Sandbox.ExportAsync(Stack.TextfileDirectory, onSample, _stop.Token));
    }
}
