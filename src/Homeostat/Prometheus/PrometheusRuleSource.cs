using System.Diagnostics.Metrics;
using Homeostat.Healing;
using Homeostat.Signals;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Prometheus;

/// <summary>
/// Evaluates every <c>sources.prometheus</c> rule on the interval and sends a firing signal once a series has held for
/// the rule's <c>for</c>, and a resolved one when a successful evaluation no longer matches it. A failed evaluation
/// (Prometheus down, slow, an error body) is logged and counted and changes nothing.
/// </summary>
public sealed partial class PrometheusRuleSource(
    PrometheusRuleSet rules,
    SignalIntake intake,
    IHomeostatStore store,
    TimeProvider timeProvider,
    IOptions<IntakeLimits> limits,
    ILogger<PrometheusRuleSource> logger)
    : BackgroundService
{
    public const string MeterName = "Homeostat.Prometheus";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "homeostat_prometheus_rule_failures_total", description: "Rule evaluations that failed (Prometheus unreachable, slow or answering an error)");

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var rule in rules.Rules)
        {
            // Zeroed at start-up, so a dashboard sees every rule's series before its first failure.
            Failures.Add(0, new KeyValuePair<string, object?>("rule", rule.Name));
        }

        return Task.WhenAll(rules.Rules.Select(r => RunAsync(r, stoppingToken)));
    }

    private async Task RunAsync(PrometheusRule rule, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var tracker = new RuleTracker(rule.Options.For.Value, rule.Options.MaxSeries);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EvaluateOnceAsync(rule, tracker, stoppingToken);
                await Task.Delay(rules.Options.Interval.Value, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogRuleCrashed(logger, exception, rule.Name);
                try
                {
                    await Task.Delay(rules.Options.Interval.Value, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One evaluation and the signals it calls for; never throws for a failed query or intake.</summary>
    public async Task EvaluateOnceAsync(PrometheusRule rule, RuleTracker tracker, CancellationToken cancellationToken)
    {
        var evaluation = await rules.EvaluateAsync(rule, cancellationToken);
        if (!evaluation.Succeeded)
        {
            Failures.Add(1, new KeyValuePair<string, object?>("rule", rule.Name));
            LogEvaluationFailed(logger, rule.Name, evaluation.Error!, tracker.Pending, tracker.Firing);
            return;
        }

        if (!tracker.Started)
        {
            tracker.AdoptLeftovers(await ResolveLeftoversAsync(rule, evaluation, cancellationToken));
            tracker.Started = true;
        }

        var transitions = tracker.Observe(evaluation, timeProvider.GetUtcNow());
        if (tracker.Dropped > 0)
        {
            LogTooManySeries(logger, rule.Name, tracker.Dropped, rule.Options.MaxSeries);
        }

        foreach (var transition in transitions)
        {
            // Series labels are Prometheus's, not ours: the same intake limits as a posted signal, cut rather than refused.
            var signal = PolledSignalBounds.Bound(rule.ToSignal(transition.Match, transition.Since, transition.Status), limits.Value, logger);
            try
            {
                var results = await intake.IngestAsync([signal], cancellationToken);
                tracker.Sent(transition);
                LogSignalSent(logger, rule.Name, signal.Status.ToString().ToLowerInvariant(), transition.Match.Series.Describe(), results[0].Decision.ToString());
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Offered again on the next evaluation with the same id and start, so a partial success is a duplicate.
                LogIntakeFailed(logger, exception, rule.Name, signal.Status.ToString().ToLowerInvariant());
            }
        }
    }

    /// <summary>
    /// The tracker starts empty after a restart: incidents an earlier run opened for series that have recovered
    /// meanwhile would never hear they resolved. The first successful evaluation resolves those and returns the
    /// fingerprints (with their start) of the ones left open, for the tracker to resolve later; series still matching
    /// fire again after <c>for</c>, which is a duplicate of their open incident. With a threshold, only a series present
    /// and no longer passing it has recovered: an absent one (or a NaN sample) may belong to a target that is down or
    /// not scraped.
    /// </summary>
    private async Task<IReadOnlyList<KeyValuePair<string, DateTimeOffset>>> ResolveLeftoversAsync(PrometheusRule rule, RuleEvaluation evaluation, CancellationToken cancellationToken)
    {
        var matching = evaluation.Matches.Select(m => m.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var clear = evaluation.Clear.Select(m => m.Fingerprint).ToHashSet(StringComparer.Ordinal);
        bool Recovered(string fingerprint) => rule.Threshold is null ? !matching.Contains(fingerprint) : clear.Contains(fingerprint);

        var leftovers = new List<Signal>();
        var open = new List<KeyValuePair<string, DateTimeOffset>>();
        foreach (var state in Enum.GetValues<IncidentState>())
        {
            var incidents = await store.ListIncidentsAsync(new IncidentQuery { State = state, Limit = 10_000 }, cancellationToken);
            foreach (var incident in incidents.Where(i => !i.IsClosed && i.SourceResolvedAt is null && i.Signal.Source == SignalSources.Prometheus
                         && i.Signal.Label(PrometheusRule.RuleLabel) == rule.Name))
            {
                if (!Recovered(incident.Fingerprint))
                {
                    open.Add(new(incident.Fingerprint, incident.Signal.StartsAt ?? incident.CreatedAt));
                    continue;
                }

                leftovers.Add(incident.Signal with
                {
                    Id = $"{incident.Signal.Id}-resolved-after-restart",
                    Status = SignalStatus.Resolved,
                });
            }
        }

        if (leftovers.Count > 0)
        {
            await intake.IngestAsync(leftovers, cancellationToken);
            LogLeftoversResolved(logger, rule.Name, leftovers.Count);
        }

        return open;
    }

    [LoggerMessage(EventId = 1206, Level = LogLevel.Information, Message = "Prometheus rule {Rule} resolved {Count} incident(s) an earlier run left open for series that have recovered")]
    private static partial void LogLeftoversResolved(ILogger logger, string rule, int count);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Prometheus rule {Rule} sent a {Status} signal for {Series} ({Decision})")]
    private static partial void LogSignalSent(ILogger logger, string rule, string status, string series, string decision);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Prometheus rule {Rule} could not be evaluated; nothing fires or resolves until it can ({Pending} pending, {Firing} firing kept): {Error}")]
    private static partial void LogEvaluationFailed(ILogger logger, string rule, string error, int pending, int firing);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Prometheus rule {Rule} dropped {Dropped} matching series: max_series of {Max} are already tracked (tracked series keep their place)")]
    private static partial void LogTooManySeries(ILogger logger, string rule, int dropped, int max);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Prometheus rule {Rule} could not hand its {Status} signal to the intake; it is offered again next evaluation")]
    private static partial void LogIntakeFailed(ILogger logger, Exception exception, string rule, string status);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Error, Message = "Prometheus rule {Rule} failed unexpectedly; it is evaluated again next interval")]
    private static partial void LogRuleCrashed(ILogger logger, Exception exception, string rule);
}
