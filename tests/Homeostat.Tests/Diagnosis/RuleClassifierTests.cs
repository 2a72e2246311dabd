using Homeostat.Diagnosis;
using Homeostat.Signals;

namespace Homeostat.Tests.Diagnosis;

public sealed class RuleClassifierTests
{
    private static readonly ClassSet Classes = new(FailureClasses.Seed);

    /// <summary>The seed catalog's confidence floors; classes it never acts on automatically are held to 0.85.</summary>
    private static readonly Dictionary<string, double> Floors = new()
    {
        [FailureClasses.Oom] = 0.85,
        [FailureClasses.DiskFull] = 0.80,
        [FailureClasses.CertExpiry] = 0.90,
        [FailureClasses.DependencyTimeout] = 0.85,
        [FailureClasses.ConnectionPoolExhausted] = 0.85,
    };

    [Theory]
    [InlineData("KubeContainerOOMKilled", "", "oom")]
    [InlineData("", "Last State: Terminated, Reason: OOMKilled, Exit Code: 137", "oom")]
    [InlineData("", "java.lang.OutOfMemoryError: Java heap space", "oom")]
    [InlineData("", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "oom")]
    [InlineData("", "kernel: Memory cgroup out of memory: Killed process 4242 (python3) total-vm:812344kB, anon-rss:512000kB", "oom")]
    [InlineData("NodeFilesystemAlmostOutOfSpace", "", "disk_full")]
    [InlineData("", "ERROR: could not extend file \"base/16384/2619\": No space left on device", "disk_full")]
    [InlineData("", "The node was low on resource: ephemeral-storage.", "disk_full")]
    [InlineData("", "flood stage disk watermark [95%] exceeded on [es-data-2]", "disk_full")]
    [InlineData("SSLCertExpiringSoon", "", "cert_expiry")]
    [InlineData("", "x509: certificate has expired or is not yet valid: current time 2026-11-28T03:00:00Z is after 2026-11-27T00:00:00Z", "cert_expiry")]
    [InlineData("", "upstream request timeout", "dependency_timeout")]
    [InlineData("", "rpc error: code = DeadlineExceeded desc = context deadline exceeded", "dependency_timeout")]
    [InlineData("", "FATAL: sorry, too many clients already", "connection_pool_exhausted")]
    [InlineData("", "HikariPool-1 - Connection is not available, request timed out after 30000ms.", "connection_pool_exhausted")]
    [InlineData("", "Timeout expired. The timeout period elapsed prior to obtaining a connection from the pool.", "connection_pool_exhausted")]
    [InlineData("", "ERR max number of clients reached", "connection_pool_exhausted")]
    public void Classify_KnownFailureMessages_GiveTheirClass(string title, string text, string expected)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(expected);
        result.Confidence.ShouldBeGreaterThanOrEqualTo(0.85);
        result.Reasoning.ShouldNotBeNullOrWhiteSpace();
    }

    // ---- Positive cases from free text: logs, events and error messages of real systems. ----
    [Theory]
    // Linux kernel and Kubernetes
    [InlineData("oom", "", "[12345.678901] Out of memory: Killed process 2231 (postgres) total-vm:4194304kB, anon-rss:3981312kB, file-rss:0kB, shmem-rss:0kB, UID:999 pgtables:7900kB oom_score_adj:0")]
    [InlineData("oom", "", "[Mon Mar  3 04:12:55 2025] java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0")]
    [InlineData("oom", "", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 86Mi. Container api was using 1843Mi, request is 512Mi, has larger consumption of memory.")]
    [InlineData("oom", "Evicted", "Pod was evicted: The node was low on resource: memory.")]
    [InlineData("oom", "", "Warning  SystemOOM  node/ip-10-0-1-12  System OOM encountered, victim process: java, pid: 31337")]
    [InlineData("oom", "", "Warning  OOMKilling  node/worker-3  Memory cgroup out of memory: Killed process 9812 (node) total-vm:1822044kB, anon-rss:1048576kB")]
    [InlineData("oom", "", "Node worker-2 status is now: NodeHasInsufficientMemory")]
    [InlineData("oom", "", "Container api exceeded its memory limit and was killed (exit code 137)")]
    [InlineData("oom", "", "container app exited with code 137 (OOM)")]
    [InlineData("oom", "", "memory.events: low 0 high 0 max 412 oom 3 oom_kill 3")]
    [InlineData("oom", "", "Pod rejected: The node had condition: [MemoryPressure].")]
    [InlineData("oom", "", "State: Terminated\n  Reason: OOMKilled\n  Exit Code: 137\n  Started: Mon, 03 Mar 2025 04:00:00 +0000")]
    // Runtimes
    [InlineData("oom", "", "Exception in thread \"main\" java.lang.OutOfMemoryError: GC overhead limit exceeded")]
    [InlineData("oom", "", "java.lang.OutOfMemoryError: Metaspace")]
    [InlineData("oom", "", "fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw({0x1a2b3c, 0x16})")]
    [InlineData("oom", "", "Traceback (most recent call last):\n  File \"etl.py\", line 88, in <module>\n    rows = list(reader)\nMemoryError")]
    [InlineData("oom", "", "Unhandled exception. System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.")]
    [InlineData("oom", "", "terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc")]
    [InlineData("oom", "", "<--- Last few GCs --->\nFATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory")]
    [InlineData("oom", "", "# There is insufficient memory for the Java Runtime Environment to continue.\n# Native memory allocation (mmap) failed to map 1073741824 bytes")]
    [InlineData("oom", "", "-bash: fork: Cannot allocate memory")]
    // Data stores
    [InlineData("oom", "", "ERROR:  out of memory\nDETAIL:  Failed on request of size 16777216 in memory context \"ExecutorState\".")]
    [InlineData("oom", "", "mysqld: Out of memory (Needed 16777216 bytes)")]
    [InlineData("oom", "", "[ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] fatal error in thread [elasticsearch[es-1][search][T#3]], exiting java.lang.OutOfMemoryError: Java heap space")]
    [InlineData("oom", "", "Can't save in background: fork: Cannot allocate memory")]
    [InlineData("oom", "", "[2025-03-03 04:00:00,000] ERROR [KafkaServer id=2] Fatal error during KafkaServer startup. java.lang.OutOfMemoryError: Direct buffer memory")]
    // Disk: Linux and every runtime
    [InlineData("disk_full", "", "write /var/lib/docker/overlay2/3f2a/merged/tmp/upload-7731: no space left on device")]
    [InlineData("disk_full", "", "OSError: [Errno 28] No space left on device: '/data/cache/blob-93'")]
    [InlineData("disk_full", "", "Error: ENOSPC: no space left on device, write")]
    [InlineData("disk_full", "", "java.io.IOException: No space left on device\n\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)")]
    [InlineData("disk_full", "", "System.IO.IOException: There is not enough space on the disk. : 'D:\\logs\\app.log'")]
    [InlineData("disk_full", "", "cp: error writing '/backup/db.dump': Disk quota exceeded")]
    [InlineData("disk_full", "", "level=error component=tsdb msg=\"write to WAL\" err=\"log samples: write /prometheus/wal/00001234: no space left on device\"")]
    [InlineData("disk_full", "", "partition /var/log is 97% full")]
    // Disk: data stores and proxies
    [InlineData("disk_full", "", "PANIC:  could not write to file \"pg_wal/xlogtemp.1234\": No space left on device")]
    [InlineData("disk_full", "", "ERROR:  could not write block 8812 of temporary file: No space left on device")]
    [InlineData("disk_full", "", "[ERROR] Disk is full writing './binlog.000042' (OS errno 28 - No space left on device). Waiting for someone to free space...")]
    [InlineData("disk_full", "", "2024/05/01 10:00:00 [crit] 12#12: *3401 pwritev() \"/var/cache/nginx/client_temp/0000000042\" failed (28: No space left on device)")]
    [InlineData("disk_full", "", "sqlite3.OperationalError: database or disk is full")]
    [InlineData("disk_full", "", "high disk watermark [90%] exceeded on [xYz][es-data-1][/usr/share/elasticsearch/data/nodes/0] free: 9.1gb[8.9%], shards will be relocated away from this node")]
    [InlineData("disk_full", "", "index [logs-2024.05.01] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];")]
    [InlineData("disk_full", "", "WiredTiger error (28) [1714557600:0][1:0x7f], file:collection-7.wt, handle-write: pwrite: failed to write 4096 bytes at offset 8192: No space left on device")]
    [InlineData("disk_full", "", "Write error saving DB on disk: No space left on device")]
    // Disk: Kubernetes
    [InlineData("disk_full", "", "Warning  EvictionThresholdMet  Attempting to reclaim ephemeral-storage")]
    [InlineData("disk_full", "", "Pod ephemeral local storage usage exceeds the total limit of containers 2Gi.")]
    [InlineData("disk_full", "", "Container worker exceeded its local ephemeral storage limit \"1Gi\".")]
    [InlineData("disk_full", "", "Usage of EmptyDir volume \"scratch\" exceeds the limit \"500Mi\".")]
    [InlineData("disk_full", "", "Warning  FreeDiskSpaceFailed  kubelet  failed to garbage collect required amount of images. Wanted to free 4294967296 bytes, but freed 0 bytes")]
    [InlineData("disk_full", "", "Node worker-5 status is now: NodeHasDiskPressure")]
    [InlineData("disk_full", "", "0/4 nodes are available: 4 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }.")]
    // Certificates
    [InlineData("cert_expiry", "", "curl: (60) SSL certificate problem: certificate has expired")]
    [InlineData("cert_expiry", "", "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.partner.com', port=443): Max retries exceeded with url: /v1 (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)')))")]
    [InlineData("cert_expiry", "", "Error: certificate has expired\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1540:34) { code: 'CERT_HAS_EXPIRED' }")]
    [InlineData("cert_expiry", "", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\nCaused by: java.security.cert.CertificateExpiredException: NotAfter: Sun Mar 02 23:59:59 UTC 2025")]
    [InlineData("cert_expiry", "", "System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: NotTimeValid")]
    [InlineData("cert_expiry", "", "SSL_do_handshake() failed (SSL: error:0A000415:SSL routines::sslv3 alert certificate expired:SSL alert number 45) while SSL handshaking to upstream")]
    [InlineData("cert_expiry", "", "error 10 at 0 depth lookup: certificate has expired")]
    [InlineData("cert_expiry", "", "Certificate expired on Sun, 02 Mar 2025 23:59:59 UTC")]
    [InlineData("cert_expiry", "", "Unable to connect to the server: x509: certificate has expired or is not yet valid")]
    [InlineData("cert_expiry", "", "could not accept SSL connection: sslv3 alert certificate expired")]
    [InlineData("cert_expiry", "", "TLS error: 268436501:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED")]
    [InlineData("cert_expiry", "", "The TLS certificate will expire in 3 days; renewal has failed twice")]
    // Timeouts: Go, gRPC
    [InlineData("dependency_timeout", "", "Get \"http://inventory:8080/stock\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")]
    [InlineData("dependency_timeout", "", "dial tcp 10.0.3.9:6379: i/o timeout")]
    [InlineData("dependency_timeout", "", "read tcp 10.1.0.5:43122->10.1.2.9:5432: i/o timeout")]
    [InlineData("dependency_timeout", "", "net/http: TLS handshake timeout")]
    [InlineData("dependency_timeout", "", "grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:\n\tstatus = StatusCode.DEADLINE_EXCEEDED\n\tdetails = \"Deadline Exceeded\"")]
    [InlineData("dependency_timeout", "", "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 4.999s")]
    [InlineData("dependency_timeout", "", "Error: 4 DEADLINE_EXCEEDED: Deadline exceeded")]
    // Timeouts: proxies
    [InlineData("dependency_timeout", "", "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.2.3.4, server: shop, request: \"GET /cart HTTP/1.1\", upstream: \"http://10.0.4.12:8080/cart\"")]
    [InlineData("dependency_timeout", "", "[2024-05-01T10:00:00.000Z] \"POST /api.Payments/Charge HTTP/2\" 504 UT 0 24 15001 - \"-\" \"grpc-go/1.60\" \"b7c1\" \"payments:8080\" \"10.0.3.4:8080\"")]
    [InlineData("dependency_timeout", "", "{\"response_code\":504,\"response_flags\":\"UT\",\"upstream_cluster\":\"outbound|8080||payments.svc.cluster.local\"}")]
    [InlineData("dependency_timeout", "", "upstream connect error or disconnect/reset before headers. reset reason: connection timeout")]
    [InlineData("dependency_timeout", "", "haproxy[811]: 10.0.0.7:51234 [01/May/2024:10:00:00.000] fe_http be_api/api2 0/0/1/-1/30002 504 194 - - sH-- 12/12/3/1/0 0/0 \"GET /orders HTTP/1.1\"")]
    [InlineData("dependency_timeout", "", "Server be_api/api1 is DOWN, reason: Layer4 timeout, check duration: 2001ms. 1 active and 0 backup servers left.")]
    [InlineData("dependency_timeout", "", "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>")]
    // Timeouts: JVM, .NET, Node.js, Python clients
    [InlineData("dependency_timeout", "", "java.net.SocketTimeoutException: Read timed out")]
    [InlineData("dependency_timeout", "", "org.apache.http.conn.ConnectTimeoutException: Connect to payments.internal:443 [payments.internal/10.0.9.1] failed: connect timed out")]
    [InlineData("dependency_timeout", "", "feign.RetryableException: Read timed out executing GET http://catalog/items")]
    [InlineData("dependency_timeout", "", "java.net.ConnectException: Connection timed out (Connection timed out)")]
    [InlineData("dependency_timeout", "", "System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.")]
    [InlineData("dependency_timeout", "", "Polly.Timeout.TimeoutRejectedException: The delegate executed asynchronously through TimeoutPolicy did not complete within the timeout.")]
    [InlineData("dependency_timeout", "", "Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.")]
    [InlineData("dependency_timeout", "", "System.Net.WebException: The operation has timed out.")]
    [InlineData("dependency_timeout", "", "Error: connect ETIMEDOUT 10.0.7.21:443")]
    [InlineData("dependency_timeout", "", "AxiosError: timeout of 5000ms exceeded")]
    [InlineData("dependency_timeout", "", "ConnectTimeoutError: Connect Timeout Error (attempted address: api.example.com:443, timeout: 10000ms) code: 'UND_ERR_CONNECT_TIMEOUT'")]
    [InlineData("dependency_timeout", "", "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='search.internal', port=443): Read timed out. (read timeout=10)")]
    [InlineData("dependency_timeout", "", "urllib3.exceptions.ConnectTimeoutError: (<urllib3.connection.HTTPSConnection object at 0x7f>, 'Connection to auth.internal timed out. (connect timeout=5)')")]
    [InlineData("dependency_timeout", "", "curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received")]
    // Timeouts: data store clients
    [InlineData("dependency_timeout", "", "redis.exceptions.TimeoutError: Timeout reading from socket")]
    [InlineData("dependency_timeout", "", "StackExchange.Redis.RedisTimeoutException: Timeout performing GET (5000ms), next: GET basket:42, inst: 0, qu: 0, qs: 1, aw: False")]
    [InlineData("dependency_timeout", "", "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 1 minute(s)")]
    [InlineData("dependency_timeout", "", "org.apache.kafka.common.errors.TimeoutException: Expiring 12 record(s) for orders-3:120001 ms has passed since batch creation")]
    [InlineData("dependency_timeout", "", "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeTopics")]
    [InlineData("dependency_timeout", "", "ElasticsearchTimeoutException: java.util.concurrent.TimeoutException: Timeout waiting for task.")]
    [InlineData("dependency_timeout", "", "psycopg2.OperationalError: connection to server at \"db.internal\" (10.0.5.5), port 5432 failed: timeout expired")]
    // Pools: PostgreSQL, PgBouncer, MySQL, Redis
    [InlineData("connection_pool_exhausted", "", "FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute")]
    [InlineData("connection_pool_exhausted", "", "FATAL:  too many connections for role \"app\"")]
    [InlineData("connection_pool_exhausted", "", "psql: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  sorry, too many clients already")]
    [InlineData("connection_pool_exhausted", "", "pq: sorry, too many clients already")]
    [InlineData("connection_pool_exhausted", "", "ERROR: no more connections allowed (max_client_conn)")]
    [InlineData("connection_pool_exhausted", "", "ERROR: query_wait_timeout")]
    [InlineData("connection_pool_exhausted", "", "ERROR 1040 (HY000): Too many connections")]
    [InlineData("connection_pool_exhausted", "", "Error 1040: Too many connections")]
    [InlineData("connection_pool_exhausted", "", "ERROR 1226 (42000): User 'report' has exceeded the 'max_user_connections' resource (current value: 20)")]
    [InlineData("connection_pool_exhausted", "", "redis: connection pool timeout")]
    // Pools: client libraries
    [InlineData("connection_pool_exhausted", "", "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)")]
    [InlineData("connection_pool_exhausted", "", "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?")]
    [InlineData("connection_pool_exhausted", "", "SequelizeConnectionAcquireTimeoutError: Operation timeout")]
    [InlineData("connection_pool_exhausted", "", "TimeoutError: ResourceRequest timed out")]
    [InlineData("connection_pool_exhausted", "", "Invalid `prisma.order.findMany()` invocation: Timed out fetching a new connection from the connection pool. More info: http://pris.ly/d/connection-pool (Current connection pool timeout: 10, connection limit: 5)")]
    [InlineData("connection_pool_exhausted", "", "java.sql.SQLException: Cannot get a connection, pool error Timeout waiting for idle object")]
    [InlineData("connection_pool_exhausted", "", "redis.clients.jedis.exceptions.JedisExhaustedPoolException: Could not get a resource since the pool is exhausted")]
    [InlineData("connection_pool_exhausted", "", "org.apache.tomcat.jdbc.pool.PoolExhaustedException: [http-nio-8080-exec-7] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:100; busy:100; idle:0; lastwait:30000].")]
    [InlineData("connection_pool_exhausted", "", "Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either raise 'Max Pool Size' (currently 100) or 'Timeout' (currently 15 seconds) in your connection string.")]
    [InlineData("connection_pool_exhausted", "", "Npgsql.PostgresException (0x80004005): 53300: sorry, too many clients already")]
    [InlineData("connection_pool_exhausted", "", "org.apache.http.conn.ConnectionPoolTimeoutException: Timeout waiting for connection from pool")]
    [InlineData("connection_pool_exhausted", "", "com.mchange.v2.resourcepool.BasicResourcePool: An attempt by a client to checkout a Connection has timed out.")]
    [InlineData("connection_pool_exhausted", "", "MongoWaitQueueFullException: Too many threads are already waiting for a connection. Max number of threads (maxWaitQueueSize) of 500 has been exceeded.")]
    [InlineData("connection_pool_exhausted", "", "MongoWaitQueueTimeoutError: Timed out while checking out a connection from connection pool")]
    // Pools: proxies
    [InlineData("connection_pool_exhausted", "", "upstream connect error or disconnect/reset before headers. reset reason: overflow")]
    [InlineData("connection_pool_exhausted", "", "[2024-05-01T10:00:00.000Z] \"GET /inventory HTTP/1.1\" 503 UO 0 81 0 - \"-\" \"curl/8.5\" \"a1b2\" \"inventory:8080\" \"-\"")]
    [InlineData("connection_pool_exhausted", "", "2024/05/01 10:00:00 [alert] 31#31: 1024 worker_connections are not enough while connecting to upstream")]
    public void Classify_FreeText_GivesItsClassAtOrAboveTheFloor(string expected, string title, string text)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(expected, result.Reasoning + " / " + string.Join(" / ", result.Evidence));
        result.Confidence.ShouldBeGreaterThanOrEqualTo(Floors[expected]);
        result.Confidence.ShouldBeLessThanOrEqualTo(0.97);
    }

    // ---- Positive cases from structured evidence: alert names, alert expressions, labels and annotations. ----
    [Theory]
    // Alert names (Prometheus mixins, awesome-prometheus-alerts style) and event reasons
    [InlineData("oom", "HostOomKillDetected", "", "", "")]
    [InlineData("oom", "NodeMemoryPressure", "", "", "")]
    [InlineData("oom", "HostOutOfMemory", "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10", "", "")]
    [InlineData("oom", "JvmOutOfMemoryErrors", "", "", "")]
    [InlineData("oom", "", "", "reason=OOMKilled;namespace=shop", "")]
    [InlineData("disk_full", "KubePersistentVolumeFillingUp", "", "", "description=The PersistentVolume claimed by data-kafka-0 in Namespace kafka is only 2.1% free.")]
    [InlineData("disk_full", "KubePersistentVolumeInodesFillingUp", "", "", "")]
    [InlineData("disk_full", "NodeFilesystemSpaceFillingUp", "", "", "summary=Filesystem is predicted to run out of space within the next 24 hours.")]
    [InlineData("disk_full", "NodeFilesystemFilesFillingUp", "", "", "")]
    [InlineData("disk_full", "NodeFilesystemAlmostOutOfFiles", "", "", "")]
    [InlineData("disk_full", "HostOutOfDiskSpace", "", "", "")]
    [InlineData("disk_full", "HostOutOfInodes", "", "", "")]
    [InlineData("disk_full", "HostDiskWillFillIn24Hours", "", "", "")]
    [InlineData("disk_full", "ElasticsearchDiskOutOfSpace", "", "", "")]
    [InlineData("disk_full", "NodeDiskPressure", "", "", "")]
    [InlineData("disk_full", "FilesystemUsageHigh", "", "", "")]
    [InlineData("cert_expiry", "CertManagerCertExpirySoon", "", "", "description=The domain that this cert covers will be unavailable after 2025-03-02.")]
    [InlineData("cert_expiry", "KubeClientCertificateExpiration", "", "", "")]
    [InlineData("cert_expiry", "KubeletServerCertificateExpiration", "", "", "")]
    [InlineData("cert_expiry", "BlackboxSslCertificateWillExpireSoon", "", "", "")]
    [InlineData("cert_expiry", "X509CertificateExpiring", "", "", "")]
    [InlineData("dependency_timeout", "UpstreamTimeout", "", "", "")]
    [InlineData("dependency_timeout", "GrpcDeadlineExceeded", "", "", "")]
    [InlineData("dependency_timeout", "PaymentsApiTimeouts", "", "", "")]
    [InlineData("connection_pool_exhausted", "PostgresqlTooManyConnections", "", "", "")]
    [InlineData("connection_pool_exhausted", "MysqlTooManyConnections", "", "", "")]
    [InlineData("connection_pool_exhausted", "RedisRejectedConnections", "", "", "")]
    [InlineData("connection_pool_exhausted", "HikariConnectionPoolExhausted", "", "", "")]
    // Alert expressions carried in generatorURL
    [InlineData("oom", "", "increase(container_oom_events_total{namespace=\"shop\"}[5m]) > 0", "", "")]
    [InlineData("oom", "", "kube_pod_container_status_last_terminated_reason{reason=\"OOMKilled\"} == 1", "", "")]
    [InlineData("oom", "", "increase(node_vmstat_oom_kill[1m]) > 0", "", "")]
    [InlineData("oom", "", "kube_node_status_condition{condition=\"MemoryPressure\",status=\"true\"} == 1", "", "")]
    [InlineData("disk_full", "", "node_filesystem_avail_bytes{fstype!=\"tmpfs\"} / node_filesystem_size_bytes < 0.05", "", "")]
    [InlineData("disk_full", "", "node_filesystem_files_free{mountpoint=\"/\"} / node_filesystem_files < 0.03", "", "")]
    [InlineData("disk_full", "", "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.03", "", "")]
    [InlineData("disk_full", "", "windows_logical_disk_free_bytes / windows_logical_disk_size_bytes < 0.1", "", "")]
    [InlineData("disk_full", "", "elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes < 0.1", "", "")]
    [InlineData("disk_full", "", "kube_node_status_condition{condition=\"DiskPressure\",status=\"true\"} == 1", "", "")]
    [InlineData("cert_expiry", "", "probe_ssl_earliest_cert_expiry{job=\"blackbox\"} - time() < 86400 * 14", "", "")]
    [InlineData("cert_expiry", "", "probe_ssl_last_chain_expiry_timestamp_seconds - time() < 86400 * 10", "", "")]
    [InlineData("cert_expiry", "", "certmanager_certificate_expiration_timestamp_seconds - time() < 21 * 24 * 3600", "", "")]
    [InlineData("cert_expiry", "", "(x509_cert_not_after - time()) / 86400 < 28", "", "")]
    [InlineData("cert_expiry", "", "ssl_cert_not_after - time() < 86400 * 7", "", "")]
    [InlineData("cert_expiry", "", "histogram_quantile(0.01, sum by (job, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{job=\"apiserver\"}[5m]))) < 604800", "", "")]
    [InlineData("cert_expiry", "", "kubelet_certificate_manager_server_ttl_seconds < 86400", "", "")]
    [InlineData("dependency_timeout", "", "sum(rate(envoy_cluster_upstream_rq_timeout{envoy_cluster_name=\"payments\"}[5m])) > 1", "", "")]
    [InlineData("dependency_timeout", "", "sum(rate(grpc_client_handled_total{grpc_code=\"DeadlineExceeded\"}[5m])) / sum(rate(grpc_client_handled_total[5m])) > 0.05", "", "")]
    [InlineData("dependency_timeout", "", "sum(rate(istio_requests_total{response_flags=\"UT\"}[5m])) > 0", "", "")]
    [InlineData("dependency_timeout", "", "sum(rate(nginx_ingress_controller_requests{status=\"504\"}[5m])) > 1", "", "")]
    [InlineData("dependency_timeout", "", "probe_duration_seconds{job=\"blackbox\",instance=\"https://payments.internal\"} > 5", "", "")]
    [InlineData("connection_pool_exhausted", "", "sum by (instance) (pg_stat_activity_count) / on (instance) pg_settings_max_connections > 0.9", "", "")]
    [InlineData("connection_pool_exhausted", "", "max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections * 100 > 80", "", "")]
    [InlineData("connection_pool_exhausted", "", "redis_connected_clients / redis_config_maxclients > 0.9", "", "")]
    [InlineData("connection_pool_exhausted", "", "hikaricp_connections_pending{pool=\"HikariPool-1\"} > 0", "", "")]
    [InlineData("connection_pool_exhausted", "", "pgbouncer_pools_client_waiting_connections > 10", "", "")]
    [InlineData("connection_pool_exhausted", "", "sum(rate(envoy_cluster_upstream_rq_pending_overflow[5m])) > 0", "", "")]
    [InlineData("connection_pool_exhausted", "", "increase(redis_rejected_connections_total[1m]) > 0", "", "")]
    // Labels and annotations
    [InlineData("oom", "", "", "", "description=Container app in pod shop/api-5f7 has been OOMKilled 3 times in the last 10 minutes.")]
    [InlineData("oom", "", "", "condition=MemoryPressure;status=true", "")]
    [InlineData("disk_full", "", "", "condition=DiskPressure;status=true", "")]
    [InlineData("disk_full", "", "", "", "summary=Disk almost full on /var/lib/postgresql")]
    [InlineData("cert_expiry", "", "", "", "summary=The TLS certificate expires in 6 days (shop.example.com)")]
    [InlineData("dependency_timeout", "", "", "", "description=Calls from checkout to payments are failing with context deadline exceeded")]
    [InlineData("connection_pool_exhausted", "", "", "", "description=PgBouncer reports: no more connections allowed (max_client_conn)")]
    public void Classify_StructuredEvidence_GivesItsClassAtOrAboveTheFloor(string expected, string alertName, string expression, string labels, string annotations)
    {
        var signal = Signal(alertName, string.Empty) with
        {
            Source = SignalSources.Alertmanager,
            Labels = Pairs(labels, string.IsNullOrEmpty(alertName) ? null : alertName),
            Annotations = Pairs(annotations, null),
            GeneratorUrl = string.IsNullOrEmpty(expression) ? null : "http://prometheus:9090/graph?g0.expr=" + Uri.EscapeDataString(expression) + "&g0.tab=1",
        };

        var result = new RuleClassifier().Classify(signal, Classes);

        result.Class.ShouldBe(expected, result.Reasoning + " / " + string.Join(" / ", result.Evidence));
        result.Confidence.ShouldBeGreaterThanOrEqualTo(Floors[expected]);
        result.Confidence.ShouldBeLessThanOrEqualTo(0.97);
    }

    [Theory]
    [InlineData("", "dial tcp 10.0.3.7:5432: connect: connection refused")]
    [InlineData("", "x509: certificate signed by unknown authority")]
    [InlineData("", "blk_update_request: I/O error, dev nvme0n1, sector 2048")]
    [InlineData("", "container memory usage is 310MiB of 512MiB")]
    [InlineData("HighCpuUsage", "CPU above 95% for 10 minutes")]
    [InlineData("", "lookup payments.internal on 10.96.0.10:53: no such host")]
    [InlineData("", "Back-off restarting failed container")]
    public void Classify_NearMisses_AreUnknown(string title, string text)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(Classification.Unknown);
    }

    // ---- Near-misses: each looks like one of the classes and is not. ----
    [Theory]
    // Refused, reset and DNS failures are not timeouts
    [InlineData("", "Error: connect ECONNREFUSED 127.0.0.1:6379")]
    [InlineData("", "java.net.ConnectException: Connection refused (Connection refused)")]
    [InlineData("", "read tcp 10.0.0.5:51234->10.0.0.9:443: read: connection reset by peer")]
    [InlineData("", "Error: socket hang up\n    at connResetException (node:internal/errors:720:14) { code: 'ECONNRESET' }")]
    [InlineData("", "dial tcp: lookup orders.svc.cluster.local on 10.96.0.10:53: no such host")]
    [InlineData("", "getaddrinfo ENOTFOUND api.partner.example")]
    [InlineData("", "getaddrinfo EAI_AGAIN redis.internal")]
    [InlineData("", ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 4242")]
    [InlineData("", "dial tcp: lookup payments.internal on 10.96.0.10:53: read udp 10.0.0.5:40000->10.96.0.10:53: i/o timeout")]
    [InlineData("", "socket.gaierror: [Errno -3] Temporary failure in name resolution")]
    [InlineData("", "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111")]
    // A database's own lock, statement and idle limits are not a slow dependency
    [InlineData("", "ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction")]
    [InlineData("", "ERROR:  canceling statement due to statement timeout")]
    [InlineData("", "FATAL:  terminating connection due to idle-in-transaction timeout")]
    [InlineData("", "ERROR:  canceling statement due to lock timeout")]
    [InlineData("", "ERROR 3024 (HY000): Query execution was interrupted, maximum statement execution time exceeded")]
    [InlineData("PostgresStatementTimeouts", "")]
    // The caller or the service itself being slow
    [InlineData("", "Liveness probe failed: Get \"http://10.0.1.5:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")]
    [InlineData("", "HTTP/1.1 408 Request Timeout")]
    [InlineData("", "client timed out (110: Connection timed out) while reading client request headers, client: 10.0.0.1, server: shop")]
    [InlineData("", "CommitFailedException: the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms")]
    // "timeout" as configuration, not an event
    [InlineData("", "2024-05-01 10:00:00 INFO Starting HTTP server on :8080 with readTimeout=30s writeTimeout=30s")]
    [InlineData("", "INFO proxy started: listen=0.0.0.0:8080 upstream timeout 30s, connect timeout: 5s")]
    [InlineData("", "pgbouncer.ini: query_wait_timeout = 120")]
    [InlineData("", "postgres: configuration: max_connections=200 shared_buffers=2GB")]
    // Certificate problems other than expiry
    [InlineData("", "x509: certificate is valid for ingress.local, not shop.example.com")]
    [InlineData("", "Error: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)")]
    [InlineData("", "Hostname/IP does not match certificate's altnames: Host: api.example.com. is not in the cert's altnames: DNS:*.example.org")]
    [InlineData("", "remote error: tls: handshake failure")]
    [InlineData("", "SSL routines:tls_process_server_certificate:certificate verify failed: unable to get local issuer certificate")]
    [InlineData("", "x509: certificate has expired or is not yet valid: current time 2024-01-01T00:00:00Z is before 2024-02-01T00:00:00Z")]
    [InlineData("", "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'api.internal'")]
    [InlineData("CertManagerCertNotReady", "Certificate shop-tls is not ready: Issuing certificate as Secret does not exist")]
    [InlineData("", "Certificate is up to date and has not expired")]
    [InlineData("", "certificate expiry check OK: 89 days remaining")]
    [InlineData("", "certificate will not expire for another 60 days")]
    [InlineData("DomainExpiringSoon", "Domain example.com registration expires in 10 days")]
    [InlineData("", "Your password expires in 5 days")]
    // Disk faults and kernel limits that are not a full disk
    [InlineData("", "EXT4-fs (sda1): Remounting filesystem read-only")]
    [InlineData("", "touch: cannot touch '/data/x': Read-only file system")]
    [InlineData("", "smartd[812]: Device: /dev/sdb [SAT], FAILED SMART self-check. BACK UP DATA NOW!")]
    [InlineData("", "Buffer I/O error on dev sdc1, logical block 0, lost async page write")]
    [InlineData("", "failed to create fsnotify watcher: no space left on device")]
    [InlineData("", "etcdserver: mvcc: database space exceeded")]
    [InlineData("", "0/5 nodes are available: 5 Insufficient ephemeral-storage.")]
    [InlineData("", "mount: /data: wrong fs type, bad option, bad superblock on /dev/sdc1")]
    [InlineData("", "MISCONF Redis is configured to save RDB snapshots, but it's currently not able to persist on disk.")]
    [InlineData("", "disk usage is 41% on /var/lib/docker")]
    // Memory merely reported, CPU throttling, hypothetical or negated OOMs, and other memory limits
    [InlineData("", "memory usage is 512Mi (40% of limit)")]
    [InlineData("ContainerHighMemoryUsage", "Container memory usage is above 80%")]
    [InlineData("CPUThrottlingHigh", "27% throttling of CPU in namespace shop for container api in pod api-7d9f")]
    [InlineData("", "no OOM kills in the last hour")]
    [InlineData("", "OOM kills: 0")]
    [InlineData("", "memory cgroup stats: oom 0 oom_kill 0")]
    [InlineData("", "WARNING: memory usage is 91% of the container limit; consider raising it to avoid OOM kills")]
    [InlineData("", "If the pod is OOMKilled, increase resources.limits.memory")]
    [InlineData("", "The JVM is almost out of memory: heap at 93%")]
    [InlineData("", "Setting oom_score_adj to -998 for pid 1234")]
    [InlineData("", "OOM command not allowed when used memory > 'maxmemory'.")]
    [InlineData("", "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")]
    [InlineData("", "java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached")]
    [InlineData("", "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.")]
    [InlineData("", "CircuitBreakingException: [parent] Data too large, data for [<http_request>] would be [1.2gb/1.2gb], which is larger than the limit of [1.1gb/1.1gb]")]
    [InlineData("", "container api exited with code 137")]
    // Kubernetes conditions reported as healthy, and tolerations that only name a pressure
    [InlineData("", "Conditions: MemoryPressure False KubeletHasSufficientMemory kubelet has sufficient memory available; DiskPressure False KubeletHasNoDiskPressure kubelet has no disk pressure")]
    [InlineData("NodeHasNoDiskPressure", "Node worker-1 status is now: NodeHasNoDiskPressure")]
    [InlineData("NodeHasSufficientMemory", "Node worker-1 status is now: NodeHasSufficientMemory")]
    [InlineData("", "Tolerations: node.kubernetes.io/memory-pressure:NoSchedule op=Exists\n node.kubernetes.io/disk-pressure:NoSchedule op=Exists")]
    // Crash loops with no stated cause, and limits that are not connection pools
    [InlineData("KubePodCrashLooping", "Pod shop/api-7d9f (api) is in waiting state (reason: \"CrashLoopBackOff\").")]
    [InlineData("", "accept4: too many open files; retrying in 1s")]
    [InlineData("", "Host '10.0.0.12' is blocked because of many connection errors; unblock with 'mysqladmin flush-hosts'")]
    [InlineData("", "es_rejected_execution_exception: rejected execution of coordinating operation, thread pool queue full")]
    [InlineData("", "HikariPool-1 - Connection is not available, request timed out after 30000ms.\nCaused by: org.postgresql.util.PSQLException: Connection to db.internal:5432 refused.")]
    [InlineData("HighErrorRate", "5xx ratio above 5% on checkout")]
    [InlineData("", "job build-42 timed out")]
    [InlineData("KafkaConsumerLag", "consumer group billing lag is 120000 messages")]
    public void Classify_MoreNearMisses_AreUnknown(string title, string text)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(Classification.Unknown, result.Reasoning);
    }

    // ---- More stacks: Windows, Ceph, MinIO, cloud databases, SQL Server, Oracle, serverless, Ruby, PHP, Rust, Erlang. ----
    [Theory]
    // Disk: Windows
    [InlineData("disk_full", "", "System.IO.IOException: There is not enough space on the disk. : 'E:\\sql\\backup\\shop.bak'")]
    [InlineData("disk_full", "Srv 2013", "The C: disk is at or near capacity. You may need to delete some files.")]
    [InlineData("disk_full", "", "Robocopy failed copying D:\\exports\\orders.csv: ERROR 112 (0x80070070) There is not enough space on the disk.")]
    [InlineData("disk_full", "", "Backup job nightly-sql failed: The disk is full.")]
    // Disk: Ceph
    [InlineData("disk_full", "", "HEALTH_WARN 1 nearfull osd(s); 2 pool(s) nearfull")]
    [InlineData("disk_full", "", "HEALTH_ERR 1 full osd(s); 1 pool(s) full")]
    [InlineData("disk_full", "", "[ERR] OSD_FULL: 1 full osd(s)\n    osd.4 is full")]
    [InlineData("disk_full", "", "[WRN] OSD_NEARFULL: 2 nearfull osd(s)\n    osd.1 is near full\n    osd.7 is near full")]
    [InlineData("disk_full", "", "[WRN] POOL_FULL: 1 pool(s) full\n    pool 'rbd' is full (reached quota's max_bytes: 100 GiB)")]
    [InlineData("disk_full", "", "[WRN] MON_DISK_LOW: mon a is low on available space")]
    // Disk: MinIO
    [InlineData("disk_full", "", "<Error><Code>XMinioStorageFull</Code><Message>Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.</Message></Error>")]
    [InlineData("disk_full", "", "API: PutObject(bucket=logs, object=2024/05/01/app.log.gz)\nError: drive path full (*errors.errorString)")]
    // Disk: cloud databases
    [InlineData("disk_full", "", "RDS-EVENT-0007: Allocated storage has been exhausted. Allocate additional storage to resolve the issue.")]
    [InlineData("disk_full", "", "The DB instance has reached the storage-full threshold, and the database has been shut down. You can increase the allocated storage to address this scenario.")]
    [InlineData("disk_full", "", "{\"AlarmName\":\"prod-db-storage\",\"NewStateValue\":\"ALARM\",\"NewStateReason\":\"Threshold Crossed: 1 out of the last 1 datapoints [1.9E9 (01/05/24 10:00:00)] was less than the threshold (2.0E9).\",\"Trigger\":{\"MetricName\":\"FreeStorageSpace\",\"Namespace\":\"AWS/RDS\",\"ComparisonOperator\":\"LessThanThreshold\",\"Threshold\":2.0E9}}")]
    [InlineData("disk_full", "", "Cloud SQL Database - Disk utilization for prod-db:orders with metric labels {database_id=prod-db:orders} is above the threshold of 0.900 with a value of 0.953.")]
    [InlineData("disk_full", "", "{\"data\":{\"essentials\":{\"alertRule\":\"sql-storage\",\"monitorCondition\":\"Fired\"},\"alertContext\":{\"condition\":{\"allOf\":[{\"metricName\":\"storage_percent\",\"operator\":\"GreaterThan\",\"threshold\":\"90\",\"metricValue\":96.4}]}}}}")]
    // Disk: SQL Server and Oracle
    [InlineData("disk_full", "", "Msg 1105, Level 17, State 2, Line 1\nCould not allocate space for object 'dbo.Orders'.'PK_Orders' in database 'Shop' because the 'PRIMARY' filegroup is full. Create disk space by deleting unneeded files, dropping objects in the filegroup, adding additional files to the filegroup, or setting autogrowth on for existing files in the filegroup.")]
    [InlineData("disk_full", "", "Error: 9002, Severity: 17, State: 2.\nThe transaction log for database 'Shop' is full due to 'LOG_BACKUP'.")]
    [InlineData("disk_full", "", "Could not allocate a new page for database 'tempdb' because of insufficient disk space in filegroup 'DEFAULT'.")]
    [InlineData("disk_full", "", "ORA-01653: unable to extend table APP.ORDERS by 8192 in tablespace USERS")]
    [InlineData("disk_full", "", "ORA-01654: unable to extend index APP.ORDERS_PK by 128 in tablespace INDX")]
    [InlineData("disk_full", "", "ORA-1652: unable to extend temp segment by 128 in tablespace TEMP")]
    // Disk: inodes, Kafka, ZooKeeper, Docker, thin pools, quotas
    [InlineData("disk_full", "", "/var/spool/postfix: no inodes left")]
    [InlineData("disk_full", "", "IUse% 100% on /var/lib/docker")]
    [InlineData("disk_full", "", "inode usage is 100% on / (host build-7)")]
    [InlineData("disk_full", "", "[2024-05-01 10:00:00,000] ERROR Error while appending records to orders-3 in dir /var/lib/kafka/data (kafka.server.LogDirFailureChannel)\njava.io.IOException: No space left on device")]
    [InlineData("disk_full", "", "ERROR [SyncThread:0:ZooKeeperServer] - Severe unrecoverable error, exiting\njava.io.IOException: No space left on device\n\tat org.apache.zookeeper.server.persistence.FileTxnLog.commit(FileTxnLog.java:380)")]
    [InlineData("disk_full", "", "docker: write /var/lib/docker/tmp/GetImageBlob123456: no space left on device.")]
    [InlineData("disk_full", "", "WARNING: Thin pool vg0/pool0 data is now 100.00% full.")]
    [InlineData("disk_full", "", "devmapper: Thin Pool has 152 free data blocks which is less than minimum required 163840 free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior")]
    [InlineData("disk_full", "", "device-mapper: thin: 253:4: switching pool to out-of-data-space (queue IO) mode")]
    [InlineData("disk_full", "", "rsync: write failed on \"/home/ci/cache.tar\": Disk quota exceeded (122)")]
    // OOM: runtimes
    [InlineData("oom", "", "Unhandled exception. System.OutOfMemoryException: Insufficient memory to continue the execution of the program.")]
    [InlineData("oom", "", "memory allocation of 8589934592 bytes failed\nAborted (core dumped)")]
    [InlineData("oom", "", "eheap_alloc: Cannot allocate 1573120 bytes of memory (of type \"heap\").\n\nCrash dump is being written to: erl_crash.dump...done")]
    [InlineData("oom", "", "binary_alloc: Cannot allocate 268435456 bytes of memory (of type \"binary\").")]
    [InlineData("oom", "", "fatal error: runtime: cannot allocate memory\n\ngoroutine 1 [running]:")]
    [InlineData("oom", "", "PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/html/vendor/laravel/framework/src/Illuminate/Support/Collection.php on line 1520")]
    [InlineData("oom", "", "/usr/local/bundle/gems/nokogiri-1.16.0/lib/nokogiri/xml/document.rb:62: failed to allocate memory (NoMemoryError)")]
    // OOM: platforms
    [InlineData("oom", "", "Stopped reason: OutOfMemoryError: Container killed due to memory usage")]
    [InlineData("oom", "", "{\"lastStatus\":\"STOPPED\",\"stoppedReason\":\"Essential container in task exited\",\"containers\":[{\"name\":\"api\",\"exitCode\":137,\"reason\":\"OutOfMemoryError: Container killed due to memory usage\"}]}")]
    [InlineData("oom", "", "Error: Runtime exited with error: signal: killed\nRuntime.ExitError\nEND RequestId: 6f1e2a\nREPORT RequestId: 6f1e2a Duration: 2873.20 ms Billed Duration: 2874 ms Memory Size: 512 MB Max Memory Used: 512 MB")]
    [InlineData("oom", "", "{\"errorType\":\"Runtime.OutOfMemory\",\"errorMessage\":\"RequestId: 1a2b Error: Runtime exited with error: signal: killed\"}")]
    [InlineData("oom", "", "Memory limit of 512 MiB exceeded with 530 MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits")]
    [InlineData("oom", "", "Exceeded soft memory limit of 256 MB with 290 MB after servicing 12 requests total. Consider setting a larger instance class in app.yaml.")]
    [InlineData("oom", "", "2024-05-01T10:00:00+00:00 heroku[worker.1]: Process running mem=2048M(400.0%)\n2024-05-01T10:00:00+00:00 heroku[worker.1]: Error R15 (Memory quota vastly exceeded)\n2024-05-01T10:00:00+00:00 heroku[worker.1]: Stopping process with SIGKILL")]
    [InlineData("oom", "", "Task \"api\" is \"dead\"\nRecent Events:\nTime                  Type        Description\n2024-05-01T10:00:00Z  Terminated  Exit Code: 137, Exit Message: \"OOM Killed\"")]
    [InlineData("oom", "", "{\"containerStatuses\":[{\"name\":\"api\",\"lastState\":{\"terminated\":{\"exitCode\":137,\"reason\":\"OOMKilled\"}}}]}")]
    [InlineData("oom", "", "\"State\": {\"Status\": \"exited\", \"OOMKilled\": true, \"ExitCode\": 137}")]
    [InlineData("oom", "", "kernel: Memory cgroup out of memory: Killed process 881 (dotnet) total-vm:3520000kB, anon-rss:1020000kB, file-rss:0kB")]
    // Pools: PgBouncer, MongoDB, Oracle
    [InlineData("connection_pool_exhausted", "", "psql: error: connection to server at \"pgbouncer\" (10.0.0.9), port 6432 failed: FATAL:  no more connections allowed (max_client_conn)")]
    [InlineData("connection_pool_exhausted", "", "C-0x55d0: shop/app@10.0.1.4:51234 closing because: no more connections allowed (max_client_conn) (age=0s)")]
    [InlineData("connection_pool_exhausted", "", "ERROR: pooler error: no more connections allowed")]
    [InlineData("connection_pool_exhausted", "", "MongoWaitQueueFullError: Too many operations are already waiting for a connection. Max number of operations (waitQueueSize) of 500 has been exceeded.")]
    [InlineData("connection_pool_exhausted", "", "pymongo.errors.WaitQueueTimeoutError: Timed out while checking out a connection from connection pool. maxPoolSize: 100, timeout: 10.0")]
    [InlineData("connection_pool_exhausted", "", "com.mongodb.MongoTimeoutException: Timed out after 120000 ms while waiting for a connection to server mongo-0.mongo:27017.")]
    [InlineData("connection_pool_exhausted", "", "MongoDB.Driver.MongoWaitQueueFullException: The wait queue for acquiring a connection to server mongo-0:27017 is full.")]
    [InlineData("connection_pool_exhausted", "", "System.TimeoutException: Timed out waiting for a connection after 120000ms.")]
    [InlineData("connection_pool_exhausted", "", "ORA-00018: maximum number of sessions exceeded")]
    [InlineData("connection_pool_exhausted", "", "java.sql.SQLException: ORA-00020: maximum number of processes (300) exceeded")]
    [InlineData("connection_pool_exhausted", "", "ORA-12516: TNS:listener could not find available handler with matching protocol stack")]
    [InlineData("connection_pool_exhausted", "", "ORA-12520: TNS:listener could not find available handler for requested type of server")]
    // Pools: client libraries
    [InlineData("connection_pool_exhausted", "", "System.InvalidOperationException: Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections were in use and max pool size was reached.")]
    [InlineData("connection_pool_exhausted", "", "PrismaClientKnownRequestError: Timed out fetching a new connection from the connection pool. (Current connection pool timeout: 10, connection limit: 9) code: 'P2024'")]
    [InlineData("connection_pool_exhausted", "", "orders: failed to acquire connection: context deadline exceeded")]
    [InlineData("connection_pool_exhausted", "", "inventory: pgxpool.Acquire: context deadline exceeded")]
    [InlineData("connection_pool_exhausted", "", "org.apache.hc.core5.http.ConnectionRequestTimeoutException: Timeout deadline: 3000 MILLISECONDS, actual: 3012 MILLISECONDS")]
    [InlineData("connection_pool_exhausted", "", "reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException: Pool#acquire(Duration) has been pending for more than the configured timeout of 45000ms")]
    [InlineData("connection_pool_exhausted", "", "reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException: Pending acquire queue has reached its maximum size of 1000")]
    [InlineData("connection_pool_exhausted", "", "Error: timeout exceeded when trying to connect\n    at Timeout._onTimeout (/app/node_modules/pg-pool/index.js:205:27)")]
    [InlineData("connection_pool_exhausted", "", "org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction; nested exception is org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection")]
    [InlineData("connection_pool_exhausted", "", "django.db.utils.OperationalError: (1040, 'Too many connections')")]
    [InlineData("connection_pool_exhausted", "", "ActiveRecord::ConnectionTimeoutError: could not obtain a connection from the pool within 5.000 seconds (waited 5.002 seconds); all pooled connections were in use")]
    [InlineData("connection_pool_exhausted", "", "Sequel::PoolTimeout: timeout: 5.0, elapsed: 5.001")]
    // Timeouts: AWS, .NET, PHP, Kong, Traefik, Cassandra
    [InlineData("dependency_timeout", "", "botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL: \"https://sqs.eu-west-1.amazonaws.com/\"")]
    [InlineData("dependency_timeout", "", "botocore.exceptions.ConnectTimeoutError: Connect timeout on endpoint URL: \"https://dynamodb.us-east-1.amazonaws.com/\"")]
    [InlineData("dependency_timeout", "", "Polly.Timeout.TimeoutRejectedException: The operation didn't complete within the allowed timeout of '00:00:10'.")]
    [InlineData("dependency_timeout", "", "GuzzleHttp\\Exception\\ConnectException: cURL error 28: Operation timed out after 5001 milliseconds with 0 bytes received (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for https://api.partner.com/v2/quotes")]
    [InlineData("dependency_timeout", "", "cURL error 28: Connection timed out after 10001 milliseconds")]
    [InlineData("dependency_timeout", "", "2024/05/01 10:00:00 [error] 1234#0: *5678 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: kong, request: \"GET /orders HTTP/1.1\", upstream: \"http://10.0.2.3:8000/orders\"")]
    [InlineData("dependency_timeout", "", "{\"message\":\"The upstream server is timing out\"}")]
    [InlineData("dependency_timeout", "", "Traefik returned 504 Gateway Timeout from service orders@kubernetescrd")]
    [InlineData("dependency_timeout", "", "com.datastax.driver.core.exceptions.ReadTimeoutException: Cassandra timeout during read query at consistency LOCAL_QUORUM (2 responses were required but only 1 replica responded)")]
    [InlineData("dependency_timeout", "", "com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException: Cassandra timeout during SIMPLE write query at consistency QUORUM (2 replica were required but only 1 acknowledged the write)")]
    // Timeouts: JS, JVM, Ruby, Elixir clients
    [InlineData("dependency_timeout", "", "TimeoutError: Connection timed out after 1000 ms\n    at ClientRequest.<anonymous> (/app/node_modules/@smithy/node-http-handler/dist-cjs/index.js:101:19)")]
    [InlineData("dependency_timeout", "", "TimeoutError: Socket timed out without establishing a connection within 1000 ms")]
    [InlineData("dependency_timeout", "", "Caused by: io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 2.999712500s. [closed=[], open=[[remote_addr=inventory/10.0.3.2:9090]]]")]
    [InlineData("dependency_timeout", "", "java.net.http.HttpTimeoutException: request timed out")]
    [InlineData("dependency_timeout", "", "java.net.http.HttpConnectTimeoutException: HTTP connect timed out")]
    [InlineData("dependency_timeout", "", "java.net.SocketTimeoutException: timeout\n\tat okhttp3.internal.http2.Http2Stream$StreamTimeout.newTimeoutException(Http2Stream.kt:675)")]
    [InlineData("dependency_timeout", "", "Net::ReadTimeout with #<TCPSocket:(closed)>")]
    [InlineData("dependency_timeout", "", "Net::OpenTimeout: execution expired")]
    [InlineData("dependency_timeout", "", "Faraday::TimeoutError: Net::ReadTimeout with #<TCPSocket:(closed)>")]
    [InlineData("dependency_timeout", "", "AxiosError: timeout of 5000ms exceeded\n    at RedirectableRequest.handleRequestTimeout (/app/node_modules/axios/lib/adapters/http.js:630:16) { code: 'ECONNABORTED' }")]
    // Memory near its limit is oom (issue 11's definitions): Windows' low virtual memory diagnosis
    [InlineData("oom", "Resource-Exhaustion-Detector 2004", "Windows successfully diagnosed a low virtual memory condition. The following programs consumed the most virtual memory: sqlservr.exe (2212) consumed 31234420736 bytes, MsMpEng.exe (3120) consumed 270073856 bytes.")]
    [InlineData("oom", "", "Windows successfully diagnosed a low virtual memory condition; java.exe was running out of memory headroom")]
    [InlineData("dependency_timeout", "", "** (Mint.TransportError) timeout\n    (finch 0.18.0) lib/finch.ex:472: Finch.request!/3")]
    [InlineData("dependency_timeout", "", "{:error, %Mint.TransportError{reason: :timeout}}")]
    [InlineData("dependency_timeout", "", "%HTTPoison.Error{id: nil, reason: :recv_timeout}")]
    // Certificates: cloud managers, Windows, rustls, Java, Kubernetes, kubeadm
    [InlineData("cert_expiry", "", "{\"detail-type\":\"ACM Certificate Approaching Expiration\",\"source\":\"aws.acm\",\"detail\":{\"DaysToExpiry\":31,\"CommonName\":\"shop.example.com\"}}")]
    [InlineData("cert_expiry", "", "{\"eventType\":\"Microsoft.KeyVault.CertificateNearExpiry\",\"subject\":\"shop-tls\",\"data\":{\"VaultName\":\"kv-prod\",\"ObjectType\":\"Certificate\",\"ObjectName\":\"shop-tls\"}}")]
    [InlineData("cert_expiry", "", "{\"eventType\":\"Microsoft.KeyVault.CertificateExpired\",\"subject\":\"api-tls\"}")]
    [InlineData("cert_expiry", "", "Certificate for local system with Thumbprint 8a 2b 5c 91 0e 44 17 6d aa 03 b9 2c 6f 71 e8 55 90 0d 3a 12 is about to expire or already expired.")]
    [InlineData("cert_expiry", "", "Certificate for local system with Thumbprint 1f 9a 33 c0 de 12 77 45 ab 90 0c 11 5e 6a 2b 81 44 9f 03 ee has expired.")]
    [InlineData("cert_expiry", "", "reqwest::Error { kind: Request, source: hyper::Error(Connect, Custom { kind: InvalidData, error: InvalidCertificate(Expired) }) }")]
    [InlineData("cert_expiry", "", "TLS handshake failed: invalid peer certificate: Expired")]
    [InlineData("cert_expiry", "", "rustls: received fatal alert: CertificateExpired")]
    [InlineData("cert_expiry", "", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed\nCaused by: java.security.cert.CertificateExpiredException: NotAfter: Tue Apr 30 23:59:59 UTC 2024")]
    [InlineData("cert_expiry", "", "E0501 10:00:00.000000 1 authentication.go:73] \"Unable to authenticate the request\" err=\"x509: certificate has expired or is not yet valid: current time 2024-05-01T10:00:00Z is after 2024-04-30T23:59:59Z\"")]
    [InlineData("cert_expiry", "", "[WARNING] kubeadm: certificate apiserver.crt will expire in 5 days")]
    [InlineData("cert_expiry", "", "certificate /etc/kubernetes/pki/apiserver-kubelet-client.crt has expired")]
    public void Classify_MoreStacksFreeText_GivesItsClassAtOrAboveTheFloor(string expected, string title, string text)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(expected, result.Reasoning + " / " + string.Join(" / ", result.Evidence));
        result.Confidence.ShouldBeGreaterThanOrEqualTo(Floors[expected]);
        result.Confidence.ShouldBeLessThanOrEqualTo(0.95);
    }

    [Theory]
    [InlineData("disk_full", "CephOSDNearFull", "", "")]
    [InlineData("disk_full", "CephPoolFull", "", "")]
    [InlineData("disk_full", "RdsFreeStorageSpaceLow", "", "")]
    [InlineData("disk_full", "WindowsDiskFreeSpaceLow", "", "")]
    [InlineData("disk_full", "XMinioStorageFull", "", "")]
    [InlineData("disk_full", "", "windows_logical_disk_free_bytes{volume=\"C:\"} / windows_logical_disk_size_bytes{volume=\"C:\"} < 0.1", "")]
    [InlineData("disk_full", "", "ceph_osd_stat_bytes_used / ceph_osd_stat_bytes > 0.85", "")]
    [InlineData("disk_full", "", "ceph_health_detail{name=\"OSD_NEARFULL\"} == 1", "")]
    [InlineData("disk_full", "", "minio_cluster_capacity_usable_free_bytes / minio_cluster_capacity_usable_total_bytes < 0.1", "")]
    [InlineData("disk_full", "", "aws_rds_free_storage_space_average{dbinstance_identifier=\"prod-db\"} < 2e9", "")]
    [InlineData("disk_full", "", "stackdriver_cloudsql_database_cloudsql_googleapis_com_database_disk_utilization > 0.9", "")]
    [InlineData("disk_full", "", "azure_microsoft_sql_servers_databases_storage_percent_average > 90", "")]
    [InlineData("disk_full", "", "100 - \\LogicalDisk(C:)\\% Free Space > 90", "")]
    [InlineData("cert_expiry", "", "aws_certificatemanager_days_to_expiry_minimum < 30", "")]
    [InlineData("cert_expiry", "", "monitoring.googleapis.com/uptime_check/time_until_ssl_cert_expires < 14", "")]
    [InlineData("cert_expiry", "acm-DaysToExpiry-below-30", "", "")]
    [InlineData("cert_expiry", "Microsoft.KeyVault.CertificateNearExpiry", "", "")]
    [InlineData("dependency_timeout", "CassandraReadTimeouts", "", "")]
    [InlineData("connection_pool_exhausted", "", "oracledb_resource_current_utilization{resource_name=\"processes\"} / oracledb_resource_limit_value{resource_name=\"processes\"} > 0.9", "")]
    [InlineData("connection_pool_exhausted", "", "mongodb_ss_connections{conn_type=\"current\"} / (mongodb_ss_connections{conn_type=\"current\"} + mongodb_ss_connections{conn_type=\"available\"}) > 0.9", "")]
    [InlineData("disk_full", "", "", "summary=Cloud SQL Database - Disk utilization above the threshold of 0.9 on prod-db")]
    public void Classify_MoreStacksStructuredEvidence_GivesItsClassAtOrAboveTheFloor(string expected, string alertName, string expression, string annotations)
    {
        var signal = Signal(alertName, string.Empty) with
        {
            Source = SignalSources.Alertmanager,
            Labels = Pairs(string.Empty, string.IsNullOrEmpty(alertName) ? null : alertName),
            Annotations = Pairs(annotations, null),
            GeneratorUrl = string.IsNullOrEmpty(expression) ? null : "http://prometheus:9090/graph?g0.expr=" + Uri.EscapeDataString(expression) + "&g0.tab=1",
        };

        var result = new RuleClassifier().Classify(signal, Classes);

        result.Class.ShouldBe(expected, result.Reasoning + " / " + string.Join(" / ", result.Evidence));
        result.Confidence.ShouldBeGreaterThanOrEqualTo(Floors[expected]);
        result.Confidence.ShouldBeLessThanOrEqualTo(0.95);
    }

    [Theory]
    // Warnings below an OOM: Heroku R14
    [InlineData("", "heroku[web.1]: Process running mem=612M(119.6%)\nheroku[web.1]: Error R14 (Memory quota exceeded)")]
    [InlineData("", "Error R14 (Memory quota exceeded)")]
    // Scheduling shortfalls, reported memory, and kills with memory to spare
    [InlineData("", "pod didn't trigger scale-up: 2 Insufficient memory, 1 max node group size reached")]
    [InlineData("", "Normal  NotTriggerScaleUp  pod/api-7d9f  pod didn't trigger scale-up (it wouldn't fit if a new node is added): 3 Insufficient memory")]
    [InlineData("", "# Memory\nused_memory:1073741824\nused_memory_human:1.00G\nmaxmemory:2147483648\nmaxmemory_human:2.00G\nmaxmemory_policy:allkeys-lru")]
    [InlineData("", "used_memory_human:812.55M")]
    [InlineData("", "Error: Runtime exited with error: signal: killed\nREPORT RequestId: 1 Duration: 900000.00 ms Billed Duration: 900000 ms Memory Size: 1024 MB Max Memory Used: 311 MB")]
    [InlineData("", "REPORT RequestId: 2 Duration: 12.00 ms Billed Duration: 13 ms Memory Size: 128 MB Max Memory Used: 128 MB")]
    [InlineData("", "\"State\": {\"Status\": \"exited\", \"OOMKilled\": false, \"ExitCode\": 1}")]
    // Storage that is not full: a lost MinIO quorum, alarms back to OK, ratios being set, snaps at 100%, warnings below 90%
    [InlineData("", "Error: Storage resources are insufficient for the write operation .minio.sys/buckets/.usage-cache.bin (cmd.InsufficientWriteQuorum)")]
    [InlineData("", "Error: Write quorum could not be established on pool: 0, set: 0, expected write quorum: 3, drives-online: 2")]
    [InlineData("", "{\"AlarmName\":\"prod-db-storage\",\"NewStateValue\":\"OK\",\"NewStateReason\":\"Threshold Crossed: 1 out of the last 1 datapoints [5.1E10 (01/05/24 10:05:00)] was not less than the threshold (2.0E9).\",\"Trigger\":{\"MetricName\":\"FreeStorageSpace\",\"ComparisonOperator\":\"LessThanThreshold\"}}")]
    [InlineData("", "{\"data\":{\"essentials\":{\"alertRule\":\"sql-storage\",\"monitorCondition\":\"Resolved\"},\"alertContext\":{\"condition\":{\"allOf\":[{\"metricName\":\"storage_percent\",\"operator\":\"GreaterThan\",\"threshold\":\"90\",\"metricValue\":41.0}]}}}}")]
    [InlineData("", "ceph osd set-nearfull-ratio 0.88")]
    [InlineData("", "mon_osd_full_ratio = 0.95")]
    [InlineData("", "/dev/loop3        56M   56M     0 100% /snap/core18/2128")]
    [InlineData("", "WARNING: Thin pool vg0/pool0 data is now 80.12% full.")]
    [InlineData("", "\\LogicalDisk(C:)\\% Free Space = 63.2")]
    [InlineData("", "Disk utilization for prod-db is 42%")]
    [InlineData("", "Tablespace USERS is 42% used")]
    // Pool look-alikes: a cleared pool, settings, unreachable databases, application ORA- errors
    [InlineData("", "MongoPoolClearedError: Connection pool for mongo-0:27017 was cleared because another operation failed with: \"connection 12 to 10.0.0.5:27017 closed\"")]
    [InlineData("", "MongoPoolClearedError: Connection pool for mongo-0:27017 was cleared; Timed out while checking out a connection from connection pool")]
    [InlineData("", "mongodb://mongo-0:27017/?maxPoolSize=100&waitQueueTimeoutMS=5000")]
    [InlineData("", "ORA-20001: maximum order quantity exceeded")]
    [InlineData("", "ORA-01017: invalid username/password; logon denied")]
    [InlineData("", "org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection\nCaused by: com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure")]
    [InlineData("", "failed to acquire connection: dial tcp 10.0.0.5:5432: connect: connection refused")]
    [InlineData("", "Connection pool initialized: max pool size 100, min idle 10")]
    // Timeout look-alikes: Job deadlines, refused curls, SQL Server lock waits, idle closes, no healthy upstream, rebalances, DNS
    [InlineData("DeadlineExceeded", "Warning  DeadlineExceeded  job/nightly-backup  Job was active longer than specified deadline")]
    [InlineData("DeadlineExceeded", "Pod was active on the node longer than the specified deadline")]
    [InlineData("", "curl: (7) Failed to connect to api.internal port 443 after 3012 ms: Couldn't connect to server")]
    [InlineData("", "Msg 1222, Level 16, State 56, Line 1\nLock request time out period exceeded.")]
    [InlineData("", "upstream keepalive connection closed: idle timeout exceeded")]
    [InlineData("", "Closing idle connection after idle timeout of 60s")]
    [InlineData("", "[2024-05-01T10:00:00.000Z] \"GET /cart HTTP/1.1\" 503 UH no_healthy_upstream - \"-\" 0 19 0 - \"-\" \"curl/8.5\" \"c1\" \"cart:8080\" \"-\"; body: no healthy upstream")]
    [InlineData("", "[GroupCoordinator 2]: Member consumer-3-7f1c in group billing has failed, removing it from the group (session timeout exceeded); preparing to rebalance group billing")]
    [InlineData("", "[Consumer clientId=billing-1, groupId=billing] Attempt to heartbeat failed since group is rebalancing")]
    [InlineData("", "cURL error 28: Resolving timed out after 5000 milliseconds")]
    // Other things that expire, and routine certificate rotation
    [InlineData("", "Your password expires in 3 days. Change it via the self-service portal (certificate login remains available).")]
    [InlineData("", "License expired for the SSL VPN feature; certificates are unaffected")]
    [InlineData("", "Domain example.com expires in 12 days; the TLS certificate was renewed yesterday")]
    [InlineData("", "TokenExpiredError: jwt expired (client certificate was valid)")]
    [InlineData("", "API key expired for the certificate-transparency monitor")]
    [InlineData("", "Session expired, please log in again with your client certificate")]
    [InlineData("", "Azure AD application client secret expires in 7 days (app: cert-sync)")]
    [InlineData("Microsoft.KeyVault.SecretNearExpiry", "Secret db-password in kv-prod expires in 14 days")]
    [InlineData("", "Token expired while renewing certificate for shop.example.com")]
    [InlineData("", "TLS handshake failed: invalid peer certificate: NotValidYet")]
    [InlineData("", "Certificate expiration is 2025-03-02 10:00:00 +0000 UTC, rotation deadline is 2025-01-20 07:12:00 +0000 UTC")]
    [InlineData("", "certificate_manager.go:356] kubernetes.io/kubelet-serving: Waiting 1872h0m0s for next certificate rotation")]
    [InlineData("", "Error: ENOSPC: System limit for number of file watchers reached, watch '/app/src'")]
    [InlineData("", "Congratulations! Your certificate and chain have been saved at: /etc/letsencrypt/live/shop.example.net/fullchain.pem Your cert will expire on 2027-03-06.")]
    [InlineData("", "Certificate shop-example-net is up to date, expires in 75 days, renewal not needed")]
    public void Classify_MoreStacksNearMisses_AreUnknown(string title, string text)
    {
        var result = new RuleClassifier().Classify(Signal(title, text), Classes);

        result.Class.ShouldBe(Classification.Unknown, result.Reasoning + " / " + string.Join(" / ", result.Evidence));
    }

    [Theory]
    [InlineData("node_filesystem_readonly{mountpoint=\"/data\"} == 1")]
    [InlineData("node_filesystem_device_error{mountpoint=\"/data\"} == 1")]
    [InlineData("certmanager_certificate_ready_status{condition=\"False\"} == 1")]
    [InlineData("rate(container_cpu_cfs_throttled_periods_total[5m]) / rate(container_cpu_cfs_periods_total[5m]) > 0.25")]
    [InlineData("container_memory_working_set_bytes / container_spec_memory_limit_bytes > 0.4")]
    [InlineData("kube_node_status_condition{condition=\"MemoryPressure\",status=\"false\"} == 1")]
    public void Classify_NearMissExpressions_AreUnknown(string expression)
    {
        var signal = Signal(string.Empty, string.Empty) with
        {
            GeneratorUrl = "http://prometheus:9090/graph?g0.expr=" + Uri.EscapeDataString(expression),
        };

        new RuleClassifier().Classify(signal, Classes).Class.ShouldBe(Classification.Unknown);
    }

    [Theory]
    [InlineData("OOMKilled\nwrite /data/seg-7: no space left on device")]
    [InlineData("java.lang.OutOfMemoryError: Java heap space\nx509: certificate has expired")]
    [InlineData("context deadline exceeded; The node was low on resource: ephemeral-storage.")]
    public void Classify_TwoEquallyStrongExplanations_IsUnknown(string text)
    {
        var result = new RuleClassifier().Classify(Signal(string.Empty, text), Classes);

        result.Class.ShouldBe(Classification.Unknown);
        result.Evidence.Count.ShouldBe(2);
    }

    [Fact]
    public void Classify_AlertNameOutweighsADifferentClassInTheText()
    {
        var result = new RuleClassifier().Classify(Signal("KubeContainerOOMKilled", "previous request failed: context deadline exceeded"), Classes);

        result.Class.ShouldBe("oom");
        result.Confidence.ShouldBe(0.95);
    }

    [Fact]
    public void Classify_PoolWaitThatTimedOut_IsThePoolNotATimeout()
    {
        var result = new RuleClassifier().Classify(Signal("UpstreamTimeout", "HikariPool-1 - Connection is not available, request timed out after 30000ms."), Classes);

        result.Class.ShouldBe("connection_pool_exhausted");
    }

    [Fact]
    public void Classify_LooseWordingAboutACertificate_ClassifiesBelowTheAutomaticFloor()
    {
        // Prose is not trusted enough to renew a certificate automatically (the seed catalog's floor is 0.90).
        var result = new RuleClassifier().Classify(Signal("TLS endpoint", "certificate for api.example.com expires in 5 days"), Classes);

        result.Class.ShouldBe("cert_expiry");
        result.Confidence.ShouldBeLessThan(0.90);
    }

    [Fact]
    public void Classify_AlertExpressionInGeneratorUrl_CountsAsEvidence()
    {
        var signal = Signal("VolumeAlmostFull", string.Empty) with
        {
            GeneratorUrl = "http://prometheus:9090/graph?g0.expr=kubelet_volume_stats_available_bytes+%2F+kubelet_volume_stats_capacity_bytes+%3C+0.03&g0.tab=1",
        };

        new RuleClassifier().Classify(signal, Classes).Class.ShouldBe("disk_full");
    }

    [Fact]
    public void Classify_ClassOutsideTheClosedList_BecomesUnknown()
    {
        var result = new RuleClassifier().Classify(Signal("KubeContainerOOMKilled", string.Empty), new ClassSet(["disk_full"]));

        result.Class.ShouldBe(Classification.Unknown);
        result.Confidence.ShouldBe(0);
    }

    [Fact]
    public void Classify_KeepsTheSignalsId()
    {
        new RuleClassifier().Classify(Signal("KubeContainerOOMKilled", string.Empty) with { Id = "sig-7" }, Classes).Id.ShouldBe("sig-7");
    }

    [Fact]
    public void Classify_HugeHostileText_StaysBoundedAndDoesNotThrow()
    {
        var text = string.Concat(Enumerable.Repeat("timed out timed out (((((aaaaaaaaaaaaaaaa!", 20_000));

        Should.NotThrow(() => new RuleClassifier().Classify(Signal(string.Empty, text), Classes));
    }

    [Fact]
    public void Classify_HostileTextInEveryPart_StaysFast()
    {
        var hostile = string.Concat(Enumerable.Repeat("no no no not cert certificate OOM oom_kill timeout= 0 ", 400));
        var signal = Signal(hostile, hostile) with
        {
            Labels = new Dictionary<string, string> { ["a"] = hostile },
            Annotations = new Dictionary<string, string> { ["b"] = hostile },
            GeneratorUrl = "http://p/graph?g0.expr=" + Uri.EscapeDataString(hostile),
        };
        var classifier = new RuleClassifier();
        classifier.Classify(signal, Classes);

        var started = TimeProvider.System.GetTimestamp();
        classifier.Classify(signal, Classes);

        TimeProvider.System.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Classify_TypicalSignals_AreFastOnAverage()
    {
        Signal[] signals =
        [
            SignalWithLabels("KubeContainerOOMKilled", "container app in pod checkout-7d9f was OOMKilled (exit code 137)"),
            SignalWithLabels("NodeFilesystemAlmostOutOfSpace", "filesystem /var/log on checkout has 3% space left"),
            SignalWithLabels("HighCpuUsage", "CPU usage above 95% for 10 minutes on checkout-7d9f, no other symptoms"),
            Signal(string.Empty, "2024-05-01T10:00:00Z ERROR payments: request failed: dial tcp 10.0.3.7:5432: connect: connection refused"),
            Signal(string.Empty, "HikariPool-1 - Connection is not available, request timed out after 30000ms."),
        ];
        var classifier = new RuleClassifier();
        foreach (var signal in signals)
        {
            classifier.Classify(signal, Classes);
        }

        const int rounds = 400;
        var started = TimeProvider.System.GetTimestamp();
        for (var i = 0; i < rounds; i++)
        {
            foreach (var signal in signals)
            {
                classifier.Classify(signal, Classes);
            }
        }

        var average = TimeProvider.System.GetElapsedTime(started) / (rounds * signals.Length);

        // The budget is 50 µs; the bound leaves room for a loaded, shared test machine.
        average.ShouldBeLessThan(TimeSpan.FromMicroseconds(250));
    }

    private static Signal SignalWithLabels(string alertName, string text) => Signal(alertName, text) with
    {
        Source = SignalSources.Alertmanager,
        Labels = new Dictionary<string, string> { ["alertname"] = alertName, ["namespace"] = "shop", ["pod"] = "checkout-7d9f", ["severity"] = "critical" },
        Annotations = new Dictionary<string, string> { ["summary"] = text, ["runbook_url"] = "https://runbooks.example.com/" + alertName.ToLowerInvariant() },
    };

    private static Dictionary<string, string> Pairs(string spec, string? alertName)
    {
        var pairs = new Dictionary<string, string>();
        if (alertName is not null)
        {
            pairs["alertname"] = alertName;
        }

        foreach (var pair in spec.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            pairs[pair[..equals]] = pair[(equals + 1)..];
        }

        return pairs;
    }

    private static Signal Signal(string title, string text) => new()
    {
        Id = "s",
        Source = SignalSources.Log,
        Title = string.IsNullOrEmpty(title) ? null : title,
        Text = string.IsNullOrEmpty(text) ? null : text,
    };
}
