using System.Text;

namespace Homeostat.Diagnosis.PromQl;

/// <summary>What a metric measures, as far as classification is concerned.</summary>
public enum MetricRole
{
    /// <summary>Nothing this vocabulary knows.</summary>
    None,

    /// <summary>How much of a resource is in use (memory working set, used bytes, open connections).</summary>
    Usage,

    /// <summary>How much is left before the limit (available bytes, free inodes, available connections).</summary>
    Headroom,

    /// <summary>The configured or physical limit itself (memory limit, filesystem size, max_connections).</summary>
    Limit,

    /// <summary>A share of the limit already (a percentage or ratio of capacity).</summary>
    Share,

    /// <summary>A reservation that is not a limit (Kubernetes requests).</summary>
    Request,

    /// <summary>The fault itself being counted or flagged (OOM kills, pool waits, timeouts, a certificate's expiry).</summary>
    Event,

    /// <summary>Time taken by calls to something downstream (probes, upstreams, backends, clients).</summary>
    DownstreamLatency,

    /// <summary>Time taken by this service to answer, with no dependency named.</summary>
    ServerLatency,

    /// <summary>A different fault: CPU, I/O, errors, restarts, lag, replicas, file descriptors.</summary>
    OtherFault,

    /// <summary>The monitoring system's own health: targets down, failed scrapes, exporter errors.</summary>
    Monitoring,
}

/// <summary>One metric selector read against the vocabulary: which class's resource it measures and how.</summary>
public readonly record struct MetricMeaning(string? Class, MetricRole Role, string What)
{
    public static readonly MetricMeaning Nothing = new(null, MetricRole.None, string.Empty);
}

/// <summary>
/// How common exporters name their metrics (node_exporter, kube-state-metrics, cAdvisor and the kubelet, blackbox, JVM
/// and Micrometer, the Go, .NET, Node and Python runtimes, database, cache, broker and proxy exporters, cert-manager,
/// cloud load balancers), read as words: a metric's words say which resource it measures and whether it is a use, a
/// headroom, a limit or the fault itself. Words rather than a list of names, so that a vendor's own spelling of the
/// same thing (<c>redis_memory_max_bytes</c>, <c>rabbitmq_resident_memory_limit_bytes</c>) reads the same way.
/// </summary>
public static class MetricVocabulary
{
    private static readonly HashSet<string> MemoryWords = ["memory", "mem", "heap", "nonheap", "rss", "resident", "maxmemory", "memstats", "swap", "workingset", "working"];
    private static readonly HashSet<string> DiskWords = ["filesystem", "fs", "disk", "volume", "storage", "inodes", "inode", "tablespace", "pvc", "persistentvolume", "persistentvolumeclaim", "logical"];
    private static readonly HashSet<string> ConnectionWords = ["connections", "connection", "conn", "conns", "cx", "sessions", "session", "backends", "numbackends", "maxclients", "connected", "activity", "sockets", "socket", "pool"];
    private static readonly HashSet<string> CertificateWords = ["cert", "certs", "certificate", "certificates", "ssl", "tls", "x509", "certmanager"];
    private static readonly HashSet<string> ExpiryWords = ["expiry", "expiration", "expires", "expire", "expired", "after", "notafter", "ttl", "renewal", "validity", "expiring"];
    private static readonly HashSet<string> TimeoutWords = ["timeout", "timeouts", "timedout", "deadline"];
    private static readonly HashSet<string> LatencyWords = ["duration", "latency", "latencies", "time", "rtt", "ms"];
    private static readonly HashSet<string> DownstreamWords = ["client", "upstream", "backend", "backends", "target", "probe", "outbound", "external", "dependency", "downstream", "egress", "service", "producer"];

    private static readonly HashSet<string> LimitWords = ["limit", "limits", "max", "maximum", "maxmemory", "maxclients"];
    private static readonly HashSet<string> SizeWords = ["total", "size", "spec", "capacity", "allocatable", "files", "physical"];
    private static readonly HashSet<string> HeadroomWords = ["available", "avail", "free", "remaining", "idle"];
    private static readonly HashSet<string> UsageWords = ["used", "usage", "inuse", "use", "working", "workingset", "rss", "resident", "alloc", "allocated", "current", "active", "connected", "count", "open", "checkedout", "busy"];
    private static readonly HashSet<string> ShareWords = ["percent", "pct", "ratio", "utilization", "utilisation", "util"];
    private static readonly HashSet<string> SaturationWords = ["pending", "waiting", "wait", "waited", "overflow", "queue", "queued", "rejected", "exhausted", "blocked_seconds"];

    // Words that make a metric about something else than running out of the resource.
    private static readonly HashSet<string> IoWords = ["io", "read", "reads", "write", "writes", "written", "iops", "ops", "operations", "sectors", "merged", "discard", "discards", "flush", "await", "busy", "queue", "readonly", "device", "error", "errors", "seconds"];
    private static readonly HashSet<string> OtherWords = ["cpu", "throttled", "throttling", "load1", "load5", "load15", "restarts", "restart", "lag", "replication", "replicas", "replica", "fds", "filefd", "fd", "errors", "error", "failures", "failed", "fail", "faults", "pgmajfault", "pgfault", "aborted", "refused", "reset", "evictions", "evicted", "fragmentation", "thread", "threads", "threadpool", "gc", "collections", "pause", "behind", "phase", "quota", "slaves", "slave", "replicated", "corrupted", "retry", "retries", "worker", "workers", "churn"];
    private static readonly HashSet<string> MonitoringWords = ["up", "scrape", "exporter", "success", "collector", "notifications", "evaluation", "reload"];

    /// <summary>What the selector measures. Label matchers refine it: <c>resource="memory"</c>, <c>reason="OOMKilled"</c>, <c>code="504"</c>.</summary>
    public static MetricMeaning Read(VectorSelector selector)
    {
        if (selector.Metric is not { Length: > 0 and <= 200 } metric)
        {
            return MetricMeaning.Nothing;
        }

        var name = metric.ToLowerInvariant();
        var words = Words(metric);
        return Specific(name, selector) ?? ByWords(name, words, selector);
    }

    /// <summary>Metrics whose meaning their words do not carry, or whose labels decide it.</summary>
    private static MetricMeaning? Specific(string name, VectorSelector selector)
    {
        var reason = selector.Matching("reason") ?? string.Empty;
        var condition = selector.Matching("condition") ?? string.Empty;
        var resource = selector.Matching("resource") ?? string.Empty;
        var code = string.Join(' ', new[] { "code", "status", "status_code", "response_code", "http_status", "grpc_code", "response_flags", "grpc_status" }
            .Select(selector.Matching).Where(v => v is not null));

        if (name.Contains("evictions", StringComparison.Ordinal) && selector.Matching("eviction_signal") is { } signal)
        {
            return signal.StartsWith("memory", StringComparison.OrdinalIgnoreCase)
                ? new MetricMeaning(FailureClasses.Oom, MetricRole.Event, $"{name}: evictions for memory")
                : signal.Contains("fs", StringComparison.OrdinalIgnoreCase) || signal.Contains("inodes", StringComparison.OrdinalIgnoreCase)
                    ? new MetricMeaning(FailureClasses.DiskFull, MetricRole.Event, $"{name}: evictions for disk space or inodes")
                    : new MetricMeaning(null, MetricRole.OtherFault, $"{name}: evictions for {signal}");
        }

        if (name.Contains("gomemlimit", StringComparison.Ordinal) || name.Contains("memory_limit", StringComparison.Ordinal))
        {
            return new MetricMeaning(FailureClasses.Oom, MetricRole.Limit, $"{name}: a memory limit");
        }

        if (name.Contains("_wt_cache_", StringComparison.Ordinal) && name.Contains("bytes", StringComparison.Ordinal))
        {
            // WiredTiger's cache lives in memory: its configured maximum is a memory limit.
            return new MetricMeaning(FailureClasses.Oom, name.Contains("max", StringComparison.Ordinal) ? MetricRole.Limit : MetricRole.Usage, $"{name}: WiredTiger cache memory");
        }

        if (Clients.FirstOrDefault(c => name.StartsWith(c, StringComparison.Ordinal)) is not null && !name.Contains("pool", StringComparison.Ordinal)
            && (name.Contains("seconds", StringComparison.Ordinal) || name.Contains("duration", StringComparison.Ordinal) || name.Contains("latency", StringComparison.Ordinal)))
        {
            return new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.DownstreamLatency, $"{name}: a client library's calls");
        }

        if (TimeoutLabelled(selector) is { } timeoutLabel)
        {
            return new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.Event, $"{name} with {timeoutLabel}");
        }

        if (name is "up" || name.EndsWith("_up", StringComparison.Ordinal) || name is "probe_success")
        {
            return new MetricMeaning(null, name == "probe_success" ? MetricRole.OtherFault : MetricRole.Monitoring, $"{name}: a target's availability");
        }

        if (name.StartsWith("kube_pod_container_status_", StringComparison.Ordinal) && name.Contains("reason", StringComparison.Ordinal))
        {
            return reason.Contains("OOMKilled", StringComparison.OrdinalIgnoreCase)
                ? new MetricMeaning(FailureClasses.Oom, MetricRole.Event, $"{name} with reason OOMKilled")
                : new MetricMeaning(null, MetricRole.OtherFault, $"{name}: a container's state");
        }

        if (name is "kube_node_status_condition" or "kube_pod_status_reason" or "kube_pod_status_phase")
        {
            var said = condition + " " + reason;
            if (selector.Matching("status") is { } status && !status.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                return new MetricMeaning(null, MetricRole.OtherFault, $"{name}: a condition that is {status}, not true");
            }

            if (said.Contains("MemoryPressure", StringComparison.OrdinalIgnoreCase) && said.Contains("DiskPressure", StringComparison.OrdinalIgnoreCase))
            {
                return new MetricMeaning(null, MetricRole.OtherFault, $"{name}: several node conditions at once");
            }

            if (said.Contains("MemoryPressure", StringComparison.OrdinalIgnoreCase))
            {
                return new MetricMeaning(FailureClasses.Oom, MetricRole.Event, "node condition MemoryPressure");
            }

            if (said.Contains("DiskPressure", StringComparison.OrdinalIgnoreCase))
            {
                return new MetricMeaning(FailureClasses.DiskFull, MetricRole.Event, "node condition DiskPressure");
            }

            return new MetricMeaning(null, MetricRole.OtherFault, $"{name}: node or pod status");
        }

        if ((name.StartsWith("kube_", StringComparison.Ordinal) || name.Contains("resource_requests", StringComparison.Ordinal)) && (name.Contains("resource_limits", StringComparison.Ordinal) || name.Contains("resource_requests", StringComparison.Ordinal)
            || name.Contains("status_allocatable", StringComparison.Ordinal) || name.Contains("status_capacity", StringComparison.Ordinal)))
        {
            var subject = resource.Contains("memory", StringComparison.OrdinalIgnoreCase) || name.Contains("memory", StringComparison.Ordinal) ? FailureClasses.Oom
                : resource.Contains("storage", StringComparison.OrdinalIgnoreCase) || name.Contains("storage", StringComparison.Ordinal) ? FailureClasses.DiskFull
                : null;
            if (subject is null)
            {
                return resource.Contains("cpu", StringComparison.OrdinalIgnoreCase) || name.Contains("cpu", StringComparison.Ordinal)
                    ? new MetricMeaning(null, MetricRole.OtherFault, $"{name}: CPU")
                    : MetricMeaning.Nothing;
            }

            return new MetricMeaning(subject, name.Contains("requests", StringComparison.Ordinal) ? MetricRole.Request : MetricRole.Limit, $"{name} ({resource})");
        }

        if (name is "machine_memory_bytes" or "windows_cs_physical_memory_bytes" or "node_memory_memtotal_bytes" or "node_memory_memtotal")
        {
            return new MetricMeaning(FailureClasses.Oom, MetricRole.Limit, $"{name}: the machine's memory");
        }

        if (name.Contains("gc_memory_total_available", StringComparison.Ordinal) || name is "jvm_gc_max_data_size_bytes")
        {
            return new MetricMeaning(FailureClasses.Oom, MetricRole.Limit, $"{name}: the runtime's memory limit");
        }

        if (name.Contains("redis_evicted_keys", StringComparison.Ordinal) || name.Contains("breakers_tripped", StringComparison.Ordinal)
            || name.Contains("heap_size_total", StringComparison.Ordinal))
        {
            return new MetricMeaning(FailureClasses.Oom, MetricRole.Usage, $"{name}: memory use, with no limit named");
        }

        if (name.Contains("surge_queue", StringComparison.Ordinal))
        {
            return new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Usage, $"{name}: requests queued for a backend connection");
        }

        if ((selector.Matching("state") ?? string.Empty).Contains("idle", StringComparison.OrdinalIgnoreCase))
        {
            return new MetricMeaning(null, MetricRole.OtherFault, $"{name} in an idle state");
        }

        if (name.Contains("gc_heap_size", StringComparison.Ordinal) || name is "jvm_gc_live_data_size_bytes")
        {
            return new MetricMeaning(FailureClasses.Oom, MetricRole.Usage, $"{name}: the runtime's heap in use");
        }

        if (name is "mysql_global_status_threads_connected")
        {
            return new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Usage, $"{name}: open connections");
        }

        if (name is "container_memory_max_usage_bytes" or "dotnet_total_memory_bytes" or "mysql_global_status_max_used_connections"
            || (name.StartsWith("haproxy_", StringComparison.Ordinal) && name.EndsWith("_max_sessions", StringComparison.Ordinal)))
        {
            // The highest use seen, not a configured maximum.
            return new MetricMeaning(name.Contains("memory", StringComparison.Ordinal) ? FailureClasses.Oom : FailureClasses.ConnectionPoolExhausted, MetricRole.Usage, $"{name}: use");
        }

        if (name is "container_oom_events_total" or "node_vmstat_oom_kill" or "container_memory_failcnt" or "rabbitmq_alarms_memory_used_watermark"
            || name.Contains("oom_kill", StringComparison.Ordinal) || name.Contains("_oom_", StringComparison.Ordinal))
        {
            return new MetricMeaning(FailureClasses.Oom, MetricRole.Event, $"{name}: memory exhausted");
        }

        if (name.StartsWith("node_pressure_memory", StringComparison.Ordinal))
        {
            return new MetricMeaning(FailureClasses.Oom, MetricRole.Share, $"{name}: memory pressure stalls");
        }

        if (name.StartsWith("rabbitmq_alarms_free_disk", StringComparison.Ordinal))
        {
            return new MetricMeaning(FailureClasses.DiskFull, MetricRole.Event, $"{name}: the free disk alarm");
        }

        if (name.StartsWith("mongodb_", StringComparison.Ordinal) && name.Contains("connections", StringComparison.Ordinal))
        {
            var state = selector.Matching("state") ?? selector.Matching("conn_type") ?? string.Empty;
            if (state.Contains("created", StringComparison.OrdinalIgnoreCase) || state.Contains("rejected", StringComparison.OrdinalIgnoreCase))
            {
                return new MetricMeaning(null, MetricRole.OtherFault, $"{name} ({state}): connection churn");
            }

            return state.Contains("available", StringComparison.OrdinalIgnoreCase)
                ? new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Headroom, $"{name}: available connections")
                : new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Usage, $"{name}: open connections");
        }

        if (name.Contains("mysql_global_status_connection_errors", StringComparison.Ordinal))
        {
            return (selector.Matching("error") ?? string.Empty).Contains("max_connection", StringComparison.OrdinalIgnoreCase)
                ? new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Event, "connections refused at max_connections")
                : new MetricMeaning(null, MetricRole.OtherFault, $"{name}: connection errors");
        }

        if (name is "redis_rejected_connections_total" || name.Contains("pgbouncer_pools_client_waiting", StringComparison.Ordinal) || name.Contains("pgbouncer_pools_client_maxwait", StringComparison.Ordinal)
            || name.Contains("pgbouncer_pools_cl_waiting", StringComparison.Ordinal) || name.StartsWith("hikaricp_connections_pending", StringComparison.Ordinal)
            || name.StartsWith("hikaricp_connections_timeout", StringComparison.Ordinal) || name.StartsWith("hikaricp_pending_threads", StringComparison.Ordinal)
            || name.StartsWith("envoy_cluster_upstream_rq_pending_overflow", StringComparison.Ordinal) || name.StartsWith("envoy_cluster_upstream_cx_overflow", StringComparison.Ordinal)
            || name.StartsWith("envoy_cluster_upstream_cx_pool_overflow", StringComparison.Ordinal)
            || (name.StartsWith("envoy_cluster_circuit_breakers_", StringComparison.Ordinal) && name.EndsWith("_open", StringComparison.Ordinal))
            || (name.StartsWith("haproxy_", StringComparison.Ordinal) && name.Contains("current_queue", StringComparison.Ordinal)))
        {
            return new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Event, $"{name}: waits for or refusals of a connection");
        }

        if (name.Contains("server", StringComparison.Ordinal) && (code.Contains("DeadlineExceeded", StringComparison.OrdinalIgnoreCase) || code.Contains("DEADLINE_EXCEEDED", StringComparison.Ordinal)))
        {
            return new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.ServerLatency, $"{name} with {code}: the server missed its callers' deadlines");
        }

        if (code.Contains("504", StringComparison.Ordinal) || code.Contains("DeadlineExceeded", StringComparison.OrdinalIgnoreCase)
            || code.Contains("DEADLINE_EXCEEDED", StringComparison.Ordinal) || ContainsFlag(code, "UT") || code == "4")
        {
            return new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.Event, $"{name} with {code}");
        }

        if (ContainsFlag(code, "UO"))
        {
            return new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Event, $"{name} with response flag UO (upstream overflow)");
        }

        if (code.Length > 0 && (code.Contains('5') || code.Contains("429", StringComparison.Ordinal) || code.Contains("Unavailable", StringComparison.OrdinalIgnoreCase) || code.Contains("Internal", StringComparison.OrdinalIgnoreCase) || code.Contains("err", StringComparison.OrdinalIgnoreCase)))
        {
            return new MetricMeaning(null, MetricRole.OtherFault, $"{name} with {code}: an error rate");
        }

        if (name.Contains("aws_applicationelb_httpcode", StringComparison.Ordinal) || name.Contains("aws_elb_httpcode", StringComparison.Ordinal))
        {
            return name.Contains("504", StringComparison.Ordinal)
                ? new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.Event, $"{name}: 504 from the load balancer")
                : new MetricMeaning(null, MetricRole.OtherFault, $"{name}: an error rate");
        }

        if (name.StartsWith("haproxy_", StringComparison.Ordinal) && (name.Contains("_limit_sessions", StringComparison.Ordinal) || name.Contains("_current_sessions", StringComparison.Ordinal)))
        {
            return new MetricMeaning(FailureClasses.ConnectionPoolExhausted, name.Contains("_limit_", StringComparison.Ordinal) ? MetricRole.Limit : MetricRole.Usage, $"{name}: proxy sessions");
        }

        if (name.StartsWith("haproxy_", StringComparison.Ordinal) && (name.Contains("_response_time", StringComparison.Ordinal) || name.Contains("_connect_time", StringComparison.Ordinal)
            || name.Contains("_queue_time", StringComparison.Ordinal) || name.Contains("_total_time", StringComparison.Ordinal)))
        {
            return name.StartsWith("haproxy_frontend_", StringComparison.Ordinal)
                ? new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.ServerLatency, $"{name}: the proxy's own response time")
                : new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.DownstreamLatency, $"{name}: backend response time");
        }

        if (name.StartsWith("istio_request_duration", StringComparison.Ordinal))
        {
            return selector.Matching("reporter") == "source"
                ? new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.DownstreamLatency, $"{name} reported by the caller")
                : new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.ServerLatency, $"{name}: request duration");
        }

        return null;
    }

    private static MetricMeaning ByWords(string name, List<string> words, VectorSelector selector)
    {
        var set = new HashSet<string>(words, StringComparer.Ordinal);

        // The last "total" of a counter is a unit, not a limit.
        if (words.Count > 0 && words[^1] == "total" && !words.Take(words.Count - 1).Contains("total"))
        {
            set.Remove("total");
        }

        if (set.Overlaps(CertificateWords) && set.Overlaps(ExpiryWords) || name.Contains("days_to_expiry", StringComparison.Ordinal) || name.Contains("ssl_expire", StringComparison.Ordinal))
        {
            return new MetricMeaning(FailureClasses.CertExpiry, MetricRole.Event, $"{name}: a certificate's expiry");
        }

        if (set.Overlaps(TimeoutWords))
        {
            if (set.Overlaps(ConnectionWords) && (set.Contains("pool") || set.Contains("acquire") || name.Contains("hikari", StringComparison.Ordinal) || name.Contains("db_client_connections", StringComparison.Ordinal)))
            {
                return new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Event, $"{name}: timeouts waiting for a pooled connection");
            }

            if (set.Overlaps(["lock", "statement", "idle", "keepalive", "poll", "election", "session"]))
            {
                return new MetricMeaning(null, MetricRole.OtherFault, $"{name}: a timeout that is not a dependency's");
            }

            return new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.Event, $"{name}: timeouts");
        }

        if (set.Overlaps(MonitoringWords) && (name.StartsWith("prometheus_", StringComparison.Ordinal) || name.StartsWith("alertmanager_", StringComparison.Ordinal)
            || set.Contains("scrape") || set.Contains("exporter") || set.Contains("collector")))
        {
            return new MetricMeaning(null, MetricRole.Monitoring, $"{name}: the monitoring system's health");
        }

        if (set.Contains("size") && set.Contains("bytes") && set.Overlaps(["database", "binlog", "wal", "table", "tables", "index", "indices", "segments", "log", "logs"]))
        {
            return new MetricMeaning(FailureClasses.DiskFull, MetricRole.Usage, $"{name}: data on disk, with no limit named");
        }

        if (set.Overlaps(MemoryWords) && !set.Overlaps(OtherWords) && !name.Contains("memcached", StringComparison.Ordinal))
        {
            return Resource(FailureClasses.Oom, name, set, "memory");
        }

        if (set.Overlaps(DiskWords) || ((name.StartsWith("ceph_", StringComparison.Ordinal) || name.StartsWith("minio_", StringComparison.Ordinal))
            && set.Overlaps(["bytes", "used", "avail", "percent", "capacity"])))
        {
            if (set.Overlaps(IoWords) || set.Overlaps(OtherWords))
            {
                return new MetricMeaning(null, MetricRole.OtherFault, $"{name}: disk I/O or health, not space");
            }

            return Resource(FailureClasses.DiskFull, name, set, "disk space");
        }

        if (set.Overlaps(ConnectionWords) && !set.Overlaps(OtherWords)
            && !set.Overlaps(["opened", "created", "closed", "accepted", "handled", "received", "sent", "bytes", "handshake", "blocked", "conntrack", "memory", "thread", "objects"]))
        {
            if (set.Overlaps(SaturationWords) && !set.Overlaps(LimitWords) && !name.StartsWith("nginx_", StringComparison.Ordinal))
            {
                return new MetricMeaning(FailureClasses.ConnectionPoolExhausted, MetricRole.Event, $"{name}: waits for a connection");
            }

            if (!set.Overlaps(LatencyWords))
            {
                return Resource(FailureClasses.ConnectionPoolExhausted, name, set, "connections");
            }
        }

        if (set.Overlaps(LatencyWords) || name.Contains("_rq_time", StringComparison.Ordinal)
            || (set.Contains("seconds") && set.Overlaps(["request", "requests", "handling", "call", "calls"])))
        {
            if (set.Overlaps(["gc", "pause", "cpu", "scrape", "evaluation", "lag", "uptime", "start", "boot", "sync", "fsync", "wal", "replication", "io", "disk", "compaction", "checkpoint", "transaction", "tx", "xact"])
                || set.Contains("max") && set.Contains("activity"))
            {
                return new MetricMeaning(null, MetricRole.OtherFault, $"{name}: a duration that is not a call to a dependency");
            }

            if (set.Overlaps(DownstreamWords) && !set.Contains("server") || name.StartsWith("probe_", StringComparison.Ordinal)
                || name.StartsWith("envoy_cluster_upstream", StringComparison.Ordinal) || name.Contains("response_duration", StringComparison.Ordinal)
                || name.StartsWith("aws_elb_latency", StringComparison.Ordinal) || name.Contains("backend_latenc", StringComparison.Ordinal)
                || name.StartsWith("db_client_", StringComparison.Ordinal) || name.StartsWith("rpc_client_", StringComparison.Ordinal))
            {
                return new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.DownstreamLatency, $"{name}: time taken by calls to a dependency");
            }

            if (set.Overlaps(["request", "requests", "server", "http", "grpc", "rpc", "handler", "entrypoint", "ingress", "response", "api", "apiserver", "query", "queries"]))
            {
                return new MetricMeaning(FailureClasses.DependencyTimeout, MetricRole.ServerLatency, $"{name}: the service's own response time");
            }

            return MetricMeaning.Nothing;
        }

        // Any other kube-state-metrics series is an object's state: a rollout, a job, a pod phase, a node condition.
        if (set.Overlaps(OtherWords) || name.StartsWith("kube_", StringComparison.Ordinal))
        {
            return new MetricMeaning(null, MetricRole.OtherFault, $"{name}: a different fault");
        }

        return MetricMeaning.Nothing;
    }

    /// <summary>
    /// Use, headroom or limit from a metric's words: a named limit ("limit", "max") first, then use ("used", "current"),
    /// then headroom ("available", "free"), then a size ("total", "capacity", "size"); anything else is a use.
    /// </summary>
    private static MetricMeaning Resource(string failureClass, string name, HashSet<string> words, string what)
    {
        var role = words.Overlaps(ShareWords) ? MetricRole.Share
            : words.Overlaps(LimitWords) && !(words.Contains("max") && words.Contains("avail")) ? MetricRole.Limit
            : words.Overlaps(UsageWords) ? MetricRole.Usage
            : words.Overlaps(HeadroomWords) || words.Contains("avail") ? MetricRole.Headroom
            : words.Overlaps(SizeWords) || (failureClass == FailureClasses.DiskFull && (words.Contains("inodes") || name.StartsWith("ceph_", StringComparison.Ordinal))) ? MetricRole.Limit
            : MetricRole.Usage;
        return new MetricMeaning(failureClass, role, $"{name}: {what} ({role.ToString().ToLowerInvariant()})");
    }

    /// <summary>Client libraries, whose durations are calls to a dependency (Lettuce and Jedis for Redis, the MongoDB drivers, ...).</summary>
    private static readonly string[] Clients =
    [
        "lettuce_", "jedis_", "mongodb_driver_", "mongodb_client_", "redis_client_", "http_client_", "grpc_client_", "rpc_client_", "db_client_",
        "httpclient_", "okhttp_", "resilience4j_", "aws_sdk_", "kafka_producer_", "kafka_consumer_fetch_manager_",
    ];

    /// <summary>A label that says a call timed out (<c>kind="timeout"</c>, <c>event_name="OnTimeout"</c>), not a lock, idle or statement timeout.</summary>
    private static string? TimeoutLabelled(VectorSelector selector)
    {
        foreach (var matcher in selector.Matchers)
        {
            if (matcher.Operator is "=" or "=~" && matcher.Name is not ("job" or "instance" or "pod" or "service" or "namespace" or "container" or "name" or "application")
                && matcher.Value.Contains("timeout", StringComparison.OrdinalIgnoreCase)
                && !matcher.Value.Contains("idle", StringComparison.OrdinalIgnoreCase) && !matcher.Value.Contains("lock", StringComparison.OrdinalIgnoreCase)
                && !matcher.Value.Contains("statement", StringComparison.OrdinalIgnoreCase) && !matcher.Value.Contains("pool", StringComparison.OrdinalIgnoreCase)
                && !matcher.Value.Contains("acquire", StringComparison.OrdinalIgnoreCase))
            {
                return $"{matcher.Name}=\"{matcher.Value}\"";
            }
        }

        return null;
    }

    private static bool ContainsFlag(string flags, string flag) =>
        flags.Split([',', '|', ' ', '"', '.', '*', '(', ')'], StringSplitOptions.RemoveEmptyEntries).Any(f => f == flag);

    /// <summary>A metric name's words: split at underscores, colons and lower-to-upper case changes, lower-cased.</summary>
    public static List<string> Words(string metric)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < metric.Length; i++)
        {
            var c = metric[i];
            if (c is '_' or ':' or '.' or '-')
            {
                Flush();
                continue;
            }

            if (char.IsUpper(c) && i > 0 && char.IsLower(metric[i - 1]))
            {
                Flush();
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }
}
