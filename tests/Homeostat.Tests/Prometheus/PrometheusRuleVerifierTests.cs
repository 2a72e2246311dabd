using System.Globalization;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Prometheus;
using Homeostat.Signals;
using Homeostat.TestKit;
using Homeostat.Verification;
using Homeostat.Verification.Prometheus;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Prometheus;

/// <summary>The source's verifier re-evaluates the rule, threshold included, against a stub Prometheus.</summary>
public sealed class PrometheusRuleVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);
    private readonly StubHttpServer _prometheus = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _prometheus.Dispose();

    [Fact]
    public async Task SeriesStillCrossing_IsNotCleared()
    {
        Answer(("node-1:9100", "/var", 0.05));

        var result = await Verifier().CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared, result.Detail);
        result.Detail.ShouldContain("mountpoint=\"/var\"");
        result.Detail.ShouldContain("0.05");
        _prometheus.Requests.ShouldHaveSingleItem().First("query").ShouldBe("node_filesystem_avail_ratio");
    }

    [Fact]
    public async Task SeriesBackOverTheThreshold_IsCleared()
    {
        Answer(("node-1:9100", "/var", 0.4), ("node-2:9100", "/var", 0.01));

        var result = await Verifier().CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        result.Detail.ShouldContain("instance=\"node-1:9100\"");
        result.Detail.ShouldContain("= 0.4, no longer < 0.1");
    }

    [Fact]
    public async Task SeriesAbsent_WithAThreshold_IsNotCleared()
    {
        // A restart stops the scrape and the series goes stale: no data is not a recovery.
        Answer();

        var result = await Verifier().CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared, result.Detail);
        result.Detail.ShouldContain("no data for the series (stale or not scraped)");
    }

    [Fact]
    public async Task OnlyOtherSeriesReturned_WithAThreshold_IsNotCleared()
    {
        Answer(("node-2:9100", "/var", 0.01), ("node-1:9100", "/srv", 0.5));

        var result = await Verifier().CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared, result.Detail);
        result.Detail.ShouldContain("no data for the series");
    }

    [Fact]
    public async Task SeriesAbsent_WithoutAThreshold_IsCleared()
    {
        // The expression is its own filter: absence is the only sign of recovery.
        Answer(("node-2:9100", "/var", 0.01));

        var result = await Verifier(threshold: false).CheckAsync(Incident("node-1:9100", "/var", threshold: false), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Cleared, result.Detail);
        result.Detail.ShouldContain("(1 other)");
    }

    [Fact]
    public async Task SeriesWithANaNSample_IsNoData_NotCleared()
    {
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector((new Dictionary<string, string> { ["instance"] = "node-1:9100", ["mountpoint"] = "/var" }, "NaN")));

        var result = await Verifier().CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.NotCleared, result.Detail);
        result.Detail.ShouldContain("no data for the series");
    }

    [Fact]
    public async Task RuleNoLongerConfigured_IsAnError_NeverCleared()
    {
        // The signal's long label value was cut to 1024 characters: the generic verifier would never match it and say cleared.
        var ours = Incident("node-1:9100", "/" + new string('x', 2000));
        var removed = ours with { Signal = ours.Signal with { Labels = new Dictionary<string, string>(ours.Signal.Labels) { [PrometheusRule.RuleLabel] = "Removed" } } };
        Answer(("node-1:9100", "/" + new string('x', 2000), 0.05));
        var generic = new PrometheusVerifier(new PlainHttpClientFactory(), StaticOptionsMonitor.Of(new PrometheusOptions { Url = _prometheus.Url }), _time);

        var result = await new VerifierSelector([Verifier(), generic, new SourceResolvedVerifier()]).For(removed).CheckAsync(removed, CancellationToken.None);

        generic.CanVerify(removed).ShouldBeFalse();
        result.Status.ShouldBe(VerificationStatus.Error, result.Detail);
        result.Detail.ShouldContain("rule Removed is no longer configured");
        _prometheus.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(503, "Service Unavailable", "HTTP 503")]
    [InlineData(200, """{"status":"error","errorType":"execution","error":"query timed out"}""", "execution: query timed out")]
    [InlineData(200, "<html>proxy</html>", "unexpected body")]
    [InlineData(200, """{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}""", "scalar result")]
    public async Task PrometheusAnsweringBadly_IsAnErrorWithTheReason(int status, string body, string reason)
    {
        _prometheus.Respond = _ => new StubResponse(status, body);

        var result = await Verifier().CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("rule DiskFilling");
        result.Detail.ShouldContain(reason);
    }

    [Fact]
    public async Task PrometheusDown_IsAnError()
    {
        var result = await Verifier(url: $"http://127.0.0.1:{LoopbackPorts.Free()}").CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("unreachable");
    }

    [Fact]
    public async Task PrometheusSlow_IsAnErrorOnTheInjectedClock()
    {
        _prometheus.Respond = _ => new StubResponse(200, string.Empty, Hold: true);
        var check = Verifier().CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);
        await _prometheus.Holding.WaitAsync(TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await check.WaitAsync(TimeSpan.FromSeconds(10));

        result.Status.ShouldBe(VerificationStatus.Error);
        result.Detail.ShouldContain("no answer within 5s");
    }

    [Fact]
    public void Selector_PrefersTheRuleVerifierForTheSourcesSignals_AndLeavesOthersAlone()
    {
        var generatorUrl = new PrometheusVerifier(new PlainHttpClientFactory(), StaticOptionsMonitor.Of(new PrometheusOptions { Url = _prometheus.Url }), _time);
        var selector = new VerifierSelector([Verifier(), generatorUrl, new SourceResolvedVerifier()]);

        var ours = Incident("node-1:9100", "/var");
        selector.For(ours).Name.ShouldBe("prometheus_rule");
        var unknownRule = ours with { Signal = ours.Signal with { Labels = new Dictionary<string, string>(ours.Signal.Labels) { [PrometheusRule.RuleLabel] = "Removed" } } };
        selector.For(unknownRule).Name.ShouldBe("prometheus_rule", "the generic verifier cannot judge the source's cut label values");
        var posted = ours with { Signal = ours.Signal with { Source = SignalSources.Api } };
        selector.For(posted).Name.ShouldBe("source_resolved");
    }

    [Fact]
    public async Task BearerTokenFile_IsSentToPrometheus_ReadAgainOnEveryQuery()
    {
        var tokenFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(tokenFile, "first-token\n");
            Answer(("node-1:9100", "/var", 0.05));
            var verifier = new PrometheusRuleVerifier(RuleSet(_prometheus.Url, bearerTokenFile: tokenFile));

            await verifier.CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);
            await File.WriteAllTextAsync(tokenFile, "rotated-token");
            await verifier.CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

            _prometheus.Requests.Select(r => r.Authorization).ShouldBe(["Bearer first-token", "Bearer rotated-token"]);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task BearerTokenFileGone_IsAnErrorNamingTheSetting_AndNothingIsAsked()
    {
        var tokenFile = Path.Combine(Path.GetTempPath(), "homeostat-gone-token-" + Guid.NewGuid().ToString("N"));
        Answer();

        var result = await new PrometheusRuleVerifier(RuleSet(_prometheus.Url, bearerTokenFile: tokenFile)).CheckAsync(Incident("node-1:9100", "/var"), CancellationToken.None);

        result.Status.ShouldBe(VerificationStatus.Error, result.Detail);
        result.Detail.ShouldContain($"cannot read sources.prometheus.bearer_token_file '{tokenFile}'");
        _prometheus.Requests.ShouldBeEmpty();
    }

    private PrometheusRuleVerifier Verifier(string? url = null, bool threshold = true) => new(RuleSet(url ?? _prometheus.Url, threshold));

    private PrometheusRuleSet RuleSet(string url, bool threshold = true, string? bearerTokenFile = null) => new(
        Options.Create(new PrometheusSourceOptions
        {
            Url = url,
            Timeout = Duration.Parse("5s"),
            BearerTokenFile = bearerTokenFile,
            Rules =
            [
                threshold
                    ? new() { Name = "DiskFilling", Expr = "node_filesystem_avail_ratio", Threshold = new() { Op = "lt", Value = 0.1 }, Labels = ["instance", "mountpoint"] }
                    : new() { Name = "DiskFilling", Expr = "node_filesystem_avail_ratio < 0.1", Labels = ["instance", "mountpoint"] },
            ],
        }),
        new PrometheusQueryClient(new PlainHttpClientFactory(), _time));

    private Incident Incident(string instance, string mountpoint, bool threshold = true)
    {
        var rule = RuleSet(_prometheus.Url, threshold).Rules[0];
        var labels = new Dictionary<string, string> { ["instance"] = instance, ["mountpoint"] = mountpoint, ["device"] = "sda1" };
        var evaluation = rule.Evaluate(new PrometheusQueryResult([new PrometheusSeries(labels, 0.05, "0.05")], null));
        var signal = rule.ToSignal(evaluation.Matches[0], Start, SignalStatus.Firing);
        return new Incident
        {
            Id = "inc-1",
            Fingerprint = signal.Fingerprint!,
            DeliveryKey = signal.Fingerprint!,
            Service = "checkout",
            State = IncidentState.Verifying,
            CreatedAt = Start,
            UpdatedAt = Start,
            Signal = signal,
        };
    }

    private void Answer(params (string Instance, string Mountpoint, double Value)[] series) =>
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector(series
            .Select(s => (new Dictionary<string, string> { ["instance"] = s.Instance, ["mountpoint"] = s.Mountpoint, ["device"] = "sda1" }, s.Value.ToString("R", CultureInfo.InvariantCulture)))
            .ToArray()));
}
