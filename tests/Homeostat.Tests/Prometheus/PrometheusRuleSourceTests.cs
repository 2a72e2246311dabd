using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Prometheus;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Tests.Prometheus;

/// <summary>The polling source against a stub Prometheus, on the harness's fake clock.</summary>
public sealed class PrometheusRuleSourceTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> VarOnNode1 = new()
    {
        ["__name__"] = "node_filesystem_avail_ratio",
        ["instance"] = "node-1:9100",
        ["mountpoint"] = "/var",
        ["device"] = "sda1",
        ["service"] = "checkout",
    };

    private readonly StubHttpServer _prometheus = new();
    private PipelineHarness _h = null!;
    private PrometheusRuleSource _source = null!;
    private PrometheusRule _rule = null!;
    private RuleTracker _tracker = null!;

    public Task InitializeAsync()
    {
        _h = Harness(forDuration: "2m");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        _prometheus.Dispose();
    }

    [Fact]
    public async Task SeriesHeldForTheForDuration_FiresOnceWithItsFirstSeenTime_AndResolvesWhenGone()
    {
        Answer(VarOnNode1, 0.05);
        var firstSeen = _h.Time.GetUtcNow();

        // Pending: seen now and a minute later, not yet for two minutes.
        await EvaluateAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldBeEmpty();

        // Held for two minutes: one incident, started when first seen.
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await EvaluateAsync();
        var incident = (await IncidentsAsync()).ShouldHaveSingleItem();
        var signal = incident.Signal;
        signal.Source.ShouldBe(SignalSources.Prometheus);
        signal.Title.ShouldBe("CheckoutDiskFilling");
        signal.StartsAt.ShouldBe(firstSeen);
        signal.Service.ShouldBe("checkout");
        incident.Service.ShouldBe("checkout");
        signal.Label("alertname").ShouldBe("CheckoutDiskFilling");
        signal.Label("severity").ShouldBe("critical");
        signal.Label("instance").ShouldBe("node-1:9100");
        signal.Label("mountpoint").ShouldBe("/var");
        signal.Labels.ContainsKey("device").ShouldBeFalse();
        signal.Labels.ContainsKey("__name__").ShouldBeFalse();
        signal.Text!.ShouldContain("/var is almost full");
        signal.Text!.ShouldContain("threshold < 0.1");
        signal.Metrics["value"].ShouldBe(0.05);

        // Still there: nothing is sent again.
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        await EvaluateAsync();
        (await SignalAuditsAsync()).ShouldBe(1);

        // Gone from a successful answer: resolved.
        AnswerNothing();
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().State.ShouldBe(IncidentState.Resolved);
    }

    [Fact]
    public async Task SeriesGoneBeforeTheForDuration_NeverFires_AndStartsOverWhenItReturns()
    {
        Answer(VarOnNode1, 0.05);
        await EvaluateAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        AnswerNothing();
        await EvaluateAsync();

        Answer(VarOnNode1, 0.05);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var back = _h.Time.GetUtcNow();
        await EvaluateAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldBeEmpty();

        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().Signal.StartsAt.ShouldBe(back);
    }

    [Fact]
    public async Task ValuesNotCrossingTheThreshold_DoNotCount()
    {
        Answer(VarOnNode1, 0.5);

        await EvaluateAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        await EvaluateAsync();

        (await IncidentsAsync()).ShouldBeEmpty();
        _tracker.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task SeriesLabelLongerThanTheIntakeLimit_IsCutWithTheMarker_AndTheSignalStillOpensAnIncident()
    {
        await _h.DisposeAsync();
        _h = Harness(forDuration: "0s", extra: new() { ["Intake:Limits:MaxLabelValueLength"] = "100" });
        var huge = new Dictionary<string, string>(VarOnNode1) { ["instance"] = new string('i', 50_000) };
        Answer(huge, 0.05);

        await EvaluateAsync();

        const int limit = 100;
        var instance = (await IncidentsAsync()).ShouldHaveSingleItem().Signal.Label("instance")!;
        instance.Length.ShouldBe(limit);
        instance.ShouldEndWith(PolledSignalBounds.Marker);
        instance.ShouldStartWith("iiii");
    }

    [Fact]
    public async Task PrometheusFailingWhileFiring_NeitherResolvesNorFiresAgain()
    {
        await _h.DisposeAsync();
        _h = Harness(forDuration: "0s");
        Answer(VarOnNode1, 0.05);
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().State.ShouldNotBe(IncidentState.Resolved);

        var failures = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PrometheusRuleSource.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();

        // Down (503), an error body with 200, and no answer within the timeout: none of them is a recovery.
        _prometheus.Respond = _ => new StubResponse(503, "Service Unavailable");
        await EvaluateAsync();
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Error("execution", "query timed out"));
        await EvaluateAsync();
        _prometheus.Respond = _ => new StubResponse(200, string.Empty, Hold: true);
        var slow = EvaluateAsync();
        await _prometheus.Holding.WaitAsync(TimeSpan.FromSeconds(10));
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await slow.WaitAsync(TimeSpan.FromSeconds(10));

        var incident = (await IncidentsAsync()).ShouldHaveSingleItem();
        incident.State.ShouldNotBe(IncidentState.Resolved);
        incident.SourceResolvedAt.ShouldBeNull();
        _tracker.Firing.ShouldBe(1);
        Interlocked.Read(ref failures).ShouldBe(3);

        // Back, still crossing: still the one incident, nothing sent.
        Answer(VarOnNode1, 0.05);
        await EvaluateAsync();
        (await SignalAuditsAsync()).ShouldBe(1);

        // Back, recovered: now it resolves.
        AnswerNothing();
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().SourceResolvedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task PrometheusUnreachable_IsAFailureNotARecovery()
    {
        await _h.DisposeAsync();
        _h = Harness(forDuration: "0s", url: $"http://127.0.0.1:{LoopbackPorts.Free()}");
        await EvaluateAsync();

        (await IncidentsAsync()).ShouldBeEmpty();
        _tracker.Pending.ShouldBe(0);
        _tracker.Firing.ShouldBe(0);
    }

    [Fact]
    public async Task AfterARestart_IncidentsForRecoveredSeriesResolve_AbsentOnesStayOpen_AndSeriesStillThereStayOneIncident()
    {
        // An earlier run opened incidents for /var, /srv and /tmp, then stopped.
        var srv = new Dictionary<string, string>(VarOnNode1) { ["mountpoint"] = "/srv" };
        var tmp = new Dictionary<string, string>(VarOnNode1) { ["mountpoint"] = "/tmp" };
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector((VarOnNode1, "0.05"), (srv, "0.05"), (tmp, "0.05")));
        var before = _rule.Evaluate(await QueryAsync());
        foreach (var match in before.Matches)
        {
            await _h.PublishAsync(_rule.ToSignal(match, _h.Time.GetUtcNow().AddHours(-1), SignalStatus.Firing));
        }

        // Restarted: a fresh tracker, /srv is back within the threshold, /var is not, /tmp has no data (not scraped).
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector((VarOnNode1, "0.05"), (srv, "0.5")));
        await EvaluateAsync();

        var incidents = await IncidentsAsync();
        incidents.Single(i => i.Signal.Label("mountpoint") == "/srv").State.ShouldBe(IncidentState.Resolved);
        incidents.Single(i => i.Signal.Label("mountpoint") == "/var").State.ShouldNotBe(IncidentState.Resolved);
        incidents.Single(i => i.Signal.Label("mountpoint") == "/tmp").SourceResolvedAt.ShouldBeNull();

        _h.Time.Advance(TimeSpan.FromMinutes(2));
        await EvaluateAsync();
        (await IncidentsAsync()).Count.ShouldBe(3);
        (await _h.AuditAsync()).Count(r => r.Type == AuditTypes.Duplicate).ShouldBe(1);
    }

    [Fact]
    public async Task AfterARestart_AnIncidentWithNoData_ResolvesExactlyOnce_WhenItsSeriesComesBackWithinTheThreshold()
    {
        var tmp = await OpenedByAnEarlierRunAsync();

        // Restarted while /tmp's target is down: no data, the incident stays open.
        AnswerNothing();
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().SourceResolvedAt.ShouldBeNull();

        // Back within the threshold: resolved, and only once.
        Answer(tmp, 0.5);
        for (var i = 0; i < 3; i++)
        {
            _h.Time.Advance(TimeSpan.FromSeconds(15));
            await EvaluateAsync();
        }

        (await IncidentsAsync()).ShouldHaveSingleItem().State.ShouldBe(IncidentState.Resolved);
        (await _h.AuditAsync()).Count(r => r.Type == AuditTypes.Resolved).ShouldBe(1);
        (await SignalAuditsAsync()).ShouldBe(1, "no further resolved notifications once it resolved");
        _tracker.Leftovers.ShouldBe(0);
    }

    [Fact]
    public async Task AfterARestart_AnIncidentWithNoData_BackBreaching_FiresAsADuplicate_AndResolvesWhenClear()
    {
        var tmp = await OpenedByAnEarlierRunAsync();
        AnswerNothing();
        await EvaluateAsync();

        // Back breaching, but clear again before `for`: never fired by this run, still resolved.
        Answer(tmp, 0.05);
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        await EvaluateAsync();
        Answer(tmp, 0.5);
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().State.ShouldBe(IncidentState.Resolved);

        // A second earlier-run incident that comes back breaching for `for`: a duplicate, then an ordinary resolve.
        await _h.DisposeAsync();
        _h = Harness(forDuration: "2m");
        tmp = await OpenedByAnEarlierRunAsync();
        AnswerNothing();
        await EvaluateAsync();
        Answer(tmp, 0.05);
        await EvaluateAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(2));
        await EvaluateAsync();
        (await _h.AuditAsync()).Count(r => r.Type == AuditTypes.Duplicate).ShouldBe(1);
        _tracker.Firing.ShouldBe(1);
        _tracker.Leftovers.ShouldBe(0);

        Answer(tmp, 0.5);
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        await EvaluateAsync();
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().State.ShouldBe(IncidentState.Resolved);
        (await _h.AuditAsync()).Count(r => r.Type == AuditTypes.Resolved).ShouldBe(1);
    }

    [Fact]
    public async Task AfterARestart_ANaNSample_IsNoData_NotARecovery()
    {
        var tmp = await OpenedByAnEarlierRunAsync();

        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector((tmp, "NaN")));
        await EvaluateAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().SourceResolvedAt.ShouldBeNull();

        Answer(tmp, 0.5);
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().State.ShouldBe(IncidentState.Resolved);
    }

    [Fact]
    public async Task AfterARestart_WithoutAThreshold_IncidentsForSeriesNowGoneResolve()
    {
        await _h.DisposeAsync();
        _h = Harness(forDuration: "0s", threshold: false);
        var srv = new Dictionary<string, string>(VarOnNode1) { ["mountpoint"] = "/srv" };
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector((VarOnNode1, "0.05"), (srv, "0.05")));
        foreach (var match in _rule.Evaluate(await QueryAsync()).Matches)
        {
            await _h.PublishAsync(_rule.ToSignal(match, _h.Time.GetUtcNow().AddHours(-1), SignalStatus.Firing));
        }

        Answer(VarOnNode1, 0.05);
        await EvaluateAsync();

        var incidents = await IncidentsAsync();
        incidents.Single(i => i.Signal.Label("mountpoint") == "/srv").State.ShouldBe(IncidentState.Resolved);
        incidents.Single(i => i.Signal.Label("mountpoint") == "/var").State.ShouldNotBe(IncidentState.Resolved);
    }

    [Fact]
    public async Task SeriesDifferingOnlyInDroppedLabels_AreOneSignal_WithAStableIdentity()
    {
        var otherDevice = new Dictionary<string, string>(VarOnNode1) { ["device"] = "sdb1" };
        var otherMount = new Dictionary<string, string>(VarOnNode1) { ["mountpoint"] = "/srv" };
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector((VarOnNode1, "0.05"), (otherDevice, "0.06"), (otherMount, "0.01")));

        var first = _rule.Evaluate(await QueryAsync());
        var second = _rule.Evaluate(await QueryAsync());

        first.Matches.Count.ShouldBe(2);
        second.Matches.Select(m => m.Fingerprint).ShouldBe(first.Matches.Select(m => m.Fingerprint));
        var since = _h.Time.GetUtcNow();
        var signal = _rule.ToSignal(first.Matches[0], since, SignalStatus.Firing);
        _rule.ToSignal(second.Matches[0], since, SignalStatus.Firing).Id.ShouldBe(signal.Id);
        SignalIdentity.FingerprintOf(signal).ShouldBe(first.Matches[0].Fingerprint);

        // A resend of the same signal is a duplicate, not a second incident.
        (await _h.PublishAsync(signal)).Decision.ShouldBe(IntakeDecision.Accepted);
        (await _h.PublishAsync(signal)).Decision.ShouldBe(IntakeDecision.Duplicate);
    }

    [Fact]
    public async Task MoreSeriesThanMaxSeries_AreBoundedAndTheRestDropped()
    {
        await _h.DisposeAsync();
        _h = Harness(forDuration: "0s", maxSeries: 2);
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector(Breaching(5)));

        var evaluation = _rule.Evaluate(await QueryAsync());
        await EvaluateAsync();

        evaluation.Matches.Count.ShouldBe(5);
        _tracker.Dropped.ShouldBe(3);
        (await IncidentsAsync()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task MaxSeriesReached_AFiringSeriesKeepsItsPlace_WhenSeriesSortingBeforeItAppear()
    {
        await _h.DisposeAsync();
        _h = Harness(forDuration: "0s", maxSeries: 1);
        Answer(VarOnNode1, 0.05);
        await EvaluateAsync();
        var firing = (await IncidentsAsync()).ShouldHaveSingleItem();

        var others = Breaching(10);
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector([(VarOnNode1, "0.05"), .. others]));
        var evaluation = _rule.Evaluate(await QueryAsync());
        evaluation.Matches.Count(m => string.CompareOrdinal(m.Fingerprint, firing.Fingerprint) < 0).ShouldBeGreaterThan(0, "the scenario needs newcomers that sort first");
        for (var i = 0; i < 3; i++)
        {
            _h.Time.Advance(TimeSpan.FromSeconds(15));
            await EvaluateAsync();
            _tracker.Dropped.ShouldBe(10);
        }

        var incident = (await IncidentsAsync()).ShouldHaveSingleItem();
        incident.Id.ShouldBe(firing.Id);
        incident.SourceResolvedAt.ShouldBeNull();
        incident.State.ShouldNotBe(IncidentState.Resolved);
        _tracker.Firing.ShouldBe(1);
        _tracker.Pending.ShouldBe(0);
        (await SignalAuditsAsync()).ShouldBe(1);

        // After a restart the open incident is still matching but sorts after the others: it is neither resolved nor pushed out.
        _tracker = new RuleTracker(_rule.Options.For.Value, _rule.Options.MaxSeries);
        await EvaluateAsync();
        (await IncidentsAsync()).ShouldHaveSingleItem().SourceResolvedAt.ShouldBeNull();
        (await SignalAuditsAsync()).ShouldBe(2, "the open incident's series fires again as a duplicate, the others stay out");
        _tracker.Firing.ShouldBe(1);
        _tracker.Dropped.ShouldBe(10);
    }

    [Fact]
    public async Task TheBackgroundLoop_EvaluatesOnTheInterval()
    {
        await _h.DisposeAsync();
        _h = Harness(forDuration: "30s");
        Answer(VarOnNode1, 0.05);
        var source = ActivatorUtilities.CreateInstance<PrometheusRuleSource>(_h.Services);
        await source.StartAsync(CancellationToken.None);
        try
        {
            // The loop registers its next wait on the fake clock after each evaluation; keep moving the clock until it fires.
            for (var i = 0; i < 200 && (await IncidentsAsync()).Count == 0; i++)
            {
                _h.Time.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(20);
            }

            var incident = (await IncidentsAsync()).ShouldHaveSingleItem();
            (_prometheus.Requests.Count >= 3).ShouldBeTrue("pending at 0s and 15s, firing from 30s");
            (incident.CreatedAt - incident.Signal.StartsAt!.Value).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(30));
            _prometheus.Requests[0].First("query").ShouldBe("node_filesystem_avail_ratio");
        }
        finally
        {
            await source.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("gt", 0.9, 0.91, true)]
    [InlineData(">", 0.9, 0.9, false)]
    [InlineData("ge", 0.9, 0.9, true)]
    [InlineData(">=", 0.9, 0.89, false)]
    [InlineData("lt", 0.1, 0.05, true)]
    [InlineData("<", 0.1, 0.1, false)]
    [InlineData("le", 0.1, 0.1, true)]
    [InlineData("eq", 1, 1, true)]
    [InlineData("==", 1, 0, false)]
    [InlineData("ne", 1, 0, true)]
    [InlineData("!=", 1, 1, false)]
    [InlineData("gt", 0.9, double.PositiveInfinity, true)]
    [InlineData("ne", 1, double.NaN, false)]
    public void Threshold_ComparesTheSampleValue(string op, double value, double sample, bool passes)
    {
        Threshold.TryCreate(new ThresholdOptions { Op = op, Value = value }, out var threshold).ShouldBeTrue();

        threshold.Passes(sample).ShouldBe(passes);
    }

    [Fact]
    public void ParseSample_ReadsPrometheusSpecialValues()
    {
        PrometheusQueryClient.ParseSample("+Inf").ShouldBe(double.PositiveInfinity);
        PrometheusQueryClient.ParseSample("-Inf").ShouldBe(double.NegativeInfinity);
        double.IsNaN(PrometheusQueryClient.ParseSample("NaN")).ShouldBeTrue();
        PrometheusQueryClient.ParseSample("1e-3").ShouldBe(0.001);
    }

    /// <summary>An incident for /tmp, opened by an earlier run an hour ago; the current tracker is a fresh one.</summary>
    private async Task<Dictionary<string, string>> OpenedByAnEarlierRunAsync()
    {
        var tmp = new Dictionary<string, string>(VarOnNode1) { ["mountpoint"] = "/tmp" };
        Answer(tmp, 0.05);
        var match = _rule.Evaluate(await QueryAsync()).Matches.ShouldHaveSingleItem();
        await _h.PublishAsync(_rule.ToSignal(match, _h.Time.GetUtcNow().AddHours(-1), SignalStatus.Firing));
        (await IncidentsAsync()).ShouldHaveSingleItem().SourceResolvedAt.ShouldBeNull();
        return tmp;
    }

    private static (Dictionary<string, string> Labels, string Value)[] Breaching(int count) =>
        Enumerable.Range(0, count).Select(i => (new Dictionary<string, string>(VarOnNode1) { ["instance"] = $"node-{i + 10}:9100" }, "0.01")).ToArray();

    private PipelineHarness Harness(string forDuration, string? url = null, int maxSeries = 50, bool threshold = true, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Guardrails:DryRun"] = "true",
            ["Sources:Prometheus:Url"] = url ?? _prometheus.Url,
            ["Sources:Prometheus:Interval"] = "15s",
            ["Sources:Prometheus:Timeout"] = "5s",
            ["Sources:Prometheus:Rules:0:Name"] = "CheckoutDiskFilling",
            ["Sources:Prometheus:Rules:0:Expr"] = "node_filesystem_avail_ratio",
            ["Sources:Prometheus:Rules:0:Threshold:Op"] = "lt",
            ["Sources:Prometheus:Rules:0:Threshold:Value"] = "0.1",
            ["Sources:Prometheus:Rules:0:For"] = forDuration,
            ["Sources:Prometheus:Rules:0:ServiceLabel"] = "service",
            ["Sources:Prometheus:Rules:0:Labels:0"] = "instance",
            ["Sources:Prometheus:Rules:0:Labels:1"] = "mountpoint",
            ["Sources:Prometheus:Rules:0:Severity"] = "critical",
            ["Sources:Prometheus:Rules:0:Summary"] = "/var is almost full",
            ["Sources:Prometheus:Rules:0:MaxSeries"] = maxSeries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (!threshold)
        {
            settings.Remove("Sources:Prometheus:Rules:0:Threshold:Op");
            settings.Remove("Sources:Prometheus:Rules:0:Threshold:Value");
            settings["Sources:Prometheus:Rules:0:Expr"] = "node_filesystem_avail_ratio < 0.1";
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var h = new PipelineHarness(settings: settings);
        _source = ActivatorUtilities.CreateInstance<PrometheusRuleSource>(h.Services);
        _rule = h.Get<PrometheusRuleSet>().Rules.ShouldHaveSingleItem();
        _tracker = new RuleTracker(_rule.Options.For.Value, _rule.Options.MaxSeries);
        return h;
    }

    private void Answer(Dictionary<string, string> labels, double value) =>
        _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector(labels, value));

    private void AnswerNothing() => _prometheus.Respond = _ => StubResponse.Json(PrometheusAnswers.Vector());

    private Task EvaluateAsync() => _source.EvaluateOnceAsync(_rule, _tracker, CancellationToken.None);

    private Task<PrometheusQueryResult> QueryAsync() =>
        _h.Get<PrometheusQueryClient>().QueryAsync(_prometheus.Url, _rule.Options.Expr, Homeostat.Primitives.Duration.Parse("5s"), CancellationToken.None);

    private Task<IReadOnlyList<Incident>> IncidentsAsync() => _h.Store.ListIncidentsAsync(new IncidentQuery(), CancellationToken.None);

    private async Task<int> SignalAuditsAsync() =>
        (await _h.AuditAsync()).Count(r => r.Type is AuditTypes.SignalReceived or AuditTypes.Duplicate);
}
