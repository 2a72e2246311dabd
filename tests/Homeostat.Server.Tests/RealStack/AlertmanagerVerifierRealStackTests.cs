using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;
using Homeostat.Verification.Alertmanager;

namespace Homeostat.Server.Tests.RealStack;

/// <summary>The Alertmanager API v2 verifier against a real Alertmanager, with alerts posted straight into its API.</summary>
[Trait("Category", "RealStack")]
[Collection(RealStackCollection.Name)]
public sealed class AlertmanagerVerifierRealStackTests : IAsyncLifetime
{
    private static readonly TimeProvider Clock = TimeProvider.System;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "homeostat-amverify-" + Guid.NewGuid().ToString("N"));
    private MonitoringStack? _stack;

    public async Task InitializeAsync() =>
        _stack = await MonitoringStack.StartAsync(_root, LoopbackPorts.Free(), budgetBytes: 1_000_000_000_000, $"http://127.0.0.1:{LoopbackPorts.Free()}/nowhere");

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [RealStackFact]
    public async Task PostedAlert_IsNotClearedWhileActive_AndClearedOnceResolved()
    {
        var labels = new Dictionary<string, string>
        {
            ["alertname"] = "CheckoutDiskFilling",
            ["service"] = "checkout",
            ["instance"] = "node-1:9100",
            ["severity"] = "critical",
        };
        var now = Clock.GetUtcNow();
        await PostAsync(labels, now.AddMinutes(-1), now.AddMinutes(10));
        await PostAsync(new Dictionary<string, string>(labels) { ["instance"] = "node-2:9100" }, now.AddMinutes(-1), now.AddMinutes(10));
        var fingerprint = await FingerprintAsync(labels);
        var verifier = Verifier();

        var byFingerprint = await verifier.CheckAsync(Incident(labels, fingerprint), CancellationToken.None);
        var byLabels = await verifier.CheckAsync(Incident(labels, fingerprint: null), CancellationToken.None);

        byFingerprint.Status.ShouldBe(VerificationStatus.NotCleared, byFingerprint.Detail);
        byFingerprint.Detail.ShouldContain("active");
        byLabels.Status.ShouldBe(VerificationStatus.NotCleared, byLabels.Detail);

        // Resolved: the same alert posted again with endsAt in the past.
        await PostAsync(labels, now.AddMinutes(-1), Clock.GetUtcNow().AddSeconds(-1));
        var cleared = await verifier.CheckAsync(Incident(labels, fingerprint), CancellationToken.None);

        cleared.Status.ShouldBe(VerificationStatus.Cleared, cleared.Detail);
        cleared.Detail.ShouldContain("1 other");
    }

    [RealStackFact]
    public async Task AlertmanagerStopped_IsAnErrorNotAClearance()
    {
        var labels = new Dictionary<string, string> { ["alertname"] = "Gone", ["service"] = "api" };
        var verifier = Verifier();
        await _stack!.DisposeAsync();
        _stack = null;

        var result = await verifier.CheckAsync(Incident(labels, fingerprint: null), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("unreachable");
    }

    private AlertmanagerVerifier Verifier() => new(
        new PlainHttpClientFactory(),
        StaticOptionsMonitor.Of(new AlertmanagerApiOptions { Url = _stack!.AlertmanagerUrl, Timeout = Duration.Parse("5s") }),
        StaticOptionsMonitor.Of(new VerificationOptions { AlertmanagerSignals = VerificationOptions.UseAlertmanager }),
        TimeProvider.System);

    private async Task PostAsync(Dictionary<string, string> labels, DateTimeOffset startsAt, DateTimeOffset endsAt)
    {
        var alert = new
        {
            labels,
            annotations = new { summary = "posted by the test" },
            startsAt = startsAt.ToString("O", CultureInfo.InvariantCulture),
            endsAt = endsAt.ToString("O", CultureInfo.InvariantCulture),
            generatorURL = "http://127.0.0.1:9090/graph",
        };
        using var response = await _stack!.Http.PostAsJsonAsync(new Uri($"{_stack.AlertmanagerUrl}/api/v2/alerts"), new[] { alert });
        response.EnsureSuccessStatusCode();
    }

    private async Task<string> FingerprintAsync(Dictionary<string, string> labels)
    {
        var alerts = await _stack!.Http.GetFromJsonAsync<JsonElement>(new Uri($"{_stack.AlertmanagerUrl}/api/v2/alerts"));
        return alerts.EnumerateArray()
            .First(a => a.GetProperty("labels").GetProperty("instance").GetString() == labels["instance"])
            .GetProperty("fingerprint").GetString()!;
    }

    private static Incident Incident(Dictionary<string, string> labels, string? fingerprint)
    {
        var now = Clock.GetUtcNow();
        return new Incident
        {
            Id = "inc-am",
            Fingerprint = fingerprint ?? "fp",
            DeliveryKey = fingerprint ?? "fp",
            Service = labels["service"],
            State = IncidentState.Verifying,
            CreatedAt = now,
            UpdatedAt = now,
            Signal = new Signal { Id = "am-1", Source = SignalSources.Alertmanager, Labels = labels, Fingerprint = fingerprint },
        };
    }
}
