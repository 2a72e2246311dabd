using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Tests.Diagnosis;

/// <summary>The alert expression decides over the alert's name (issue 11): what it measures, not what it is called.</summary>
public sealed class RuleClassifierExpressionTests
{
    private static readonly ClassSet Classes = new(FailureClasses.Seed);

    [Theory]
    [InlineData("PaymentsWorkingSetHigh", "container_memory_working_set_bytes{container!=\"\"} / container_spec_memory_limit_bytes > 0.9", "oom")]
    [InlineData("AppLogsFillingDisk", "node_filesystem_avail_bytes{mountpoint=\"/var/log\"} / node_filesystem_size_bytes < 0.1", "disk_full")]
    [InlineData("LedgerDbBusy", "sum(pg_stat_activity_count) by (instance) / on(instance) pg_settings_max_connections > 0.85", "connection_pool_exhausted")]
    [InlineData("EdgeCheck", "(probe_ssl_earliest_cert_expiry - time()) / 86400 < 10", "cert_expiry")]
    [InlineData("SessionCacheHot", "redis_memory_used_bytes / redis_memory_max_bytes > 0.95", "oom")]
    [InlineData("BrokerPressure", "rabbitmq_process_resident_memory_bytes / rabbitmq_resident_memory_limit_bytes > 0.9", "oom")]
    [InlineData("OrdersSessions", "haproxy_backend_current_sessions / haproxy_backend_limit_sessions > 0.9", "connection_pool_exhausted")]
    public void Classify_WhatTheExpressionMeasures_WinsWhateverTheName(string alertName, string expression, string expected)
    {
        var result = new RuleClassifier().Classify(Alert(alertName, expression), Classes);

        result.Class.ShouldBe(expected, result.Reasoning);
        result.Confidence.ShouldBeGreaterThanOrEqualTo(0.9);
        result.Reasoning.ShouldContain("expression");
    }

    [Theory]
    [InlineData("ContainerOOMKilledMetricsMissing", "absent(container_oom_events_total{job=\"kubelet\"})")]
    [InlineData("NodeFilesystemAlmostOutOfSpace", "absent(node_filesystem_avail_bytes)")]
    [InlineData("PostgresTooManyConnections", "pg_up == 0")]
    [InlineData("DiskFullPredictionBroken", "up{job=\"node-exporter\"} == 0")]
    [InlineData("HighDiskLatency", "rate(node_disk_read_time_seconds_total[5m]) / rate(node_disk_reads_completed_total[5m]) > 0.1")]
    [InlineData("EnvoyRetryOverflow", "sum(rate(envoy_cluster_upstream_rq_retry_overflow[5m])) > 0")]
    [InlineData("HikariPoolMostlyIdle", "hikaricp_connections_idle / hikaricp_connections_max > 0.9")]
    [InlineData("MemoryPressureUnknown", "kube_node_status_condition{condition=\"MemoryPressure\",status=\"unknown\"} == 1")]
    [InlineData("DeploymentProgressDeadlineExceeded", "kube_deployment_status_condition{condition=\"Progressing\",status=\"false\"} == 1")]
    [InlineData("CertValidityOk", "probe_ssl_earliest_cert_expiry - time() > 86400 * 30")]
    public void Classify_NearMissesCarryingAClassWord_AreUnknownWhenTheExpressionShowsAnotherFault(string alertName, string expression)
    {
        var result = new RuleClassifier().Classify(Alert(alertName, expression), Classes);

        result.Class.ShouldBe(Classification.Unknown, result.Reasoning);
        result.Confidence.ShouldBeGreaterThan(0);
        result.Reasoning.ShouldContain("expression");
    }

    [Theory]
    [InlineData("ContainerOOMRisk", "container_memory_working_set_bytes > 4e9", "oom")]
    [InlineData("PostgresTooManyConnections", "pg_stat_activity_count > 400", "connection_pool_exhausted")]
    [InlineData("LedgerDatabaseTooBig", "pg_database_size_bytes > 500 * 1024^3", "disk_full")]
    public void Classify_AnAbsoluteThresholdWithNoLimit_StaysBelowEveryAutomaticFloor(string alertName, string expression, string expected)
    {
        var result = new RuleClassifier().Classify(Alert(alertName, expression), Classes);

        result.Class.ShouldBe(expected, result.Reasoning);
        result.Confidence.ShouldBe(RuleClassifier.SuggestiveConfidence);
        result.Confidence.ShouldBeLessThan(0.8);
    }

    [Fact]
    public void Classify_ExpressionInAnExprLabel_IsRead()
    {
        var signal = Alert("CacheHot", null) with
        {
            Labels = new Dictionary<string, string> { ["alertname"] = "CacheHot", ["expr"] = "redis_connected_clients / redis_config_maxclients > 0.9" },
        };

        new RuleClassifier().Classify(signal, Classes).Class.ShouldBe(FailureClasses.ConnectionPoolExhausted);
    }

    [Fact]
    public void Classify_AnExpressionTheVocabularyDoesNotKnow_FallsBackToTheName()
    {
        var result = new RuleClassifier().Classify(Alert("NodeFilesystemAlmostOutOfSpace", "my_team_free_space_ratio < 0.05"), Classes);

        result.Class.ShouldBe(FailureClasses.DiskFull);
    }

    [Theory]
    [InlineData("sum(")]
    [InlineData("{{ $labels.instance }} > 3")]
    [InlineData("%ZZ%")]
    public void Classify_AnExpressionThatDoesNotParse_IsNoEvidenceAndNeverThrows(string expression)
    {
        var signal = Alert("Anything", null) with { GeneratorUrl = "http://prometheus:9090/graph?g0.expr=" + expression };

        new RuleClassifier().Classify(signal, Classes).Class.ShouldBe(Classification.Unknown);
    }

    private static Signal Alert(string alertName, string? expression) => new()
    {
        Id = "a",
        Source = SignalSources.Alertmanager,
        Labels = new Dictionary<string, string> { ["alertname"] = alertName, ["severity"] = "warning" },
        GeneratorUrl = expression is null ? null : "http://prometheus:9090/graph?g0.expr=" + Uri.EscapeDataString(expression) + "&g0.tab=1",
    };
}
