using System.Text.RegularExpressions;

namespace Homeostat.Fuzz.Tests;

/// <summary>The valid inputs the fuzzers start from: the repository's own examples where there are some.</summary>
internal static partial class Seeds
{
    public static readonly string[] Signals =
    [
        """
        {"id":"ord-1","source":"api","service":"checkout","title":"disk almost full","text":"No space left on device while writing /var/log/app.log",
         "labels":{"alertname":"DiskFull","severity":"critical","instance":"10.0.0.7:9100"},"annotations":{"summary":"/var at 97%"},
         "metrics":{"disk_used_percent":97.5},"resource":{"kind":"Pod","namespace":"shop","name":"checkout-7d9f","container":"app","host":"node-1","path":"/var/log"},
         "status":"firing","startsAt":"2026-11-27T23:51:05.832Z","fingerprint":"d5bf79b5ca6dc083",
         "generatorURL":"http://prometheus:9090/graph?g0.expr=node_filesystem_avail_bytes%20%3C%201&g0.tab=1"}
        """,
        """
        [{"source":"probe","service":"shop","title":"OOMKilled","labels":{"reason":"OOMKilled"}},
         {"source":"log","text":"x509: certificate has expired or is not yet valid","status":"resolved"}]
        """,
        """{"source":"kubernetes","labels":{"alertname":"KubePodCrashLooping","namespace":"shop","pod":"api-1"}}""",
    ];

    /// <summary>Documents sent as JSON Lines: each array element becomes a line.</summary>
    public static readonly string[] SignalLines =
    [
        """
        [{"source":"api","title":"context deadline exceeded","service":"orders"},
         {"source":"api","labels":{"alertname":"HighLatency"},"metrics":{"p99_seconds":2.5}},
         {"source":"probe","text":"disk 91% full","resource":{"host":"db-1","path":"/"}}]
        """,
    ];

    public static readonly string[] SignalFields =
    [
        "id", "source", "service", "resource", "title", "text", "labels", "annotations", "generatorURL", "metrics", "status", "startsAt",
        "endsAt", "fingerprint", "label", "kind", "namespace", "name", "container", "host", "path", "alertname", "severity", "__proto__",
    ];

    public static readonly string[] AlertmanagerFields =
    [
        "version", "groupKey", "status", "receiver", "truncatedAlerts", "commonLabels", "commonAnnotations", "groupLabels", "externalURL",
        "alerts", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint", "alertname", "namespace", "pod", "node",
    ];

    public static IReadOnlyList<string> Alertmanager() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds", "server"), "alertmanager-*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    public static IReadOnlyList<string> Catalogs() =>
        new[] { "catalog.yaml", "seed-catalog.yaml", "quickstart/catalog.yaml" }.Select(name => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", "examples", name))).ToList();

    /// <summary>The example configs and the reference config of docs/configuration.md.</summary>
    public static IReadOnlyList<string> Configs()
    {
        var examples = new[] { "quickstart/homeostat.yaml", "prometheus-source.yaml" }
            .Select(name => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", "examples", name)));
        var reference = YamlBlock().Match(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", "docs", "configuration.md"))).Groups["yaml"].Value;
        return examples.Append(reference).ToList();
    }

    [GeneratedRegex("```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
