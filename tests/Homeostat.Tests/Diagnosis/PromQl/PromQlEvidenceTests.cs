using Homeostat.Diagnosis;
using Homeostat.Diagnosis.PromQl;

namespace Homeostat.Tests.Diagnosis.PromQl;

public sealed class PromQlEvidenceTests
{
    [Theory]
    // Use against a limit: cAdvisor and kube-state-metrics, node_exporter, JVM/Micrometer, Redis, RabbitMQ, Windows
    [InlineData("container_memory_working_set_bytes / container_spec_memory_limit_bytes > 0.9", "oom")]
    [InlineData("sum by (pod) (container_memory_working_set_bytes{container!=\"\"}) / sum by (pod) (kube_pod_container_resource_limits{resource=\"memory\"}) > 0.95", "oom")]
    [InlineData("100 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) > 90", "oom")]
    [InlineData("sum(jvm_memory_used_bytes{area=\"heap\"}) by (instance) / sum(jvm_memory_max_bytes{area=\"heap\"}) by (instance) > 0.9", "oom")]
    [InlineData("jvm_memory_used_bytes{area=\"nonheap\"} / jvm_memory_max_bytes{area=\"nonheap\"} > 0.95", "oom")]
    [InlineData("redis_memory_used_bytes / redis_memory_max_bytes * 100 > 90 and on(instance) redis_memory_max_bytes > 0", "oom")]
    [InlineData("rabbitmq_process_resident_memory_bytes / rabbitmq_resident_memory_limit_bytes > 0.9", "oom")]
    [InlineData("100 - 100 * windows_os_physical_memory_free_bytes / windows_cs_physical_memory_bytes > 90", "oom")]
    [InlineData("elasticsearch_jvm_memory_used_bytes{area=\"heap\"} / elasticsearch_jvm_memory_max_bytes{area=\"heap\"} > 0.9", "oom")]
    // The fault itself
    [InlineData("increase(container_oom_events_total[5m]) > 0", "oom")]
    [InlineData("kube_pod_container_status_last_terminated_reason{reason=\"OOMKilled\"} == 1", "oom")]
    [InlineData("kube_node_status_condition{condition=\"MemoryPressure\",status=\"true\"} == 1", "oom")]
    // Space and inodes, now or predicted
    [InlineData("node_filesystem_avail_bytes{fstype!=\"tmpfs\"} / node_filesystem_size_bytes < 0.1 and node_filesystem_readonly == 0", "disk_full")]
    [InlineData("predict_linear(node_filesystem_avail_bytes{mountpoint=\"/\"}[6h], 24 * 3600) < 0", "disk_full")]
    [InlineData("node_filesystem_files_free / node_filesystem_files < 0.05", "disk_full")]
    [InlineData("kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.03", "disk_full")]
    [InlineData("kubelet_volume_stats_inodes_used / kubelet_volume_stats_inodes > 0.97", "disk_full")]
    [InlineData("elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes < 0.15", "disk_full")]
    [InlineData("100 - 100 * windows_logical_disk_free_bytes / windows_logical_disk_size_bytes > 85", "disk_full")]
    [InlineData("rabbitmq_alarms_free_disk_space_watermark == 1", "disk_full")]
    // Certificates
    [InlineData("(probe_ssl_earliest_cert_expiry - time()) / 86400 < 14", "cert_expiry")]
    [InlineData("certmanager_certificate_expiration_timestamp_seconds - time() < 21 * 24 * 3600", "cert_expiry")]
    [InlineData("kubelet_certificate_manager_client_ttl_seconds < 604800", "cert_expiry")]
    // Calls to something downstream
    [InlineData("avg_over_time(probe_duration_seconds[1m]) > 1", "dependency_timeout")]
    [InlineData("avg_over_time(probe_http_duration_seconds{phase=\"processing\"}[1m]) > 1", "dependency_timeout")]
    [InlineData("histogram_quantile(0.99, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket[5m]))) > 2000", "dependency_timeout")]
    [InlineData("rate(envoy_cluster_upstream_rq_timeout[5m]) > 1", "dependency_timeout")]
    [InlineData("haproxy_backend_response_time_average_seconds > 2", "dependency_timeout")]
    [InlineData("sum(rate(grpc_client_handled_total{grpc_code=\"DeadlineExceeded\"}[5m])) > 0", "dependency_timeout")]
    [InlineData("sum(rate(istio_requests_total{response_flags=\"UT\"}[5m])) > 0", "dependency_timeout")]
    [InlineData("aws_applicationelb_target_response_time_average > 3", "dependency_timeout")]
    // Connections against a configured limit
    [InlineData("sum by (instance) (pg_stat_activity_count) > on(instance) pg_settings_max_connections * 0.8", "connection_pool_exhausted")]
    [InlineData("max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections * 100 > 80", "connection_pool_exhausted")]
    [InlineData("redis_connected_clients / redis_config_maxclients > 0.9", "connection_pool_exhausted")]
    [InlineData("haproxy_backend_current_sessions / haproxy_backend_limit_sessions > 0.9", "connection_pool_exhausted")]
    [InlineData("hikaricp_connections_active / hikaricp_connections_max > 0.9", "connection_pool_exhausted")]
    [InlineData("hikaricp_connections_pending > 0", "connection_pool_exhausted")]
    [InlineData("increase(redis_rejected_connections_total[1m]) > 0", "connection_pool_exhausted")]
    [InlineData("pgbouncer_pools_client_waiting_connections > 0", "connection_pool_exhausted")]
    public void Analyze_WhatTheAlertMeasures_IsItsClass(string expression, string expected)
    {
        var verdict = PromQlEvidence.Analyze(expression).ShouldNotBeNull();

        verdict.Class.ShouldBe(expected);
        ((int)verdict.Strength).ShouldBeGreaterThanOrEqualTo((int)EvidenceStrength.Moderate);
    }

    [Theory]
    [InlineData("container_memory_working_set_bytes > 2e9", "oom")]
    [InlineData("process_resident_memory_bytes > 1073741824", "oom")]
    [InlineData("pg_stat_activity_count > 150", "connection_pool_exhausted")]
    [InlineData("rabbitmq_connections > 1000", "connection_pool_exhausted")]
    [InlineData("nodejs_heap_size_used_bytes / nodejs_heap_size_total_bytes > 0.95", "oom")]
    public void Analyze_AnAbsoluteThresholdOrAServiceOwnLatency_IsOnlySuggestive(string expression, string expected)
    {
        var verdict = PromQlEvidence.Analyze(expression).ShouldNotBeNull();

        verdict.Class.ShouldBe(expected);
        verdict.Strength.ShouldBe(EvidenceStrength.Suggestive);
    }

    [Theory]
    // The monitoring system's own health
    [InlineData("absent(container_memory_working_set_bytes{job=\"kubelet\"})")]
    [InlineData("absent_over_time(probe_ssl_earliest_cert_expiry[15m])")]
    [InlineData("absent(up{job=\"node\"}) or up{job=\"node\"} == 0")]
    [InlineData("up{job=\"redis\"} == 0")]
    [InlineData("pg_up == 0")]
    [InlineData("increase(prometheus_rule_evaluation_failures_total[5m]) > 0")]
    [InlineData("sum(rate(scrape_samples_scraped[5m])) == 0")]
    // Other faults, whatever words the alert carries
    [InlineData("rate(node_disk_io_time_seconds_total[5m]) > 0.9")]
    [InlineData("node_filesystem_readonly == 1")]
    [InlineData("rate(kube_pod_container_status_restarts_total[15m]) > 0")]
    [InlineData("sum(rate(container_cpu_cfs_throttled_periods_total[5m])) / sum(rate(container_cpu_cfs_periods_total[5m])) > 0.25")]
    [InlineData("rabbitmq_process_open_fds / rabbitmq_process_max_fds > 0.9")]
    [InlineData("sum(rate(http_requests_total{status=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05")]
    [InlineData("rate(node_vmstat_pgmajfault[5m]) > 500")]
    [InlineData("kafka_consumergroup_lag > 1000")]
    [InlineData("mysql_global_status_threads_running / mysql_global_variables_max_connections > 0.6")]
    [InlineData("increase(haproxy_backend_connection_errors_total[1m]) > 100")]
    [InlineData("probe_success == 0")]
    [InlineData("pg_stat_activity_count{state=\"idle in transaction\"} > 10")]
    [InlineData("delta(node_filesystem_avail_bytes[1h]) > 50 * 1024^3")]
    [InlineData("sum(hikaricp_connections_active) < 1")]
    // A service's own latency, and use against a request rather than a limit
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1")]
    [InlineData("histogram_quantile(0.95, rate(http_server_requests_seconds_bucket[5m])) > 2")]
    [InlineData("container_memory_working_set_bytes / kube_pod_container_resource_requests{resource=\"memory\"} > 1.5")]
    public void Analyze_MissingSeriesAndOtherFaults_AreUnknown(string expression)
    {
        PromQlEvidence.Analyze(expression).ShouldNotBeNull().Class.ShouldBe(Classification.Unknown);
    }

    [Theory]
    [InlineData("vector(1)")]
    [InlineData("my_app_custom_gauge > 3")]
    [InlineData("sum(namespace_memory:kube_pod_container_resource_requests:sum) / sum(kube_node_status_allocatable{resource=\"memory\"}) > 1.5")]
    [InlineData("node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.75")]
    [InlineData("not promql at all ((")]
    public void Analyze_NothingTheVocabularyKnows_IsNoEvidence(string expression)
    {
        PromQlEvidence.Analyze(expression).ShouldBeNull();
    }
}
