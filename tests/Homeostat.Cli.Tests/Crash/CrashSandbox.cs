using System.Globalization;
using System.Text;
using System.Text.Json;
using Homeostat.TestKit;
using Microsoft.Data.Sqlite;

namespace Homeostat.Cli.Tests.Crash;

/// <summary>One audit record as the crash tests read it straight from the store file, after the process is dead.</summary>
public sealed record StoredRecord(long Sequence, string? IncidentId, string Type, DateTimeOffset At, JsonElement Payload);

/// <summary>
/// A folder with a config, a catalog, a store and a log directory the rotate action may touch, for one crash run. The
/// process acts live (no dry run, no shadow period), with a short action timeout and lease so an interrupted action is
/// escalated within seconds, under a fixed replica id as a restarted replica would have.
/// </summary>
public sealed class CrashSandbox : IDisposable
{
    public static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(2);

    private readonly TempDirectory _folder = new();

    public CrashSandbox()
    {
        Logs = Path.Combine(_folder.Path, "logs");
        Data = Path.Combine(_folder.Path, "data");
        Directory.CreateDirectory(Logs);
        _folder.Write("catalog.yaml", """
            version: crash-1
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                auto: true
                shadow_period: 0s
                params: { pattern: "*.log", compress_older_than: 30m, keep: 100, max_used_percent: 1 }
                verify: { after: 1s, timeout: 3s, interval: 1s }
            """);
        Config = _folder.Write("homeostat.yaml", $"""
            data: {Data}
            catalog:
              path: {Path.Combine(_folder.Path, "catalog.yaml")}
            guardrails:
              dry_run: false
              shadow_period: 0s
              rate_limit:
                max: 1000
                per: 1h
              blast_radius:
                max_in_flight: 1000
            healing:
              workers: 2
              action_timeout: {ActionTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s
              claim_lease: {ClaimLease.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s
              idle_poll: 1s
              replica_id: crash-replica
            actions:
              rotate_and_compress_logs:
                allowed_roots: [ {Logs} ]
            """);
        Listen = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
    }

    public string Config { get; }

    public string Data { get; }

    /// <summary>The only directory the rotate action may touch.</summary>
    public string Logs { get; }

    public Uri Listen { get; }

    /// <summary>A log of random (incompressible, so slow to gzip) bytes, last written two hours ago.</summary>
    public string WriteBigLog(string name, int megabytes, int seed)
    {
        var path = Path.Combine(Logs, name);
        var random = new Random(seed);
        var chunk = new byte[1 << 20];
        using (var stream = File.Create(path))
        {
            for (var i = 0; i < megabytes; i++)
            {
                random.NextBytes(chunk);
                stream.Write(chunk);
            }
        }

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        return path;
    }

    public static StringContent DiskFullSignal(string id, string directory) => Json(new
    {
        id,
        source = "api",
        service = "crash",
        fingerprint = id,
        title = "NodeFilesystemAlmostOutOfSpace",
        text = $"filesystem {directory} has 3% space left",
        labels = new Dictionary<string, string> { ["alertname"] = "NodeFilesystemAlmostOutOfSpace", ["severity"] = "critical", ["path"] = directory },
    });

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>Every audit record in the store, read with plain SQL (the process must be dead or stopped).</summary>
    public IReadOnlyList<StoredRecord> ReadAudit()
    {
        var records = new List<StoredRecord>();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(Data, "homeostat.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, incident_id, type, at, payload FROM audit ORDER BY seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                using var payload = JsonDocument.Parse(reader.GetString(4));
                records.Add(new StoredRecord(
                    reader.GetInt64(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.GetString(2),
                    DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture),
                    payload.RootElement.Clone()));
            }
        }

        return records;
    }

    /// <summary>Runs <c>homeostat audit --verify</c> on the store, as an operator would after a crash.</summary>
    public async Task<CliResult> VerifyAsync() => await CliRunner.RunAsync("audit", "--verify", "--data", Data);

    public void Dispose() => _folder.Dispose();
}
