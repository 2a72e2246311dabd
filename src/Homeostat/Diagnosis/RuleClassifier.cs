using System.Buffers;
using System.Text.RegularExpressions;
using Homeostat.Diagnosis.PromQl;
using Homeostat.Signals;

namespace Homeostat.Diagnosis;

/// <summary>
/// Deterministic, high-precision rules for the seed's classes. A rule names a class, the evidence it needs, and
/// the near-misses that must not match (connection refused is not a timeout; an unknown CA is not expiry).
/// Evidence in the alert's name or expression counts more than evidence only in free text; a match that is negated
/// ("no OOM kills"), hedged ("may be OOM killed") or a configuration value ("read timeout: 30s") is not evidence.
/// </summary>
/// <remarks>
/// Confidence by where the evidence is: the alert name or title 0.95, the alert expression 0.93, labels and
/// annotations 0.9, a verbatim runtime or system message in free text 0.9, looser wording in free text 0.88.
/// Two different classes matched about equally strongly give <c>unknown</c>.
/// </remarks>
public sealed class RuleClassifier : IClassifierMember
{
    // Non-backtracking matching runs in time linear in the input, so hostile text cannot stall classification and no
    // timeout (which would make results depend on machine load) is needed. Every pattern is compiled once, here.
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private const double HeadingConfidence = 0.95;
    private const double ExpressionConfidence = 0.93;
    private const double StructuredConfidence = 0.9;
    private const double VerbatimTextConfidence = 0.9;
    private const double TextConfidence = 0.88;

    /// <summary>
    /// An alert expression that only hints at a class (an absolute threshold with no limit, a service's own latency):
    /// below every automatic floor, so a human decides.
    /// </summary>
    public const double SuggestiveConfidence = 0.7;

    /// <summary>Matches this close to the strongest, for a different class, make the signal ambiguous.</summary>
    private const double RivalMargin = 0.03;

    /// <summary>How far before and after a match negations, hedges and configuration values are looked for.</summary>
    private const int Window = 48;

    // A negation or hedge only reaches a match within its clause.
    private static readonly SearchValues<char> ClauseBreaks = SearchValues.Create(".;:,!?()[]{}|\n\r\"");

    /// <summary>Within four words before a match: "no OOM kills", "has not expired", "without OOM", "didn't time out".</summary>
    private static readonly HashSet<string> Negations = new(StringComparer.OrdinalIgnoreCase)
    {
        "no", "not", "never", "without", "zero", "none", "nor", "neither", "cannot",
    };

    /// <summary>Within five words before a match: "may be OOM killed", "to avoid OOM kills", "if the certificate expires".</summary>
    private static readonly HashSet<string> Hedges = new(StringComparer.OrdinalIgnoreCase)
    {
        "may", "might", "could", "would", "can", "if", "unless", "whether", "avoid", "avoids", "avoiding", "prevent", "prevents",
        "preventing", "risk", "risks", "chance", "possible", "possibly", "potential", "potentially", "likelihood",
    };

    /// <summary>Within three words before a match: "almost out of memory", "close to OOM" (memory running high is not an OOM).</summary>
    private static readonly HashSet<string> Nearness = new(StringComparer.OrdinalIgnoreCase)
    {
        "almost", "nearly", "approaching", "running", "near", "close", "closer", "verge", "danger",
    };

    /// <summary>"MemoryPressure False", "condition=MemoryPressure status=false", "OOM kills: 0", "OOMKilled": false, "timeout was not hit".</summary>
    private static readonly Regex NegatedAfter = Pattern(
        @"^\w{0,6}(\s+\w+)?['""]?\s*[:=]\s*['""]?(0|false|none|no)(['""]?(\s|$|[,;)\]}]))|^\w{0,3}\s+(false|none)\b|^\w{0,3}\s+0[ \t]*(\r?\n|$)"
        + @"|^\W{0,4}status\W{1,4}(false|unknown)\b|^\w{0,3}\s+(is|was|were|are|has|have|had)\s+(not|never)\b");

    /// <summary>"timeout=30s", "read timeout: 5s", "request timeout 30s", "upstream timeout set to 10s".</summary>
    private static readonly Regex ConfigValueAfter = Pattern(
        @"^\w{0,3}\s*(=|:=|:|is set to|set to|of|is)?\s*['""]?\d+(\.\d+)?\s*(ms|s|sec|secs|seconds|m|min|minutes|h)?(['"",;)\]}]|\s|$)");

    /// <summary>An AWS Lambda runtime killed by a signal, and the invocation's report line.</summary>
    private static readonly Regex LambdaKilled = Pattern(@"Runtime exited with error: signal: killed");

    private static readonly Regex LambdaReport = Pattern(@"Memory Size: (\d{1,6}) MB\s+Max Memory Used: (\d{1,6}) MB");

    private static readonly Rule[] Rules =
    [
        // Connection pools first: pool waits often also say "timed out", and they are not a slow dependency.
        new Rule(FailureClasses.ConnectionPoolExhausted, "connection pool or connection limit exhausted")
        {
            Names = Any(
                @"TooMany\w{0,12}(Connections?|Clients?)",
                @"Max(Client|Db|User)?(Connections?|Clients?)(Reached|Exceeded|Exhausted|Limit|High|Used)",
                @"(Connection|Conn|Db|Jdbc|Hikari|Sql|Client)Pool\w*(Exhausted|Saturat\w*|Full|Timeouts?|Pending|Waiting|Limit)",
                @"PoolExhausted|ConnectionsExhausted|ConnectionLimit(Reached|Exceeded)|RedisRejectedConnections",
                @"Pgbouncer\w*(Waiting|MaxClient)",
                @"(Envoy|Istio|Upstream)\w*(Overflow|CircuitBreaker\w*Open)",
                @"(Sockets?|Connections?|Sessions?|Conns?)\w{0,12}(Exhausted|NearLimit|AtLimit|NearMax|LimitReached|Saturat\w*)"),
            Metrics = Any(
                @"pg_settings_max_connections|pg_stat_activity_count|pg_stat_database_numbackends",
                @"mysql_global_status_threads_connected|mysql_global_variables_max_connections|mysql_global_status_max_used_connections|mysql_global_status_connection_errors_total\{[^}]*max_connections",
                @"redis_config_maxclients|redis_rejected_connections_total",
                @"hikaricp_connections_(pending|timeout_total|timeout|max)|jdbc_connections_max|hikaricp_pending_threads",
                @"pgbouncer_pools_(client_waiting_connections|client_maxwait_seconds|cl_waiting|maxwait)",
                @"envoy_cluster_upstream_(rq_pending_overflow|cx_overflow|cx_pool_overflow)|envoy_cluster_circuit_breakers_\w+_(cx|rq|rq_pending|cx_pool)_open",
                @"go_sql_(stats_)?(connections_)?(wait_count|waited_for|blocked_seconds|wait_duration)\w*",
                @"db_client_connections?_(pending_requests|timeouts|max|usage)\w*",
                @"response_flags\W{1,4}(\w+,)*UO\b",
                @"oracledb_resource_current_utilization\{[^}]*(sessions|processes)|mongodb_(ss_)?connections\{[^}]*(available|current)"),
            Verbatim = Any(
                // PostgreSQL, PgBouncer
                @"too many clients already|remaining connection slots are reserved|too many connections for (role|database)",
                @"connection limit exceeded for non-superusers|no more connections allowed|query_wait_timeout|too_many_connections",
                // MySQL
                @"\bToo many connections\b|ER_CON_COUNT_ERROR|Error( Code)?:? ?1040\b|ERROR 1040\b|exceeded the 'max_user_connections' resource",
                // Redis
                @"max(imum)? number of clients reached|redis: connection pool timeout",
                // HikariCP, DBCP, Tomcat JDBC, c3p0, Jedis, Apache HttpClient
                @"Connection is not available, request timed out|Timeout waiting for idle object|Could not get a resource from the pool",
                @"PoolExhaustedException|Pool empty\. Unable to fetch a connection|checkout a Connection has timed out|ConnectionPoolTimeoutException|Timeout waiting for connection from pool",
                // .NET SqlClient, Npgsql
                @"obtaining a connection from the pool|max pool size was reached|The connection pool has been exhausted",
                // SQLAlchemy, Knex, generic-pool, Sequelize, Prisma, MongoDB drivers
                @"QueuePool limit of size \d+ overflow \d+ reached|QueuePool limit",
                @"Timeout acquiring a connection\. The pool is probably full|The pool is probably full|ResourceRequest timed out|ConnectionAcquireTimeoutError",
                @"Timed out fetching a new connection from the connection pool|checking out a connection from (the )?connection pool|MongoWaitQueueFull\w*|WaitQueueTimeoutError",
                // Envoy / Istio circuit breaking, nginx worker connections
                @"reset reason: overflow|upstream_reset_before_response_started\{overflow\}|(?-i:"" \d{3} (\w+,)*UO(,\w+)* )",
                @"worker_connections are not enough",
                // Oracle sessions, processes and listener handlers
                @"maximum number of (sessions|processes)( \(\d+\))? exceeded|\bORA-0*(18|20|12516|12519|12520)\b|listener could not find available handler|no appropriate service handler found",
                // MongoDB drivers (Java, C#, Python)
                @"Timeout waiting for a pooled item|waiting for socket from pool|wait queue for acquiring a connection|Timed out waiting for a connection after \d+ ?ms|while waiting for a connection to server",
                @"(exceeded|elapsed|expired|after) (the )?waitQueueTimeoutMS|waitQueueTimeoutMS (exceeded|elapsed|expired)",
                // Apache HttpClient 5, Reactor Netty, node-postgres (pg-pool), Spring / Hibernate, Prisma
                @"ConnectionRequestTimeoutException|PoolAcquireTimeoutException|PoolAcquirePendingLimitException|Pending acquire queue has reached its maximum size",
                @"timeout exceeded when trying to connect|Unable to acquire JDBC Connection|(code|error|prisma)\W{0,12}P2024\b",
                // ActiveRecord, Sequel, pgxpool and other Go pools
                @"ActiveRecord::(Exclusive)?ConnectionTimeoutError|could not obtain a (database )?connection within|Sequel::PoolTimeout",
                // Rust: sqlx's PoolTimedOut, deadpool's Timeout while waiting for a slot
                @"pool timed out while waiting for an open connection|\bPoolTimedOut\b|waiting for a slot to become available",
                @"(failed to|unable to|cannot|could not|can't) acquire (a )?(db |database |pooled |pgx |sql )?conn(ection)?\b|pgxpool\W[^\n]*\bacquire",
                // Any stack
                @"connection pool (has been |is )?(exhausted|full|saturated)|\bpool (is )?exhausted|ConnectionPool(Exhausted|Saturat\w*)",
                @"(could not|cannot|can't|unable to|failed to) (obtain|acquire|get|checkout|check out) (a )?(free |pooled |database |db )?connection from (the )?pool"),
            Loose = Any(
                @"all pooled connections were in use",
                @"no (available|free|idle) connections? (left )?in (the )?pool",
                @"connection pool \S* ?(is )?(at capacity|at its limit|maxed out)",
                @"waiting for (a )?(free|available|idle) connection"),
            Keywords =
            [
                "pool", "too many", "toomany", "too_many", "maxconn", "maxclient", "maxdbconn", "maxuserconn", "max_conn", "max_used_conn",
                "max_user_conn", "connectionsexhausted", "connectionlimit", "connection limit", "rejectedconn", "rejected_conn",
                "threads_connected", "hikari", "jdbc_conn", "pgbouncer", "overflow", "circuitbreaker", "circuit_breakers", "go_sql",
                "db_client_conn", "response_flags", "connection slots", "more connections", "query_wait", "er_con_count", "1040",
                "number of clients", "connection is not available", "idle object", "resource", "checkout a conn", "acquiretimeout",
                "waitqueue", " uo ", ",uo", "worker_conn", "waiting for", "pg_stat_activity", "numbackends",
                "oracledb_resource", "mongodb_", "maximum number of", "ora-", "available handler", "service handler", "wait queue",
                "connectionrequesttimeout", "acquire queue", "when trying to connect", "acquire", "activerecord::", "obtain a", "p2024",
                "exhausted", "nearlimit", "atlimit", "nearmax", "limitreached", "saturat", "pooltimedout", "a slot",
            ],
            Veto = Any(
                @"connection refused|ECONNREFUSED|Connection to \S+ refused|password authentication failed|no pg_hba\.conf entry|Access denied for user",
                @"too many open files|EMFILE|Retry\w{0,12}Overflow|retry_overflow|RetryBudget",
                // A pool cleared after a network error, or a database that cannot be reached at all, is not a full pool.
                @"MongoPoolClearedError|PoolClearedError|PoolClearedOnNetworkError|pool for \S+ was cleared",
                @"Communications link failure|The connection attempt failed|UnknownHostException|No route to host|Network is unreachable"),
            Dominates = [FailureClasses.DependencyTimeout],
            Hedged = true,
            ConfigValues = true,
        }.Build(),
        new Rule(FailureClasses.Oom, "an out-of-memory kill or allocation failure")
        {
            Names = Any(
                @"(?-i:(\b|[a-z_])OOM(\b|[A-Z_]))|(?-i:Oom)(Kill|Event|Detected|ed)|oom[-_ ]?kill\w*",
                @"OutOfMemory|MemoryPressure|SystemOOM|NodeHasInsufficientMemory|(Memory|Mem)Exhausted|MemoryLimitExceeded",
                @"(Memory|Mem|Heap|Rss|WorkingSet)\w{0,16}(NearLimit|AtLimit|NearMax|OverLimit|LimitReached|Approaching)|WiredTigerCache\w{0,8}(Full|Pressure|Exhausted)"),
            Metrics = Any(
                @"container_oom_events_total|node_vmstat_oom_kill|kube_pod_container_status_(last_)?terminated_reason\{[^}]*OOMKilled",
                // Free-memory gauges alone are reported memory, not an OOM: a low-memory alert must say so in its name.
                @"kube_node_status_condition\{[^}]*MemoryPressure"),
            Verbatim = Any(
                // Kubernetes and the Linux kernel
                @"OOM ?Killed|oom[-_ ]kill(ed|er|ing|s)?\b|invoked oom-killer|Out of memory: Kill(ed)? process|Memory cgroup out of memory",
                @"Killed process \d+ \([^)\n]+\)[^\n]*(total-vm|anon-rss)",
                @"low on resource: memory|Attempting to reclaim memory|NodeHasInsufficientMemory|MemoryPressure|System OOM encountered",
                @"exceed(ed|s|ing)? (its |the |container |pod )?memory limit",
                // JVM, Node.js, Go, Python, .NET, C++
                @"java\.lang\.OutOfMemoryError|OutOfMemoryError: (Java heap space|GC overhead limit exceeded|Metaspace|Direct buffer memory|Compressed class space)",
                @"JavaScript heap out of memory|Allocation failed - (JavaScript )?heap out of memory|Reached heap limit",
                @"fatal error: runtime: out of memory|runtime: out of memory|fatal error: out of memory",
                @"(?-i:\bMemoryError\b)|System\.OutOfMemoryException|OutOfMemoryException|std::bad_alloc",
                // PostgreSQL, MySQL, Elasticsearch and generic
                @"insufficient memory for the Java Runtime Environment|ERROR: +out of memory|Out of memory \(Needed \d+ bytes\)|\bout of memory\b|Cannot allocate memory|\bENOMEM\b",
                // .NET, Rust, Erlang / Elixir, PHP, Ruby
                @"Insufficient memory to continue the execution of the program|memory allocation of \d+ bytes failed",
                @"\b\w{1,12}_alloc: Cannot allocate \d+ bytes|Cannot allocate \d+ bytes of memory",
                @"Allowed memory size of \d+ bytes exhausted|failed to allocate memory|\bNoMemoryError\b",
                // ECS, Lambda, Cloud Run, App Engine, Heroku R15 (R14, a quota warning, is not an OOM)
                @"Container killed due to memory usage|Runtime\.OutOfMemory\b",
                @"Memory limit of \d+(\.\d+)? ?[KMGT]i?B exceeded with \d+(\.\d+)? ?[KMGT]i?B used|Exceeded (soft|hard) (private )?memory limit of \d+",
                @"R15 \(Memory quota vastly exceeded\)|Memory quota vastly exceeded",
                // Windows' Resource-Exhaustion-Detector (event 2004): the host's commit limit nearly reached.
                @"diagnosed a low virtual memory condition"),
            Loose = Any(
                @"exit(ed)?( with)? code:? ?137\b[^\n]*(memory (limit|exhaust)|out of memory|OOM)",
                @"(memory limit|out of memory|OOM)[^\n]*exit(ed)?( with)? code:? ?137\b",
                @"memory (is |was )?exhausted"),
            Keywords = ["oom", "mem", "bad_alloc", "heap", "killed process", "_alloc:", "rss", "workingset", "wiredtiger"],
            Veto = Any(
                // A thread or process limit, a GPU, a data store's own memory cap, OOM settings, or a scheduling shortfall.
                @"unable to create (a )?(new )?native thread|CUDA out of memory|\bCUDA\b|\bGPU\b|OOM command not allowed|maxmemory",
                @"(set|sets|setting|write|writing|wrote|adjust|adjusting|adjusted)\W{1,3}(\w+\W{1,3}){0,3}oom_score(_adj)?\b|oom_score(_adj)? to\b|oom_kill_disable|panic_on_oom|--oom-",
                @"Insufficient memory\b[^\n]*(nodes are available|node\(s\))|\d+ Insufficient memory|FailedScheduling|NotTriggerScaleUp|didn't trigger scale-up"),
            Check = LambdaOutOfMemory,
            Hedged = true,
            Near = true,
        }.Build(),
        new Rule(FailureClasses.DiskFull, "a full disk, filesystem or volume")
        {
            Names = Any(
                @"(Disk|Filesystem|FileSystem|Volume|Pvc|Storage|Directory|Partition|Inodes?)s?(Space|Usage|Files|Inodes)?(Is)?(Almost|Nearly|Running|Will)?(Full|FillingUp|FillUp|Fill\w{0,12}|OutOf(Space|Files|Inodes)|SpaceLow|LowSpace|SpaceCritical|Low|Critical|High|Exhausted)",
                @"OutOf(Disk|Space|Inodes|Storage)|Low(Disk|Storage)(Space)?|DiskPressure|FreeDiskSpaceFailed|EphemeralStorage\w*(Exceeded|Full|Limit|Pressure)",
                @"Ceph\w{0,24}(Full|FillingUp)(\b|_)|(Disk|Drive|Volume)\w{0,6}Free\w{0,6}Space\w{0,6}(Low|Critical)",
                @"(Free|Available)[-_ ]?Storage[-_ ]?(Space)?[-_ ]?(Is[-_ ]?)?(Low|Critical|Alarm)|Low[-_ ]?Free[-_ ]?Storage",
                @"Cloud SQL Database - Disk utili[sz]ation|CloudSql\w*Disk\w*(Utili[sz]ation|Usage|Full)",
                @"(Free)?Disk(Free)?(Space)?Alarm"),
            Metrics = Any(
                @"node_filesystem_(avail|free)_bytes|node_filesystem_files_free|kubelet_volume_stats_(available_bytes|inodes_free|used_bytes|inodes_used)",
                @"windows_logical_disk_free_bytes|container_fs_usage_bytes|elasticsearch_filesystem_data_(available|free)_bytes|disk_used_percent|disk_free\b|system\.disk\.in_use",
                @"kube_node_status_condition\{[^}]*DiskPressure",
                // Windows, Ceph, MinIO, RDS, Cloud SQL, Azure SQL
                @"windows_logical_disk_(free|avail)\w*|wmi_logical_disk_free_bytes|LogicalDisk\W{1,6}(\w+:?\W{1,3})?(% ?Free Space|Free Megabytes)",
                @"ceph_osd_stat_bytes_used|ceph_cluster_total_used(_raw)?_bytes|ceph_pool_percent_used|ceph_pool_max_avail|ceph_pool_(bytes_used|stored)",
                @"minio_\w*free\w*|aws_rds_free_(storage_space|local_storage)\w*|\bFreeStorageSpace\b|\bFreeLocalStorage\b",
                @"database/disk/(utilization|bytes_used)|cloudsql_googleapis_com_database_disk_(utilization|bytes_used)|storage_percent"),
            Verbatim = Any(
                // Linux, every runtime
                @"no space left on device|\bENOSPC\b|\[Errno 28\]|\bOS errno 28\b|error number 28\b|errno:? ?28\b|\(28: No space|not enough space on the disk|ERROR_DISK_FULL",
                // Kubernetes
                @"low on resource: (ephemeral-storage|nodefs|imagefs)|Attempting to reclaim (ephemeral-storage|nodefs|imagefs)|DiskPressure",
                @"ephemeral local storage usage exceeds|exceeded its local ephemeral storage limit|Usage of EmptyDir volume [^\n]+ exceeds the limit",
                @"failed to garbage collect required amount of images|FreeDiskSpaceFailed",
                // PostgreSQL, MySQL, SQLite, Elasticsearch / OpenSearch
                @"could not extend file|Check free disk space|Disk is full writing|Waiting for someone to free (some )?space|database or disk is full",
                @"flood[-_ ]stage (disk )?watermark|flood[-_]stage reached|(high|low) disk watermark \[[^\]]{1,10}\] exceeded|disk usage exceeded flood-stage watermark|read-only-allow-delete",
                // Quotas and inodes
                @"disk quota exceeded|\bEDQUOT\b|out of inodes|no free inodes",
                @"no (free )?inodes (left|available|remaining)|IUse%\W{0,3}100(\.0+)?%|\binodes? (usage )?(is |at )?100(\.0+)?\s?%",
                // Windows (event 2013 and Win32 errors)
                @"The disk is full\b|disk is at or near capacity|ERROR_HANDLE_DISK_FULL|0x80070070|0x80070027",
                // Ceph health checks
                @"\b(OSD|POOL)_(NEAR_?|BACKFILL_?)?FULL\b|\b\d+ (near|backfill)?full osds?\b|\bnearfull osd|\bpool\(s\) (near|backfill)?full\b",
                @"\bosd\.\d+ is (near |backfill ?)?full\b|\bpool '[^'\n]+' is full \((no space|reached quota)|\bMON_DISK_(LOW|CRIT)\b|is (very )?low on available space",
                // MinIO ("Storage resources are insufficient" is a lost write quorum, not a full drive)
                @"XMinioStorageFull|minimum free (drive|disk) threshold|\b(drive|disk) path full\b",
                // Amazon RDS / Aurora events and CloudWatch alarms
                @"\bstorage-full\b|\bRDS-EVENT-0007\b|Allocated storage has been exhausted|Free storage capacity for DB instance \S+ is low|storage is dangerously low",
                @"FreeStorageSpace\W[^\n]*(LessThan|less than the threshold)|(LessThan\w*|less than the threshold)[^\n]*FreeStorageSpace",
                @"storage_percent\W[^\n]*GreaterThan|GreaterThan[^\n]*storage_percent",
                // SQL Server 1101 / 1105 / 9002
                @"Could not allocate space for object|filegroup is full|insufficient disk space in filegroup|Could not allocate a new page for database|(Msg|Error:) 110[15], (Level|Severity)",
                @"The transaction log for database '[^'\n]+' is full|(Msg|Error:) 9002, (Level|Severity)",
                // Oracle tablespaces and recovery area
                @"\bORA-0*16(5[0-5]|8[38]|91)\b|unable to extend [^\n]*\bin tablespace|space quota exceeded for tablespace|\bORA-0*1536\b|\bORA-0*19809\b|limit exceeded for recovery files",
                // LVM thin pools and Docker's devicemapper
                @"thin pool \S+ (data |metadata )?is (now )?(9\d(\.\d+)?% |100(\.0+)?% )?full|Thin Pool has \d+ free data blocks|free space in thin pool|out-of-data-space"),
            Loose = Any(
                @"(disk|filesystem|file system|volume|partition|drive|pvc|persistent volume)s? (is |are )?(almost |nearly |completely |now )?full\b",
                @"(disk|filesystem|file system|volume|partition)( space)?( usage)? (is |of [^\n]+ is )?(at |above |over )?(9\d|100)(\.\d+)?\s?%",
                @"\b\d(\.\d+)?\s?% (of )?(free |disk |available )?space (left|remaining|available|free)",
                @"only \d+(\.\d+)? ?([KMGT]i?B|bytes) (of )?(free |disk )?space (left|remaining)",
                @"out of (disk )?space|(ran|run|running|runs) out of (disk )?space|predicted to run out of space",
                @"low (on )?disk space|disk space (is )?(low|critical|exhausted)|free disk space (is )?(below|under|low)",
                @"inodes? (are |is )?(exhausted|used up|almost full|nearly full)|inode usage (is )?(at|above|over)",
                @"disk usage (of [^\n]+ )?(is )?(above|over|high|critical)|disk usage of directory [^\n]+over its",
                @"\b(9\d|100)(\.\d+)?\s?% full\b",
                @"node\(s\) had (untolerated )?taint \{node\.kubernetes\.io/disk-pressure",
                @"disk utili[sz]ation\b[^\n]*\b(above|over|exceeds?|exceeded|reached) (the )?(threshold|(9\d|100)(\.\d+)?\s?%)|disk utili[sz]ation (is )?(at )?(9\d|100)(\.\d+)?\s?%",
                @"(logical )?disk free space (is )?(low|critical|below)",
                @"\b(volume|pvc|disk|filesystem|partition|mount(point)?)\b[^\n]{0,40}\b(9\d|100)(\.\d+)?\s?% (capacity|used|full)\b|\bUse%\W{0,3}(9\d|100)%"),
            Keywords =
            [
                "disk", "filesystem", "file system", "nodefs", "imagefs", "container_fs", "volume", "pvc", "storage", "director", "partition",
                "inode", "space left", "space remaining", "space available", "space free", "enough space", "ofspace", "of space", "spacelow",
                "lowspace", "spacecritical", "space low", "free space", "free some space", "outof", "enospc", "errno", "error number", "(28:",
                "drive", "% full", "%full", "use%", "garbage collect", "extend file", "flood", "allow-delete", "edquot",
                "ceph", "osd", "pool", "minio", "iuse", "0x80070070", "0x80070027", "available space", "rds-event-0007", "allocate space",
                "filegroup", "allocate a new page", "msg 110", "error: 110", "transaction log", "msg 9002", "error: 9002", "ora-",
                "tablespace", "recovery files", "thin pool", "out-of-data-space",
            ],
            Veto = Any(
                // Hardware and filesystem faults are not a full disk; nor are kernel limits that reuse ENOSPC.
                @"I/O error|input/output error|\bEIO\b|read-only file system|\bEROFS\b|remount(ing|ed)?( filesystem)? read-only|filesystem_readonly|device_error",
                @"bad sector|\bSMART\b|smartctl|medium error|unrecoverable read error|EXT4-fs error|filesystem (is )?corrupt|(data|filesystem|file system|metadata|block|superblock|inode|page) corruption|corruption (detected|found)",
                @"inotify|fsnotify|max_user_watches|max_user_instances|semget|semaphore|mqueue|file watchers|number of watchers",
                @"database space exceeded|alarm:NOSPACE|etcdserver: mvcc|Insufficient ephemeral-storage",
                // A cloud alarm returning to OK or resolved.
                @"NewStateValue\W{1,4}OK\b|was not (less|greater) than the threshold|monitorCondition\W{1,4}Resolved"),
        }.Build(),
        new Rule(FailureClasses.CertExpiry, "a certificate expiring or expired")
        {
            Names = Any(
                @"(Cert|Certificate|Certs|SSL|TLS|X509|Https)\w*(Expir|NotAfter|Validity)",
                @"Expir\w*(Cert|SSL|TLS|X509)",
                @"DaysToExpiry|acm-certificate-expiration-check"),
            Metrics = Any(
                @"probe_ssl_earliest_cert_expiry|probe_ssl_last_chain_expiry_timestamp_seconds|certmanager_certificate_expiration_timestamp_seconds",
                @"ssl_cert_not_after|x509_cert_not_after|x509_cert_expired|ssl_verified_cert_not_after|tls_cert_not_after",
                @"apiserver_client_certificate_expiration_seconds|kubelet_certificate_manager_(client|server)_ttl_seconds",
                @"cert(ificate)?_(expiry|expiration|expires|not_after)\w*",
                // AWS Certificate Manager, Google Cloud uptime checks
                @"aws_certificatemanager_days_to_expiry\w*|time_until_ssl_cert_expires"),
            Verbatim = Any(
                @"certificate has expired|certificate (is )?expired|expired certificate|cert(ificate)? expired on",
                @"CERT_HAS_EXPIRED|X509_V_ERR_CERT_HAS_EXPIRED|CertificateExpiredException|\bNotTimeValid\b|ERR_CERT_DATE_INVALID|SEC_ERROR_EXPIRED_CERTIFICATE",
                @"alert certificate expired|ALERT_CERTIFICATE_EXPIRED|certificate will expire (in|on|within|at|soon)|certificate (is )?(about|going|due|set) to expire",
                @"cert(ificate)? expir(es|ing) (in|on|within|soon|at)\b",
                // AWS Certificate Manager, Azure Key Vault, Windows certificate autoenrollment (events 64 and 65)
                @"ACM Certificate (Approaching Expiration|Expired)|Microsoft\.KeyVault\.Certificate(NearExpiry|Expired)|\bCertificateNearExpiry\b|\bCertificateExpired\b",
                @"Thumbprint [0-9a-f ]+ (is about to expire|has expired)",
                // rustls / webpki
                @"invalid peer certificate: (Expired|CertExpired)\b|InvalidCertificate\(Expired|\bCertExpired\b",
                // kubeadm and tools naming the certificate file
                @"\bcert(ificate)? ['""]?[\w./-]+\.(crt|pem|cer|conf)['""]? (will expire|expires|has expired|expired)\b|kubeadm[^\n]*\bcert(ificate)?s?\b[^\n]*(will expire|expires) (in|on|within)\b"),
            Loose = Any(
                @"\bcert(ificate)?s?\b[^\n;]*\b(expir(es|ing) (in|within|on|soon|today|tomorrow|at)|expired|will expire|is about to expire)\b",
                @"\b(expir(es|ing) (in|within|soon)|expired)\b[^\n;]*\bcert(ificate)?s?\b",
                @"days (until|till|to|before|left before) (the )?(cert(ificate)? )?expir",
                @"validity check failed",
                @"\bnot ?After\b[^\n;]{0,24}\b(passed|elapsed|is in the past)\b"),
            Keywords = ["cert", "expir", "ssl", "tls", "x509", "timevalid", "validity", "notafter", "not after"],
            Veto = Any(
                @"unknown authority|self[- ]signed|unable to get local issuer|unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                @"hostname mismatch|doesn't match|does not match|not valid for (name|any names)|certificate is valid for|ERR_TLS_CERT_ALTNAME_INVALID",
                @"current time \S+ is before|certificate is not yet valid|CERT_NOT_YET_VALID|NotYetValid|revoked",
                @"has not expired|not expired|not expiring|won't expire|will not expire",
                // Other things that expire: passwords, licences, domains, keys, tokens, sessions, accounts, secrets.
                @"\b(password|passwd|licen[cs]e|domain|api[-_ ]?key|access[-_ ]?key|token|jwt|session|account|subscription|trial|lease|credentials?|secret)s? (has |have |is |was |will |already |has already )?(expired|expires|expiring|expire)\b",
                @"TokenExpired|ExpiredToken|ExpiredSignature|SessionExpired|PasswordExpired|Licen[cs]eExpired|(Secret|Key)(NearExpiry|Expired)|client secret",
                @"\b(password|licen[cs]e|domain|token|session|subscription|account) expir(y|ation)\b",
                // Routine kubelet rotation logs.
                @"rotation deadline is|for next certificate rotation",
                // A renewal that worked, or a check that found nothing to do, quotes the new expiry date.
                @"\b(successfully renewed|renewed successfully|has been renewed|was renewed|have been saved|renewal not needed|not due for renewal|not yet due for renewal|up to date|is valid for another)\b"),
            Hedged = true,
        }.Build(),
        new Rule(FailureClasses.DependencyTimeout, "a dependency timing out")
        {
            Names = Any(
                @"(Upstream|Dependency|Downstream|Backend|Gateway|Grpc|Http|Api|Rpc|Connect|Connection|Socket|Call|Service|Probe|Kafka|Redis|Database|Db|Postgres|Mysql|Elasticsearch|External|Remote)\w*(Timeouts?|TimedOut|Deadlines?Exceeded)",
                @"DeadlineExceeded|GatewayTimeout|Http504|\b504s?\b",
                @"Cassandra\w*(Timeouts?|TimedOut)",
                @"(Outbound|Outgoing|Read|Write|Client|Polly|TimeLimiter)\w{0,24}(Timeouts?|TimedOut)",
                @"(Upstream|Outgoing|Outbound|Backend|Downstream|Dependency|Client)\w{0,24}(Latency|Duration|Slow|ResponseTime)"),
            Metrics = Any(
                @"envoy_cluster_upstream_rq_timeout|envoy_cluster_upstream_cx_connect_timeout|envoy_cluster_upstream_rq_per_try_timeout",
                @"grpc_code=~?""[^""]*DeadlineExceeded|response_flags\W{1,4}(\w+,)*UT\b|(status|code|response_code|status_code)=~?""504""",
                @"probe_duration_seconds"),
            Verbatim = Any(
                // Go, gRPC
                @"context deadline exceeded|DEADLINE_EXCEEDED|DeadlineExceeded|Deadline Exceeded|\bi/o timeout|Client\.Timeout exceeded|timeout awaiting response headers|TLS handshake timeout",
                // nginx, Envoy / Istio, HAProxy
                @"upstream timed out|upstream request timeout|upstream_response_timeout|upstream_per_try_timeout|reset reason: connection timeout|delayed connect error: 110",
                @"504 Gateway Time-?out|Gateway Time-?out|GatewayTimeout|(?-i:"" \d{3} (\w+,)*UT(,\w+)* )|response_flags\W{1,4}(\w+,)*UT\b|(?-i: s[HCD]-- )|Layer[47] timeout",
                // JVM, .NET, Node.js, Python, Redis and Kafka clients
                @"SocketTimeoutException|ConnectTimeoutException|ReadTimeoutException|HttpTimeoutException|RedisCommandTimeoutException|RedisTimeoutException|Timeout performing \w+",
                @"TimeoutException\b|TimeoutRejectedException|HttpClient\.Timeout of \d+ seconds elapsing|Execution Timeout Expired|operation has timed out",
                @"\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT|timeout of \d+ ?ms exceeded",
                @"\bReadTimeout(Error)?\b|\bConnectTimeout(Error)?\b|\bsocket\.timeout\b|Timeout (reading from|connecting to) (socket|server)",
                @"(read|connect|connection|operation|request|call|rpc|query) timed out|timed out (while|waiting for|connecting|calling|talking|reading|writing|contacting|reaching)",
                @"(read|connect|connection|request|upstream|gateway|socket|call) ?timeout\b|timeout expired|curl: \(28\)",
                // botocore, PHP cURL / Guzzle, Kong, Cassandra drivers, AWS SDK v3 and other JS clients
                @"(Connect|Read) timeout on endpoint URL|cURL error 28\b|The upstream server is timing out|Cassandra timeout during \w+( \w+)? query",
                @"(?-i:\bTimeoutError\b)|socket timed out|deadline has elapsed",
                // Ruby, Elixir
                @"Net::(Open|Read|Write)Timeout\b|Faraday::TimeoutError|Excon::Error::Timeout|RestClient::(Exceptions::)?(Open|Read)Timeout|HTTP::TimeoutError",
                @"Mint\.TransportError\)? timeout\b|TransportError\{reason: :timeout\}|HTTPoison\.Error\{[^}]*reason: :(connect_|recv_)?timeout"),
            Loose = Any(
                @"\btimeout (error|exceeded|occurred|while|after|calling|waiting|talking|reaching|contacting)\b",
                @"\btimed out after\b",
                @"\bno response within \d+(\.\d+)? ?(ms|s|seconds)\b|\bdid not (answer|respond) (before|within|in time)\b",
                @"(dependency|upstream|backend|downstream) (service )?\S* ?(is )?(timing out|timed out|not responding in time)"),
            Keywords = ["timeout", "timed out", "timedout", "time-out", "deadline", "504", "sh--", "sc--", "sd--", " ut ", ",ut", "response_flags", "error: 110", "curl: (28)", "probe_duration", "timing out", "responding in time", "curl error 28", "latency", "duration", "slow", "responsetime", "elapsed", "no response", "did not answer", "did not respond"],
            Veto = Any(
                // Refused, reset, DNS and auth failures are not slow dependencies; nor are a database's own lock or statement limits.
                @"connection refused|ECONNREFUSED|Connection to \S+ refused|connection reset|ECONNRESET|reset by peer",
                @"no such host|NXDOMAIN|SERVFAIL|name resolution|could not resolve|getaddrinfo|EAI_AGAIN|lookup \S+ on \S+:53",
                @"\b401\b|\b403\b|unauthori[sz]ed|forbidden",
                @"lock[_ ]?wait[_ ]?timeout|lock[_ ]?timeout|deadlock|statement[_ ]?timeout|canceling statement due to|idle[-_ ]?in[-_ ]?transaction|maximum statement execution time|max_execution_time",
                // The client or the service itself being slow, and Kafka consumers overrunning their poll interval.
                @"\b408\b|client timed out|while reading client request|client_(body|header)_timeout|(?-i: cD-- )|(Liveness|Readiness|Startup) ?probe",
                @"max\.poll\.interval|not present in metadata",
                // A Job or pod past its own deadline, a refused curl, SQL Server's lock wait, idle keep-alive closes,
                // no healthy upstream, a Kafka consumer group rebalancing, and DNS resolution timing out.
                @"active (on the node )?longer than (the )?specified deadline|activeDeadlineSeconds|Progress\w{0,4}Deadline|progress deadline|Couldn't connect to server|Lock request time ?out period exceeded",
                @"\bidle[-_ ]?timeout|keep-?alive[-_ ]?timeout|no healthy upstream",
                @"\brebalanc(e|es|ing|ed)\b|RebalanceInProgress|consumer poll timeout|LeaveGroup|Resolving timed out",
                @"MongoPoolClearedError|PoolClearedError|pool for \S+ was cleared"),
            Hedged = true,
            ConfigValues = true,
        }.Build(),
    ];

    public string Name => ClassifierNames.Rules;

    public ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Classify(signal, classes));

    public Classification Classify(Signal signal, ClassSet classes)
    {
        var text = SignalText.From(signal);

        // What the alert fires on decides over what it is called.
        var verdict = PromQlEvidence.Analyze(text.Query);
        if (verdict is { Class: Classification.Unknown })
        {
            return Classification.UnknownFrom(Name, $"the alert expression shows {verdict.Reason}", ExpressionStrength(verdict.Strength)) with
            {
                Id = signal.Id,
                Evidence = [$"expression: {verdict.Reason}"],
            };
        }

        // Every part at once, for the quick "could this rule match at all" check and the near-miss scan.
        var all = string.Join('\n', text.Heading, text.Labels, text.Annotations, text.Expression, text.Body);
        var matches = new (Rule Rule, double Confidence, string Evidence)?[Rules.Length];
        var any = false;
        for (var i = 0; i < Rules.Length; i++)
        {
            var match = Rules[i].Match(text, all);
            if (match is not null)
            {
                matches[i] = (Rules[i], match.Value.Confidence, match.Value.Evidence);
                any = true;
            }
        }

        if (verdict is not null)
        {
            return FromExpression(signal, classes, verdict, matches);
        }

        if (!any)
        {
            return Classification.UnknownFrom(Name, "no rule matched the signal's name, labels, annotations, expression or text");
        }

        var evidence = matches.Where(m => m is not null).Select(m => $"{m!.Value.Rule.Class}: {m.Value.Evidence}").ToList();

        // A class that explains another's evidence wins over it (a pool wait that says "timed out" is the pool).
        for (var i = 0; i < matches.Length; i++)
        {
            if (matches[i] is not { } dominant)
            {
                continue;
            }

            for (var j = 0; j < matches.Length; j++)
            {
                if (matches[j] is { } other && dominant.Rule.Dominates.Contains(other.Rule.Class))
                {
                    matches[j] = null;
                }
            }
        }

        var best = matches.Where(m => m is not null).Select(m => m!.Value).OrderByDescending(m => m.Confidence).First();
        var rival = matches.Where(m => m is not null).Select(m => m!.Value)
            .FirstOrDefault(m => m.Rule != best.Rule && m.Confidence >= best.Confidence - RivalMargin);
        if (rival.Rule is not null)
        {
            // Two strong, different explanations: say so rather than pick one.
            return Classification.UnknownFrom(Name, $"rules for {best.Rule.Class} and {rival.Rule.Class} both matched equally strongly") with { Evidence = evidence };
        }

        var classification = new Classification
        {
            Id = signal.Id,
            Class = best.Rule.Class,
            Confidence = Math.Min(best.Confidence, 0.97),
            Classifier = Name,
            Reasoning = $"the signal shows {best.Rule.Description}: \"{Shorten(best.Evidence)}\"",
            Evidence = evidence,
        };
        return classes.Constrain(classification) with { Id = signal.Id };
    }

    /// <summary>
    /// The class the alert expression shows. Other rules' matches on the name or annotations do not outweigh it: a
    /// near-miss that carries another class's word is decided by what it measures. Suggestive evidence stays below
    /// every automatic floor even when the name agrees.
    /// </summary>
    private Classification FromExpression(Signal signal, ClassSet classes, ExpressionVerdict verdict, (Rule Rule, double Confidence, string Evidence)?[] matches)
    {
        var agreeing = matches.FirstOrDefault(m => m is { } match && match.Rule.Class == verdict.Class);
        var confidence = verdict.Strength == EvidenceStrength.Suggestive
            ? SuggestiveConfidence
            : Math.Max(ExpressionStrength(verdict.Strength), agreeing?.Confidence ?? 0);
        var evidence = new List<string> { $"{verdict.Class}: expression: {verdict.Reason}" };
        evidence.AddRange(matches.Where(m => m is not null).Select(m => $"{m!.Value.Rule.Class}: {m.Value.Evidence}"));
        var hint = verdict.Strength == EvidenceStrength.Suggestive ? " (only suggestive: no limit or dependency named)" : string.Empty;
        var classification = new Classification
        {
            Id = signal.Id,
            Class = verdict.Class,
            Confidence = Math.Min(confidence, 0.97),
            Classifier = Name,
            Reasoning = $"the alert expression shows {Shorten(verdict.Reason)}{hint}",
            Evidence = evidence,
        };
        return classes.Constrain(classification) with { Id = signal.Id };
    }

    private static double ExpressionStrength(EvidenceStrength strength) => strength switch
    {
        EvidenceStrength.Strong => HeadingConfidence,
        EvidenceStrength.Moderate => ExpressionConfidence,
        _ => SuggestiveConfidence,
    };

    /// <summary>
    /// Whether one of <paramref name="cues"/> is among the last <paramref name="words"/> words of the clause before a
    /// match. A match that starts inside a word is preceded only by "…HasNo" (NodeHasNoDiskPressure); "0 " right
    /// before a match and contractions ending in n't count as negations.
    /// </summary>
    private static bool Preceded(ReadOnlySpan<char> before, HashSet<string> cues, int words)
    {
        if (before.Length == 0)
        {
            return false;
        }

        if (IsWordChar(before[^1]))
        {
            return cues == Negations && before.EndsWith("hasno", StringComparison.OrdinalIgnoreCase);
        }

        var lookup = cues.GetAlternateLookup<ReadOnlySpan<char>>();
        var end = before.Length;
        for (var seen = 0; seen < words; seen++)
        {
            while (end > 0 && !IsWordChar(before[end - 1]))
            {
                end--;
            }

            var start = end;
            while (start > 0 && IsWordChar(before[start - 1]))
            {
                start--;
            }

            if (start == end)
            {
                return false;
            }

            var word = before[start..end];
            if (lookup.Contains(word))
            {
                return true;
            }

            if (cues == Negations && (word.EndsWith("n't", StringComparison.OrdinalIgnoreCase) || (seen == 0 && word is "0")))
            {
                return true;
            }

            end = start;
        }

        return false;
    }

    /// <summary>
    /// A Lambda runtime killed by a signal while its report shows all of the function's memory used: an OOM kill. Equal
    /// numbers are beyond a regular expression, so this is checked here; a kill with memory to spare is not evidence.
    /// </summary>
    private static string? LambdaOutOfMemory(string text)
    {
        if (!text.Contains("Max Memory Used", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var killed = LambdaKilled.Match(text);
        if (!killed.Success)
        {
            return null;
        }

        foreach (Match report in LambdaReport.Matches(text))
        {
            if (int.TryParse(report.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var size)
                && int.TryParse(report.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var used)
                && used >= size)
            {
                return $"{killed.Value}; {report.Value}";
            }
        }

        return null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '\'';

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private static Regex Pattern(string pattern) => new(pattern, Options);

    private static string[] Any(params string[] alternatives) => alternatives;

    /// <summary>
    /// Alternatives joined into as few patterns as the non-backtracking engine accepts: it refuses automata over
    /// 10,000 nodes, so large alternations are split into several patterns, each scanned in linear time. A group that
    /// is short enough but still too large an automaton (counted repetitions weigh more than their length) is halved.
    /// </summary>
    private static Regex[] Compile(params string[][] tiers)
    {
        const int MaxPatternLength = 2400;
        var patterns = new List<Regex>();
        var group = new List<string>();
        var length = 0;
        foreach (var alternative in tiers.SelectMany(t => t))
        {
            if (group.Count > 0 && length + alternative.Length > MaxPatternLength)
            {
                AddPatterns(patterns, group);
                group = [];
                length = 0;
            }

            group.Add(alternative);
            length += alternative.Length + 5;
        }

        if (group.Count > 0)
        {
            AddPatterns(patterns, group);
        }

        return [.. patterns];
    }

    private static void AddPatterns(List<Regex> patterns, List<string> alternatives)
    {
        try
        {
            patterns.Add(Pattern(string.Join('|', alternatives.Select(a => $"(?:{a})"))));
        }
        catch (NotSupportedException) when (alternatives.Count > 1)
        {
            var half = alternatives.Count / 2;
            AddPatterns(patterns, alternatives[..half]);
            AddPatterns(patterns, alternatives[half..]);
        }
    }

    private sealed class Rule(string failureClass, string description)
    {
        private Regex[] _structured = [];
        private Regex[] _expression = [];
        private Regex[] _verbatim = [];
        private Regex[] _textual = [];
        private Regex[] _loose = [];
        private Regex[] _veto = [];
        private Regex[] _any = [];
        private SearchValues<string> _keywords = SearchValues.Create([], StringComparison.OrdinalIgnoreCase);

        public string Class { get; } = failureClass;

        public string Description { get; } = description;

        /// <summary>Alert names, reasons and conditions, usually CamelCase: trusted in the heading, labels and annotations.</summary>
        public required string[] Names { get; init; }

        /// <summary>Metric names: trusted in the alert expression only (a metric merely quoted in text is a reading, not an alert).</summary>
        public required string[] Metrics { get; init; }

        /// <summary>Verbatim messages of real systems: trusted anywhere.</summary>
        public required string[] Verbatim { get; init; }

        /// <summary>Looser wording: free text and annotations only, at the lowest confidence.</summary>
        public required string[] Loose { get; init; }

        /// <summary>
        /// Case-insensitive fragments at least one of which every evidence pattern contains literally: a part with none
        /// of them cannot match, so its scans are skipped. Keep them in step with the patterns.
        /// </summary>
        public required string[] Keywords { get; init; }

        /// <summary>Near-misses: any of these in the heading, annotations or text means the rule does not apply.</summary>
        public required string[] Veto { get; init; }

        public IReadOnlyList<string> Dominates { get; init; } = [];

        /// <summary>Evidence no pattern can state, looked for in free text and trusted as a verbatim message.</summary>
        public Func<string, string?>? Check { get; init; }

        /// <summary>Whether "may", "if", "to avoid" before a match make it hypothetical.</summary>
        public bool Hedged { get; init; }

        /// <summary>Whether "almost", "close to" before a match make it a warning rather than the event.</summary>
        public bool Near { get; init; }

        /// <summary>Whether a match ending in "timeout" and followed by a value ("timeout=30s") is configuration rather than an event.</summary>
        public bool ConfigValues { get; init; }

        /// <summary>Compiles the rule's patterns once, so classifying allocates no regex.</summary>
        public Rule Build()
        {
            _structured = Compile(Names, Verbatim);
            _expression = Compile(Metrics, Names, Verbatim);
            _verbatim = Compile(Verbatim);
            _textual = Compile(Names, Loose);
            _loose = Compile(Loose);
            _veto = Compile(Veto);
            _any = Compile(Names, Metrics, Verbatim, Loose);
            _keywords = SearchValues.Create(Keywords, StringComparison.OrdinalIgnoreCase);
            return this;
        }

        public (double Confidence, string Evidence)? Match(SignalText text, string all)
        {
            // Most signals match few rules: one scan of everything rules a rule out before the part-by-part search.
            if (!all.AsSpan().ContainsAny(_keywords) || (!AnyMatch(_any, all) && Check?.Invoke(all) is null))
            {
                return null;
            }

            var heading = Relevant(text.Heading.Contains('_', StringComparison.Ordinal) ? $"{text.Heading} {text.Heading.Replace("_", string.Empty, StringComparison.Ordinal)}" : text.Heading);
            var annotations = Relevant(text.Annotations);
            var body = Relevant(text.Body);
            var match = Find(_structured, heading, HeadingConfidence)
                ?? Find(_expression, Relevant(text.Expression), ExpressionConfidence)
                ?? Find(_structured, Relevant(text.Labels), StructuredConfidence)
                ?? Find(_structured, annotations, StructuredConfidence)
                ?? Find(_verbatim, body, VerbatimTextConfidence)
                ?? Checked(body)
                ?? Find(_loose, heading, StructuredConfidence)
                ?? Find(_loose, annotations, TextConfidence)
                ?? Find(_textual, body, TextConfidence);
            if (match is null)
            {
                return null;
            }

            // Checked only once something matched: most signals match no rule, and the veto is the costlier scan.
            return AnyMatch(_veto, all) ? null : match;
        }

        private (double Confidence, string Evidence)? Checked(string body) =>
            body.Length > 0 && Check?.Invoke(body) is { } evidence ? (VerbatimTextConfidence, evidence) : null;

        private static bool AnyMatch(Regex[] patterns, string text)
        {
            foreach (var pattern in patterns)
            {
                if (pattern.IsMatch(text))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The part, or empty when it holds none of the rule's keywords and so cannot match.</summary>
        private string Relevant(string part) => part.AsSpan().ContainsAny(_keywords) ? part : string.Empty;

        private (double Confidence, string Evidence)? Find(Regex[] patterns, string part, double confidence)
        {
            if (part.Length == 0)
            {
                return null;
            }

            foreach (var pattern in patterns)
            {
                foreach (var match in pattern.EnumerateMatches(part))
                {
                    if (!Discounted(part, match.Index, match.Length))
                    {
                        return (confidence, part.Substring(match.Index, match.Length).Trim());
                    }
                }
            }

            return null;
        }

        /// <summary>Whether a match is negated, hypothetical, a near-miss warning or a configuration value.</summary>
        private bool Discounted(string part, int index, int length)
        {
            var start = Math.Max(0, index - Window);
            var before = part.AsSpan(start, index - start);
            var cut = before.LastIndexOfAny(ClauseBreaks);
            if (cut >= 0)
            {
                before = before[(cut + 1)..];
            }

            var end = index + length;
            var after = part.AsSpan(end, Math.Min(Window, part.Length - end));
            return Preceded(before, Negations, 4)
                || (Hedged && Preceded(before, Hedges, 5))
                || (Near && Preceded(before, Nearness, 3))
                || NegatedAfter.IsMatch(after)
                || (ConfigValues && part.AsSpan(index, length).TrimEnd().EndsWith("timeout", StringComparison.OrdinalIgnoreCase) && ConfigValueAfter.IsMatch(after));
        }
    }
}
