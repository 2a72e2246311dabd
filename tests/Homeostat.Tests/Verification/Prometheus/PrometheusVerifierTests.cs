using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;
using Homeostat.Verification.Prometheus;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Verification.Prometheus;

public sealed class PrometheusVerifierTests : IDisposable
{
    private const string Expression = "homeostat_sandbox_bytes > 5000";
    private readonly StubHttpServer _prometheus = new();
    private readonly string _url;
    private int _status = 200;
    private string _body = Vector();
    private bool _hold;

    public PrometheusVerifierTests()
    {
        _url = _prometheus.Url + "/";
        _prometheus.Respond = _ => new StubResponse(_status, _body, _hold);
    }

    public void Dispose() => _prometheus.Dispose();

    [Fact]
    public async Task Check_NoSeriesReturned_IsClearedAndQueriesTheAlertExpression()
    {
        _body = Vector();

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        _prometheus.Requests.ShouldHaveSingleItem().First("query").ShouldBe(Expression);
    }

    [Fact]
    public async Task Check_SeriesOfTheAlertStillReturned_IsNotClearedWithItsValue()
    {
        _body = Vector("""{"__name__":"homeostat_sandbox_bytes","instance":"127.0.0.1:9100","job":"node","path":"/srv/sandbox"}""", "123456");

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared);
        result.Detail.ShouldContain("123456");
        result.Detail.ShouldContain("path=\"/srv/sandbox\"");
    }

    [Fact]
    public async Task Check_OnlyOtherSeriesReturned_IsCleared()
    {
        _body = Vector("""{"__name__":"homeostat_sandbox_bytes","instance":"127.0.0.1:9100","job":"node","path":"/srv/other"}""", "99999");

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        result.Detail.ShouldContain("1 other series");
    }

    [Fact]
    public async Task Check_SeriesWithALongLabelValue_StillMatchesTheAlertsWholeValue()
    {
        // Alertmanager passes label values up to 4096 characters; a value cut short on one side would never match.
        var path = "/srv/" + new string('x', 2000);
        _body = Vector("{\"__name__\":\"homeostat_sandbox_bytes\",\"instance\":\"127.0.0.1:9100\",\"job\":\"node\",\"path\":\"" + path + "\"}", "7000");

        var result = await Verifier().CheckAsync(Incident(extra: new() { ["path"] = path }), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared, result.Detail);
    }

    [Fact]
    public async Task Check_AnswerLargerThanTheBound_IsAnErrorNotARecovery()
    {
        _body = Vector("""{"path":"/srv/sandbox"}""", "7000");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_url + "api/v1/query?query=up"));

        var answer = await JsonHttpGet.SendAsync(new PlainHttpClientFactory().CreateClient("test"), request, "Prometheus at test", Duration.Parse("5s"), TimeProvider.System, CancellationToken.None, maxBodyBytes: 20);

        answer.Succeeded.ShouldBeFalse();
        answer.Failure.ShouldBe("Prometheus at test answered with more than 20 bytes");
    }

    [Fact]
    public async Task Check_SeriesWithoutTheRuleAddedLabels_StillMatches()
    {
        // The alert carries alertname, severity and a rule label (team) the series does not have; only shared labels count.
        _body = Vector("""{"path":"/srv/sandbox"}""", "7000");

        var result = await Verifier().CheckAsync(Incident(extra: new() { ["team"] = "storage" }), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared, result.Detail);
    }

    [Fact]
    public async Task Check_PrometheusDown_IsError()
    {
        var verifier = Verifier(url: $"http://127.0.0.1:{LoopbackPorts.Free()}");

        var result = await verifier.CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("unreachable");
    }

    [Fact]
    public async Task Check_NoAnswerWithinTheTimeout_IsErrorOnTheInjectedClock()
    {
        _hold = true;
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var check = Verifier(time: time).CheckAsync(Incident(), CancellationToken.None);
        await _prometheus.Holding.WaitAsync(TimeSpan.FromSeconds(10));

        time.Advance(TimeSpan.FromSeconds(5));
        var result = await check.WaitAsync(TimeSpan.FromSeconds(10));

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("no answer within 5s");
    }

    [Fact]
    public async Task Check_Non200_IsErrorWithTheStatus()
    {
        _status = 503;
        _body = "Service Unavailable";

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("HTTP 503");
        result.Detail.ShouldContain("Service Unavailable");
    }

    [Fact]
    public async Task Check_StatusErrorBody_IsErrorWithPrometheusReason()
    {
        _status = 400;
        _body = """{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:25: parse error"}""";

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("bad_data: invalid parameter");
    }

    [Fact]
    public async Task Check_StatusErrorBodyWith200_IsError()
    {
        _body = """{"status":"error","errorType":"execution","error":"query timed out"}""";

        var result = await Verifier().CheckAsync(Incident(), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("query timed out");
    }

    [Fact]
    public void CanVerify_NeedsAUrlAPrometheusSourceAndAnExpression()
    {
        Verifier().CanVerify(Incident()).ShouldBeTrue();
        Verifier(url: "").CanVerify(Incident()).ShouldBeFalse();
        var incident = Incident();
        Verifier().CanVerify(incident with { Signal = incident.Signal with { Source = SignalSources.Api } }).ShouldBeFalse();
        Verifier().CanVerify(incident with { Signal = incident.Signal with { GeneratorUrl = "http://127.0.0.1:9090/graph" } }).ShouldBeFalse();
        Verifier().CanVerify(incident with { Signal = incident.Signal with { Source = SignalSources.Prometheus } }).ShouldBeTrue();
    }

    [Fact]
    public void Selector_PrefersPrometheusOverTheSourceResolvedFallback()
    {
        var selector = new VerifierSelector([new SourceResolvedVerifier(), Verifier()]);

        selector.For(Incident()).Name.ShouldBe("prometheus");
    }

    private PrometheusVerifier Verifier(string? url = null, TimeProvider? time = null) =>
        new(new PlainHttpClientFactory(), StaticOptionsMonitor.Of(new PrometheusOptions { Url = url ?? _url, Timeout = Duration.Parse("5s") }), time ?? TimeProvider.System);

    private static Incident Incident(Dictionary<string, string>? extra = null)
    {
        var labels = new Dictionary<string, string>
        {
            ["alertname"] = "SandboxDiskFull",
            ["severity"] = "critical",
            ["instance"] = "127.0.0.1:9100",
            ["job"] = "node",
            ["path"] = "/srv/sandbox",
        };
        foreach (var (key, value) in extra ?? [])
        {
            labels[key] = value;
        }

        var now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        return new Incident
        {
            Id = "inc-1",
            Fingerprint = "fp",
            DeliveryKey = "fp",
            Service = "sandbox",
            State = IncidentState.Verifying,
            CreatedAt = now,
            UpdatedAt = now,
            Signal = new Signal
            {
                Id = "sig-1",
                Source = SignalSources.Alertmanager,
                Labels = labels,
                GeneratorUrl = "http://127.0.0.1:9090/graph?g0.expr=" + Uri.EscapeDataString(Expression) + "&g0.tab=1",
            },
        };
    }

    private static string Vector(string? metric = null, string value = "1") =>
        metric is null
            ? """{"status":"success","data":{"resultType":"vector","result":[]}}"""
            : "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":" + metric + ",\"value\":[1772359200.123,\"" + value + "\"]}]}}";
}
