using System.Text.Json;
using Homeostat.Audit;

namespace Homeostat.Server.Tests;

/// <summary>The running service checkpoints the head of its chain outside the store when it stops gracefully.</summary>
public sealed class AuditCheckpointTests : IDisposable
{
    private readonly string _outside = Path.Combine(Path.GetTempPath(), "homeostat-checkpoints-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task GracefulShutdown_AppendsASignedCheckpointOfTheLastRecord()
    {
        Directory.CreateDirectory(_outside);
        var keyFile = Path.Combine(_outside, "audit.key");
        await File.WriteAllTextAsync(keyFile, "0123456789abcdef0123456789abcdef\n");
        var checkpoints = Path.Combine(_outside, "checkpoints");
        long lastSeen;
        await using (var server = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Audit:KeyFile"] = keyFile,
            ["Audit:Checkpoints:Directory"] = checkpoints,
        }))
        {
            using var response = await server.PostAsync("/api/v1/alertmanager", ServerHarness.TestData("alertmanager-disk-firing.json"));
            var incidentId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0].GetProperty("incidentId").GetString()!;
            await server.WaitForDecisionAsync(incidentId);
            var audit = await server.GetJsonAsync("/api/v1/audit?limit=1000");
            lastSeen = audit.GetProperty("records").EnumerateArray().Max(r => r.GetProperty("sequence").GetInt64());
        }

        var problems = new List<string>();
        var written = AuditCheckpointFile.Read(checkpoints, problems);

        problems.ShouldBeEmpty();
        var shutdown = written.ShouldHaveSingleItem("the store was empty at start and the interval (5m) never passed: the one checkpoint is the shutdown's");
        shutdown.Sequence.ShouldBeGreaterThanOrEqualTo(lastSeen);
        shutdown.IsSignedBy(AuditKey.FromFile(keyFile, "test", out _)!).ShouldBeTrue();
    }

    public void Dispose() => Directory.Delete(_outside, recursive: true);
}
