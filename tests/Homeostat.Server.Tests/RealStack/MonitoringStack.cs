using Homeostat.TestKit;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// Real node_exporter, Prometheus and Alertmanager from the Debian packages, on free loopback ports, with throwaway
/// configs in a temporary folder. The alert rule fires when a sandbox's size (written through the textfile
/// collector) is over its budget; Alertmanager posts to the Homeostat under test. With two Alertmanager replicas
/// that cannot gossip (a partitioned HA pair, where Alertmanager fails open) Prometheus sends the alert to both and
/// both deliver it.
/// </summary>
public sealed class MonitoringStack : IAsyncDisposable
{
    public const string NodeExporter = "/usr/bin/prometheus-node-exporter";
    public const string Prometheus = "/usr/bin/prometheus";
    public const string Alertmanager = "/usr/bin/prometheus-alertmanager";

    private readonly List<Process> _processes = [];

    private MonitoringStack(string directory, int prometheusPort, int alertmanagerReplicas)
    {
        Directory = directory;
        TextfileDirectory = Path.Combine(directory, "textfile");
        System.IO.Directory.CreateDirectory(TextfileDirectory);
        NodePort = LoopbackPorts.Free();
        PrometheusPort = prometheusPort;
        AlertmanagerPorts = Enumerable.Range(0, alertmanagerReplicas).Select(_ => LoopbackPorts.Free()).ToList();
    }

    public string Directory { get; }

    public string TextfileDirectory { get; }

    public int NodePort { get; }

    public int PrometheusPort { get; }

    public IReadOnlyList<int> AlertmanagerPorts { get; }

    public int AlertmanagerPort => AlertmanagerPorts[0];

    public string PrometheusUrl => $"http://127.0.0.1:{PrometheusPort}";

    public string AlertmanagerUrl => $"http://127.0.0.1:{AlertmanagerPort}";

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Writes the configs, starts the three processes and waits until the target is up and Alertmanager is known.</summary>
    public static async Task<MonitoringStack> StartAsync(string directory, int prometheusPort, long budgetBytes, string webhookUrl, int alertmanagerReplicas = 1)
    {
        var missing = new[] { NodeExporter, Prometheus, Alertmanager }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{string.Join(", ", missing)} not installed: the real-stack tests need the Debian packages prometheus, prometheus-alertmanager and prometheus-node-exporter; scripts/test.sh installs them (apt-get install -y --no-install-recommends prometheus prometheus-alertmanager prometheus-node-exporter)");
        }

        var stack = new MonitoringStack(directory, prometheusPort, alertmanagerReplicas);
        try
        {
            await stack.WriteConfigsAsync(budgetBytes, webhookUrl);
            stack.Start("node_exporter", NodeExporter, $"--web.listen-address=127.0.0.1:{stack.NodePort} --collector.textfile.directory={Quote(stack.TextfileDirectory)} --no-collector.systemd");
            for (var i = 0; i < stack.AlertmanagerPorts.Count; i++)
            {
                var port = stack.AlertmanagerPorts[i];
                stack.Start(AlertmanagerLogName(i), Alertmanager, $"--config.file={Quote(Path.Combine(directory, "alertmanager.yml"))} --storage.path={Quote(Path.Combine(directory, $"am-data-{i}"))} --web.listen-address=127.0.0.1:{port} --web.external-url=http://127.0.0.1:{port}/ --cluster.listen-address=");
            }

            stack.Start("prometheus", Prometheus, $"--config.file={Quote(Path.Combine(directory, "prometheus.yml"))} --storage.tsdb.path={Quote(Path.Combine(directory, "prom-data"))} --web.listen-address=127.0.0.1:{stack.PrometheusPort} --web.external-url={stack.PrometheusUrl}/");
            await stack.WaitUntilReadyAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Series Prometheus returns now for an instant query.</summary>
    public async Task<int> CountSeriesAsync(string query)
    {
        using var document = await GetJsonAsync($"{PrometheusUrl}/api/v1/query?query={Uri.EscapeDataString(query)}");
        return document.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    /// <summary>Every Alertmanager replica's log, each under its name.</summary>
    public string AlertmanagerLogs() =>
        string.Join("\n", Enumerable.Range(0, AlertmanagerPorts.Count).Select(i => $"--- {AlertmanagerLogName(i)}\n{Log(AlertmanagerLogName(i))}"));

    private static string AlertmanagerLogName(int replica) => replica == 0 ? "alertmanager" : $"alertmanager-{replica}";

    public string Log(string name) => File.Exists(Path.Combine(Directory, name + ".log")) ? File.ReadAllText(Path.Combine(Directory, name + ".log")) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
            }

            process.Dispose();
        }

        Http.Dispose();
    }

    private async Task WriteConfigsAsync(long budgetBytes, string webhookUrl)
    {
        await File.WriteAllTextAsync(Path.Combine(Directory, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:
              - rules.yml
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: [{string.Join(", ", AlertmanagerPorts.Select(p => $"'127.0.0.1:{p}'"))}]
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['127.0.0.1:{NodePort}']
            """);
        await File.WriteAllTextAsync(Path.Combine(Directory, "rules.yml"), $$$"""
            groups:
              - name: homeostat-sandbox
                interval: 1s
                rules:
                  - alert: SandboxDiskFull
                    expr: homeostat_sandbox_bytes > {{{budgetBytes.ToString(CultureInfo.InvariantCulture)}}}
                    for: 0s
                    labels:
                      severity: critical
                      service: sandbox
                    annotations:
                      summary: "sandbox {{ $labels.path }} holds {{ $value }} bytes"
                      description: "disk usage of {{ $labels.path }} is over its budget: no space left soon"
            """);
        await File.WriteAllTextAsync(Path.Combine(Directory, "alertmanager.yml"), $"""
            route:
              receiver: homeostat
              group_by: ['alertname']
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: homeostat
                webhook_configs:
                  - url: {webhookUrl}
                    send_resolved: true
            """);
    }

    private void Start(string name, string binary, string arguments)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec {binary} {arguments} > {Quote(Path.Combine(Directory, name + ".log"))} 2>&1");
        _processes.Add(Process.Start(info) ?? throw new InvalidOperationException($"could not start {binary}"));
    }

    private async Task WaitUntilReadyAsync()
    {
        // /-/ready is not enough: service discovery needs up to ~5 s before the target and the Alertmanager appear.
        var started = Stopwatch.StartNew();
        string last = "nothing answered yet";
        while (started.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"a monitoring process exited early ({exited.ExitCode}); logs:\n{Log("prometheus")}\n{AlertmanagerLogs()}\n{Log("node_exporter")}");
            }

            try
            {
                using var targets = await GetJsonAsync($"{PrometheusUrl}/api/v1/targets");
                using var alertmanagers = await GetJsonAsync($"{PrometheusUrl}/api/v1/alertmanagers");
                var up = targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Any(t => t.GetProperty("health").GetString() == "up");
                var known = alertmanagers.RootElement.GetProperty("data").GetProperty("activeAlertmanagers").GetArrayLength();
                var ready = 0;
                foreach (var port in AlertmanagerPorts)
                {
                    using var amReady = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/-/ready"));
                    ready += amReady.IsSuccessStatusCode ? 1 : 0;
                }

                if (up && known == AlertmanagerPorts.Count && ready == AlertmanagerPorts.Count)
                {
                    return;
                }

                last = $"target up: {up}, alertmanagers known to Prometheus: {known}/{AlertmanagerPorts.Count}, ready: {ready}/{AlertmanagerPorts.Count}";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                last = exception.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException($"the monitoring stack was not ready within 60 s ({last}); prometheus log:\n{Log("prometheus")}");
    }

    private async Task<JsonDocument> GetJsonAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
