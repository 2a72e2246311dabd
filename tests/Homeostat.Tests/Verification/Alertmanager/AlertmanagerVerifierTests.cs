using System.Globalization;
using System.Text.Json;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;
using Homeostat.Verification.Alertmanager;
using Homeostat.Verification.Prometheus;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Verification.Alertmanager;

/// <summary>The Alertmanager API v2 verifier against a stub that answers <c>GET /api/v2/alerts</c> as Alertmanager 0.25 does.</summary>
public sealed class AlertmanagerVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);
    private readonly StubHttpServer _alertmanager = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _alertmanager.Dispose();

    [Fact]
    public async Task AlertStillListed_IsNotClearedWithItsState_AndTheQueryIncludesSilencedAndInhibited()
    {
        Answer(Alert("d5bf79b5ca6dc083", "suppressed"));

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared, result.Detail);
        result.Detail.ShouldContain("suppressed");
        var request = _alertmanager.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/api/v2/alerts");
        request.First("filter").ShouldBe("alertname=\"DemoFaultInjected\"");
        request.First("active").ShouldBe("true");
        request.First("silenced").ShouldBe("true");
        request.First("inhibited").ShouldBe("true");
        request.First("unprocessed").ShouldBe("true");
    }

    [Fact]
    public async Task NoAlertListed_IsCleared()
    {
        Answer();

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        result.Detail.ShouldContain("no alert named DemoFaultInjected");
    }

    [Fact]
    public async Task OnlyOtherInstancesListed_IsCleared()
    {
        Answer(Alert("0000000000000001", "active", instance: "127.0.0.1:9999"));

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        result.Detail.ShouldContain("1 other");
    }

    [Fact]
    public async Task WithoutAFingerprint_TheLabelSetDecides()
    {
        Answer(Alert("ffffffffffffffff", "active"));
        var incident = Incident();
        var noFingerprint = incident with { Signal = incident.Signal with { Fingerprint = null } };

        (await Verifier().CheckAsync(noFingerprint, CancellationToken.None)).Status.ShouldBe(VerificationStatus.NotCleared);

        var otherLabels = noFingerprint with { Signal = noFingerprint.Signal with { Labels = new Dictionary<string, string>(noFingerprint.Signal.Labels) { ["extra"] = "x" } } };
        (await Verifier().CheckAsync(otherLabels, CancellationToken.None)).Status.ShouldBe(VerificationStatus.Cleared);
    }

    [Theory]
    [InlineData(500, "internal error", "HTTP 500")]
    [InlineData(200, """{"alerts":[]}""", "not a list of alerts")]
    [InlineData(200, "<html>", "not JSON")]
    public async Task AlertmanagerAnsweringBadly_IsAnErrorWithTheReason(int status, string body, string reason)
    {
        _alertmanager.Respond = _ => new StubResponse(status, body);

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain(reason);
    }

    [Fact]
    public async Task AlertmanagerDown_IsAnError()
    {
        var result = await Verifier(url: $"http://127.0.0.1:{LoopbackPorts.Free()}").CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("unreachable");
    }

    [Fact]
    public async Task AlertmanagerSlow_IsAnErrorOnTheInjectedClock()
    {
        _alertmanager.Respond = _ => new StubResponse(200, string.Empty, Hold: true);
        var check = Verifier().CheckAsync(Incident(), CancellationToken.None);
        await _alertmanager.Holding.WaitAsync(TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await check.WaitAsync(TimeSpan.FromSeconds(10));

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("no answer within 5s");
    }

    [Fact]
    public async Task BearerTokenFile_IsSentAsAuthorization()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "s3cret\n");
        try
        {
            Answer();
            await Verifier(tokenFile: tokenFile).CheckAsync(Incident(), CancellationToken.None);

            _alertmanager.Requests.ShouldHaveSingleItem().Authorization.ShouldBe("Bearer s3cret");
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public void MatcherValues_AreEscaped()
    {
        AlertmanagerVerifier.EscapeMatcherValue("a\"b\\c\nd").ShouldBe("a\\\"b\\\\c\\nd");
    }

    [Fact]
    public void Choice_DecidesWhichVerifierTakesAlertmanagerSignals()
    {
        var incident = Incident();
        var prometheus = new PrometheusVerifier(new PlainHttpClientFactory(), StaticOptionsMonitor.Of(new PrometheusOptions { Url = "http://127.0.0.1:9090" }), _time, Routing(VerificationOptions.UseAlertmanager));
        var alertmanagerChosen = new VerifierSelector([prometheus, Verifier(), new SourceResolvedVerifier()]);
        alertmanagerChosen.For(incident).Name.ShouldBe("alertmanager");

        var prometheusChosen = new VerifierSelector([
            new PrometheusVerifier(new PlainHttpClientFactory(), StaticOptionsMonitor.Of(new PrometheusOptions { Url = "http://127.0.0.1:9090" }), _time, Routing(VerificationOptions.UsePrometheus)),
            Verifier(choice: VerificationOptions.UsePrometheus),
            new SourceResolvedVerifier()]);
        prometheusChosen.For(incident).Name.ShouldBe("prometheus");

        Verifier().CanVerify(incident with { Signal = incident.Signal with { Source = SignalSources.Prometheus } }).ShouldBeFalse();
    }

    private AlertmanagerVerifier Verifier(string? url = null, string choice = VerificationOptions.UseAlertmanager, string? tokenFile = null) => new(
        new PlainHttpClientFactory(),
        StaticOptionsMonitor.Of(new AlertmanagerApiOptions { Url = url ?? _alertmanager.Url, Timeout = Duration.Parse("5s"), BearerTokenFile = tokenFile }),
        Routing(choice),
        _time);

    private static StaticOptionsMonitor<VerificationOptions> Routing(string choice) => StaticOptionsMonitor.Of(new VerificationOptions { AlertmanagerSignals = choice });

    private static Incident Incident() => new()
    {
        Id = "inc-1",
        Fingerprint = "d5bf79b5ca6dc083",
        DeliveryKey = "d5bf79b5ca6dc083",
        Service = "node",
        State = IncidentState.Verifying,
        CreatedAt = Start,
        UpdatedAt = Start,
        Signal = new Signal
        {
            Id = "am-1",
            Source = SignalSources.Alertmanager,
            Labels = Labels("127.0.0.1:19100"),
            Fingerprint = "d5bf79b5ca6dc083",
            GeneratorUrl = "http://127.0.0.1:9090/graph?g0.expr=demo_fault%7Bjob%3D%22node%22%7D+%3E+0&g0.tab=1",
        },
    };

    private static Dictionary<string, string> Labels(string instance) => new()
    {
        ["alertname"] = "DemoFaultInjected",
        ["instance"] = instance,
        ["job"] = "node",
        ["severity"] = "critical",
    };

    /// <summary>A gettableAlert as Alertmanager 0.25 serialises it.</summary>
    private static object Alert(string fingerprint, string state, string instance = "127.0.0.1:19100") => new
    {
        annotations = new { summary = "Injected fault" },
        endsAt = "2026-03-01T10:05:00.000Z",
        fingerprint,
        receivers = new[] { new { name = "webhook" } },
        startsAt = "2026-03-01T09:59:00.000Z",
        status = new { inhibitedBy = Array.Empty<string>(), silencedBy = state == "suppressed" ? new[] { "0b1c" } : [], state },
        updatedAt = "2026-03-01T09:59:30.000Z",
        generatorURL = "http://127.0.0.1:9090/graph",
        labels = Labels(instance),
    };

    private void Answer(params object[] alerts) => _alertmanager.Respond = _ => StubResponse.Json(JsonSerializer.Serialize(alerts));
}
