using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// The real-stack tests' sandbox: a folder of compressible logs whose size the test exports through node_exporter's
/// textfile collector as <c>homeostat_sandbox_bytes{path="…"}</c>.
/// </summary>
public sealed class LogSandbox(string path)
{
    private static readonly byte[] Line = Encoding.ASCII.GetBytes("2026-03-01T10:00:00Z INFO request handled path=/api/orders status=200 took=12ms\n");

    public string Path { get; } = path;

    /// <summary>Writes eight 50 KB .log files, last written <paramref name="age"/> ago (and a minute apart).</summary>
    public void Fill(TimeSpan age, DateTimeOffset now)
    {
        for (var i = 0; i < 8; i++)
        {
            var file = System.IO.Path.Combine(Path, $"app-{i}.log");
            using (var stream = File.Create(file))
            {
                for (var written = 0; written < 50_000; written += Line.Length)
                {
                    stream.Write(Line);
                }
            }

            File.SetLastWriteTimeUtc(file, (now - age - TimeSpan.FromMinutes(i)).UtcDateTime);
        }
    }

    public long Bytes() => new DirectoryInfo(Path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>
    /// Writes the sandbox's size atomically into the textfile directory every 200 ms until stopped, and tells
    /// <paramref name="onSample"/> each size exported.
    /// </summary>
    public async Task ExportAsync(string textfileDirectory, Action<long>? onSample, CancellationToken stop)
    {
        var target = System.IO.Path.Combine(textfileDirectory, "sandbox.prom");
        var temporary = target + ".tmp";
        var escaped = Path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var size = Bytes();
                await File.WriteAllTextAsync(temporary, $"# TYPE homeostat_sandbox_bytes gauge\nhomeostat_sandbox_bytes{{path=\"{escaped}\"}} {size.ToString(CultureInfo.InvariantCulture)}\n", CancellationToken.None);
                File.Move(temporary, target, overwrite: true);
                onSample?.Invoke(size);
            }
            catch (IOException)
            {
                // A file was being compressed while it was listed; the next round measures again.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>Polls Homeostat's API for the first incident until it ends, as an operator's script would.</summary>
public static class IncidentWatch
{
    public static async Task<(JsonElement Incident, List<JsonElement> History)> WaitForEndAsync(
        HttpClient client, Func<string> diagnostics, Action<List<JsonElement>>? onHistory = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(75);
        string? id = null;
        JsonElement last = default;
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            if (id is null)
            {
                var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/incidents");
                id = list.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("id").GetString()).FirstOrDefault();
            }

            if (id is not null)
            {
                last = await client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
                var history = last.GetProperty("history").EnumerateArray().ToList();
                onHistory?.Invoke(history);
                if (last.GetProperty("incident").GetProperty("state").GetString() is "remediated" or "escalated" or "resolved")
                {
                    return (last, history);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"no incident ended within 75 s: {(id is null ? "none was opened" : last.ToString())}\n{diagnostics()}");
    }

    public static string Describe(List<JsonElement> history) =>
        string.Join("\n", history.Select(h => $"{h.GetProperty("type").GetString()}: {h.GetProperty("summary").GetString()}"));
}
