#!/usr/bin/env python3
"""Writes train.jsonl: the labelled training corpus for Homeostat's learned incident classifier.

Every message below was written for this corpus from knowledge of how each system words its alerts, events and logs;
nothing is copied from real logs. Deterministic: the same seed gives the same file, byte for byte.
Standard library only. The held-out corpus has its own, separately written script (generate_heldout.py).
"""

import json
import os
import random
import string
import sys
import urllib.parse

SEED = 7301
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "train.jsonl")

# Examples per class. Unknown is about 45% of the file, the rest split evenly.
PER_CLASS = 300
UNKNOWN = 1230

r = random.Random(SEED)


def C(items):
    return r.choice(items)


def ri(a, b):
    return r.randint(a, b)


def rf(a, b, nd=2):
    return round(r.uniform(a, b), nd)


def chance(p):
    return r.random() < p


def rid(n, alphabet=string.ascii_lowercase + string.digits):
    return "".join(r.choice(alphabet) for _ in range(n))


SERVICES = [
    "checkout", "payments-api", "orders", "inventory-svc", "user-profile", "search-indexer", "billing-worker",
    "notification-gw", "auth", "catalog", "cart", "recommendations", "shipping", "ledger", "reporting-etl",
    "media-transcoder", "api-gateway", "edge-proxy", "session-store", "analytics-ingest", "pricing", "fraud-scorer",
    "email-sender", "webhooks", "feature-flags", "geo-lookup", "image-resizer", "audit-log", "tenant-admin",
    "subscriptions", "invoice-pdf", "chat-backend", "metrics-relay", "warehouse-sync", "loyalty", "coupon-svc",
]
NAMESPACES = [
    "prod", "payments", "shop", "platform", "data", "default", "ingress", "team-growth", "backend", "core",
    "search", "messaging", "infra", "batch", "edge", "identity",
]
CLUSTERS = ["prod-eu1", "prod-us2", "staging", "prod-ap1", "shared-ops"]
DBS = ["orders", "payments", "users", "catalog", "ledger", "analytics", "app", "inventory", "billing"]
USERS = ["app", "svc_orders", "readonly", "api", "etl", "billing_rw", "web"]
MOUNTS = ["/", "/var", "/var/lib/docker", "/data", "/var/lib/postgresql", "/var/log", "/srv", "/mnt/data",
          "/var/lib/kafka", "/opt", "/home", "/var/lib/mysql", "/var/lib/containerd", "/tmp"]
DEVICES = ["/dev/sda1", "/dev/nvme0n1p1", "/dev/xvda1", "/dev/vdb", "/dev/mapper/vg0-data", "/dev/sdb1", "/dev/nvme1n1"]
FSTYPES = ["ext4", "xfs"]
SEVERITIES = ["critical", "warning", "page", "high", "P2", "P1", "major"]
PROM_HOSTS = ["http://prometheus:9090", "http://prometheus-k8s.monitoring.svc:9090", "http://prom.internal:9090",
              "http://prometheus-0.prometheus:9090"]


def svc():
    return C(SERVICES)


def ns():
    return C(NAMESPACES)


def host():
    return C([
        lambda: f"ip-10-{ri(0, 3)}-{ri(0, 255)}-{ri(1, 254)}.ec2.internal",
        lambda: f"node-{ri(1, 60)}",
        lambda: f"worker-{ri(1, 30)}.dc{ri(1, 3)}.internal",
        lambda: f"k8s-{C(['prod', 'stg', 'ops'])}-{C('abcdef')}{ri(1, 9)}",
        lambda: f"db-{ri(1, 9)}.{C(['lon', 'fra', 'iad', 'sjc'])}",
        lambda: f"app{ri(1, 40):02d}",
    ])()


def ip():
    return f"10.{ri(0, 40)}.{ri(0, 255)}.{ri(2, 254)}"


def pod(service):
    return f"{service}-{rid(ri(8, 10))}-{rid(5)}"


def mi():
    return C([128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192])


def fmt_mem(m):
    return f"{m // 1024}Gi" if m >= 1024 and m % 1024 == 0 else f"{m}Mi"


def pct():
    return ri(86, 99)


def dur():
    return C(["5m", "10m", "15m", "2m", "30m", "1h"])


def ts():
    return f"2026-{ri(1, 12):02d}-{ri(1, 28):02d}T{ri(0, 23):02d}:{ri(0, 59):02d}:{ri(0, 59):02d}Z"


def logts():
    return C([
        lambda: ts(),
        lambda: f"2026-{ri(1, 12):02d}-{ri(1, 28):02d} {ri(0, 23):02d}:{ri(0, 59):02d}:{ri(0, 59):02d}.{ri(0, 999):03d}",
        lambda: f"{C(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])} {ri(1, 28):2d} {ri(0, 23):02d}:{ri(0, 59):02d}:{ri(0, 59):02d}",
        lambda: "",
    ])()


def expired_pair():
    """(now, notAfter) with notAfter before now, as Go's x509 error prints them."""
    mo, d = ri(2, 12), ri(2, 28)
    now = f"2026-{mo:02d}-{d:02d}T{ri(0, 23):02d}:{ri(0, 59):02d}:{ri(0, 59):02d}Z"
    before = f"2026-{ri(1, mo - 1):02d}-{ri(1, 28):02d}T{ri(0, 23):02d}:{ri(0, 59):02d}:{ri(0, 59):02d}Z"
    return now, before


def after_phrase():
    now, before = expired_pair()
    return f"current time {now} is after {before}"


def gurl(expr):
    return f"{C(PROM_HOSTS)}/graph?g0.expr={urllib.parse.quote(expr, safe='')}&g0.tab=1"


def clean(d):
    return {k: v for k, v in d.items() if v not in (None, "", {}, [])}


def alert(alertname, labels, summary=None, description=None, expr=None, service=None, resource=None,
          source="alertmanager", metrics=None, severity=None):
    """An Alertmanager (or Prometheus rule) alert; which optional parts are present varies."""
    if source == "alertmanager" and chance(0.18):
        source = "prometheus"
    lab = {"alertname": alertname}
    lab["severity"] = severity or C(SEVERITIES)
    for k, v in labels.items():
        if v is not None:
            lab[k] = str(v)
    if chance(0.3):
        lab["cluster"] = C(CLUSTERS)
    if chance(0.2):
        lab["prometheus"] = C(["monitoring/k8s", "monitoring/main", "ops/prometheus"])
    ann = {}
    if summary and not chance(0.08):
        ann["summary"] = summary
    if description and not chance(0.2):
        ann["description"] = description
    if chance(0.1) and "runbook_url" not in ann:
        ann["runbook_url"] = f"https://runbooks.example.internal/{alertname.lower()}"
    sig = {"source": source, "service": service, "resource": resource, "labels": lab, "annotations": ann}
    if expr and not chance(0.12):
        sig["generatorURL"] = gurl(expr)
    if metrics:
        sig["metrics"] = metrics
    if source == "prometheus" and chance(0.5):
        sig["title"] = alertname
    return clean(sig)


def k8s_event(reason, message, kind, namespace, name, container=None, host_=None, service=None):
    res = clean({"kind": kind, "namespace": namespace, "name": name, "container": container, "host": host_})
    sig = {"source": "kubernetes", "title": reason, "text": message, "resource": res, "service": service}
    if chance(0.3):
        sig["labels"] = clean({"reason": reason, "namespace": namespace, "involved_kind": kind})
    return clean(sig)


def log(text, service=None, host_=None, path=None, container=None, namespace=None):
    sig = {"source": "log", "text": text, "service": service}
    if host_ or path or container:
        if chance(0.6):
            sig["resource"] = clean({"host": host_, "path": path, "container": container, "namespace": namespace})
    return clean(sig)


def probe(title, text, metrics, service=None, resource=None):
    return clean({"source": "probe", "title": title, "text": text, "metrics": metrics, "service": service,
                  "resource": resource})


def api(title, text, service=None, labels=None, resource=None):
    return clean({"source": "api", "title": title, "text": text, "service": service, "labels": labels or {},
                  "resource": resource})


def ptr(prefix=""):
    return f"{prefix}{C(['/', ''])}".strip()


# ---------------------------------------------------------------------------------------------------------------------
# oom
# ---------------------------------------------------------------------------------------------------------------------

def oom_k8s_event():
    s, n = svc(), ns()
    p, c, lim = pod(s), C([s, "app", "server", "worker", s.split("-")[0]]), mi()
    msg = C([
        f"Container {c} in pod {p} was OOMKilled (memory limit {fmt_mem(lim)}); restarting",
        f"container \"{c}\" terminated with reason OOMKilled, exit code 137, restart count {ri(1, 40)}",
        f"Last state: Terminated, Reason: OOMKilled, Exit Code: 137, limits.memory={fmt_mem(lim)}",
        f"Pod {n}/{p}: container {c} was killed: OOMKilled (exceeded memory limit of {fmt_mem(lim)})",
    ])
    return k8s_event(C(["OOMKilled", "OOMKilled", "ContainerOOMKilled", "BackOff"]) if "OOMKilled" in msg else "OOMKilled",
                     msg, "Pod", n, p, c, host(), service=s if chance(0.5) else None)


def oom_alert_events():
    s, n = svc(), ns()
    p = pod(s)
    c = C([s, "app", "main"])
    name = C(["KubernetesContainerOomKiller", "ContainerOOMKilled", "PodOOMKilled", "KubePodOOMKilled", "OOMKillDetected"])
    expr = C([
        f'increase(container_oom_events_total{{namespace="{n}",container="{c}"}}[{dur()}]) > 0',
        f'(kube_pod_container_status_restarts_total - kube_pod_container_status_restarts_total offset 10m >= 1) and ignoring (reason) min_over_time(kube_pod_container_status_last_terminated_reason{{reason="OOMKilled"}}[10m]) == 1',
        f'kube_pod_container_status_last_terminated_reason{{reason="OOMKilled",namespace="{n}"}} == 1',
    ])
    return alert(name, {"namespace": n, "pod": p, "container": c},
                 summary=C([f"Container {c} in {n}/{p} has been OOMKilled",
                            f"{p} killed by the OOM killer",
                            f"OOM kill in {n}"]),
                 description=C([f"Container {c} of pod {p} was OOMKilled {ri(1, 9)} times in the last {dur()}.",
                                f"{p}/{c} hit its memory limit and was killed by the kernel OOM killer.",
                                f"The container exceeded its memory limit ({fmt_mem(mi())}) and was terminated with exit code 137."]),
                 expr=expr, service=s if chance(0.6) else None,
                 resource=clean({"kind": "Pod", "namespace": n, "name": p, "container": c}) if chance(0.5) else None)


def oom_kernel():
    proc = C(["java", "python3", "node", "postgres", "mysqld", "redis-server", "ruby", "php-fpm", "dotnet", "envoy",
              "elasticsearch", "gunicorn", "uwsgi", "celery"])
    pid = ri(1000, 99999)
    vm, rss = ri(2_000_000, 30_000_000), ri(1_000_000, 16_000_000)
    h = host()
    prefix = C([f"{logts()} {h} kernel: ", f"[{ri(1000, 9_999_999)}.{ri(0, 999999):06d}] ", "kernel: ", ""])
    text = C([
        f"{prefix}Out of memory: Killed process {pid} ({proc}) total-vm:{vm}kB, anon-rss:{rss}kB, file-rss:{ri(0, 9999)}kB, shmem-rss:{ri(0, 999)}kB, UID:{ri(0, 1500)} pgtables:{ri(1000, 40000)}kB oom_score_adj:{C([0, 0, 900, 1000, -998])}",
        f"{prefix}{proc} invoked oom-killer: gfp_mask=0x{rid(6, '0123456789abcdef')}(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj={C([0, 1000, 999])}",
        f"{prefix}Memory cgroup out of memory: Killed process {pid} ({proc}) total-vm:{vm}kB, anon-rss:{rss}kB, file-rss:{ri(0, 9999)}kB",
        f"{prefix}oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-{rid(12, '0123456789abcdef')}.scope,mems_allowed=0,task={proc},pid={pid},uid={ri(0, 1500)}",
    ])
    return log(text, service=C([None, proc, svc()]), host_=h, path="/var/log/kern.log" if chance(0.3) else None)


def oom_jvm():
    s = svc()
    kind = C(["Java heap space", "GC overhead limit exceeded", "Metaspace", "Direct buffer memory", "Java heap space"])
    thread = C(["main", "http-nio-8080-exec-12", "kafka-consumer-1", "pool-3-thread-7", "grpc-default-executor-4",
                "scheduling-1", "elasticsearch[node-1][write][T#3]"])
    text = C([
        f"Exception in thread \"{thread}\" java.lang.OutOfMemoryError: {kind}",
        f"{logts()} ERROR [{thread}] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() threw exception\njava.lang.OutOfMemoryError: {kind}\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
        f"java.lang.OutOfMemoryError: {kind}\nDumping heap to /tmp/java_pid{ri(1, 99999)}.hprof ...\nHeap dump file created [{ri(100_000_000, 4_000_000_000)} bytes in {rf(1, 30)} secs]",
        f"Terminating due to java.lang.OutOfMemoryError: {kind}",
        f"FATAL {s}: uncaught java.lang.OutOfMemoryError ({kind}) in {thread}; -Xmx{C(['512m', '1g', '2g', '4g'])} reached, JVM exiting",
    ])
    if chance(0.3):
        return api(C(["JVM crashed", f"{s} OutOfMemoryError", "Unhandled exception"]), text, service=s)
    return log(text, service=s, container=s, namespace=ns())


def oom_node():
    s = svc()
    heap = C([1432, 2048, 4096, 1024, 3800, 8192])
    text = C([
        f"<--- Last few GCs --->\n[{ri(1, 99)}:0x{rid(10, '0123456789abcdef')}] {ri(10000, 999999)} ms: Mark-Compact {heap - ri(1, 40)}.{ri(1, 9)} ({heap + ri(1, 40)}.{ri(1, 9)}) -> {heap - ri(1, 30)}.{ri(1, 9)} MB\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        "FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory",
        f"FATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory\n 1: 0xb0{rid(5, '0123456789abcdef')} node::Abort() [node]",
        f"npm ERR! {s}@{ri(1, 4)}.{ri(0, 20)}.{ri(0, 9)} start: `node --max-old-space-size={heap} dist/server.js`\n<--- JS stacktrace --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
    ])
    return log(text, service=s, container=C([s, "node", "web"]), namespace=ns())


def oom_python():
    s = svc()
    text = C([
        f"Traceback (most recent call last):\n  File \"/app/{C(['worker', 'jobs', 'etl', 'main'])}.py\", line {ri(10, 900)}, in {C(['process_batch', 'load', 'run', 'transform'])}\n    {C(['rows = list(cursor)', 'df = pd.concat(frames)', 'data = resp.json()', 'buf = bytearray(size)'])}\nMemoryError",
        f"{logts()} ERROR {C(['celery.worker', 'root', 'app.tasks'])}: task {C(['reports.build', 'export.csv', 'ml.score_batch'])}[{rid(8)}] raised unexpected: MemoryError()",
        f"numpy.core._exceptions._ArrayMemoryError: Unable to allocate {rf(1, 60, 1)} GiB for an array with shape ({ri(10000, 9000000)}, {ri(2, 512)}) and data type float64",
        f"[{logts()}] [{ri(1, 999)}] [ERROR] Worker (pid:{ri(100, 9999)}) exited with MemoryError while handling request",
    ])
    return log(text, service=s, namespace=ns(), container=s)


def oom_go():
    s = svc()
    text = C([
        f"fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw({{0x{rid(6, '0123456789abcdef')}, 0x16}})\n\t/usr/local/go/src/runtime/panic.go:1047 +0x5d",
        f"runtime: out of memory: cannot allocate {ri(1, 512) * 1048576}-byte block ({ri(1, 9) * 1073741824} in use)\nfatal error: out of memory",
        f"{s} exited: fatal error: runtime: out of memory (GOMEMLIMIT={C(['900MiB', '1800MiB', '3GiB'])})",
    ])
    return log(text, service=s, container=s, namespace=ns(), host_=host())


def oom_misc_runtime():
    s = svc()
    text = C([
        f"PHP Fatal error:  Allowed memory size of {C([134217728, 268435456, 536870912])} bytes exhausted (tried to allocate {ri(4096, 2_000_000)} bytes) in /var/www/html/{C(['vendor/laravel/framework/src/Illuminate/Database/Connection.php', 'app/Export.php', 'index.php'])} on line {ri(10, 900)}",
        f"terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\n{C(['Aborted (core dumped)', 'SIGABRT received'])}",
        f"[FATAL] failed to allocate memory (NoMemoryError) in {C(['Sidekiq::Processor', 'Puma worker 3', 'ActiveJob'])}",
        f"{logts()} {s}: out of memory: unable to allocate {ri(1, 900)} MB for {C(['request buffer', 'sort area', 'decompression window', 'cache shard'])}",
    ])
    return log(text, service=s, host_=host())


def oom_eviction_memory():
    s, n = svc(), ns()
    p = pod(s)
    used, req = ri(600, 6000), C([256, 512, 1024])
    msg = C([
        f"The node was low on resource: memory. Container {C([s, 'app'])} was using {used}Mi, which exceeds its request of {req}Mi.",
        f"The node was low on resource: memory. Threshold quantity: 100Mi, available: {ri(10, 99)}Mi. Container {s} was using {used}Mi, which exceeds its request of {req}Mi.",
        f"Pod {p} evicted: node {host()} under memory pressure (memory.available < {C(['100Mi', '500Mi', '5%'])})",
    ])
    return k8s_event("Evicted", msg, "Pod", n, p, service=s if chance(0.3) else None)


def oom_node_memory_pressure():
    h = host()
    if chance(0.5):
        return alert(C(["KubeNodeMemoryPressure", "NodeMemoryPressure", "KubernetesMemoryPressure"]),
                     {"node": h, "condition": "MemoryPressure"},
                     summary=f"Node {h} has MemoryPressure",
                     description=C([f"{h} reports MemoryPressure=True; pods are being evicted for memory.",
                                    f"Kubelet on {h} is under memory pressure and has started evicting pods."]),
                     expr='kube_node_status_condition{condition="MemoryPressure",status="true"} == 1',
                     resource={"kind": "Node", "name": h, "host": h})
    return k8s_event(C(["NodeHasInsufficientMemory", "EvictionThresholdMet"]),
                     C([f"Node {h} status is now: NodeHasInsufficientMemory",
                        f"Attempting to reclaim memory; node {h} is under MemoryPressure"]),
                     "Node", None, h, host_=h)


def oom_host_oom_kill_alert():
    h = host()
    return alert(C(["HostOomKillDetected", "NodeOOMKill", "KernelOOMKiller"]), {"instance": f"{h}:9100", "job": "node"},
                 summary=C([f"OOM kill detected on {h}", "Host OOM kill detected", f"Kernel OOM killer fired on {h}"]),
                 description=C([f"The kernel on {h} killed {ri(1, 6)} process(es) for lack of memory in the last {dur()}.",
                                "OOM kill detected\n  VALUE = 1\n  LABELS = instance=" + h]),
                 expr=f"increase(node_vmstat_oom_kill[{C(['1m', '5m', '15m'])}]) > 0",
                 resource={"host": h} if chance(0.4) else None)


def oom_systemd():
    unit = C(["clickhouse-server", "mongod", "elasticsearch", "kafka", "grafana-server", "app-worker@2", "nginx",
              "prometheus", "jenkins", "redis"])
    h = host()
    text = C([
        f"{logts()} {h} systemd[1]: {unit}.service: A process of this unit has been killed by the OOM killer.",
        f"{logts()} {h} systemd[1]: {unit}.service: Failed with result 'oom-kill'.",
        f"{unit}.service: Main process exited, code=killed, status=9/KILL\n{unit}.service: Failed with result 'oom-kill'.",
    ])
    return log(text, service=unit.split("@")[0], host_=h)


def oom_probe_exit137():
    s = svc()
    lim = mi()
    return probe(C(["container restart", "task exited", f"{s} restarted"]),
                 C([f"{s} exited with code 137 after exceeding its memory limit of {fmt_mem(lim)}",
                    f"exit code 137 (SIGKILL): memory usage reached limit {fmt_mem(lim)}, process killed",
                    f"worker killed: memory cgroup limit {fmt_mem(lim)} reached, exit code 137"]),
                 {"exit_code": 137, "memory_limit_bytes": lim * 1048576, "restarts": ri(1, 30)}, service=s)


def oom_dotnet_ps():
    s = svc()
    return log(C([
        f"{logts()} fail: {s}[0] Process is terminating due to out of memory: GC heap hard limit ({C(['75%', '512MB', '1.5GB'])}) exceeded",
        f"Fatal error. Out of memory while allocating the GC heap; container limit {fmt_mem(mi())}",
    ]), service=s, container=s)


# ---------------------------------------------------------------------------------------------------------------------
# disk_full
# ---------------------------------------------------------------------------------------------------------------------

def disk_node_fs_alert():
    h, m, d = host(), C(MOUNTS), C(DEVICES)
    left = ri(1, 9)
    name = C(["NodeFilesystemAlmostOutOfSpace", "HostOutOfDiskSpace", "DiskSpaceLow", "NodeDiskFull", "FilesystemFull",
              "LowDiskSpace"])
    expr = C([
        f'(node_filesystem_avail_bytes{{mountpoint="{m}",fstype!="tmpfs"}} / node_filesystem_size_bytes{{mountpoint="{m}"}}) * 100 < {C([5, 10, 3])}',
        f'node_filesystem_avail_bytes{{fstype=~"ext4|xfs",mountpoint="{m}"}} / node_filesystem_size_bytes < 0.{C(["05", "1", "03"])} and node_filesystem_readonly == 0',
        f'100 - (node_filesystem_free_bytes{{mountpoint="{m}"}} * 100 / node_filesystem_size_bytes) > {C([90, 95, 97])}',
    ])
    return alert(name, {"instance": f"{h}:9100", "mountpoint": m, "device": d, "fstype": C(FSTYPES)},
                 summary=C([f"Filesystem {m} on {h} has {left}% space left",
                            f"Host out of disk space ({h})", f"Disk almost full on {h}:{m}"]),
                 description=C([f"Filesystem on {d} at {h} has only {left}.{ri(0, 9)}% available space left.",
                                f"Disk is almost full (< {left + 1}% left)\n  VALUE = {left}.{ri(10, 99)}\n  LABELS = mountpoint={m}",
                                f"{m} is {100 - left}% full."]),
                 expr=expr, resource=clean({"host": h, "path": m}) if chance(0.6) else None)


def disk_filling_up():
    h, m = host(), C(MOUNTS)
    hours = C([4, 12, 24, 6])
    return alert(C(["NodeFilesystemSpaceFillingUp", "HostDiskWillFillIn24Hours", "FilesystemSpaceFillingUp"]),
                 {"instance": f"{h}:9100", "mountpoint": m},
                 summary=C([f"Filesystem {m} is predicted to run out of space within the next {hours} hours",
                            "Host disk will fill soon"]),
                 description=f"Filesystem on {h} at {m} has {ri(5, 30)}% available space left and is filling up fast.",
                 expr=f'predict_linear(node_filesystem_avail_bytes{{mountpoint="{m}"}}[6h], {hours} * 3600) < 0',
                 resource={"host": h, "path": m})


def disk_inodes():
    h, m = host(), C(MOUNTS)
    return alert(C(["NodeFilesystemAlmostOutOfFiles", "HostOutOfInodes", "InodesExhausted"]),
                 {"instance": f"{h}:9100", "mountpoint": m},
                 summary=C([f"Filesystem {m} on {h} has {ri(1, 4)}% inodes left", "Host out of inodes"]),
                 description=C([f"{m} on {h} is running out of inodes; new files cannot be created.",
                                f"Disk is almost running out of available inodes (< {ri(2, 10)}% left)"]),
                 expr=f'node_filesystem_files_free{{mountpoint="{m}"}} / node_filesystem_files{{mountpoint="{m}"}} * 100 < {ri(3, 10)}',
                 resource={"host": h, "path": m} if chance(0.5) else None)


def disk_enospc_app():
    s = svc()
    path = C([f"/var/lib/docker/overlay2/{rid(20, '0123456789abcdef')}/diff/tmp/upload-{ri(1, 99999)}",
              f"/data/{s}/segments/{ri(1000, 99999)}.seg", f"/var/log/{s}/{s}.log", f"/tmp/{rid(8)}.part",
              f"/srv/{s}/cache/{rid(6)}"])
    text = C([
        f"write {path}: no space left on device",
        f"{logts()} ERROR failed to persist chunk: open {path}: no space left on device",
        f"OSError: [Errno 28] No space left on device: '{path}'",
        f"Error: ENOSPC: no space left on device, write '{path}'",
        f"java.io.IOException: No space left on device\n\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)",
        f"{s}: cannot write to {path}: ENOSPC",
    ])
    return log(text, service=s, path=path.rsplit("/", 1)[0], host_=host())


def disk_postgres():
    h = host()
    rel = f"base/{ri(16000, 99999)}/{ri(1000, 99999)}"
    text = C([
        f"{logts()} UTC [{ri(100, 99999)}] ERROR:  could not extend file \"{rel}\": No space left on device\n\tHINT:  Check free disk space.",
        f"{logts()} UTC [{ri(100, 99999)}] PANIC:  could not write to file \"pg_wal/xlogtemp.{ri(100, 99999)}\": No space left on device",
        f"{logts()} UTC [{ri(100, 99999)}] ERROR:  could not write block {ri(1, 99999)} of temporary file: No space left on device",
        f"{logts()} UTC [{ri(100, 99999)}] LOG:  could not close temporary statistics file \"pg_stat_tmp/global.tmp\": No space left on device",
    ])
    return log(text, service=C(["postgres", "postgresql", "pg-primary", f"{C(DBS)}-db"]), host_=h,
               path="/var/lib/postgresql/data")


def disk_mysql():
    h = host()
    text = C([
        f"{logts()} 0 [ERROR] [MY-000035] [Server] Disk is full writing './binlog.{ri(1, 999999):06d}' (OS errno 28 - No space left on device). Waiting for someone to free space... Retry in 60 secs.",
        f"{logts()} {ri(1, 999)} [ERROR] InnoDB: Write to file ./ibtmp1 failed at offset {ri(1, 999999999)}, {ri(1, 99) * 16384} bytes should have been written, only 0 were written. Operating system error number 28.",
        f"[ERROR] mysqld: Error writing file '/tmp/MY{rid(6, string.ascii_uppercase + string.digits)}' (Errcode: 28 - No space left on device)",
    ])
    return log(text, service=C(["mysql", "mysqld", "mariadb", "orders-mysql"]), host_=h, path="/var/lib/mysql")


def disk_elasticsearch():
    node = f"{C(['es', 'opensearch', 'search'])}-{C(['data', 'hot', 'warm'])}-{ri(0, 9)}"
    if chance(0.5):
        return log(C([
            f"[{logts()}][WARN ][o.e.c.r.a.DiskThresholdMonitor] [{node}] flood stage disk watermark [95%] exceeded on [{rid(22)}][{node}][/usr/share/elasticsearch/data/nodes/0] free: {rf(0.1, 9, 1)}gb[{rf(0.5, 4.9, 1)}%], all indices on this node will be marked read-only",
            f"[{logts()}][INFO ][o.e.c.r.a.DiskThresholdMonitor] [{node}] high disk watermark [90%] exceeded on [{rid(22)}][{node}] free: {rf(5, 40, 1)}gb[{rf(5, 9.9, 1)}%], shards will be relocated away from this node",
        ]), service=C(["elasticsearch", "opensearch", "logging-es"]), host_=node)
    return alert(C(["ElasticsearchDiskOutOfSpace", "ElasticsearchHighDiskWatermark", "OpenSearchDiskFull"]),
                 {"node": node, "cluster": C(["logs", "search-prod", "observability"])},
                 summary=f"Elasticsearch node {node} disk usage above {C([85, 90, 95])}%",
                 description="Data path is almost full; indices will be blocked from writing at the flood-stage watermark.",
                 expr=f'elasticsearch_filesystem_data_available_bytes{{name="{node}"}} / elasticsearch_filesystem_data_size_bytes * 100 < {C([5, 10, 15])}')


def disk_kafka():
    b = ri(0, 9)
    d = C(["/var/lib/kafka/data", "/kafka/data-0", "/data/kafka-logs"])
    text = C([
        f"[{logts()}] ERROR Error while appending records to orders-{ri(0, 23)} in dir {d} (kafka.server.LogDirFailureChannel)\njava.io.IOException: No space left on device",
        f"[{logts()}] ERROR Shutdown broker because all log dirs in {d} have failed; the last error was: No space left on device (kafka.log.LogManager)",
    ])
    return log(text, service="kafka", host_=f"kafka-{b}", path=d)


def disk_k8s_ephemeral():
    s, n = svc(), ns()
    p = pod(s)
    msg = C([
        f"The node was low on resource: ephemeral-storage. Container {s} was using {ri(2, 80)}Gi, which exceeds its request of 0.",
        f"Pod ephemeral local storage usage exceeds the total limit of containers {C(['1Gi', '2Gi', '4Gi', '10Gi'])}.",
        f"Container {s} exceeded its local ephemeral storage limit \"{C(['500Mi', '1Gi', '5Gi'])}\".",
        f"The node was low on resource: ephemeral-storage. Threshold quantity: {ri(1, 20)}Gi, available: {ri(100, 999)}Mi.",
    ])
    return k8s_event("Evicted", msg, "Pod", n, p, service=s if chance(0.3) else None)


def disk_pressure():
    h = host()
    if chance(0.5):
        return k8s_event(C(["NodeHasDiskPressure", "EvictionThresholdMet", "FreeDiskSpaceFailed"]),
                         C([f"Node {h} status is now: NodeHasDiskPressure",
                            f"Attempting to reclaim ephemeral-storage on {h}",
                            f"failed to garbage collect required amount of images. Wanted to free {ri(1, 50) * 1073741824} bytes, but freed 0 bytes"]),
                         "Node", None, h, host_=h)
    return alert(C(["KubeNodeDiskPressure", "KubernetesDiskPressure", "NodeDiskPressure"]), {"node": h},
                 summary=f"{h} has DiskPressure condition",
                 description=f"Node {h} has been reporting DiskPressure for more than {dur()}; image GC and evictions are running.",
                 expr='kube_node_status_condition{condition="DiskPressure",status="true"} == 1',
                 resource={"kind": "Node", "name": h})


def disk_docker_containerd():
    h = host()
    text = C([
        f"failed to register layer: Error processing tar file(exit status 1): write /usr/lib/{rid(8)}.so: no space left on device",
        f"Failed to pull image \"registry.internal/{svc()}:{ri(1, 9)}.{ri(0, 30)}\": rpc error: code = Unknown desc = failed to extract layer sha256:{rid(32, '0123456789abcdef')}: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/{ri(1, 9999)}/fs/app.jar: no space left on device",
        f"dockerd: Error response from daemon: mkdir /var/lib/docker/overlay2/{rid(24, '0123456789abcdef')}-init: no space left on device",
    ])
    if chance(0.5):
        return k8s_event("Failed", text, "Pod", ns(), pod(svc()), host_=h)
    return log(text, service=C(["dockerd", "containerd", "kubelet"]), host_=h)


def disk_nginx_redis_prom():
    h = host()
    c = C(["nginx", "redis", "prometheus", "journald", "clickhouse"])
    text = {
        "nginx": f"{logts()} [crit] {ri(1, 99)}#0: *{ri(1, 999999)} pwrite() \"/var/cache/nginx/client_temp/{ri(1, 99999):010d}\" failed (28: No space left on device), client: {ip()}, server: _, request: \"POST /upload HTTP/1.1\"",
        "redis": f"{ri(1, 99)}:M {logts()} # Write error saving DB on disk: No space left on device",
        "prometheus": f"ts={ts()} caller=main.go:{ri(100, 999)} level=error err=\"opening storage failed: open /prometheus/wal/{ri(1, 9999):08d}: no space left on device\"",
        "journald": f"systemd-journald[{ri(100, 999)}]: Failed to write entry ({ri(10, 40)} items, {ri(100, 9999)} bytes), ignoring: No space left on device",
        "clickhouse": f"<Error> {C(DBS)}.events: Code: 243. DB::Exception: Cannot reserve {rf(1, 9)} GiB, not enough space. (NOT_ENOUGH_SPACE)",
    }[c]
    return log(text, service=c, host_=h)


def disk_probe():
    h, m = host(), C(MOUNTS)
    used = pct()
    return probe(C(["disk usage", f"disk {m}", "filesystem check"]),
                 C([f"Disk {m} on {h} is {used}% used ({rf(0.2, 5, 1)}G free)",
                    f"filesystem {m} nearly full: {used}% used",
                    f"DISK CRITICAL - free space: {m} {ri(100, 2000)} MB ({100 - used}% inode={ri(20, 99)}%)"]),
                 {"disk_used_percent": used, "disk_free_bytes": ri(1, 5000) * 1048576},
                 resource={"host": h, "path": m})


def disk_sqlite_quota():
    s = svc()
    text = C([
        f"sqlite3.OperationalError: database or disk is full",
        f"{logts()} ERROR {s}: SQLITE_FULL: database or disk is full (while committing batch of {ri(10, 5000)} rows)",
        f"write failed: Disk quota exceeded (EDQUOT) for user {C(USERS)} on /home",
    ])
    return log(text, service=s)


# ---------------------------------------------------------------------------------------------------------------------
# cert_expiry
# ---------------------------------------------------------------------------------------------------------------------

def domain():
    return C([f"{svc()}.example.com", f"api.{C(['acme', 'shopco', 'fintrack', 'globex'])}.io",
              f"{C(['www', 'auth', 'login', 'grafana', 'vault', 'registry'])}.{C(['corp', 'internal', 'example'])}.net",
              f"{svc()}.{ns()}.svc.cluster.local"])


def cert_blackbox_alert():
    d = domain()
    days = ri(2, 20)
    name = C(["SSLCertExpiringSoon", "BlackboxSslCertificateWillExpireSoon", "TLSCertificateExpiry", "SSLCertExpiry",
              "CertificateExpiresSoon"])
    return alert(name, {"instance": f"https://{d}", "job": C(["blackbox", "blackbox-https", "probe-ssl"])},
                 summary=C([f"SSL certificate for {d} expires in {days} days",
                            f"TLS certificate on {d} is about to expire", "SSL certificate will expire soon"]),
                 description=C([f"The certificate presented by {d} expires on 2026-{ri(1, 12):02d}-{ri(1, 28):02d} ({days} days).",
                                f"SSL certificate expires in {days} days\n  VALUE = {days * 86400 + ri(0, 86399)}",
                                f"Renew the certificate for {d} before it expires."]),
                 expr=C([f"probe_ssl_earliest_cert_expiry - time() < 86400 * {C([7, 14, 21, 30])}",
                         f'(probe_ssl_earliest_cert_expiry{{instance="https://{d}"}} - time()) / 86400 < {C([3, 7, 14])}']),
                 metrics={"days_left": days} if chance(0.3) else None)


def cert_expired_blackbox():
    d = domain()
    return alert(C(["SSLCertExpired", "BlackboxSslCertificateExpired", "CertificateExpired"]),
                 {"instance": f"https://{d}:{C([443, 8443, 6443])}"},
                 summary=C([f"SSL certificate has expired for {d}", "TLS certificate expired"]),
                 description=f"The certificate for {d} expired {ri(1, 72)} hours ago; clients will refuse to connect.",
                 expr="round((probe_ssl_earliest_cert_expiry - time()) / 86400, 0.1) < 0")


def cert_manager():
    n = ns()
    name = f"{C(['wildcard', svc(), 'ingress', 'api', 'grpc'])}-tls"
    if chance(0.5):
        return alert(C(["CertManagerCertExpirySoon", "CertManagerCertificateExpiringSoon", "CertificateNotRenewed"]),
                     {"namespace": n, "name": name, "exported_namespace": n},
                     summary=f"The cert `{name}` is {ri(2, 20)} days away from expiring.",
                     description=C([f"Certificate {n}/{name} should have been renewed {ri(5, 40)} days ago but expires soon.",
                                    "The domain that this cert covers will be unavailable after expiry."]),
                     expr=f'avg by (exported_namespace, namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) < ({C([7, 14, 21])} * 24 * 3600)')
    return k8s_event(C(["Failed", "ExpiringSoon", "Expired"]),
                     C([f"Certificate {name} expires in {ri(1, 72)}h and renewal has failed {ri(2, 20)} times: the ACME order is pending",
                        f"The certificate {name} has expired; renewal failed: issuer letsencrypt-prod not ready",
                        f"Certificate {name} will expire in {ri(2, 10)} days; renewal is not progressing"]),
                     "Certificate", n, name, service=None)


def cert_go_client():
    s, d = svc(), domain()
    text = C([
        f"{logts()} level=error msg=\"request failed\" err=\"Get \\\"https://{d}/v1/health\\\": x509: certificate has expired or is not yet valid: {after_phrase()}\"",
        f"tls: failed to verify certificate: x509: certificate has expired or is not yet valid: {after_phrase()}",
        f"transport: authentication handshake failed: x509: certificate has expired or is not yet valid: {after_phrase()}",
    ])
    return log(text, service=s)


def cert_java():
    s, d = svc(), domain()
    text = C([
        f"javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\nCaused by: java.security.cert.CertificateExpiredException: NotAfter: {C(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])} {C(['Jan', 'Mar', 'Jun', 'Sep'])} {ri(1, 28):02d} {ri(0, 23):02d}:00:00 UTC 2026",
        f"{logts()} ERROR [{s}] o.a.k.c.n.Selector : SSL handshake failed with {d}: java.security.cert.CertificateExpiredException: NotAfter: {ts()}",
        f"sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: timestamp check failed (certificate expired)",
    ])
    return log(text, service=s)


def cert_node_python_curl():
    s, d = svc(), domain()
    text = C([
        f"Error: certificate has expired\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1659:34) {{\n  code: 'CERT_HAS_EXPIRED'\n}}",
        f"request to https://{d}/token failed, reason: certificate has expired (CERT_HAS_EXPIRED)",
        f"ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:{C([1006, 1129, 997])})",
        f"requests.exceptions.SSLError: HTTPSConnectionPool(host='{d}', port=443): Max retries exceeded with url: /api (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired')))",
        f"curl: (60) SSL certificate problem: certificate has expired",
    ])
    return log(text, service=s)


def cert_nginx_haproxy():
    d = domain()
    text = C([
        f"{logts()} [error] {ri(1, 99)}#0: *{ri(1, 99999)} upstream SSL certificate verify error: (10:certificate has expired) while SSL handshaking to upstream, client: {ip()}, upstream: \"https://{ip()}:443/\"",
        f"{logts()} haproxy[{ri(100, 9999)}]: Server be_{svc().replace('-', '_')}/srv{ri(1, 5)} is DOWN, reason: Layer6 invalid response, info: \"SSL handshake failure (certificate expired)\"",
        f"{logts()} [warn] the \"ssl_certificate\" /etc/nginx/certs/{d}.crt expired on {ts()}; clients will fail TLS",
    ])
    return log(text, service=C(["nginx", "haproxy", "ingress-nginx", "edge-lb"]))


def cert_k8s_apiserver():
    h = host()
    if chance(0.5):
        return alert(C(["KubeClientCertificateExpiration", "KubeletClientCertificateExpiration", "KubeletServerCertificateExpiration"]),
                     {"job": C(["apiserver", "kubelet"]), "node": h},
                     summary=C(["Client certificate is about to expire.", "Kubelet client certificate is about to expire."]),
                     description=f"A client certificate used to authenticate to the cluster expires in less than {C(['7.0 days', '24.0 hours', '3.0 days'])}.",
                     expr=C(['apiserver_client_certificate_expiration_seconds_count{job="apiserver"} > 0 and on(job) histogram_quantile(0.01, sum by (job, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{job="apiserver"}[5m]))) < 604800',
                             'kubelet_certificate_manager_client_ttl_seconds < 86400']))
    return log(C([
        f"E{ri(1000, 1231)} {ri(0, 23):02d}:{ri(0, 59):02d}:{ri(0, 59):02d}.{ri(0, 999999)} {ri(1, 9999)} authentication.go:{ri(50, 99)}] \"Unable to authenticate the request\" err=\"[x509: certificate has expired or is not yet valid: {after_phrase()}]\"",
        f"kubelet: part of the existing bootstrap client certificate in /var/lib/kubelet/pki/kubelet-client-current.pem is expired: {ts()}",
        f"[check-expiration] CERTIFICATE apiserver EXPIRES {C(['Jan', 'Feb'])} {ri(1, 28):02d}, 2026 {ri(0, 23):02d}:00 UTC RESIDUAL TIME {ri(1, 9)}d",
    ]), service=C(["kube-apiserver", "kubelet", "kubeadm"]), host_=h)


def cert_ssl_exporter():
    d = domain()
    secs = ri(2, 20) * 86400
    return alert(C(["SSLCertificateExpiringSoon", "CertFileExpiring", "X509CertExpiresSoon"]),
                 {"instance": d, "path": f"/etc/ssl/certs/{d}.pem" if chance(0.5) else None},
                 summary=f"Certificate {C([d, 'on ' + d])} expires in {secs // 86400} days",
                 expr=C([f'ssl_cert_not_after{{instance="{d}"}} - time() < 86400 * 14',
                         f'(ssl_file_cert_not_after - time()) < {C([7, 14, 30])} * 86400']),
                 metrics={"seconds_until_expiry": secs} if chance(0.5) else None)


def cert_probe():
    d = domain()
    days = C([-9, -3, -2, 0, 2, 3, 5, 6, 7, 9, 10, 12, 14])
    if days > 0:
        txt = f"certificate for {d} expires in {days} days (notAfter={C(['Mar', 'Jun', 'Oct'])} {ri(1, 28)} 12:00:00 2026 GMT)"
    elif days == 0:
        txt = f"certificate for {d} expires today ({ri(1, 23)}h left)"
    else:
        txt = f"certificate for {d} EXPIRED {-days} days ago"
    return probe(C(["TLS certificate check", f"cert {d}", "https certificate"]), txt,
                 {"cert_days_remaining": days, "probe_success": 1 if days > 0 else 0}, resource={"host": d})


def cert_envoy_grpc():
    s = svc()
    return log(C([
        f"[{logts()}][{ri(10, 99)}][debug][connection] [source/common/tls/ssl_socket.cc:{ri(200, 300)}] [C{ri(1, 9999)}] remote address:{ip()}:443,TLS error: {ri(100000000, 300000000)}:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED: certificate has expired",
        f"rpc error: code = Unavailable desc = connection error: desc = \"transport: authentication handshake failed: x509: certificate has expired or is not yet valid\"",
        f"istio-proxy: workload certificate for spiffe://cluster.local/ns/{ns()}/sa/{s} expired at {ts()}; SDS rotation failed",
    ]), service=s)


# ---------------------------------------------------------------------------------------------------------------------
# dependency_timeout
# ---------------------------------------------------------------------------------------------------------------------

def dep():
    return C(SERVICES)


def port():
    return C([80, 8080, 8443, 9090, 443, 3000, 5000, 50051])


def to_go_http():
    s, d = svc(), dep()
    text = C([
        f"{logts()} level=error msg=\"call failed\" dependency={d} err=\"Get \\\"http://{d}.{ns()}.svc:{port()}/v1/{C(['stock', 'quote', 'users', 'rates'])}\\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)\"",
        f"error calling {d}: Post \"http://{d}:{port()}/api/charge\": context deadline exceeded",
        f"{{\"level\":\"error\",\"ts\":{ri(1700000000, 1799999999)}.{ri(0, 999)},\"msg\":\"upstream call failed\",\"upstream\":\"{d}\",\"error\":\"context deadline exceeded\",\"elapsed\":\"{ri(1, 30)}.{ri(0, 999)}s\"}}",
        f"net/http: request canceled (Client.Timeout exceeded while awaiting headers) calling {d}",
    ])
    return log(text, service=s)


def to_grpc():
    s, d = svc(), dep()
    text = C([
        f"rpc error: code = DeadlineExceeded desc = context deadline exceeded (calling {d}.{C(['GetQuote', 'Reserve', 'Authorize', 'Lookup'])})",
        f"io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after {rf(0.5, 30, 2)}s. [closed=[], open=[[remote_addr={d}/{ip()}:50051]]]",
        f"{logts()} WARN grpc client {d}: DEADLINE_EXCEEDED after {ri(100, 30000)}ms on /{d.replace('-', '.')}.v1.Service/{C(['Get', 'List', 'Create'])}",
    ])
    if chance(0.35):
        return alert(C(["GrpcClientDeadlineExceeded", "GRPCDeadlineExceededHigh", "UpstreamGrpcTimeouts"]),
                     {"grpc_service": f"{d}.v1.Service", "service": s, "namespace": ns()},
                     summary=f"{s}: gRPC calls to {d} exceeding deadline",
                     description=f"{ri(2, 40)}% of calls from {s} to {d} ended DEADLINE_EXCEEDED over the last {dur()}.",
                     expr=f'sum(rate(grpc_client_handled_total{{grpc_code="DeadlineExceeded",grpc_service=~"{d}.*"}}[5m])) / sum(rate(grpc_client_handled_total{{grpc_service=~"{d}.*"}}[5m])) > 0.0{ri(1, 9)}',
                     service=s)
    return log(text, service=s)


def to_nginx():
    d = dep()
    up = f"{ip()}:{port()}"
    path_ = C(["/api/v1/orders", "/checkout", "/graphql", "/v2/search", "/login", "/cart/items"])
    text = C([
        f"{logts()} [error] {ri(1, 99)}#{ri(0, 9)}: *{ri(1, 9999999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip()}, server: {d}.example.com, request: \"GET {path_} HTTP/1.1\", upstream: \"http://{up}{path_}\", host: \"{d}.example.com\"",
        f"{logts()} [error] {ri(1, 99)}#0: *{ri(1, 999999)} upstream timed out (110: Connection timed out) while connecting to upstream, client: {ip()}, upstream: \"http://{up}/\"",
        f"{ip()} - - [{ri(1, 28)}/Mar/2026:{ri(0, 23):02d}:{ri(0, 59):02d}:{ri(0, 59):02d} +0000] \"POST {path_} HTTP/1.1\" 504 {C([160, 167, 562])} \"-\" \"okhttp/4.12.0\" rt={rf(30, 60, 3)} uct=0.001 urt={rf(30, 60, 3)}",
    ])
    return log(text, service=C(["nginx", "ingress-nginx", "edge-proxy", "api-gateway"]))


def to_envoy():
    s, d = svc(), dep()
    if chance(0.5):
        return log(C([
            f"[{ts()}] \"GET /{C(['v1', 'v2'])}/{C(['items', 'profile', 'prices'])} HTTP/1.1\" 504 UT {ri(0, 500)} 24 {ri(15000, 60000)} - \"{ip()}\" \"Go-http-client/1.1\" \"{rid(8)}-{rid(4)}\" \"{d}:{port()}\" \"{ip()}:{port()}\"",
            f"upstream request timeout (route to cluster outbound|{port()}||{d}.{ns()}.svc.cluster.local)",
        ]), service=C(["istio-ingressgateway", "envoy", s]))
    return alert(C(["EnvoyUpstreamRequestTimeouts", "IstioUpstreamTimeoutHigh", "ServiceMeshTimeouts"]),
                 {"envoy_cluster_name": f"outbound|{port()}||{d}.{ns()}.svc.cluster.local", "source_workload": s},
                 summary=f"Requests from {s} to {d} are timing out",
                 description=f"{ri(1, 50)} req/s hitting the route timeout towards {d}.",
                 expr=f'sum(rate(envoy_cluster_upstream_rq_timeout{{envoy_cluster_name=~".*{d}.*"}}[5m])) > {ri(1, 10)}',
                 service=s)


def to_java():
    s, d = svc(), dep()
    text = C([
        f"{logts()} ERROR [{s},{rid(16, '0123456789abcdef')}] --- [nio-8080-exec-{ri(1, 200)}] c.e.{s.replace('-', '')}.client.{d.title().replace('-', '')}Client : call failed\njava.net.SocketTimeoutException: Read timed out",
        f"feign.RetryableException: Read timed out executing GET http://{d}/api/{C(['stock', 'price', 'accounts'])}/{ri(1, 99999)}",
        f"org.springframework.web.client.ResourceAccessException: I/O error on POST request for \"http://{d}:{port()}/charge\": Read timed out",
        f"java.net.SocketTimeoutException: connect timed out (connecting to {d}/{ip()}:{port()})",
        f"io.github.resilience4j.timelimiter: TimeLimiter '{d}' recorded a timeout exception: java.util.concurrent.TimeoutException: Did not observe any item or terminal signal within {ri(1, 30) * 1000}ms",
    ])
    return log(text, service=s)


def to_python():
    s, d = svc(), dep()
    text = C([
        f"requests.exceptions.ReadTimeout: HTTPConnectionPool(host='{d}', port={port()}): Read timed out. (read timeout={C([2, 5, 10, 30])})",
        f"requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='{d}.{ns()}.svc', port=443): Max retries exceeded with url: /v1 (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{rid(10, '0123456789abcdef')}>, 'Connection to {d} timed out. (connect timeout=3)'))",
        f"httpx.ReadTimeout: timed out while waiting for {d}",
        f"asyncio.exceptions.TimeoutError while awaiting response from {d} (timeout={ri(1, 30)}s)",
    ])
    return log(text, service=s)


def to_node():
    s, d = svc(), dep()
    text = C([
        f"Error: connect ETIMEDOUT {ip()}:{port()}\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {{\n  errno: -110,\n  code: 'ETIMEDOUT',\n  syscall: 'connect'\n}}",
        f"AxiosError: timeout of {ri(1, 30) * 1000}ms exceeded (calling {d})",
        f"{{\"level\":50,\"msg\":\"request to {d} failed\",\"err\":{{\"type\":\"AbortError\",\"message\":\"The operation was aborted due to timeout\"}}}}",
    ])
    return log(text, service=s)


def to_dotnet():
    s, d = svc(), dep()
    text = C([
        f"System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of {C([30, 60, 100])} seconds elapsing.\n ---> System.TimeoutException: A task was canceled.",
        f"{logts()} fail: {s}.Clients.{d.title().replace('-', '')}Client[0] Call to {d} timed out after {ri(1, 100)}s",
        f"System.Net.Http.HttpRequestException: A connection attempt failed because the connected party did not properly respond after a period of time ({d}:{port()})",
    ])
    return log(text, service=s)


def to_alert_latency():
    s, d = svc(), dep()
    name = C(["DependencyTimeoutsHigh", "UpstreamTimeoutRate", "DownstreamCallTimeouts", "HttpClientTimeouts",
              "ExternalApiTimeouts"])
    return alert(name, {"service": s, "dependency": d, "namespace": ns()},
                 summary=C([f"{s} calls to {d} are timing out", f"Timeouts calling {d}",
                            f"{d} not answering {s} in time"]),
                 description=C([f"{ri(2, 60)}% of outbound requests from {s} to {d} hit the client timeout ({ri(1, 30)}s) over {dur()}.",
                                f"Outbound calls to {d} exceed the {ri(500, 10000)}ms timeout."]),
                 expr=C([f'sum(rate(http_client_requests_seconds_count{{service="{s}",uri=~".*{d}.*",outcome="TIMEOUT"}}[5m])) > {ri(1, 5)}',
                         f'sum(rate(outbound_request_timeouts_total{{target="{d}"}}[5m])) / sum(rate(outbound_requests_total{{target="{d}"}}[5m])) > 0.0{ri(1, 9)}']),
                 service=s)


def to_haproxy():
    be = f"be_{dep().replace('-', '_')}"
    text = C([
        f"{logts()} haproxy[{ri(100, 9999)}]: {ip()}:{ri(1024, 65535)} [{ri(1, 28)}/Mar/2026:{ri(0, 23)}:{ri(10, 59)}:{ri(10, 59)}.{ri(100, 999)}] fe_https~ {be}/srv{ri(1, 6)} 0/0/1/-1/{ri(30000, 60000)} 504 194 - - sH-- {ri(1, 500)}/{ri(1, 500)}/{ri(0, 50)}/{ri(0, 20)}/0 0/0 \"GET /api HTTP/1.1\"",
        f"{logts()} haproxy[{ri(100, 9999)}]: Server {be}/srv{ri(1, 6)} is DOWN, reason: Layer4 timeout, check duration: {ri(2000, 5000)}ms. {ri(0, 3)} active and 0 backup servers left.",
    ])
    return log(text, service="haproxy")


def to_data_clients():
    s = svc()
    text = C([
        f"io.lettuce.core.RedisCommandTimeoutException: Command timed out after {C(['1 minute(s)', '5 second(s)', '500 millisecond(s)'])}",
        f"java.net.SocketTimeoutException: {ri(10, 60)},000 milliseconds timeout on connection http-outgoing-{ri(0, 40)} [ACTIVE] (elasticsearch client)",
        f"org.apache.kafka.common.errors.TimeoutException: Expiration of {ri(1, 500)} record(s) for {C(['orders', 'events', 'payments'])}-{ri(0, 11)}:{ri(120000, 300000)} ms has passed since batch creation",
        f"psycopg2.OperationalError: connection to server at \"{C(DBS)}-db.{ns()}.svc\" ({ip()}), port 5432 failed: timeout expired",
        f"redis.exceptions.TimeoutError: Timeout reading from {C(['redis-master', 'cache', 'sessions-redis'])}:6379",
    ])
    return log(text, service=s)


def to_probe():
    s, d = svc(), dep()
    t = ri(5, 30)
    return probe(C([f"{d} health", f"http check {d}", "upstream probe"]),
                 C([f"GET https://{d}.internal/healthz: context deadline exceeded after {t}s",
                    f"probe to {d} timed out after {t}s (no response)",
                    f"HTTP probe {d}: operation timed out"]),
                 {"probe_success": 0, "probe_duration_seconds": float(t)}, service=d)


def to_api_gateway():
    d = dep()
    return api(C(["Gateway Timeout", "504 from upstream", "API Gateway timeout"]),
               C([f"Upstream {d} did not respond within {ri(5, 60)}s; returned 504 Gateway Timeout to {ri(10, 900)} clients",
                  f"504 Gateway Time-out from {d} on {C(['POST /payments', 'GET /search', 'PUT /cart'])}",
                  f"Integration timeout: {d} exceeded {ri(3, 29)} s"]),
               service=d, labels={"status_code": "504", "upstream": d} if chance(0.5) else None)


# ---------------------------------------------------------------------------------------------------------------------
# connection_pool_exhausted
# ---------------------------------------------------------------------------------------------------------------------

def pool_postgres_log():
    u, db = C(USERS), C(DBS)
    text = C([
        f"{logts()} UTC [{ri(100, 99999)}] FATAL:  remaining connection slots are reserved for non-replication superuser connections",
        f"{logts()} UTC [{ri(100, 99999)}] FATAL:  sorry, too many clients already",
        f"{logts()} UTC [{ri(100, 99999)}] {u}@{db} FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute",
        f"psycopg2.OperationalError: connection to server at \"{db}-db\" ({ip()}), port 5432 failed: FATAL:  sorry, too many clients already",
        f"org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for non-replication superuser connections",
        f"FATAL: too many connections for role \"{u}\"",
    ])
    return log(text, service=C(["postgres", svc(), f"{db}-db"]))


def pool_postgres_alert():
    inst = f"{C(DBS)}-db-{ri(0, 3)}"
    return alert(C(["PostgresqlTooManyConnections", "PostgresConnectionsNearMax", "PGConnectionSaturation",
                    "PostgreSQLMaxConnectionsReached"]),
                 {"instance": f"{inst}:9187", "datname": C(DBS)},
                 summary=C([f"PostgreSQL {inst} is using {ri(90, 100)}% of max_connections",
                            "Postgresql too many connections", f"{inst}: connection slots nearly exhausted"]),
                 description=f"{ri(180, 500)} of {C([200, 300, 500])} connections in use; new clients are being refused.",
                 expr=C(['sum by (instance) (pg_stat_activity_count) > on (instance) pg_settings_max_connections * 0.9',
                         'sum(pg_stat_activity_count{datname!~"template.*|postgres"}) by (instance) / on(instance) pg_settings_max_connections > 0.95']))


def pool_mysql():
    if chance(0.5):
        return log(C([
            f"ERROR 1040 (08004): Too many connections",
            f"{logts()} {ri(1, 99999)} [Note] [MY-010914] [Server] Aborted connection {ri(1, 99999)} to db: '{C(DBS)}' user: '{C(USERS)}' host: '{ip()}' (Too many connections)",
            f"com.mysql.cj.jdbc.exceptions.CommunicationsException: Data source rejected establishment of connection,  message from server: \"Too many connections\"",
            f"pymysql.err.OperationalError: (1040, 'Too many connections')",
            f"SQLSTATE[HY000] [1040] Too many connections",
        ]), service=C(["mysql", svc(), "mariadb"]))
    inst = f"{C(['mysql', 'mariadb'])}-{C(DBS)}-{ri(0, 3)}"
    return alert(C(["MysqlTooManyConnections", "MySQLConnectionsExhausted", "MySQLMaxConnections"]),
                 {"instance": f"{inst}:9104"},
                 summary=f"MySQL {inst} has too many connections (> {(n := C([80, 90, 95]))}%)",
                 description=f"More than {n}% of MySQL connections are in use.",
                 expr=f"max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections * 100 > {n}")


def pool_hikari():
    s = svc()
    pool = C(["HikariPool-1", "HikariPool-2", f"{s}-pool", "primary"])
    if chance(0.6):
        return log(C([
            f"java.sql.SQLTransientConnectionException: {pool} - Connection is not available, request timed out after {C([30000, 30001, 10000, 5000])}ms.",
            f"{logts()} WARN [{s}] com.zaxxer.hikari.pool.HikariPool : {pool} - Connection is not available, request timed out after 30004ms (total={(n := C([10, 20, 50]))}, active={n}, idle=0, waiting={ri(1, 300)})",
            f"org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: {pool} - Connection is not available, request timed out after 30000ms.",
        ]), service=s)
    return alert(C(["HikariPoolPendingConnections", "JdbcPoolExhausted", "HikariCPConnectionsPending"]),
                 {"application": s, "pool": pool},
                 summary=f"{s}: JDBC pool {pool} has threads waiting for a connection",
                 description=f"{ri(5, 200)} threads waiting for a connection; active = max ({C([10, 20, 30])}).",
                 expr=f'hikaricp_connections_pending{{application="{s}"}} > {ri(0, 10)}', service=s)


def pool_sqlalchemy():
    s = svc()
    return log(C([
        f"sqlalchemy.exc.TimeoutError: QueuePool limit of size {C([5, 10, 20])} overflow {C([10, 5, 0])} reached, connection timed out, timeout {C([30.00, 10.00])} (Background on this error at: https://sqlalche.me/e/20/3o7r)",
        f"{logts()} ERROR {s}: QueuePool limit of size 5 overflow 10 reached; {ri(5, 80)} requests waiting",
        f"django.db.utils.OperationalError: connection pool exhausted ({ri(10, 100)}/{ri(10, 100)} in use)",
    ]), service=s)


def pool_redis():
    if chance(0.5):
        return log(C([
            "ERR max number of clients reached",
            f"redis.exceptions.ConnectionError: max number of clients reached",
            f"{logts()} WARN cache: Redis {C(['sessions-redis', 'redis-cache', 'rate-limit-redis'])}:6379 rejected connection: max number of clients reached ({C([10000, 4064, 20000])})",
        ]), service=C(["redis", svc()]))
    return alert(C(["RedisTooManyConnections", "RedisMaxClientsReached", "RedisConnectionsSaturated"]),
                 {"instance": f"{C(['redis', 'cache', 'sessions'])}-{ri(0, 5)}:9121"},
                 summary="Redis is running out of client connections",
                 description=f"Redis has {ri(9000, 10000)} connected clients out of maxclients 10000.",
                 expr="redis_connected_clients / redis_config_maxclients * 100 > 90")


def pool_go_sql():
    s = svc()
    if chance(0.5):
        return alert(C(["GoSqlPoolSaturated", "DBPoolWaits", "DatabaseConnectionPoolExhausted"]),
                     {"service": s, "db": C(DBS)},
                     summary=f"{s}: all database connections in use, callers waiting",
                     description=f"In use {(n := C([25, 50, 100]))}/{n}; wait count rising {ri(10, 900)}/s.",
                     expr=C([f'rate(go_sql_wait_count_total{{service="{s}"}}[5m]) > 0 and go_sql_in_use_connections == go_sql_max_open_connections',
                             f'db_pool_in_use{{service="{s}"}} / db_pool_max_open >= 1']),
                     service=s)
    return log(C([
        f"{logts()} level=warn msg=\"db pool exhausted\" open={(n := C([25, 50]))} in_use={n} idle=0 wait_count={ri(100, 99999)} wait_duration={ri(1, 600)}s",
        f"pgxpool: failed to acquire connection: pool exhausted (max {C([10, 20, 40])}) after {ri(1, 30)}s",
    ]), service=s)


def pool_ruby_node():
    s = svc()
    return log(C([
        f"ActiveRecord::ConnectionTimeoutError: could not obtain a connection from the pool within 5.000 seconds (waited {rf(5, 6, 3)} seconds); all pooled connections were in use",
        f"SequelizeConnectionAcquireTimeoutError: Operation timeout (pool max {C([5, 10, 20])} reached)",
        f"KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?",
        f"Error: Cannot acquire connection: connection pool exhausted for {C(DBS)}",
    ]), service=s)


def pool_envoy_overflow():
    s, d = svc(), dep()
    return alert(C(["EnvoyCircuitBreakerOpen", "UpstreamConnectionPoolOverflow", "IstioConnectionPoolOverflow"]),
                 {"envoy_cluster_name": f"outbound|{port()}||{d}.{ns()}.svc.cluster.local", "workload": s},
                 summary=f"Connection pool to {d} is full (max_connections reached)",
                 description=f"Envoy in {s} rejects requests to {d}: upstream connection pool overflow, circuit breaker open.",
                 expr=f'sum(rate(envoy_cluster_upstream_cx_overflow{{envoy_cluster_name=~".*{d}.*"}}[5m])) > 0',
                 service=s)


def pool_probe():
    db = C(DBS)
    used, mx = ri(95, 100), 100
    return probe(C([f"{db} connections", "db connection pool", "connection usage"]),
                 C([f"connection pool for {db} exhausted: {mx}/{mx} in use, {ri(5, 200)} waiting",
                    f"{db}: {used}/{mx} connections used (max_connections reached)",
                    f"pool saturated: active={mx} max={mx} pending={ri(5, 90)}"]),
                 {"pool_active": mx, "pool_max": mx, "pool_pending": ri(5, 200)}, service=f"{db}-db")


def pool_pgbouncer_pgpool():
    # PgBouncer pool-side waits (the held-out uses PgBouncer's client-limit message instead).
    return alert(C(["PgPoolAllConnectionsInUse", "PgbouncerPoolSaturation"]),
                 {"pool": C(DBS), "instance": f"pgbouncer-{ri(0, 3)}"},
                 summary="All server connections in the pool are in use; clients are queueing",
                 description=f"{ri(10, 400)} clients waiting for a server connection for over {ri(5, 120)}s.",
                 expr='pgbouncer_pools_server_active_connections >= pgbouncer_databases_pool_size')


# ---------------------------------------------------------------------------------------------------------------------
# unknown (other faults, and near-misses of the five classes)
# ---------------------------------------------------------------------------------------------------------------------

def u_high_cpu():
    h = host()
    v = ri(85, 100)
    return alert(C(["HostHighCpuLoad", "NodeCPUHigh", "HighCPUUsage", "CPUUsageCritical"]), {"instance": f"{h}:9100"},
                 summary=C([f"CPU usage on {h} above {v - 5}%", "Host high CPU load"]),
                 description=f"CPU load is {v}% for {dur()}.",
                 expr='100 - (avg by(instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])) * 100) > 85',
                 resource={"host": h})


def u_cpu_throttle():
    s, n = svc(), ns()
    return alert(C(["CPUThrottlingHigh", "ContainerCpuThrottled"]), {"namespace": n, "container": s, "pod": pod(s)},
                 summary=f"{ri(25, 90)}% throttling of CPU in namespace {n} for container {s}",
                 expr='sum(increase(container_cpu_cfs_throttled_periods_total[5m])) by (container, pod, namespace) / sum(increase(container_cpu_cfs_periods_total[5m])) by (container, pod, namespace) > 0.25')


def u_replication_lag():
    if chance(0.5):
        inst = f"{C(DBS)}-replica-{ri(0, 4)}"
        return alert(C(["PostgresqlReplicationLag", "PGReplicaLagging"]), {"instance": inst},
                     summary=f"Replica {inst} is {ri(30, 3600)}s behind primary",
                     expr="pg_replication_lag_seconds > 30")
    return alert(C(["MysqlSlaveReplicationLag", "MySQLReplicaBehind"]), {"instance": f"mysql-{ri(1, 5)}:9104"},
                 summary="MySQL replica lag is high",
                 description=f"Seconds_Behind_Master = {ri(60, 9000)}",
                 expr="mysql_slave_status_seconds_behind_master - mysql_slave_status_sql_delay > 30")


def u_crashloop():
    s, n = svc(), ns()
    p = pod(s)
    if chance(0.5):
        return k8s_event("BackOff", f"Back-off restarting failed container {s} in pod {p}_{n}({rid(8)}-{rid(4)})",
                         "Pod", n, p, s)
    return alert(C(["KubePodCrashLooping", "PodCrashLoopBackOff"]), {"namespace": n, "pod": p, "container": s},
                 summary="Pod is crash looping.",
                 description=f"Pod {n}/{p} ({s}) is in waiting state (reason: \"CrashLoopBackOff\").",
                 expr='max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1')


def u_dns():
    s, d = svc(), dep()
    text = C([
        f"dial tcp: lookup {d}.{ns()}.svc.cluster.local on 10.96.0.10:53: no such host",
        f"Error: getaddrinfo ENOTFOUND {d}.internal",
        f"java.net.UnknownHostException: {d}: Name or service not known",
        f"{logts()} coredns: [ERROR] plugin/errors: 2 {d}.{C(['corp', 'internal'])}. A: NXDOMAIN",
        f"psycopg2.OperationalError: could not translate host name \"{C(DBS)}-db\" to address: Name or service not known",
    ])
    return log(text, service=s)


def u_auth():
    s = svc()
    text = C([
        f"{logts()} UTC [{ri(100, 99999)}] FATAL:  password authentication failed for user \"{C(USERS)}\"",
        f"Access denied for user '{C(USERS)}'@'{ip()}' (using password: YES)",
        f"HTTP 401 Unauthorized from {dep()}: invalid bearer token",
        f"403 Forbidden: principal {s}@{ns()} lacks permission storage.objects.get on bucket {rid(8)}",
        f"User \"system:serviceaccount:{ns()}:{s}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{ns()}\"",
        f"An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
        f"redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.",
    ])
    if chance(0.25):
        return alert(C(["HighAuthFailures", "Http401Spike", "LoginFailuresHigh"]), {"service": s},
                     summary=f"Spike in 401/403 responses on {s}",
                     expr=f'sum(rate(http_requests_total{{service="{s}",code=~"401|403"}}[5m])) > 20', service=s)
    return log(text, service=s)


def u_node_not_ready():
    h = host()
    if chance(0.5):
        return k8s_event("NodeNotReady", f"Node {h} status is now: NodeNotReady", "Node", None, h, host_=h)
    return alert(C(["KubeNodeNotReady", "KubernetesNodeNotReady"]), {"node": h},
                 summary="Node is not ready.", description=f"{h} has been unready for more than 15 minutes.",
                 expr='kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0')


def u_image_pull():
    s, n = svc(), ns()
    img = f"registry.internal/{n}/{s}:{ri(1, 9)}.{ri(0, 40)}.{ri(0, 9)}"
    return k8s_event(C(["Failed", "ErrImagePull", "ImagePullBackOff"]),
                     C([f"Failed to pull image \"{img}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{img}\": not found",
                        f"Back-off pulling image \"{img}\"",
                        f"Failed to pull image \"{img}\": pull access denied, repository does not exist or may require authorization",
                        f"Error: ErrImagePull: manifest unknown: manifest tagged by \"{img.rsplit(':', 1)[1]}\" is not found"]),
                     "Pod", n, pod(s), s)


def u_5xx():
    s = svc()
    return alert(C(["HighErrorRate", "Http5xxRateHigh", "ServiceErrorRatioHigh", "IngressHigh5xx"]), {"service": s, "namespace": ns()},
                 summary=f"{s} 5xx ratio is {rf(2, 40, 1)}%",
                 description=f"More than {C([1, 2, 5])}% of requests to {s} failing with 5xx for {dur()}.",
                 expr=f'sum(rate(http_requests_total{{service="{s}",code=~"5.."}}[5m])) / sum(rate(http_requests_total{{service="{s}"}}[5m])) > 0.05',
                 service=s)


def u_replicas_mismatch():
    s, n = svc(), ns()
    return alert(C(["KubeDeploymentReplicasMismatch", "KubeStatefulSetReplicasMismatch", "DeploymentUnavailable"]),
                 {"namespace": n, "deployment": s},
                 summary="Deployment has not matched the expected number of replicas.",
                 description=f"Deployment {n}/{s} has not matched the expected number of replicas for longer than 15 minutes.",
                 expr='kube_deployment_spec_replicas != kube_deployment_status_replicas_available')


def u_queue_lag():
    grp = f"{svc()}-consumer"
    if chance(0.5):
        return alert(C(["KafkaConsumerLagHigh", "KafkaConsumersGroupLag"]), {"consumergroup": grp, "topic": C(["orders", "events", "clicks"])},
                     summary=f"Consumer group {grp} lag is {ri(10000, 9000000)}",
                     expr=f'sum(kafka_consumergroup_lag{{consumergroup="{grp}"}}) by (consumergroup, topic) > 50000')
    return alert(C(["RabbitmqQueueBacklog", "RabbitMQTooManyMessagesInQueue", "SQSQueueBacklog"]),
                 {"queue": C(["emails", "jobs.default", "webhooks.retry"])},
                 summary=f"Queue is filling up (> {ri(1000, 100000)} messages)",
                 expr="rabbitmq_queue_messages_ready > 10000")


def u_tls_unknown_ca():
    s, d = svc(), domain()
    text = C([
        f"Get \"https://{d}/\": x509: certificate signed by unknown authority",
        f"tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"{C(['internal-ca', 'corp-root'])}\")",
        f"Error: self signed certificate in certificate chain\n  code: 'SELF_SIGNED_CERT_IN_CHAIN'",
        f"javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        f"x509: certificate is valid for {C(['*.example.com', 'localhost', 'ingress.local'])}, not {d}",
        f"ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)",
        f"curl: (60) SSL certificate problem: self-signed certificate",
        f"Hostname/IP does not match certificate's altnames: Host: {d}. is not in the cert's altnames: DNS:{C(['*.old-domain.com', 'default.svc'])}",
    ])
    return log(text, service=s)


def u_conn_refused():
    s, d = svc(), dep()
    text = C([
        f"dial tcp {ip()}:{port()}: connect: connection refused",
        f"Error: connect ECONNREFUSED {ip()}:{C([5432, 6379, 3306, 8080])}",
        f"java.net.ConnectException: Connection refused (calling {d}:{port()})",
        f"{logts()} [error] {ri(1, 99)}#0: *{ri(1, 99999)} connect() failed (111: Connection refused) while connecting to upstream, client: {ip()}, upstream: \"http://{ip()}:{port()}/\"",
        f"psycopg2.OperationalError: connection to server at \"{C(DBS)}-db\" ({ip()}), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?",
        (lambda a, b: f"Readiness probe failed: Get \"http://{a}:{b}/ready\": dial tcp {a}:{b}: connect: connection refused")(ip(), port()),
        f"read tcp {ip()}:{ri(30000, 60000)}->{ip()}:{port()}: read: connection reset by peer",
    ])
    if "Readiness" in text:
        return k8s_event("Unhealthy", text, "Pod", ns(), pod(s), s)
    return log(text, service=s)


def u_disk_io():
    h, d = host(), C(["sda", "sdb", "nvme0n1", "xvdf", "vdb"])
    text = C([
        f"blk_update_request: I/O error, dev {d}, sector {ri(100000, 999999999)} op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0",
        f"EXT4-fs error (device {d}1): ext4_find_entry:{ri(1000, 1700)}: inode #{ri(2, 9999999)}: comm {C(['java', 'postgres', 'nginx'])}: reading directory lblock 0\nEXT4-fs (device {d}1): Remounting filesystem read-only",
        f"OSError: [Errno 30] Read-only file system: '/data/{rid(6)}'",
        f"mkdir /var/lib/{C(['app', 'docker', 'kubelet'])}/{rid(6)}: read-only file system",
        f"smartd[{ri(100, 999)}]: Device: /dev/{d} [SAT], {ri(1, 80)} Currently unreadable (pending) sectors",
        f"{logts()} ERROR: could not read block {ri(1, 99999)} in file \"base/{ri(16000, 99999)}/{ri(1000, 99999)}\": Input/output error",
    ])
    if chance(0.25):
        return alert(C(["NodeDiskIOSaturation", "HostDiskReadLatencyHigh", "HostUnusualDiskWriteRate"]), {"instance": f"{h}:9100", "device": d},
                     summary=f"Disk {d} on {h} is saturated", description="Disk latency is growing (read operations > 100ms).",
                     expr='rate(node_disk_io_time_weighted_seconds_total[5m]) > 10', resource={"host": h})
    return log(text, service=C([None, svc()]), host_=h)


def u_memory_reported():
    s, n = svc(), ns()
    lim = mi()
    used = int(lim * rf(0.2, 0.7))
    text = C([
        f"memory working set {used}Mi of {fmt_mem(lim)} limit ({used * 100 // lim}%)",
        f"heap used {used}MB / max {lim}MB after full GC, no action needed",
        f"RSS {used}Mi, within limit {fmt_mem(lim)}; cache {ri(10, 300)}Mi",
    ])
    if chance(0.4):
        return probe(C(["memory usage", f"{s} memory", "container memory"]), text,
                     {"memory_working_set_bytes": used * 1048576, "memory_limit_bytes": lim * 1048576}, service=s)
    if chance(0.5):
        # An alert on memory against its limit is oom under the class definitions (it was a near-miss before).
        near = 90 + (used * 100 // lim) % 10
        sig = alert(C(["ContainerMemoryNearLimit", "ContainerMemoryUsageHigh", "WorkingSetCloseToLimit"]),
                    {"namespace": n, "container": s}, severity="warning",
                    summary=f"{s} memory usage {near}% of limit",
                    description="The working set is close to the container memory limit; the next spike gets it OOM-killed.",
                    expr=f'container_memory_working_set_bytes{{container="{s}"}} / container_spec_memory_limit_bytes > 0.9')
        sig["_label"] = "oom"
        return sig
    return log(f"{logts()} INFO {s} stats: " + text, service=s)


def u_slo_burn():
    s = svc()
    return alert(C(["ErrorBudgetBurn", "SLOBurnRateHigh", "AvailabilitySLOBurn"]), {"slo": f"{s}-availability", "service": s, "long": "1h", "short": "5m"},
                 summary=f"{s} is burning its error budget {ri(6, 30)}x too fast",
                 expr=f'(slo:sli_error:ratio_rate1h{{slo="{s}-availability"}} > (14.4 * 0.001)) and (slo:sli_error:ratio_rate5m{{slo="{s}-availability"}} > (14.4 * 0.001))',
                 service=s)


def u_backup_failed():
    s = C(DBS)
    text = C([
        f"Backup {s}-nightly-{ri(100, 999)} failed: snapshot creation returned InvalidSnapshot.InProgress",
        f"velero: backup {ns()}/daily-{rid(5)} completed with status PartiallyFailed ({ri(1, 20)} errors)",
        f"pgbackrest: [ERROR] archive-push command failed: unable to find primary cluster",
        f"wal-g: backup-push failed: exit status 1",
    ])
    if chance(0.3):
        return alert(C(["BackupFailed", "VeleroBackupFailure", "DatabaseBackupMissing"]), {"job": f"{s}-backup"},
                     summary=f"Last successful backup of {s} is {ri(26, 90)}h old",
                     expr="time() - backup_last_success_timestamp_seconds > 26 * 3600")
    return api("Backup failed", text, service=f"{s}-backup")


def u_cron_failed():
    n = ns()
    j = C(["nightly-report", "cleanup", "sync-catalog", "invoice-run", "reindex"])
    if chance(0.5):
        return k8s_event("BackoffLimitExceeded", "Job has reached the specified backoff limit", "Job", n, f"{j}-{ri(28000000, 29999999)}")
    return alert(C(["KubeJobFailed", "CronJobFailed"]), {"namespace": n, "job_name": f"{j}-{ri(28000000, 29999999)}"},
                 summary="Job failed to complete.", description=f"Job {n}/{j} failed to complete. Removing failed job after investigation should clear this alert.",
                 expr='kube_job_failed{job="kube-state-metrics"} > 0')


def u_config_reload():
    c = C(["prometheus", "alertmanager", "nginx", "haproxy", "envoy"])
    if c in ("prometheus", "alertmanager"):
        return alert(C(["PrometheusConfigReloadFailure", "AlertmanagerConfigInconsistent", "ConfigReloadFailed"]),
                     {"job": c}, summary=f"Failed {c} configuration reload",
                     expr=f"max_over_time({c}_config_last_reload_successful[5m]) == 0")
    return log({
        "nginx": f"nginx: [emerg] unknown directive \"{rid(6)}\" in /etc/nginx/conf.d/{svc()}.conf:{ri(1, 80)}\nnginx: configuration file /etc/nginx/nginx.conf test failed",
        "haproxy": f"haproxy: [ALERT] config : parsing [/etc/haproxy/haproxy.cfg:{ri(10, 300)}] : unknown keyword '{rid(5)}' in 'backend' section; reload aborted",
        "envoy": f"envoy: rejecting LDS update: Error adding/updating listener(s) 0.0.0.0_{port()}: duplicate listener",
    }[c], service=c)


def u_lock_statement_timeout():
    s = svc()
    text = C([
        f"ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction",
        f"{logts()} UTC [{ri(100, 99999)}] ERROR:  canceling statement due to statement timeout",
        f"{logts()} UTC [{ri(100, 99999)}] ERROR:  canceling statement due to lock timeout",
        f"org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout",
        f"{logts()} UTC [{ri(100, 99999)}] FATAL:  terminating connection due to idle-in-transaction timeout",
        f"com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Lock wait timeout exceeded; try restarting transaction",
    ])
    return log(text, service=C([s, "postgres", "mysql"]))


def u_deadlock():
    return log(C([
        f"{logts()} UTC [{ri(100, 99999)}] ERROR:  deadlock detected\n\tDETAIL:  Process {ri(100, 99999)} waits for ShareLock on transaction {ri(100000, 9999999)}; blocked by process {ri(100, 99999)}.",
        "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction",
    ]), service=C([svc(), "postgres", "mysql"]))


def u_cert_renewed():
    d = domain()
    return C([
        lambda: k8s_event("Issuing", f"The certificate has been successfully issued; next renewal at {ts()}", "Certificate", ns(), f"{svc()}-tls"),
        lambda: log(f"certbot: Congratulations, all renewals succeeded: /etc/letsencrypt/live/{d}/fullchain.pem (success)", service="certbot"),
        lambda: api("Certificate rotated", f"New certificate for {d} installed; valid until 2027-{ri(1, 12):02d}-{ri(1, 28):02d}", service="pki"),
    ])()


def u_license_token_expiry():
    s = svc()
    return C([
        lambda: api("License expiring", f"{C(['Elastic Platinum', 'Confluent Enterprise', 'Grafana Enterprise', 'GitLab Premium'])} license expires in {ri(3, 30)} days; contact sales", service=s),
        lambda: log(f"HTTP 401: {{\"error\":\"invalid_token\",\"error_description\":\"The access token expired\"}} from {dep()}", service=s),
        lambda: log(f"jwt.exceptions.ExpiredSignatureError: Signature has expired", service=s),
        lambda: api("Password expiry", f"Service account {s} password expires in {ri(2, 14)} days per directory policy", service=s),
        lambda: api("Domain renewal", f"Domain {C(['acme.io', 'shopco.com', 'globex.net'])} registration expires in {ri(5, 40)} days; auto-renew is off"),
    ])()


def u_insufficient_sched():
    s, n = svc(), ns()
    tot = ri(3, 40)
    return k8s_event("FailedScheduling",
                     C([f"0/{tot} nodes are available: {tot - 1} Insufficient memory, 1 node(s) had untolerated taint {{node-role.kubernetes.io/control-plane: }}. preemption: 0/{tot} nodes are available: {tot} No preemption victims found for incoming pod.",
                        f"0/{tot} nodes are available: {tot} Insufficient cpu.",
                        f"0/{tot} nodes are available: {tot} node(s) didn't match Pod's node affinity/selector."]),
                     "Pod", n, pod(s), service=s if chance(0.3) else None)


def u_exit_nonmem():
    s, n = svc(), ns()
    p = pod(s)
    return k8s_event(C(["Killing", "Unhealthy", "Error"]),
                     C([f"Container {s} failed liveness probe, will be restarted",
                        f"Liveness probe failed: HTTP probe failed with statuscode: 500",
                        f"Container {s} terminated: reason Error, exit code 1",
                        f"Stopping container {s}; terminated with exit code 143 (SIGTERM) during rollout"]),
                     "Pod", n, p, s)


def u_rollout_stuck():
    s, n = svc(), ns()
    return k8s_event(C(["ProgressDeadlineExceeded", "DeploymentRolloutStuck"]),
                     C([f"ReplicaSet \"{s}-{rid(10)}\" has timed out progressing.",
                        f"Deployment {n}/{s} exceeded its progress deadline"]),
                     "Deployment", n, s)


def u_too_many_open_files():
    s = svc()
    return log(C([
        f"accept tcp [::]:{port()}: accept4: too many open files; retrying in 1s",
        f"java.io.IOException: Too many open files",
        f"Error: EMFILE: too many open files, open '/app/{rid(6)}.json'",
    ]), service=s)


def u_thread_pool_rejected():
    return log(C([
        f"EsRejectedExecutionException[rejected execution of coordinating operation [shard_detail=[{C(['logs', 'metrics'])}-{ri(1, 30)}][0][P]] on EsThreadPoolExecutor[name = es-{ri(0, 9)}/write, queue capacity = {C([200, 1000, 10000])}]]",
        f"java.util.concurrent.RejectedExecutionException: Task rejected from ThreadPoolExecutor[Running, pool size = {C([8, 16, 200])}, active threads = {C([8, 16, 200])}, queued tasks = {ri(100, 10000)}]",
    ]), service=C(["elasticsearch", svc()]))


def u_rate_limited():
    s = svc()
    return log(C([
        f"HTTP 429 Too Many Requests from {C(['api.stripe.com', 'api.github.com', 'sendgrid'])}: rate limit exceeded, retry after {ri(1, 60)}s",
        f"ThrottlingException: Rate exceeded (Service: DynamoDb, Status Code: 400)",
        f"{s}: rejected {ri(10, 999)} requests: per-tenant rate limit exceeded",
    ]), service=s)


def u_pool_info():
    s = svc()
    a, m = ri(1, 8), C([20, 50, 100])
    return log(C([
        f"{logts()} DEBUG com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Pool stats (total={m}, active={a}, idle={m - a}, waiting=0)",
        f"{logts()} INFO {s} db pool: open={a + 3} in_use={a} idle=3 max_open={m} wait_count=0",
        f"{logts()} INFO {s}: connection pool resized from {m // 2} to {m}",
    ]), service=s)


def u_kafka_isr():
    return alert(C(["KafkaUnderReplicatedPartitions", "KafkaOfflinePartitions", "KafkaIsrShrinks"]),
                 {"instance": f"kafka-{ri(0, 5)}:9308", "topic": C(["orders", "events", "audit"])},
                 summary=f"Kafka has {ri(1, 200)} under-replicated partitions",
                 expr="sum(kafka_server_replicamanager_underreplicatedpartitions) > 0")


def u_es_health():
    return alert(C(["ElasticsearchClusterRed", "ElasticsearchClusterYellow", "ElasticsearchUnassignedShards"]),
                 {"cluster": C(["logs", "search-prod"])},
                 summary=f"Elasticsearch cluster health is {C(['RED', 'YELLOW'])}",
                 description=f"{ri(1, 80)} shards unassigned after node {C(['es-data-3', 'es-hot-1'])} left the cluster.",
                 expr='elasticsearch_cluster_health_status{color="red"} == 1')


def u_target_down():
    j = C(["node-exporter", "kube-state-metrics", svc(), "blackbox"])
    return alert(C(["TargetDown", "PrometheusTargetMissing", "InstanceDown"]), {"job": j, "instance": f"{ip()}:{port()}"},
                 summary=f"{ri(10, 100)}% of the {j} targets are down.",
                 expr=f'100 * (count(up{{job="{j}"}} == 0) / count(up{{job="{j}"}})) > 10')


def u_misc_infra():
    h = host()
    return C([
        lambda: alert("NodeClockSkewDetected", {"instance": f"{h}:9100"}, summary="Clock skew detected.",
                      description=f"Clock on {h} is out of sync by more than 0.05s.", expr="node_timex_offset_seconds > 0.05"),
        lambda: alert("EtcdNoLeader", {"instance": f"etcd-{ri(0, 2)}"}, summary="etcd cluster has no leader",
                      expr="etcd_server_has_leader == 0"),
        lambda: alert("HostNetworkReceiveErrors", {"instance": f"{h}:9100", "device": C(["eth0", "ens5", "bond0"])},
                      summary="Host network receive errors", expr="rate(node_network_receive_errs_total[2m]) / rate(node_network_receive_packets_total[2m]) > 0.01"),
        lambda: alert("KubeHpaMaxedOut", {"namespace": ns(), "horizontalpodautoscaler": svc()},
                      summary="HPA is running at max replicas", expr="kube_horizontalpodautoscaler_status_current_replicas == kube_horizontalpodautoscaler_spec_max_replicas"),
        lambda: alert("Watchdog", {}, severity="none", summary="An alert that should always be firing to certify that Alertmanager is working properly.", expr="vector(1)"),
        lambda: log(f"{logts()} {h} kernel: NETDEV WATCHDOG: eth0 (ena): transmit queue {ri(0, 7)} timed out", service=None, host_=h),
        lambda: alert("PrometheusRuleFailures", {"job": "prometheus"}, summary="Prometheus is failing rule evaluations.",
                      expr="increase(prometheus_rule_evaluation_failures_total[5m]) > 0"),
        lambda: (lambda a: k8s_event("FailedMount", f"MountVolume.SetUp failed for volume \"{a}-config\" : configmap \"{a}-config\" not found", "Pod", ns(), pod(a)))(svc()),
        lambda: api("Load balancer unhealthy hosts", f"Target group {svc()}-tg has {ri(1, 6)} unhealthy targets (health checks returning 502)", service=svc()),
        lambda: log(f"{logts()} bgpd[{ri(100, 999)}]: %BGP-5-ADJCHANGE: neighbor {ip()} Down Peer closed the session", host_=h),
        lambda: alert("RedisDown", {"instance": f"redis-{ri(0, 3)}:9121"}, summary="Redis down", expr="redis_up == 0"),
        lambda: alert("JvmGcPauseLong", {"application": svc()}, summary="Long GC pauses", description=f"Max GC pause {ri(1, 9)}.{ri(0, 9)}s (G1 Young Generation)",
                      expr="jvm_gc_pause_seconds_max > 1"),
        lambda: alert("HostSwapHigh", {"instance": f"{h}:9100"}, summary="Swap usage on host is elevated",
                      description=f"Swap used: {ri(30, 80)}% on {h}; no processes killed.", expr="(1 - node_memory_SwapFree_bytes / node_memory_SwapTotal_bytes) * 100 > 30"),
        lambda: alert("CacheHitRatioLow", {"service": svc()}, summary=f"Cache hit ratio dropped to {ri(20, 60)}%",
                      expr="rate(cache_hits_total[5m]) / rate(cache_requests_total[5m]) < 0.6"),
        lambda: api("Deploy failed", f"Pipeline {svc()}#{ri(100, 9999)} failed at stage 'integration-tests' ({ri(1, 40)} tests failed)", service="ci"),
        lambda: log(f"{logts()} panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x{rid(6, '0123456789abcdef')}]", service=svc()),
        lambda: log(f"{logts()} ERROR unhandled exception: KeyError: '{C(['user_id', 'sku', 'tenant'])}'", service=svc()),
        lambda: alert("KubePersistentVolumeErrors", {"persistentvolume": f"pvc-{rid(8)}-{rid(4)}"}, summary="PersistentVolume is having issues with provisioning.",
                      expr='kube_persistentvolume_status_phase{phase=~"Failed|Pending"} > 0'),
    ])()


# ---------------------------------------------------------------------------------------------------------------------
# Rule-file vocabulary: alerts as common exporters' rule files write them (labels, annotations, a generatorURL with the
# rule's PromQL) and the log and event text of the same stacks. Metric names are the exporters' real ones, with their
# documented meaning; alert names and sentences are ours. These rows are appended after the first corpus, with their
# own draws from the same generator, so the rows above keep their ids and content.
# ---------------------------------------------------------------------------------------------------------------------

RULE_JOBS = {
    "node": ["node-exporter", "node", "node_exporter", "nodes"],
    "cadvisor": ["kubelet", "cadvisor", "kubernetes-cadvisor"],
    "ksm": ["kube-state-metrics", "ksm"],
    "blackbox": ["blackbox", "blackbox-http", "probe-https", "blackbox-exporter"],
    "postgres": ["postgres-exporter", "postgresql", "pg"],
    "mysql": ["mysqld-exporter", "mysql"],
    "redis": ["redis-exporter", "redis"],
    "mongodb": ["mongodb-exporter", "mongodb"],
    "elasticsearch": ["elasticsearch-exporter", "elasticsearch"],
    "kafka": ["kafka-exporter", "kafka-jmx", "kafka"],
    "rabbitmq": ["rabbitmq", "rabbitmq-exporter"],
    "envoy": ["envoy-stats", "envoy", "istio-proxy"],
    "haproxy": ["haproxy", "haproxy-exporter"],
    "nginx": ["nginx-exporter", "ingress-nginx", "nginx-ingress-controller"],
    "traefik": ["traefik", "traefik-metrics"],
    "certmanager": ["cert-manager"],
    "app": ["spring-actuator", "app-metrics", "micrometer", "service-monitor", "otel-collector"],
    "cloud": ["cloudwatch", "yace", "stackdriver-exporter", "azure-metrics-exporter"],
}


def alert_name(*choices):
    """An alert name from word choices, in one of the casings rule files use."""
    words = [C(c) if isinstance(c, list) else c for c in choices]
    words = [w for w in words if w]
    style = r.random()
    if style < 0.72:
        return "".join(words)
    if style < 0.9:
        return "_".join(w.lower() for w in words)
    return "_".join(w.upper() for w in words)


def rendered_labels(labels):
    return "map[" + " ".join(f"{k}:{v}" for k, v in sorted(labels.items())) + "]"


def rule(name, labels, summary, description, expr, family, value=None, service=None, resource=None):
    """An alert written from a rule file: the rule's labels, its annotations rendered, and its expression."""
    lab = {"job": C(RULE_JOBS[family])} if chance(0.7) else {}
    lab.update({k: v for k, v in labels.items() if v is not None})
    shape = r.random()
    desc = description
    if value is not None and shape < 0.3:
        desc = f"{description}\n  VALUE = {value}\n  LABELS = {rendered_labels(dict(lab, alertname=name))}"
    sig = alert(name, lab, summary=summary, description=desc, expr=expr, service=service, resource=resource)
    ann = sig.get("annotations", {})
    if shape > 0.85 and ann:
        ann = {"message": " ".join(v for k, v in ann.items() if k in ("summary", "description"))}
        sig["annotations"] = clean(ann)
    if chance(0.15):
        sig.setdefault("annotations", {})["runbook_url"] = f"https://wiki.example.internal/runbooks/{name.lower().replace(':', '-')}"
    return sig


def inst(port_):
    return f"{C([ip(), host()])}:{port_}"


def pc(lo=85, hi=99):
    return f"{ri(lo, hi)}.{ri(0, 9)}"


# --- oom: memory against a limit -------------------------------------------------------------------------------------

def v_oom_container_limit():
    s, n = svc(), ns()
    p = pod(s)
    thr = C(["0.9", "0.95", "0.85", "90", "95"])
    pct_ = thr in ("90", "95")
    expr = C([
        f'sum by (namespace, pod, container) (container_memory_working_set_bytes{{container!="", image!=""}}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{{resource="memory"}}) {"* 100 " if pct_ else ""}> {thr}',
        f'(container_memory_working_set_bytes{{namespace="{n}", container="{s}"}} / container_spec_memory_limit_bytes{{namespace="{n}", container="{s}"}}) {"* 100 " if pct_ else ""}> {thr}',
        f'max by (pod, container) (container_memory_rss{{container!=""}}) / max by (pod, container) (container_spec_memory_limit_bytes > 0) {"* 100 " if pct_ else ""}> {thr}',
        f'avg_over_time(container_memory_working_set_bytes{{container="{s}"}}[5m]) / on (namespace, pod, container) group_left kube_pod_container_resource_limits{{resource="memory", unit="byte"}} > {"0.9" if pct_ else thr}',
    ])
    name = alert_name(["Container", "Pod", "Workload", "K8sContainer", s.split("-")[0].title()],
                      ["Memory", "MemoryUsage", "WorkingSet", "Mem", "RSS"],
                      ["NearLimit", "High", "CloseToLimit", "AtLimit", "AboveThreshold", "Saturated", "Critical", ""])
    v = pc()
    return rule(name, {"namespace": n, "pod": p, "container": s},
                C([f"Container {s} in {n} is using {v}% of its memory limit",
                   f"{p} memory working set close to the limit",
                   f"Memory of {n}/{s} at {v}% of limit",
                   "Container memory usage is high",
                   f"{s}: memory usage above {thr if not pct_ else thr + '%'} of limits.memory"]),
                C([f"The working set of {n}/{p}/{s} has been above {v}% of its memory limit for {dur()}; it will be OOM-killed if it grows.",
                   f"Container {s} uses {v}% of the memory it is allowed. Raise the limit or find the leak.",
                   f"Pod {p} is close to limits.memory={fmt_mem(mi())}.",
                   "Memory usage against the container limit is above the alert threshold."]),
                expr, "cadvisor", value=v, service=s if chance(0.4) else None)


def v_oom_host_memory():
    h = host()
    v = ri(2, 9)
    expr = C([
        f'(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100 < {C([10, 5, 8])}',
        f'(1 - (node_memory_MemAvailable_bytes{{job="node"}} / node_memory_MemTotal_bytes{{job="node"}})) * 100 > {C([90, 92, 95])}',
        f'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.{C(["1", "05", "08"])} and rate(node_vmstat_pgmajfault[2m]) > 500',
        f'100 * (1 - ((node_memory_MemFree_bytes + node_memory_Cached_bytes + node_memory_Buffers_bytes) / node_memory_MemTotal_bytes)) > 95',
    ])
    name = alert_name(["Host", "Node", "Server", "Instance", "Vm"],
                      ["Memory", "Ram", "Mem", "AvailableMemory"],
                      ["Low", "Exhausted", "AlmostFull", "Critical", "UnderPressure", "Running Out".replace(" ", "")])
    return rule(name, {"instance": f"{h}:9100"},
                C([f"Host {h} has only {v}% memory left", f"Memory on {h} is nearly exhausted",
                   f"{h}: available memory under {v + 1}%", "Node memory almost used up"]),
                C([f"MemAvailable on {h} is {v}% of MemTotal; the kernel OOM killer is next.",
                   f"{h} is running out of RAM ({100 - v}% used).",
                   "Available memory is below the threshold for the node."]),
                expr, "node", value=f"{v}.{ri(0, 99)}", resource={"host": h} if chance(0.4) else None)


def v_oom_jvm():
    s = svc()
    area = C(["heap", "heap", "nonheap"])
    v = pc(88, 99)
    expr = C([
        f'sum by (instance, application) (jvm_memory_used_bytes{{area="{area}"}}) / sum by (instance, application) (jvm_memory_max_bytes{{area="{area}"}} > 0) > 0.9',
        f'jvm_memory_bytes_used{{area="{area}",job="{s}"}} / jvm_memory_bytes_max{{area="{area}",job="{s}"}} * 100 > 90',
        f'sum(jvm_memory_used_bytes{{application="{s}",area="{area}"}}) * 100 / sum(jvm_memory_max_bytes{{application="{s}",area="{area}"}}) > 92',
        f'jvm_memory_pool_bytes_used{{pool="{C(["G1 Old Gen", "Metaspace", "Compressed Class Space", "PS Old Gen"])}"}} / jvm_memory_pool_bytes_max > 0.9',
    ])
    nice = "heap" if area == "heap" else "non-heap"
    name = alert_name(["Jvm", "JVM", "Java", "Spring", ""],
                      ["Heap" if area == "heap" else "NonHeap", "Memory", "OldGen" if area == "heap" else "Metaspace"],
                      ["UsageHigh", "NearMax", "Full", "Exhausted", "Critical", "AlmostFull"])
    return rule(name, {"application": s, "instance": inst(8080), "area": area},
                C([f"JVM {nice} of {s} at {v}% of max", f"{s}: {nice} memory close to its maximum",
                   f"Java {nice} usage above 90%", f"{s} {nice} is nearly full"]),
                C([f"{s} has used {v}% of its {nice} (-Xmx {C(['1g', '2g', '4g', '512m'])}) for {dur()}; expect OutOfMemoryError.",
                   f"The {nice} pools of {s} are close to their configured maximum and GC cannot free enough.",
                   f"{nice.title()} used / max for {s} is {v}%."]),
                expr, "app", value=v, service=s)


def v_oom_runtime():
    s = svc()
    kind = C(["go", "dotnet", "node", "python", "node"])
    v = pc(88, 99)
    if kind == "go":
        expr = C(['go_memstats_heap_inuse_bytes / go_gc_gomemlimit_bytes > 0.9',
                  f'go_memstats_alloc_bytes{{job="{s}"}} / on (instance) go_gc_gomemlimit_bytes > 0.95',
                  f'process_resident_memory_bytes{{job="{s}"}} / on (pod) group_left kube_pod_container_resource_limits{{resource="memory"}} > 0.9'])
        summ = [f"{s}: Go heap at {v}% of GOMEMLIMIT", f"{s} Go runtime close to its memory limit"]
        desc = [f"Heap in use is {v}% of the GOMEMLIMIT soft limit; the GC is running continuously.",
                f"{s} resident memory is {v}% of the pod limit."]
        words = ["GoHeap", "GoMemLimit", "GoRuntimeMemory"]
    elif kind == "dotnet":
        expr = C([f'process_working_set_bytes{{job="{s}"}} / on (pod) group_left kube_pod_container_resource_limits{{resource="memory"}} > 0.9',
                  f'dotnet_gc_heap_size_bytes / dotnet_gc_memory_total_available_bytes > 0.85',
                  f'process_runtime_dotnet_gc_heap_size_bytes{{service_name="{s}"}} / process_runtime_dotnet_gc_committed_memory_size_bytes > 0.95'])
        summ = [f"{s}: .NET GC heap near the memory available to it", f"{s} working set at {v}% of its limit"]
        desc = [f"The GC heap of {s} uses {v}% of the memory the runtime may use (GCHeapHardLimit).",
                f"{s} working set {v}% of the container limit."]
        words = ["DotnetHeap", "DotNetMemory", "ClrHeap"]
    elif kind == "node":
        expr = C([f'nodejs_heap_size_used_bytes{{job="{s}"}} / nodejs_heap_size_total_bytes > 0.95',
                  f'nodejs_heap_space_size_used_bytes{{space="old"}} / nodejs_heap_space_size_available_bytes{{space="old"}} > 0.9',
                  f'max by (instance) (nodejs_heap_size_used_bytes{{app="{s}"}}) > 0.9 * {C([1536, 2048, 4096])} * 1024 * 1024'])
        summ = [f"{s}: V8 heap near --max-old-space-size", f"Node.js heap of {s} at {v}%"]
        desc = [f"V8 heap used is {v}% of the heap limit; the process will abort with 'heap out of memory'.",
                f"{s} old space is nearly full."]
        words = ["NodejsHeap", "NodeHeap", "V8Heap"]
    else:
        expr = C([f'process_resident_memory_bytes{{job="{s}"}} / on (pod) group_left kube_pod_container_resource_limits{{resource="memory"}} > 0.9',
                  f'max by (pod) (process_resident_memory_bytes{{service="{s}"}}) / max by (pod) (container_spec_memory_limit_bytes) > 0.92'])
        summ = [f"{s} worker RSS at {v}% of the pod limit", f"Python workers of {s} close to the memory limit"]
        desc = [f"gunicorn/celery workers of {s} use {v}% of the container's memory; the kernel will kill them.",
                f"Resident memory of {s} is {v}% of limits.memory."]
        words = ["ProcessMemory", "WorkerRss", "PythonMemory"]
    return rule(alert_name(words, ["NearLimit", "High", "AtLimit", "Critical"]), {"instance": inst(C([8080, 9090, 3000, 8000])), "service": s},
                C(summ), C(desc), expr, "app", value=v, service=s)


def v_oom_cache_broker():
    kind = C(["redis", "rabbitmq", "elasticsearch", "memcached", "rabbitmq"])
    v = pc(88, 99)
    if kind == "redis":
        i = f"redis-{C(['cache', 'sessions', 'queue', 'main'])}-{ri(0, 5)}"
        return rule(alert_name(["Redis", ""], ["Memory", "MaxMemory", "UsedMemory"], ["High", "NearMax", "Full", "Critical"]),
                    {"instance": f"{i}:9121"},
                    C([f"Redis {i} at {v}% of maxmemory", f"{i}: used_memory close to maxmemory", "Redis is running out of memory"]),
                    C([f"used_memory is {v}% of the configured maxmemory; writes fail with OOM once eviction cannot keep up.",
                       f"Redis {i} will start evicting keys or rejecting writes (maxmemory-policy {C(['noeviction', 'allkeys-lru', 'volatile-lru'])})."]),
                    C([f'redis_memory_used_bytes{{instance="{i}:9121"}} / redis_memory_max_bytes{{instance="{i}:9121"}} * 100 > 90',
                       'redis_memory_used_bytes / redis_memory_max_bytes > 0.9 and redis_memory_max_bytes > 0',
                       '100 * redis_memory_used_bytes / redis_memory_max_bytes > 95']),
                    "redis", value=v, service="redis")
    if kind == "rabbitmq":
        nd = f"rabbit@rabbitmq-{ri(0, 2)}"
        return rule(alert_name(["Rabbitmq", "RabbitMQ", "Rabbit"], ["Memory", "MemoryWatermark", "MemAlarm", "NodeMemory"], ["High", "Alarm", "Reached", "NearHighWatermark"]),
                    {"instance": f"{C(['rabbitmq-0', 'rabbitmq-1', 'rabbitmq-2'])}:15692", "rabbitmq_node": nd},
                    C([f"RabbitMQ node {nd} over its memory high watermark", f"{nd} memory at {v}% of the watermark",
                       "RabbitMQ memory alarm: publishers are blocked"]),
                    C(["The node has hit vm_memory_high_watermark and is blocking publishing connections.",
                       f"Resident memory is {v}% of the limit RabbitMQ computes from vm_memory_high_watermark."]),
                    C(['rabbitmq_alarms_memory_used_watermark == 1',
                       'rabbitmq_process_resident_memory_bytes / rabbitmq_resident_memory_limit_bytes > 0.9',
                       'rabbitmq_node_mem_used / rabbitmq_node_mem_limit > 0.9',
                       'rabbitmq_node_mem_alarm == 1']),
                    "rabbitmq", value=v, service="rabbitmq")
    if kind == "elasticsearch":
        nd = f"es-{C(['data', 'hot', 'master'])}-{ri(0, 6)}"
        return rule(alert_name(["Elasticsearch", "ES", "Opensearch"], ["Heap", "JvmHeap", "Memory"], ["TooHigh", "High", "NearMax", "Critical"]),
                    {"name": nd, "cluster": C(["logs", "search-prod"])},
                    C([f"Elasticsearch node {nd} heap at {v}%", f"{nd}: JVM heap usage close to its max", "Elasticsearch heap usage is too high"]),
                    C([f"Heap used on {nd} has been over 90% for {dur()}; circuit breakers and OutOfMemoryError follow.",
                       f"{nd} heap {v}% of heap_max."]),
                    C(['elasticsearch_jvm_memory_used_bytes{area="heap"} / elasticsearch_jvm_memory_max_bytes{area="heap"} > 0.9',
                       '(elasticsearch_jvm_memory_used_bytes{area="heap"} / elasticsearch_jvm_memory_max_bytes{area="heap"}) * 100 > 90']),
                    "elasticsearch", value=v, service="elasticsearch")
    i = f"memcached-{ri(0, 4)}"
    return rule(alert_name(["Memcached"], ["Memory", "Limit"], ["Full", "High", "Reached"]), {"instance": f"{i}:9150"},
                C([f"Memcached {i} at {v}% of limit_maxbytes", f"{i} memory is full"]),
                "Bytes stored are close to the configured memory limit and evictions are rising.",
                'memcached_current_bytes / memcached_limit_bytes > 0.95', "app", value=v, service="memcached")


def v_oom_logs_events():
    s, n = svc(), ns()
    h = host()
    p = pod(s)
    text = C([
        f"{logts()} {h} kubelet[{ri(800, 9999)}]: eviction manager: attempting to reclaim memory; pods ranked for eviction: {n}/{p}",
        f"Container {s} in pod {n}/{p} is using {pc(90, 99)}% of its memory limit ({fmt_mem(mi())}); next stop is an OOM kill",
        f"{logts()} WARN [{s}] heap usage {pc(90, 99)}% of -Xmx after full GC; allocation stalls expected",
        f"{logts()} # WARNING: used_memory {ri(7, 15)}.{ri(0, 9)}G is at maxmemory; keys are being evicted",
        f"{logts()} redis[{ri(1, 999)}]: -OOM command not allowed when used memory > 'maxmemory'.",
        f"{logts()} [warning] <0.{ri(100, 999)}.0> memory resource limit alarm set on node rabbit@{h}.\n**********************************************************\n*** Publishers will be blocked until this alarm clears ***\n**********************************************************",
        f"{logts()} [WARN ][o.e.i.b.HierarchyCircuitBreakerService] [{h}] [parent] Data too large, data for [<http_request>] would be [{ri(1, 30)}{ri(100, 999)}{ri(100, 999)}{ri(100, 999)}/{ri(1, 30)}.{ri(1, 9)}gb], which is larger than the limit of [{ri(1, 30)}{ri(100, 999)}{ri(100, 999)}{ri(100, 999)}/{ri(1, 30)}.{ri(1, 9)}gb]",
        f"{logts()} {s}: GC overhead: heap {pc(92, 99)}% full after collection, {ri(2, 30)} full GCs in the last minute",
        f"<--- JS stacktrace --->\nheap usage {pc(93, 99)}% of the {C([1536, 2048, 4096])} MB limit; old space exhausted",
    ])
    if "kubelet" in text:
        return log(text, service="kubelet", host_=h)
    return log(text, service=C([s, "redis", "rabbitmq", "elasticsearch"]) if any(w in text for w in ("maxmemory", "rabbit", "circuit", "Breaker")) else s,
               host_=h, container=s)


# --- disk_full: space and inodes -------------------------------------------------------------------------------------

def v_disk_rules():
    kind = C(["node", "node_inodes", "pvc", "pvc_inodes", "es", "rabbit", "cadvisor", "pg", "predict"])
    h, n, s = host(), ns(), svc()
    v = ri(1, 9)
    if kind in ("node", "predict"):
        mp = C(MOUNTS)
        expr = (f'predict_linear(node_filesystem_avail_bytes{{fstype!~"tmpfs|overlay",mountpoint="{mp}"}}[{C(["6h", "1h", "4h"])}], {C(["24 * 3600", "4 * 3600", "86400"])}) < 0'
                if kind == "predict" else
                C([f'(node_filesystem_avail_bytes{{fstype!~"tmpfs|fuse.lxcfs|squashfs|vfat"}} / node_filesystem_size_bytes) * 100 < {C([10, 5, 15])} and node_filesystem_readonly == 0',
                   f'100 - (node_filesystem_avail_bytes{{mountpoint="{mp}"}} * 100 / node_filesystem_size_bytes{{mountpoint="{mp}"}}) > {C([85, 90, 95])}',
                   f'node_filesystem_free_bytes{{mountpoint="{mp}"}} / node_filesystem_size_bytes < 0.1']))
        return rule(alert_name(["Host", "Node", "Filesystem", "Disk", "Mount"], ["Disk", "Space", "Filesystem", "Storage", ""],
                               ["Low", "FillingUp", "WillFill", "AlmostFull", "Critical", "Running Low".replace(" ", "")]),
                    {"instance": f"{h}:9100", "mountpoint": mp, "device": C(DEVICES), "fstype": C(FSTYPES)},
                    C([f"{mp} on {h} has {v}% space left", f"Filesystem {mp} will be full within {C(['4 hours', 'a day', '24h'])}",
                       f"Disk almost full on {h}", f"{h}:{mp} free space under {v + 1}%"]),
                    C([f"Only {v}% of {mp} on {h} is available.", f"At the current write rate {mp} fills up within the day.",
                       "Free space on the filesystem is below the threshold."]),
                    expr, "node", value=f"{v}.{ri(0, 99)}", resource={"host": h} if chance(0.3) else None)
    if kind == "node_inodes":
        mp = C(MOUNTS)
        return rule(alert_name(["Host", "Node", "Filesystem"], ["Inodes", "FreeInodes", "Files"], ["Low", "Exhausted", "AlmostGone", "FillingUp"]),
                    {"instance": f"{h}:9100", "mountpoint": mp},
                    C([f"{mp} on {h} is running out of inodes", f"{v}% inodes left on {mp}"]),
                    "Inodes are nearly exhausted; new files cannot be created even with free space.",
                    f'node_filesystem_files_free{{mountpoint="{mp}"}} / node_filesystem_files{{mountpoint="{mp}"}} * 100 < {C([5, 10])}',
                    "node", value=v)
    if kind in ("pvc", "pvc_inodes"):
        claim = C([f"data-{s}-0", f"{s}-storage", f"{s}-pvc", f"wal-{s}-{ri(0, 2)}"])
        if kind == "pvc":
            expr = C([f'kubelet_volume_stats_available_bytes{{persistentvolumeclaim="{claim}"}} / kubelet_volume_stats_capacity_bytes{{persistentvolumeclaim="{claim}"}} < 0.1',
                      f'(kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes) * 100 > 90'])
            summ = [f"Volume {claim} in {n} is {100 - v}% full", f"PVC {claim} almost out of space"]
        else:
            expr = 'kubelet_volume_stats_inodes_free / kubelet_volume_stats_inodes < 0.05'
            summ = [f"PVC {claim} is out of inodes", f"{claim}: {v}% inodes free"]
        return rule(alert_name(["Pvc", "PersistentVolume", "Volume", "K8sVolume"], ["Space", "Usage", "Inodes" if kind == "pvc_inodes" else "Capacity"], ["Low", "Critical", "Full", "High"]),
                    {"namespace": n, "persistentvolumeclaim": claim},
                    C(summ), f"The volume claimed by {claim} in {n} has {v}% left.", expr, "cadvisor", value=v)
    if kind == "es":
        nd = f"es-data-{ri(0, 8)}"
        return rule(alert_name(["Elasticsearch", "ES"], ["Disk", "DiskSpace", "Storage"], ["Low", "HighWatermark", "FloodStage", "Full"]),
                    {"name": nd, "cluster": "logs"},
                    C([f"{nd} has {v}% disk left", f"Elasticsearch {nd} is past the high disk watermark"]),
                    "Shards will be moved away, then indices set read-only at the flood stage.",
                    C(['elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes < 0.1',
                       '100 - 100 * elasticsearch_filesystem_data_free_bytes / elasticsearch_filesystem_data_size_bytes > 90']),
                    "elasticsearch", value=v, service="elasticsearch")
    if kind == "rabbit":
        return rule(alert_name(["Rabbitmq", "RabbitMQ"], ["Disk", "FreeDisk"], ["Alarm", "Low", "LimitReached"]),
                    {"instance": f"rabbitmq-{ri(0, 2)}:15692"},
                    C(["RabbitMQ free disk alarm", "RabbitMQ disk space close to its limit"]),
                    "Free disk is under disk_free_limit; publishers are blocked.",
                    C(['rabbitmq_alarms_free_disk_space_watermark == 1',
                       'rabbitmq_disk_space_available_bytes < rabbitmq_disk_space_available_limit_bytes * 2']),
                    "rabbitmq", service="rabbitmq")
    if kind == "cadvisor":
        p = pod(s)
        return rule(alert_name(["Container", "Pod"], ["Filesystem", "EphemeralStorage", "Fs"], ["Full", "High", "NearLimit"]),
                    {"namespace": n, "pod": p, "container": s},
                    C([f"{p} writable layer {100 - v}% of its limit", f"Ephemeral storage of {s} nearly used up"]),
                    "The container's filesystem usage is close to its limit; the kubelet will evict the pod.",
                    C(['container_fs_usage_bytes{container!=""} / container_fs_limit_bytes > 0.9',
                       f'sum by (pod) (container_fs_usage_bytes{{namespace="{n}"}}) / sum by (pod) (kube_pod_container_resource_limits{{resource="ephemeral_storage"}}) > 0.85']),
                    "cadvisor", value=v)
    db = C(DBS)
    return rule(alert_name(["Postgres", "Pg", "Database", "Mysql"], ["Database", "Tablespace", "Data"], ["Size", "Disk"], ["Critical", "High", "NearQuota"]),
                {"datname": db, "instance": inst(9187)},
                f"Database {db} is using {100 - v}% of its volume",
                "The data directory volume is nearly full; writes will fail with 'could not extend file'.",
                f'sum(pg_database_size_bytes) / on (instance) node_filesystem_size_bytes{{mountpoint="/var/lib/postgresql"}} > 0.9',
                "postgres", value=v)


def v_disk_logs():
    h, s = host(), svc()
    return log(C([
        f"{logts()} kubelet[{ri(800, 9999)}]: eviction manager: must evict pod(s) to reclaim ephemeral-storage; nodefs.available {v_small()}%",
        f"{logts()} [WARN ][o.e.c.r.a.DiskThresholdMonitor] [{h}] high disk watermark [90%] exceeded on [{rid(22)}][{h}][/usr/share/elasticsearch/data] free: {ri(1, 20)}.{ri(0, 9)}gb[{v_small()}%], shards will be relocated away from this node",
        f"{logts()} [error] <0.{ri(100, 999)}.0> Free disk space is insufficient. Free bytes: {ri(10000000, 49000000)}. Limit: 50000000",
        f"{logts()} ERROR {s}: write /var/lib/{s}/segment-{ri(1, 9999)}.log: no space left on device",
        f"{logts()} kafka.server.LogDirFailureChannel: Error while appending records to {C(['orders', 'events'])}-{ri(0, 11)} in dir /var/lib/kafka/data (java.io.IOException: No space left on device)",
        f"{logts()} clickhouse-server: Code: 243. DB::Exception: Cannot reserve {ri(1, 900)}.{ri(0, 99)} MiB on disk `default`, not enough space. (NOT_ENOUGH_SPACE)",
    ]), service=s, host_=h)


def v_small():
    return f"{ri(1, 9)}.{ri(0, 9)}"


# --- cert_expiry -----------------------------------------------------------------------------------------------------

def v_cert_rules():
    kind = C(["blackbox", "certmanager", "nginx", "traefik", "kubelet", "ssl"])
    d = domain()
    days = ri(1, 20)
    if kind == "blackbox":
        expr = C([f'(probe_ssl_earliest_cert_expiry{{instance="https://{d}"}} - time()) / 86400 < {C([14, 21, 7, 30])}',
                  'probe_ssl_earliest_cert_expiry - time() < 86400 * 14',
                  'min by (instance) (probe_ssl_last_chain_expiry_timestamp_seconds - time()) < 7 * 24 * 3600'])
        fam, labels = "blackbox", {"instance": f"https://{d}"}
    elif kind == "certmanager":
        expr = C(['certmanager_certificate_expiration_timestamp_seconds - time() < 21 * 24 * 3600',
                  f'(certmanager_certificate_expiration_timestamp_seconds{{name="{svc()}-tls"}} - time()) / 3600 < 72',
                  'certmanager_certificate_renewal_timestamp_seconds < time() and certmanager_certificate_ready_status{condition="True"} == 1'])
        fam, labels = "certmanager", {"name": f"{svc()}-tls", "namespace": ns(), "issuer_name": C(["letsencrypt-prod", "internal-ca", "vault-issuer"])}
    elif kind == "nginx":
        expr = f'(nginx_ingress_controller_ssl_expire_time_seconds{{host="{d}"}} - time()) / 86400 < 10'
        fam, labels = "nginx", {"host": d}
    elif kind == "traefik":
        expr = f'(traefik_tls_certs_not_after{{sans=~".*{d.split(".")[0]}.*"}} - time()) / 86400 < 14'
        fam, labels = "traefik", {"cn": d}
    elif kind == "kubelet":
        expr = C(['kubelet_certificate_manager_client_ttl_seconds < 7 * 24 * 3600',
                  'apiserver_client_certificate_expiration_seconds_bucket{le="604800"} > 0'])
        fam, labels = "cadvisor", {"node": host()}
    else:
        expr = f'(ssl_cert_not_after{{cn="{d}"}} - time()) / 86400 < 15'
        fam, labels = "blackbox", {"cn": d}
    return rule(alert_name(["Ssl", "TLS", "Tls", "X509", "Certificate", "Cert", "Ingress"], ["Cert", "Certificate", ""],
                           ["ExpiringSoon", "Expiry", "Expires", "NearExpiry", "RenewalOverdue", "Expired"]),
                labels,
                C([f"Certificate for {d} expires in {days} days", f"TLS certificate of {d} is about to expire",
                   f"{d}: certificate expiry in {days}d", "Certificate renewal did not happen in time"]),
                C([f"The certificate served at {d} is valid for {days} more days. Check the issuer and renewal job.",
                   f"Expiry of {d} is {days} days away.", "Renew the certificate before clients start rejecting it."]),
                expr, fam, value=days)


def v_cert_logs():
    d = domain()
    return log(C([
        f"{logts()} cert-manager/certificates-trigger: Certificate {ns()}/{svc()}-tls expires in {ri(1, 9)}d and renewal failed: {C(['ACME order pending', 'issuer not ready', 'DNS01 challenge failed'])}",
        f"{logts()} [warn] ssl certificate \"/etc/nginx/certs/{d}.crt\" expires in {ri(1, 14)} days",
        f"{logts()} level=warn msg=\"certificate for {d} is about to expire\" notAfter={ts()}",
        f"{logts()} haproxy: [WARNING] certificate '/etc/haproxy/certs/{d}.pem' has expired",
    ]), service=C(["cert-manager", "nginx", "traefik", "haproxy"]))


# --- dependency_timeout: downstream slowness and timeouts ------------------------------------------------------------

def v_to_rules():
    kind = C(["blackbox", "envoy", "haproxy", "nginx", "traefik", "alb", "gclb", "client", "pgclient", "kafka"])
    s, d = svc(), dep()
    ms = C([500, 1000, 2000, 3000, 5000])
    secs = ms / 1000
    if kind == "blackbox":
        return rule(alert_name(["Blackbox", "Probe", "Endpoint", "Http"], ["Slow", "Latency", "Duration", "Timeout"], ["High", "", "Exceeded"]),
                    {"instance": f"https://{d}.{C(['internal', 'example.com'])}/healthz", "module": C(["http_2xx", "tcp_connect", "http_post_2xx"])},
                    C([f"Probe of {d} takes more than {secs}s", f"{d} is slow to answer the blackbox probe", f"{d} endpoint timing out"]),
                    C([f"probe_duration_seconds for {d} has been above {secs}s for {dur()}.",
                       f"HTTP probe to {d} did not complete within the module timeout."]),
                    C([f'avg_over_time(probe_duration_seconds{{instance=~".*{d}.*"}}[1m]) > {secs}',
                       f'sum by (instance) (probe_http_duration_seconds{{phase="processing"}}) > {secs}',
                       f'probe_success{{job="blackbox"}} == 0 and probe_duration_seconds >= {C([5, 10, 15])}']),
                    "blackbox", value=secs)
    if kind == "envoy":
        return rule(alert_name(["Envoy", "Mesh", "Sidecar"], ["Upstream", "Cluster"], ["Latency", "Timeouts", "ResponseTime", "Slow"], ["High", ""]),
                    {"envoy_cluster_name": d, "namespace": ns()},
                    C([f"Upstream {d} p99 above {ms}ms", f"Requests to {d} timing out in Envoy", f"Envoy: {d} slow to respond"]),
                    C([f"99th percentile of upstream request time to {d} is over {ms}ms.",
                       f"Envoy reports upstream request timeouts to cluster {d}."]),
                    C([f'histogram_quantile(0.99, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket{{envoy_cluster_name="{d}"}}[5m]))) > {ms}',
                       f'sum(rate(envoy_cluster_upstream_rq_timeout{{envoy_cluster_name="{d}"}}[5m])) > 0',
                       f'rate(envoy_cluster_upstream_cx_connect_timeout{{envoy_cluster_name="{d}"}}[5m]) > 0']),
                    "envoy", value=ms)
    if kind == "haproxy":
        be = f"be_{d.replace('-', '_')}"
        return rule(alert_name(["Haproxy", "HAProxy", "Lb"], ["Backend", "Server"], ["ResponseTime", "Slow", "Latency", "Timeouts"], ["High", ""]),
                    {"proxy": be, "instance": inst(8405)},
                    C([f"HAProxy backend {be} average response time above {ms}ms", f"Backend {be} is slow", f"{be}: server responses timing out"]),
                    C([f"Average response time of the servers in {be} is {ms}ms over the last 1024 requests.",
                       f"HAProxy is closing requests to {be} on server timeout."]),
                    C([f'haproxy_backend_response_time_average_seconds{{proxy="{be}"}} > {secs}',
                       f'avg by (proxy) (haproxy_backend_response_time_average_seconds) > {secs}',
                       f'haproxy_backend_connect_time_average_seconds{{proxy="{be}"}} > 0.5']),
                    "haproxy", value=secs)
    if kind == "nginx":
        ing = f"{d}-ingress"
        return rule(alert_name(["Nginx", "Ingress", "NginxIngress"], ["Upstream", "Backend"], ["Latency", "ResponseTime", "Slow"], ["High", ""]),
                    {"ingress": ing, "namespace": ns(), "service": d},
                    C([f"Upstream response time of {d} above {secs}s", f"Ingress {ing}: backend slow", f"{d} answers the ingress slowly"]),
                    f"p95 of upstream response time for {ing} exceeds {secs}s.",
                    C([f'histogram_quantile(0.95, sum by (le, ingress) (rate(nginx_ingress_controller_response_duration_seconds_bucket{{ingress="{ing}"}}[5m]))) > {secs}',
                       f'sum(rate(nginx_ingress_controller_response_duration_seconds_sum{{service="{d}"}}[5m])) / sum(rate(nginx_ingress_controller_response_duration_seconds_count{{service="{d}"}}[5m])) > {secs}']),
                    "nginx", value=secs)
    if kind == "traefik":
        return rule(alert_name(["Traefik"], ["Service", "Backend"], ["Latency", "Slow", "ResponseTime"], ["High", ""]),
                    {"service": f"{ns()}-{d}-{C([80, 8080])}@kubernetes"},
                    C([f"Traefik service {d} responding slowly", f"{d} p99 through Traefik above {secs}s"]),
                    f"Requests Traefik forwards to {d} take longer than {secs}s at the 99th percentile.",
                    f'histogram_quantile(0.99, sum by (le, service) (rate(traefik_service_request_duration_seconds_bucket{{service=~".*{d}.*"}}[5m]))) > {secs}',
                    "traefik", value=secs)
    if kind == "alb":
        return rule(alert_name(["Alb", "ELB", "Aws", "LoadBalancer"], ["Target", "Backend"], ["ResponseTime", "Latency", "Slow"], ["High", ""]),
                    {"load_balancer": f"app/{d}-lb/{rid(16, '0123456789abcdef')}", "target_group": f"targetgroup/{d}-tg/{rid(16, '0123456789abcdef')}"},
                    C([f"Targets of {d}-lb respond in more than {secs}s", f"ALB target response time high for {d}"]),
                    "The load balancer measures the time from sending the request to the target until the target answers.",
                    C([f'aws_applicationelb_target_response_time_average{{load_balancer=~".*{d}.*"}} > {secs}',
                       f'aws_elb_latency_average{{load_balancer_name="{d}-lb"}} > {secs}']),
                    "cloud", value=secs)
    if kind == "gclb":
        return rule(alert_name(["Gclb", "GcpLb", "CloudLb"], ["Backend"], ["Latency", "Slow"], ["High"]),
                    {"backend_target_name": f"{d}-backend", "project_id": C(["shop-prod", "core-prod"])},
                    f"Backend {d} latency seen by the load balancer above {ms}ms",
                    "The HTTPS load balancer measures backend latency from the proxy to the backend.",
                    f'stackdriver_https_lb_rule_loadbalancing_googleapis_com_https_backend_latencies{{backend_target_name="{d}-backend"}} > {ms}',
                    "cloud", value=ms)
    if kind == "client":
        return rule(alert_name([s.split("-")[0].title(), "Http", "Outbound", "Client"], ["Client", "Downstream", "Dependency", "Call"], ["Timeouts", "Slow", "Latency"], ["High", ""]),
                    {"application": s, "uri": f"/{d}", "clientName": f"{d}.{ns()}.svc"},
                    C([f"Calls from {s} to {d} are slow", f"{s}: outgoing requests to {d} take over {secs}s", f"{d} slow for {s}"]),
                    C([f"p99 of http.client.requests from {s} to {d} is over {secs}s.", f"{s} sees timeouts calling {d}."]),
                    C([f'histogram_quantile(0.99, sum by (le, client_name) (rate(http_client_requests_seconds_bucket{{application="{s}",client_name="{d}"}}[5m]))) > {secs}',
                       f'sum(rate(http_client_requests_seconds_count{{application="{s}",exception=~".*Timeout.*"}}[5m])) > 0',
                       f'histogram_quantile(0.95, sum by (le) (rate(grpc_client_handling_seconds_bucket{{grpc_service=~".*{d.title().replace("-", "")}.*"}}[5m]))) > {secs}']),
                    "app", value=secs, service=s)
    if kind == "pgclient":
        return rule(alert_name(["Db", "Database", "Jdbc", "Sql"], ["Query", "Client"], ["Timeouts", "Slow"]),
                    {"application": s, "db": C(DBS)},
                    f"{s}: database calls timing out", f"Queries from {s} hit the client-side timeout.",
                    C([f'rate(hikaricp_connections_timeout_total{{application="{s}"}}[5m]) == 0 and rate(spring_data_repository_invocations_seconds_count{{application="{s}",exception=~".*QueryTimeout.*"}}[5m]) > 0',
                       f'histogram_quantile(0.99, rate(db_client_operation_duration_seconds_bucket{{service_name="{s}"}}[5m])) > {secs}']),
                    "app", value=secs, service=s)
    return rule(alert_name(["Kafka"], ["Producer", "Request"], ["Latency", "Timeouts", "Slow"], ["High", ""]),
                {"client_id": f"{s}-producer", "topic": C(["orders", "events", "audit"])},
                f"Kafka producer of {s} waits {ms}ms for broker acknowledgements",
                "Produce requests from the client take longer than delivery.timeout.ms allows.",
                C([f'kafka_producer_request_latency_avg{{client_id="{s}-producer"}} > {ms}',
                   'rate(kafka_producer_record_error_total[5m]) > 0 and kafka_producer_request_latency_max > 30000']),
                "kafka", value=ms, service=s)


def v_to_logs():
    s, d = svc(), dep()
    text = C([
        f"{logts()} [error] {ri(1, 64)}#{ri(1, 64)}: *{ri(1, 999999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip()}, server: {d}.example.com, request: \"GET /api/v1/{C(['orders', 'items', 'users'])} HTTP/1.1\", upstream: \"http://{ip()}:{port()}/api\"",
        f"[{ts()}] \"POST /{d} HTTP/2\" 504 UT 0 24 {ri(15000, 60000)} - \"-\" \"{s}\" \"{rid(8)}\" \"{d}:8080\" \"{ip()}:8080\" upstream request timeout",
        f"{logts()} haproxy[{ri(100, 9999)}]: {ip()}:{ri(1024, 65535)} fe_main be_{d.replace('-', '_')}/{d}-{ri(1, 4)} 0/0/0/-1/{ri(30000, 60000)} 504 195 - - sH-- \"GET /{d} HTTP/1.1\"",
        f"{logts()} level=error msg=\"'504 Gateway Timeout' caused by: net/http: timeout awaiting response headers\" entryPointName=websecure routerName={d}@kubernetes",
        f"{logts()} ERROR {s}: call to {d} exceeded the {C([2, 5, 10, 30])}s client timeout (attempt {ri(1, 3)}/3)",
        f"{logts()} WARN {s}: {d} responded in {ri(5, 40)}.{ri(0, 9)}s, above the {C([1, 2, 3])}s latency budget for this dependency",
        f"probe_http_duration_seconds{{phase=\"processing\"}} = {ri(5, 20)}.{ri(0, 9)} for https://{d}.internal: blackbox probe timed out",
        f"{logts()} ERROR [{s}] org.springframework.web.client.ResourceAccessException: I/O error on GET request for \"http://{d}:{port()}/v1\": Read timed out",
    ])
    return log(text, service=C(["nginx", "envoy", "haproxy", "traefik", s]) if chance(0.3) else s)


# --- connection_pool_exhausted: connections and sessions against a limit ---------------------------------------------

def v_pool_rules():
    kind = C(["pg", "mysql", "redis", "mongo", "rabbit", "haproxy", "hikari", "envoy", "nginx", "alb", "pgbouncer"])
    v = pc(85, 99)
    if kind == "pg":
        i = f"{C(DBS)}-db-{ri(0, 2)}"
        return rule(alert_name(["Postgres", "Postgresql", "Pg"], ["Connections", "TooManyConnections", "ConnectionsUsage", "Backends"], ["High", "NearMax", "Critical", ""]),
                    {"instance": f"{i}:9187", "server": i},
                    C([f"PostgreSQL {i} uses {v}% of max_connections", f"{i}: too many connections", "Postgres connections close to the maximum"]),
                    C([f"{v}% of max_connections are in use on {i}; new clients will be refused.",
                       f"Backends on {i} approach the configured max_connections."]),
                    C(['sum by (instance) (pg_stat_activity_count) > on (instance) pg_settings_max_connections * 0.8',
                       f'sum(pg_stat_activity_count{{instance="{i}:9187"}}) / max(pg_settings_max_connections{{instance="{i}:9187"}}) * 100 > 90',
                       'sum by (server) (pg_stat_activity_count) / sum by (server) (pg_settings_max_connections - pg_settings_superuser_reserved_connections) > 0.9']),
                    "postgres", value=v)
    if kind == "mysql":
        i = f"mysql-{ri(0, 4)}"
        return rule(alert_name(["Mysql", "MySQL", "Mariadb"], ["Connections", "Threads", "TooManyConnections"], ["High", "NearMax", "Critical", ""]),
                    {"instance": f"{i}:9104"},
                    C([f"MySQL {i} connections at {v}% of max_connections", f"{i}: threads connected near the limit"]),
                    f"Threads_connected is {v}% of max_connections on {i}.",
                    C(['max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections * 100 > 80',
                       'mysql_global_status_max_used_connections / mysql_global_variables_max_connections > 0.9',
                       'rate(mysql_global_status_connection_errors_total{error="max_connections"}[5m]) > 0']),
                    "mysql", value=v, service="mysql")
    if kind == "redis":
        i = f"redis-{ri(0, 5)}"
        return rule(alert_name(["Redis"], ["Clients", "Connections", "ConnectedClients", "MaxClients"], ["High", "NearLimit", "Rejected", ""]),
                    {"instance": f"{i}:9121"},
                    C([f"Redis {i} has {v}% of maxclients connected", f"{i} rejecting connections", "Redis is close to maxclients"]),
                    C(["connected_clients is close to maxclients; new clients get 'max number of clients reached'.",
                       f"Redis {i} refused connections in the last 5 minutes."]),
                    C(['redis_connected_clients / redis_config_maxclients > 0.85',
                       'increase(redis_rejected_connections_total[5m]) > 0',
                       '100 * redis_connected_clients / redis_config_maxclients > 90']),
                    "redis", value=v, service="redis")
    if kind == "mongo":
        return rule(alert_name(["Mongodb", "MongoDB", "Mongo"], ["Connections", "AvailableConnections"], ["Low", "High", "NearLimit", "Exhausted"]),
                    {"instance": f"mongo-{ri(0, 2)}:9216", "rs_nm": "rs0"},
                    C([f"MongoDB connections at {v}% of the limit", "MongoDB has almost no available connections"]),
                    "current connections approach net.maxIncomingConnections.",
                    C(['mongodb_ss_connections{conn_type="current"} / (mongodb_ss_connections{conn_type="current"} + mongodb_ss_connections{conn_type="available"}) > 0.9',
                       'mongodb_connections{state="current"} / (mongodb_connections{state="current"} + mongodb_connections{state="available"}) * 100 > 80']),
                    "mongodb", value=v, service="mongodb")
    if kind == "rabbit":
        return rule(alert_name(["Rabbitmq", "RabbitMQ"], ["Connections", "Sockets", "Channels"], ["High", "NearLimit", "TooMany"]),
                    {"instance": f"rabbitmq-{ri(0, 2)}:15692"},
                    C([f"RabbitMQ connections close to the limit ({v}%)", "RabbitMQ running out of sockets for connections"]),
                    "Open connections approach the configured connection limit; new clients will be refused.",
                    C(['rabbitmq_connections > 0.9 * 10000',
                       'rabbitmq_process_open_tcp_sockets / rabbitmq_process_max_tcp_sockets > 0.9',
                       'rabbitmq_connections / on (instance) rabbitmq_connection_limit > 0.9']),
                    "rabbitmq", value=v, service="rabbitmq")
    if kind == "haproxy":
        fe = C(["fe_https", "fe_main", "public", f"fe_{svc().replace('-', '_')}"])
        return rule(alert_name(["Haproxy", "HAProxy"], ["Frontend", "Backend", "Server"], ["Sessions", "SessionLimit", "MaxConn"], ["High", "NearLimit", "Reached", ""]),
                    {"proxy": fe, "instance": inst(8405)},
                    C([f"HAProxy {fe} at {v}% of its session limit", f"{fe} sessions near maxconn", "HAProxy session limit almost reached"]),
                    "Current sessions approach the configured session limit (maxconn); new connections queue or are refused.",
                    C([f'haproxy_frontend_current_sessions{{proxy="{fe}"}} / haproxy_frontend_limit_sessions{{proxy="{fe}"}} * 100 > 80',
                       'sum by (proxy) (haproxy_server_current_sessions) / sum by (proxy) (haproxy_server_limit_sessions) > 0.9',
                       'haproxy_backend_current_queue > 0 and haproxy_backend_current_sessions >= haproxy_backend_limit_sessions']),
                    "haproxy", value=v)
    if kind == "hikari":
        s = svc()
        return rule(alert_name(["Hikari", "HikariCP", "Jdbc", "DbPool", "ConnectionPool"], ["Pool", "Connections", ""], ["Exhausted", "Saturated", "Pending", "Full"]),
                    {"application": s, "pool": C(["HikariPool-1", f"{s}-pool", "primary"])},
                    C([f"{s}: all JDBC connections in use", f"Threads of {s} waiting for a database connection", f"HikariCP pool of {s} saturated"]),
                    C([f"{ri(5, 200)} threads are pending for a connection; active equals max.",
                       "Active connections reached maximumPoolSize and acquisitions are timing out."]),
                    C([f'hikaricp_connections_pending{{application="{s}"}} > 0',
                       f'hikaricp_connections_active{{application="{s}"}} / hikaricp_connections_max{{application="{s}"}} > 0.9',
                       f'increase(hikaricp_connections_timeout_total{{application="{s}"}}[5m]) > 0',
                       f'sum(db_client_connections_pending_requests{{pool_name="{s}"}}) > 0']),
                    "app", value=v, service=s)
    if kind == "envoy":
        d = dep()
        return rule(alert_name(["Envoy", "Mesh"], ["Cluster", "Upstream"], ["CircuitBreaker", "ConnectionOverflow", "MaxConnections"], ["Open", "Tripped", ""]),
                    {"envoy_cluster_name": d},
                    C([f"Envoy circuit breaker for {d} open: max connections reached", f"{d}: connection limit overflow"]),
                    "The cluster reached its circuit breaker max_connections and new connections overflow.",
                    C([f'envoy_cluster_circuit_breakers_default_cx_open{{envoy_cluster_name="{d}"}} == 1',
                       f'rate(envoy_cluster_upstream_cx_overflow{{envoy_cluster_name="{d}"}}[5m]) > 0']),
                    "envoy", value=v)
    if kind == "nginx":
        return rule(alert_name(["Nginx"], ["Connections", "WorkerConnections"], ["Dropped", "Exhausted", "NearLimit"]),
                    {"instance": inst(9113)},
                    C(["nginx is dropping connections", "nginx worker_connections exhausted"]),
                    "Accepted connections are not handled: the worker_connections limit is reached.",
                    C(['rate(nginx_connections_accepted[5m]) - rate(nginx_connections_handled[5m]) > 0',
                       'nginx_connections_active / (nginx_worker_connections_limit * nginx_worker_processes) > 0.9']),
                    "nginx", value=v)
    if kind == "alb":
        lb = f"app/{svc()}-lb/{rid(16, '0123456789abcdef')}"
        return rule(alert_name(["Alb", "Elb", "LoadBalancer"], ["Rejected", "Surge"], ["Connections", "Queue"], ["High", ""]),
                    {"load_balancer": lb},
                    C(["Load balancer rejecting connections at its connection limit", "Classic ELB surge queue filling up"]),
                    "The load balancer reached its maximum number of connections and rejected new ones.",
                    C([f'sum(aws_applicationelb_rejected_connection_count_sum{{load_balancer="{lb}"}}) > 0',
                       'aws_elb_surge_queue_length_maximum > 100 or aws_elb_spillover_count_sum > 0']),
                    "cloud", value=v)
    db = C(DBS)
    return rule(alert_name(["Pgbouncer", "PgBouncer"], ["Clients", "Pool"], ["Queueing", "Full", "AtPoolSize"]),
                {"database": db},
                C([f"PgBouncer clients waiting for {db}", f"PgBouncer pool for {db} full"]),
                "Every server connection of the pool is in use and clients queue.",
                C([f'pgbouncer_pools_client_waiting_connections{{database="{db}"}} > 0 and pgbouncer_pools_server_active_connections >= pgbouncer_databases_pool_size',
                   'pgbouncer_pools_client_maxwait_seconds > 1']),
                "postgres", value=v)


def v_pool_logs():
    s = svc()
    return log(C([
        f"{logts()} UTC [{ri(100, 99999)}] FATAL:  sorry, too many clients already",
        f"{logts()} redis: # Error accepting a client connection: max number of clients reached (maxclients {C([1000, 10000, 4064])})",
        f"{logts()} [Warning] Aborted connection {ri(1000, 999999)}: Too many connections (max_connections={C([151, 500, 1000])})",
        f"{logts()} mongod: [conn{ri(1, 9999)}] connection refused because too many open connections: {C([819, 51200, 65536])}",
        f"{logts()} [error] <0.{ri(100, 999)}.0> closing AMQP connection: connection limit ({C([1000, 5000])}) reached for vhost '/'",
        f"{logts()} haproxy[{ri(100, 9999)}]: Proxy fe_main reached process maxconn ({C([2000, 4096, 20000])}); new connections are queued",
        f"{logts()} [alert] {ri(1, 64)}#{ri(1, 64)}: {C([512, 1024, 4096])} worker_connections are not enough",
        f"{logts()} WARN {s}: HikariPool-1 - Connection is not available, request timed out after {C([30000, 10000, 5000])}ms (total={C([10, 20, 50])}, active={C([10, 20, 50])}, idle=0, waiting={ri(1, 300)})",
    ]), service=C(["postgres", "redis", "mysql", "mongod", "rabbitmq", "haproxy", "nginx", s]) if chance(0.4) else s)


# --- unknown: the near-misses rule files are full of ------------------------------------------------------------------

def v_u_absent_up():
    m, words = C([
        ("container_memory_working_set_bytes", ["ContainerMemory", "MemoryUsage", "WorkingSet"]),
        ("container_oom_events_total", ["OomKill", "OOMKills", "OomEvents"]),
        ("kube_pod_container_status_last_terminated_reason", ["OomKilled", "PodTermination"]),
        ("node_vmstat_oom_kill", ["HostOomKill", "KernelOom"]),
        ("node_filesystem_avail_bytes", ["DiskSpace", "FilesystemSpace", "DiskFull"]),
        ("kubelet_volume_stats_available_bytes", ["VolumeSpace", "PvcUsage"]),
        ("probe_ssl_earliest_cert_expiry", ["CertExpiry", "SslExpiry", "TlsCert"]),
        ("certmanager_certificate_expiration_timestamp_seconds", ["CertManagerExpiry", "CertificateExpiry"]),
        ("pg_stat_activity_count", ["PostgresConnections", "DbConnections"]),
        ("hikaricp_connections_active", ["ConnectionPool", "HikariPool"]),
        ("redis_memory_used_bytes", ["RedisMemory", "RedisMaxmemory"]),
        ("jvm_memory_used_bytes", ["JvmHeap", "HeapUsage"]),
        ("probe_duration_seconds", ["ProbeLatency", "EndpointTimeout"]),
        ("envoy_cluster_upstream_rq_time_bucket", ["UpstreamLatency", "UpstreamTimeouts"]),
        ("node_memory_MemAvailable_bytes", ["HostMemory", "NodeMemory"]),
        ("rabbitmq_process_resident_memory_bytes", ["RabbitmqMemory"]),
        ("haproxy_frontend_current_sessions", ["HaproxySessions"]),
        ("kube_pod_container_resource_limits", ["MemoryLimits"]),
    ])
    fam = C(list(RULE_JOBS))
    j = C(RULE_JOBS[fam])
    kind = C(["absent", "absent", "up", "scrape", "exporter"])
    if kind == "absent":
        return rule(alert_name(words, ["Metric", "Series", "Exporter", "Monitor", ""], ["Absent", "Missing", "NoData", "Gone"]),
                    {"metric": m} if chance(0.5) else {},
                    C([f"No {m} series for {dur()}", f"{m} has disappeared", f"Metric {m} absent",
                       f"{words[0]} alerts are blind: no data", f"Nothing reports {m}"]),
                    C(["The metric the alerts depend on is not reported; nothing is known about the resource itself.",
                       f"absent({m}) is true: the exporter may be down or relabelled."]),
                    C([f'absent({m}{{job="{j}"}})', f'absent_over_time({m}[{dur()}])', f'absent({m})']),
                    fam)
    if kind == "up":
        return rule(alert_name(["", j.split("-")[0].title()], ["Exporter", "Target", "Scrape", "Job"], ["Down", "Unreachable", "Missing"]),
                    {"instance": inst(C([9100, 9187, 9121, 9216, 9104, 15692, 8405, 9113])), "job": j},
                    C([f"{j} target down", f"Prometheus cannot scrape {j}", f"{j} exporter is down"]),
                    "Prometheus has not been able to scrape this target; memory, disk and connection alerts based on it are blind.",
                    C([f'up{{job="{j}"}} == 0', f'sum(up{{job="{j}"}}) == 0', f'avg_over_time(up{{job="{j}"}}[5m]) < 0.5']),
                    fam)
    if kind == "scrape":
        return rule(alert_name(["Prometheus", ""], ["Scrape", "Target"], ["Errors", "Failures", "Slow", "SampleLimit"]),
                    {"job": j},
                    C([f"Scrapes of {j} failing", f"{j}: scrape errors", f"Scrape of {j} exceeds the sample limit"]),
                    "The exporter answers with errors or the scrape times out; this is the monitoring's health, not the service's.",
                    C([f'scrape_duration_seconds{{job="{j}"}} > scrape_timeout_seconds{{job="{j}"}} * 0.9',
                       'increase(prometheus_target_scrapes_exceeded_sample_limit_total[5m]) > 0',
                       f'scrape_samples_scraped{{job="{j}"}} == 0',
                       'rate(prometheus_target_scrapes_sample_out_of_order_total[5m]) > 0']),
                    "app")
    return rule(alert_name([C(["Postgres", "Redis", "Mysql", "Mongodb", "Elasticsearch", "Rabbitmq", "Node", "Blackbox"])], ["Exporter", "Collector", "Textfile"], ["Error", "Errors", "Failing", "Down"]),
                {"instance": inst(C([9187, 9121, 9104, 9216, 9114, 9100]))},
                C(["Exporter collector failing", "Exporter reports scrape errors", "Exporter cannot reach the server it watches"]),
                "The exporter returns, but one of its collectors errors; the numbers it exports are stale.",
                C(['pg_up == 0', 'redis_up == 0', 'mysql_up == 0', 'mongodb_up == 0', 'elasticsearch_node_stats_up == 0',
                   'node_textfile_scrape_error == 1', 'pg_exporter_last_scrape_error == 1', 'mysql_exporter_last_scrape_error == 1',
                   'node_scrape_collector_success{collector="filesystem"} == 0']),
                fam)


def v_u_disk_latency_io():
    h = host()
    dv = C(["sda", "nvme0n1", "xvdf", "vdb", "dm-0"])
    return rule(alert_name(["Host", "Node", "Disk"], ["Disk", "Io", "IO", ""], ["Latency", "Saturation", "ReadLatency", "WriteLatency", "Errors", "Busy"], ["High", ""]),
                {"instance": f"{h}:9100", "device": dv},
                C([f"Disk {dv} on {h} is slow", f"I/O on {h}/{dv} saturated", f"{dv}: read latency over {C([50, 100, 200])}ms", f"{h} reports disk errors"]),
                C(["Average I/O latency is high; this says nothing about free space.", "The device is busy more than 90% of the time.",
                   "The filesystem was remounted read-only after errors."]),
                C([f'rate(node_disk_read_time_seconds_total{{device="{dv}"}}[1m]) / rate(node_disk_reads_completed_total{{device="{dv}"}}[1m]) > 0.1',
                   f'rate(node_disk_io_time_seconds_total{{device="{dv}"}}[5m]) > 0.9',
                   'rate(node_disk_write_time_seconds_total[1m]) / rate(node_disk_writes_completed_total[1m]) > 0.1',
                   'node_filesystem_readonly{fstype!~"tmpfs|squashfs"} == 1',
                   'node_disk_io_now > 50',
                   'increase(node_textfile_scrape_error[5m]) > 0 or smartmon_device_smart_healthy == 0']),
                "node", resource={"host": h} if chance(0.3) else None)


def v_u_cpu_errors_crash():
    s, n = svc(), ns()
    kind = C(["cpu", "throttle", "errors", "crash", "restarts", "oomless137", "load", "gc"])
    if kind == "cpu":
        return rule(alert_name(["Container", "Host", "Pod", "Node"], ["Cpu", "CPU"], ["High", "Saturated", "Usage"]),
                    {"namespace": n, "container": s},
                    f"{s} uses {ri(85, 100)}% of its CPU", "CPU usage above the threshold; memory and connections are fine.",
                    C([f'sum(rate(container_cpu_usage_seconds_total{{container="{s}"}}[5m])) / sum(kube_pod_container_resource_limits{{resource="cpu",container="{s}"}}) > 0.9',
                       '100 - (avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > 90']),
                    "cadvisor", service=s)
    if kind == "throttle":
        return rule(alert_name(["Cpu", "Container"], ["Throttling", "Throttled"], ["High", ""]),
                    {"namespace": n, "container": s},
                    f"{s} is throttled {ri(30, 80)}% of periods", "CFS throttling; raise the CPU limit or lower the load.",
                    'rate(container_cpu_cfs_throttled_periods_total[5m]) / rate(container_cpu_cfs_periods_total[5m]) > 0.5',
                    "cadvisor", service=s)
    if kind == "errors":
        return rule(alert_name([s.split("-")[0].title(), "Http", "Api", "Service"], ["Error", "5xx", "Errors"], ["Rate", "Ratio", "Spike"], ["High", ""]),
                    {"service": s, "namespace": n},
                    C([f"{s} error ratio {ri(2, 30)}%", f"Too many 5xx from {s}", f"{s}: requests failing"]),
                    "The share of failed requests is above the SLO threshold.",
                    C([f'sum(rate(http_server_requests_seconds_count{{application="{s}",status=~"5.."}}[5m])) / sum(rate(http_server_requests_seconds_count{{application="{s}"}}[5m])) > 0.05',
                       f'sum(rate(nginx_ingress_controller_requests{{service="{s}",status=~"5.."}}[5m])) / sum(rate(nginx_ingress_controller_requests{{service="{s}"}}[5m])) > 0.05',
                       'sum(rate(haproxy_backend_http_responses_total{code="5xx"}[5m])) by (proxy) > 10',
                       f'sum(rate(envoy_cluster_upstream_rq_xx{{envoy_response_code_class="5"}}[5m])) > 1']),
                    "app", service=s)
    if kind in ("crash", "restarts"):
        return rule(alert_name(["Pod", "Container", "Kube"], ["CrashLooping", "Restarting", "Restarts", "FrequentRestarts"], ["", "Too Often".replace(" ", "")]),
                    {"namespace": n, "pod": pod(s), "container": s},
                    C([f"{s} is restarting", f"{s} restarted {ri(3, 30)} times in the last hour", "Pod is crash looping"]),
                    "The container keeps restarting; its logs say why.",
                    C(['increase(kube_pod_container_status_restarts_total[1h]) > 3',
                       'kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"} == 1',
                       'rate(kube_pod_container_status_restarts_total[15m]) * 60 * 5 > 0']),
                    "ksm", service=s)
    if kind == "oomless137":
        p = pod(s)
        return k8s_event("BackOff", f"Back-off restarting failed container {s} in pod {p}; last state: Terminated, Exit Code: 137, Reason: Error",
                         "Pod", n, p, s)
    if kind == "load":
        h = host()
        return rule(alert_name(["Host", "Node"], ["Load", "LoadAverage"], ["High", ""]), {"instance": f"{h}:9100"},
                    f"Load average on {h} is {ri(20, 90)}", "The run queue is long relative to the number of CPUs.",
                    'node_load15 / count without (cpu, mode) (node_cpu_seconds_total{mode="idle"}) > 2', "node")
    return rule(alert_name(["Jvm", "Java"], ["Gc", "GC"], ["PauseHigh", "TimeHigh", "Slow"]), {"application": s},
                f"{s} spends {ri(10, 40)}% of its time in GC", "Garbage collection takes a large share of wall time.",
                f'rate(jvm_gc_pause_seconds_sum{{application="{s}"}}[5m]) > 0.1', "app", service=s)


def v_u_server_latency():
    s = svc()
    secs = C([0.5, 1, 2, 3])
    return rule(alert_name([s.split("-")[0].title(), "Http", "Api", "Service", "Server"], ["Latency", "ResponseTime", "Slow", "P99Latency"], ["High", ""]),
                {"service": s, "namespace": ns()},
                C([f"{s} p99 latency above {secs}s", f"{s} responds slowly", f"Requests to {s} are slow"]),
                C([f"99th percentile of requests served by {s} is over {secs}s.", "Latency SLO at risk."]),
                C([f'histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{{application="{s}"}}[5m]))) > {secs}',
                   f'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{job="{s}"}}[5m]))) > {secs}',
                   f'histogram_quantile(0.99, sum by (le) (rate(grpc_server_handling_seconds_bucket{{grpc_service=~".*{s.title().replace("-", "")}.*"}}[5m]))) > {secs}']),
                "app", value=secs, service=s)


def v_u_memory_no_limit():
    s, h = svc(), host()
    kind = C(["abs", "report", "swap", "fine"])
    if kind == "abs":
        return rule(alert_name([s.split("-")[0].title(), "Process", "Container"], ["Memory", "Rss"], ["Usage", "Growing"], ["Info", "Notice", ""]),
                    {"service": s},
                    C([f"{s} RSS above {C([1, 2, 4])} GB", f"{s} memory is growing"]),
                    "Resident memory crossed a fixed number of bytes; no limit is configured for this process.",
                    C([f'process_resident_memory_bytes{{job="{s}"}} > {C(["2e9", "1e9", "4e9"])}',
                       f'deriv(process_resident_memory_bytes{{job="{s}"}}[1h]) > 0']),
                    "app", service=s)
    if kind == "report":
        used = ri(15, 60)
        return log(f"{logts()} INFO {s}: memory working set {used}% of the container limit, heap {ri(20, 60)}% of max - ok", service=s)
    if kind == "swap":
        return rule(alert_name(["Host", "Node"], ["Swap"], ["Usage", "High"]), {"instance": f"{h}:9100"},
                    f"{h} is swapping", "Swap in use; memory available is still above the threshold.",
                    'rate(node_vmstat_pswpout[5m]) > 100', "node")
    return log(f"{logts()} {s}: redis used_memory {ri(1, 3)}.{ri(0, 9)}G of maxmemory {C([8, 16])}G, hit ratio {ri(90, 99)}%", service="redis")


def v_u_misc_near():
    s, n, h = svc(), ns(), host()
    return C([
        lambda: rule(alert_name(["Host", "Node"], ["Conntrack"], ["TableFull", "NearMax"]), {"instance": f"{h}:9100"},
                     "conntrack table filling", "Kernel connection tracking table close to nf_conntrack_max.",
                     'node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.75', "node"),
        lambda: rule(alert_name(["Host", "Process"], ["FileDescriptors", "Fds", "OpenFiles"], ["High", "NearLimit"]), {"instance": f"{h}:9100"},
                     "File descriptors running low", "Open file descriptors near the process limit.",
                     C(['process_open_fds / process_max_fds > 0.8', 'node_filefd_allocated / node_filefd_maximum > 0.8']), "node"),
        lambda: rule(alert_name(["Kafka"], ["Consumer", "ConsumerGroup"], ["Lag"], ["High", ""]), {"consumergroup": f"{s}-group"},
                     f"{s}-group is {ri(10000, 900000)} messages behind", "Consumers cannot keep up.",
                     f'sum by (consumergroup) (kafka_consumergroup_lag{{consumergroup="{s}-group"}}) > 10000', "kafka"),
        lambda: rule(alert_name(["Postgres", "Pg"], ["Replication"], ["Lag", "Slow"]), {"instance": inst(9187)},
                     f"Replica lag {ri(30, 900)}s", "The standby is behind the primary.",
                     'pg_replication_lag_seconds > 30', "postgres"),
        lambda: rule(alert_name(["Postgres", "Pg"], ["Deadlocks", "SlowQueries", "LongTransactions"], ["High", ""]), {"datname": C(DBS)},
                     "Queries or transactions inside the database take too long", "Server-side statements run long; clients are not timing out.",
                     C(['rate(pg_stat_database_deadlocks[5m]) > 0', 'pg_stat_activity_max_tx_duration{state="active"} > 300']), "postgres"),
        lambda: rule(alert_name(["Redis"], ["Replication", "Master"], ["Broken", "LinkDown"]), {"instance": f"redis-{ri(0, 3)}:9121"},
                     "Redis replica lost its master", "master_link_status is down.",
                     'redis_master_link_up == 0', "redis"),
        lambda: rule(alert_name(["Elasticsearch"], ["Cluster"], ["Red", "Yellow"]), {"cluster": "logs"},
                     "Elasticsearch cluster not green", "Shards unassigned.",
                     'elasticsearch_cluster_health_status{color="red"} == 1', "elasticsearch"),
        lambda: rule(alert_name(["Rabbitmq"], ["Queue", "Unacked"], ["Backlog", "Messages"], ["High"]), {"queue": C(["jobs", "emails"])},
                     "Messages piling up in the queue", "Consumers are slow or gone.",
                     'rabbitmq_queue_messages_ready > 10000', "rabbitmq"),
        lambda: rule(alert_name(["Cert", "Certificate"], ["Manager"], ["NotReady", "IssuerError"]), {"name": f"{s}-tls", "namespace": n},
                     "cert-manager Certificate not ready", "The Certificate resource reports Ready=False; the current certificate is still valid for months.",
                     'certmanager_certificate_ready_status{condition="False"} == 1', "certmanager"),
        lambda: rule(alert_name(["Blackbox", "Probe"], ["Failed", "Down", "HttpStatus"]), {"instance": f"https://{dep()}.example.com"},
                     "Endpoint probe failing", "The probe returns a non-2xx status quickly; the endpoint answers, with an error.",
                     C(['probe_success == 0 and probe_http_status_code >= 500', 'probe_http_status_code{job="blackbox"} != 200']), "blackbox"),
        lambda: rule(alert_name(["Envoy", "Haproxy", "Traefik"], ["Upstream", "Backend"], ["Unhealthy", "Down", "NoHealthyHosts"]), {"cluster": dep()},
                     "No healthy upstream hosts", "Health checks fail; the backend refuses connections.",
                     C(['envoy_cluster_membership_healthy == 0', 'haproxy_backend_active_servers == 0', 'haproxy_server_status{state="DOWN"} == 1']), "envoy"),
        lambda: rule(alert_name(["Kube"], ["Pod"], ["NotReady", "Pending"]), {"namespace": n, "pod": pod(s)},
                     f"{s} pod not ready", "The pod has not been ready for 15 minutes.",
                     'sum by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Unknown"}) > 0', "ksm"),
        lambda: rule(alert_name(["Mysql", "Mongodb"], ["Slow"], ["Queries"]), {"instance": inst(9104)},
                     "Slow queries rising", "Queries over long_query_time on the server itself.",
                     'rate(mysql_global_status_slow_queries[5m]) > 1', "mysql"),
        lambda: rule(alert_name(["Kube"], ["Memory", "Quota", "Cpu"], ["Overcommit", "AlmostFull"]), {"namespace": n},
                     "Namespace resource quota or cluster requests overcommitted", "Requests exceed what the cluster can fit if a node fails; no container is near its own limit.",
                     C(['sum(kube_pod_container_resource_requests{resource="memory"}) / sum(kube_node_status_allocatable{resource="memory"}) > 0.9',
                        'kube_resourcequota{type="used",resource="requests.memory"} / kube_resourcequota{type="hard",resource="requests.memory"} > 0.9']), "ksm"),
    ])()


def v_u_logs():
    s, h = svc(), host()
    return log(C([
        f"{logts()} level=warn ts={ts()} caller=scrape.go:{ri(1000, 1700)} component=\"scrape manager\" scrape_pool={C(['node-exporter', 'kubelet', 'redis'])} target=http://{ip()}:{port()}/metrics msg=\"Scrape failed\" err=\"context deadline exceeded\"",
        f"{logts()} level=error msg=\"Error scraping target\" target={ip()}:9187 err=\"pq: {C(['password authentication failed', 'the database system is starting up'])}\"",
        f"{logts()} level=error caller=collector.go:{ri(100, 300)} msg=\"collector failed\" name={C(['filesystem', 'meminfo', 'textfile'])} duration_seconds=0.0{ri(1, 9)} err=\"{C(['open /proc/meminfo: permission denied', 'failed to read textfile collector directory'])}\"",
        f"{logts()} {h} kernel: blk_update_request: I/O error, dev {C(['sdb', 'nvme1n1'])}, sector {ri(1000, 99999999)}",
        f"{logts()} {s}: p99 latency of our own handlers rose to {ri(2, 9)}.{ri(0, 9)}s under load; no downstream call involved",
        f"{logts()} [notice] {ri(1, 64)}#{ri(1, 64)}: signal process started; reloading configuration",
        f"{logts()} haproxy[{ri(100, 9999)}]: Server be_{dep().replace('-', '_')}/srv{ri(1, 5)} is DOWN, reason: Layer4 connection problem, info: \"Connection refused\"",
        f"{logts()} redis: Background saving terminated with success",
        f"{logts()} {s}: connection pool stats: active={ri(1, 5)} idle={ri(5, 15)} max=20 pending=0",
    ]), service=C([s, "prometheus", "node-exporter", "postgres-exporter", "nginx", "haproxy", "redis"]))


VOCAB_CLASS_TEMPLATES = {
    "oom": ([v_oom_container_limit] * 3 + [v_oom_host_memory] * 2 + [v_oom_jvm] * 2 + [v_oom_runtime] * 2
            + [v_oom_cache_broker] * 2 + [v_oom_logs_events], 240),
    "disk_full": ([v_disk_rules] * 3 + [v_disk_logs], 130),
    "cert_expiry": ([v_cert_rules] * 3 + [v_cert_logs], 100),
    "dependency_timeout": ([v_to_rules] * 3 + [v_to_logs], 240),
    "connection_pool_exhausted": ([v_pool_rules] * 3 + [v_pool_logs], 240),
    "unknown": ([v_u_absent_up] * 5 + [v_u_disk_latency_io] * 2 + [v_u_cpu_errors_crash] * 3 + [v_u_server_latency] * 2
                + [v_u_memory_no_limit] * 2 + [v_u_misc_near] * 3 + [v_u_logs] * 2, 560),
}


# --- More wording for kinds the first vocabulary pass left thin ------------------------------------------------------

def v_oom_windows_vm():
    h = host()
    return C([
        lambda: rule(alert_name(["Windows", "Win", "Host"], ["Memory", "Commit", "CommittedBytes", "AvailableMBytes"], ["Low", "NearLimit", "Exhausted"]),
                     {"instance": f"{h}:9182"},
                     C([f"{h}: commit charge at {pc()}% of the commit limit", f"{h} is almost out of memory"]),
                     "Committed bytes approach the commit limit (RAM plus page file); allocations will start failing.",
                     C(['windows_memory_committed_bytes / windows_memory_commit_limit > 0.9',
                        '100 - 100 * windows_os_physical_memory_free_bytes / windows_cs_physical_memory_bytes > 95',
                        'windows_memory_available_bytes / windows_cs_physical_memory_bytes < 0.05']),
                     "node", value=pc()),
        lambda: api(C(["Low memory", "Memory exhausted", "Host memory alarm"]),
                    f"{h}: the system is running low on virtual memory; {C(['sqlservr.exe', 'java.exe', 'w3wp.exe'])} holds most of the committed memory and new allocations fail",
                    labels={"host": h}),
        lambda: api(C(["VM memory alarm", "vCenter alarm"]),
                    f"Virtual machine {h} memory usage {pc(92, 99)}% of its configured memory for {dur()} (guest is swapping, balloon driver active)",
                    labels={"vm": h}),
    ])()


def v_disk_cloud_probe():
    h, db = host(), C(DBS)
    mp = C(MOUNTS)
    return C([
        lambda: probe(C(["disk usage", f"df {mp}", "filesystem check"]),
                      C([f"{mp}: Use% {ri(95, 100)}% (avail {ri(10, 900)}M) on {h}", f"{h} {mp} {ri(93, 100)}% used, {ri(1, 7)}% free",
                         f"Filesystem {mp} on {h} crossed {C([90, 95])}% used"]),
                      {"used_percent": float(ri(93, 100))}, resource={"host": h}),
        lambda: rule(alert_name(["Rds", "CloudSql", "AzureSql", "Database"], ["FreeStorage", "Storage", "DiskSpace"], ["Low", "Critical", "AlmostFull"]),
                     {"dbinstance_identifier": f"{db}-prod"},
                     f"{db}-prod has {ri(1, 9)} GiB storage left", "Allocated storage is almost used; the instance stops accepting writes once it is full.",
                     C([f'aws_rds_free_storage_space_average{{dbinstance_identifier="{db}-prod"}} < 5 * 1024 * 1024 * 1024',
                        f'stackdriver_cloudsql_database_cloudsql_googleapis_com_database_disk_utilization{{database_id=~".*{db}.*"}} > 0.9']),
                     "cloud", value=ri(1, 9)),
        lambda: api(C(["Storage almost full", "Database storage alert"]),
                    f"Managed database {db}-prod: storage {ri(95, 100)}% used; writes will be rejected when the volume is full", labels={"db": db}),
        lambda: api(C(["Bucket quota", "Object storage quota"]),
                    f"Bucket {db}-archive has used {ri(95, 100)}% of its quota; uploads fail with QuotaExceeded at 100%", labels={"bucket": f"{db}-archive"}),
    ])()


def v_cert_more():
    d = domain()
    h = ri(2, 60)
    return C([
        lambda: k8s_event(C(["CertificateRenewalOverdue", "RenewalFailed", "Failed"]),
                          f"Certificate {svc()}-tls was due for renewal {ri(1, 20)}d ago and still has not been renewed; it stops being valid in {ri(1, 6)}d",
                          "Certificate", ns(), f"{svc()}-tls"),
        lambda: (lambda left: probe(C(["tls check", "certificate check", f"{d} tls"]),
                                    C([f"{d}:443 certificate notAfter is {h}h in the past", f"{d}:443 serves a certificate that stopped being valid {h} hours ago"])
                                    if left < 0 else f"{d}:443 certificate notAfter in {left} days",
                                    {"cert_days_left": float(left)}))(C([-1, ri(1, 9)])),
        lambda: log(f"{logts()} tls: certificate for {d} not valid after {ts()} (checked now, {ri(1, 30)} days ago it expired)", service=svc()),
    ])()


def v_to_more():
    s, d = svc(), dep()
    t = ri(5, 60)
    return C([
        lambda: probe(C([f"journey {d}", "synthetic check", f"{d} api check", "browser check"]),
                      C([f"step '{C(['login', 'search', 'pay', 'confirm'])}' calling {d} timed out after {t}s",
                         f"{d} gave no answer within the {t}s step timeout",
                         f"synthetic run failed: request to {d} exceeded {t}s"]),
                      {"success": 0, "duration_seconds": float(t)}, service=s),
        lambda: log(C([f"{logts()} ERROR {s}: request to {d} failed: deadline elapsed after {t}s",
                       f"{logts()} {s}: tokio::time::error::Elapsed while awaiting {d} ({t}s)",
                       f"{logts()} WARN {s}: {d} took longer than the {t}s deadline, giving up"]), service=s),
    ])()


def v_pool_more():
    s, db = svc(), C(DBS)
    m = C([5, 10, 16, 32])
    return log(C([
        f"{logts()} ERROR {s}: timed out after {ri(5, 30)}s waiting for a free connection in pool '{db}' (size {m}, all busy)",
        f"{logts()} {s}: acquire timeout: every one of the {m} pooled connections to {db} is checked out",
        f"{logts()} WARN {s}: connection pool for {db} exhausted ({m}/{m} in use, {ri(3, 200)} callers waiting)",
        f"{logts()} {s}: could not get a pooled connection to {db} within {ri(1, 30)}s; max pool size {m} reached",
    ]), service=s)


def v_u_more_near():
    s, d, db = svc(), dep(), C(DBS)
    return C([
        lambda: log(f"{logts()} {s}: pool '{db}' ready with {C([4, 8, 16])} connections ({ri(10, 900)}ms)", service=s),
        lambda: log(f"{logts()} {s}: db pool {db}: busy {ri(1, 6)} of {C([40, 80, 100])}, free {ri(5, 30)}, nobody waiting", service=s),
        lambda: log(f"{logts()} {s}: shutting down; draining {ri(1, 20)} pooled connections to {db}", service=s),
        lambda: api("Memory summary", f"{s}: no OOM kills this month; highest memory use {ri(20, 65)}% of the limit", service=s),
        lambda: log(f"{logts()} {s}: heap {ri(20, 60)}% of max, working set {ri(20, 60)}% of limit - healthy", service=s),
        lambda: log(f"curl: (6) Could not resolve host: {d}.internal", service=s),
        lambda: log(f"{logts()} {s}: connect to {d}:{port()} failed: No route to host", service=s),
        lambda: log(f"{logts()} ERROR {s}: could not connect to {d}:{port()} (connection refused, {ri(0, 2)} ms)", service=s),
        lambda: log(C([f"ORA-00054: resource busy and acquire with NOWAIT specified or timeout expired",
                       f"sqlite3.OperationalError: database is locked",
                       f"SQL0911N  The current transaction has been rolled back because of a deadlock or timeout.  Reason code \"68\"."]), service=C([s, "db2", "oracle"])),
        lambda: k8s_event(C(["FailedAttachVolume", "FailedMount"]),
                          f"AttachVolume.Attach failed for volume \"pvc-{rid(8)}\" : timed out waiting for the volume to attach to node {host()}",
                          "Pod", ns(), pod(s)),
        lambda: log(f"{logts()} {host()} kernel: sd {ri(0, 3)}:0:0:0: [sd{C('abc')}] timing out command, waited {C([30, 60, 180])}s", host_=host()),
        lambda: log(f"{logts()} {host()} kernel: ata{ri(1, 4)}.00: exception Emask 0x0 SAct 0x0 SErr 0x0 action 0x6 frozen; failed command: READ FPDMA QUEUED", host_=host()),
        lambda: api("Idle sessions", f"{ri(10, 500)} idle sessions on {s} were closed after the inactivity timeout (expected)", service=s),
        lambda: log(f"{logts()} kubelet: node {host()} condition MemoryPressure=False, DiskPressure=False, PIDPressure=False (all sufficient)", service="kubelet"),
        lambda: log(f"{logts()} {s}: TLS certificate for {domain()} is valid from {ts()}; local clock is behind, handshake rejected as not yet valid", service=s),
    ])()


VOCAB_EXTRA_TEMPLATES = {
    "oom": ([v_oom_windows_vm], 40),
    "disk_full": ([v_disk_cloud_probe], 60),
    "cert_expiry": ([v_cert_more], 50),
    "dependency_timeout": ([v_to_more], 60),
    "connection_pool_exhausted": ([v_pool_more], 50),
    "unknown": ([v_u_more_near], 180),
}


# --- Kubelet, cAdvisor and exporter wording beyond the rule files above ----------------------------------------------

def v_oom_kubelet_cadvisor():
    s, n, h = svc(), ns(), host()
    p = pod(s)
    return C([
        lambda: k8s_event("SystemOOM", f"System OOM encountered, victim process: {C(['java', 'node', 'python3', s])}, pid: {ri(1000, 99999)}", "Node", None, h, host_=h),
        lambda: rule(alert_name(["Container", "Cgroup"], ["Memory"], ["Failcnt", "LimitHits", "Failures"]), {"namespace": n, "pod": p, "container": s},
                     f"{s} keeps hitting its memory limit", "The cgroup memory limit was reached again (failcnt rising); allocations are being reclaimed or refused.",
                     f'increase(container_memory_failcnt{{container="{s}"}}[5m]) > 0', "cadvisor", service=s),
        lambda: rule(alert_name(["Envoy", "Proxy"], ["Heap", "Memory"], ["Pressure", "NearMax"]), {"instance": inst(15090)},
                     "Envoy heap close to the overload manager's maximum", "The fixed-heap monitor reports pressure; Envoy starts shedding load at the configured threshold.",
                     C(['envoy_overload_envoy_resource_monitors_fixed_heap_pressure > 0.9', 'envoy_server_memory_allocated / envoy_server_memory_heap_size > 0.95']),
                     "envoy", value=pc()),
        lambda: rule(alert_name(["Kube", "K8s"], ["Node"], ["MemoryPressure", "MemoryPressureTrue"]), {"node": h, "condition": "MemoryPressure"},
                     f"{h} reports MemoryPressure", "The kubelet has crossed its memory eviction threshold on this node.",
                     'kube_node_status_condition{condition="MemoryPressure",status="true"} == 1', "ksm"),
        lambda: rule(alert_name(["Kube", "Pod"], ["OOMKilled", "MemoryKilled", "OutOfMemory"], [""]), {"namespace": n, "pod": p, "container": s},
                     f"{s} was OOMKilled", "The last termination reason of the container is OOMKilled.",
                     f'kube_pod_container_status_last_terminated_reason{{reason="OOMKilled",container="{s}"}} == 1 and increase(kube_pod_container_status_restarts_total{{container="{s}"}}[15m]) > 0',
                     "ksm", service=s),
    ])()


def v_disk_kubelet():
    s, n, h = svc(), ns(), host()
    return C([
        lambda: k8s_event(C(["FreeDiskSpaceFailed", "ImageGCFailed"]),
                          f"failed to garbage collect required amount of images. Attempted to free {ri(1, 90)}{ri(100000000, 999999999)} bytes, but only found {ri(0, 9)} bytes eligible to free.",
                          "Node", None, h, host_=h),
        lambda: k8s_event("EvictionThresholdMet", "Attempting to reclaim ephemeral-storage", "Node", None, h, host_=h),
        lambda: rule(alert_name(["Kube", "Kubelet"], ["Node"], ["DiskPressure"]), {"node": h, "condition": "DiskPressure"},
                     f"{h} reports DiskPressure", "Node filesystem or image filesystem is below the kubelet's eviction threshold.",
                     'kube_node_status_condition{condition="DiskPressure",status="true"} == 1', "ksm"),
        lambda: rule(alert_name(["Prometheus", "Thanos", "Loki"], ["Storage", "Tsdb", "Volume"], ["FillingUp", "Full", "Low"]), {"instance": inst(9090)},
                     "TSDB volume almost full", "The volume holding the time-series database has little space left; compactions and WAL writes will fail.",
                     'predict_linear(kubelet_volume_stats_available_bytes{persistentvolumeclaim=~"prometheus-.*"}[6h], 86400) < 0', "cadvisor"),
        lambda: rule(alert_name(["Kafka"], ["LogDir", "Broker"], ["DiskFull", "SpaceLow", "Offline"]), {"instance": f"kafka-{ri(0, 5)}:9100"},
                     "Kafka data disk almost full", "The broker's log directory is running out of space; the broker takes it offline when writes fail.",
                     'node_filesystem_avail_bytes{mountpoint="/var/lib/kafka"} / node_filesystem_size_bytes{mountpoint="/var/lib/kafka"} < 0.1', "node"),
    ])()


def v_pool_exporters():
    db = C(DBS)
    return C([
        lambda: rule(alert_name(["Postgres", "Pg"], ["Backends", "NumBackends"], ["NearMax", "High"]), {"datname": db, "instance": inst(9187)},
                     f"{db}: backends near max_connections", "numbackends approaches the server's connection limit.",
                     f'sum(pg_stat_database_numbackends) / max(pg_settings_max_connections) > 0.85', "postgres", value=pc()),
        lambda: rule(alert_name(["Haproxy"], ["Process", "Global"], ["MaxConn", "Connections"], ["Reached", "High"]), {"instance": inst(8405)},
                     "HAProxy process near its global maxconn", "Current connections approach the global maxconn; new ones wait in the kernel backlog.",
                     'haproxy_process_current_connections / haproxy_process_max_connections > 0.9', "haproxy", value=pc()),
        lambda: rule(alert_name(["Haproxy"], ["Backend"], ["Queue", "Queued"], ["High", ""]), {"proxy": f"be_{db}"},
                     f"Requests queue in front of be_{db}", "Every server of the backend is at its maxconn; requests wait in the backend queue.",
                     f'haproxy_backend_current_queue{{proxy="be_{db}"}} > 0', "haproxy"),
        lambda: rule(alert_name(["Go", "Sql", "Db"], ["Pool"], ["Saturated", "WaitHigh"]), {"service": svc(), "db": db},
                     f"database/sql pool for {db} saturated", "In-use connections equal max_open and callers wait for one.",
                     C(['go_sql_stats_connections_in_use / go_sql_stats_connections_max_open > 0.9', 'rate(go_sql_stats_connections_waited_for[5m]) > 0',
                        'rate(go_sql_wait_duration_seconds_total[5m]) > 0.5']), "app"),
    ])()


def v_to_codes():
    s, d = svc(), dep()
    return C([
        lambda: rule(alert_name(["Ingress", "Nginx", "Traefik"], ["Gateway", "Upstream"], ["Timeouts", "504s"]), {"ingress": f"{d}", "namespace": ns()},
                     f"504s from {d} behind the ingress", "The proxy gave up waiting for the upstream and answered 504.",
                     C([f'sum(rate(nginx_ingress_controller_requests{{ingress="{d}",status="504"}}[5m])) > 1',
                        f'sum(rate(traefik_service_requests_total{{service=~".*{d}.*",code="504"}}[5m])) > 1']), "nginx"),
        lambda: rule(alert_name(["Haproxy"], ["Server", "Backend"], ["Timeouts"]), {"proxy": f"be_{d.replace('-', '_')}"},
                     f"Server-side timeouts towards {d}", "HAProxy aborts requests because the server did not answer before 'timeout server'.",
                     f'rate(haproxy_backend_http_responses_total{{proxy="be_{d.replace("-", "_")}",code="5xx"}}[5m]) > 0 and rate(haproxy_backend_response_errors_total[5m]) > 0', "haproxy"),
        lambda: log(f"{logts()} {s}: grpc call {d.title().replace('-', '')}Service/Get failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded (after {ri(1, 30)}s)", service=s),
    ])()


def v_u_exporter_near():
    s, h = svc(), host()
    return C([
        lambda: rule(alert_name(["Container"], ["Memory"], ["PageFaults", "MajorFaults"]), {"container": s},
                     f"{s} major page faults rising", "Page faults counted by cAdvisor; not an out-of-memory condition.",
                     f'rate(container_memory_failures_total{{failure_type="pgmajfault",container="{s}"}}[5m]) > 100', "cadvisor"),
        lambda: rule(alert_name(["Redis"], ["Memory"], ["Fragmentation"], ["High"]), {"instance": f"redis-{ri(0, 3)}:9121"},
                     "Redis memory fragmentation ratio high", "RSS is well above used_memory; restart or activedefrag.",
                     'redis_mem_fragmentation_ratio > 1.5', "redis"),
        lambda: rule(alert_name(["Redis"], ["Blocked"], ["Clients"]), {"instance": f"redis-{ri(0, 3)}:9121"},
                     "Clients blocked on BLPOP", "Blocked clients waiting for list data; this is application behaviour.",
                     'redis_blocked_clients > 50', "redis"),
        lambda: rule(alert_name(["Go"], ["Goroutines"], ["High", "Leak"]), {"job": s},
                     f"{s} has many goroutines", "Goroutine count is growing; check for leaks.",
                     f'go_goroutines{{job="{s}"}} > 10000', "app"),
        lambda: rule(alert_name(["Nodejs", "Node"], ["EventLoop"], ["Lag", "Blocked"]), {"job": s},
                     f"{s} event loop lag high", "The event loop is blocked by synchronous work in the service itself.",
                     f'nodejs_eventloop_lag_p99_seconds{{job="{s}"}} > 0.5', "app"),
        lambda: rule(alert_name(["Dotnet", "Clr"], ["ThreadPool"], ["Queue", "Starvation"]), {"job": s},
                     f"{s} thread pool queue growing", "Work items wait for thread-pool threads.",
                     f'dotnet_threadpool_queue_length{{job="{s}"}} > 100', "app"),
        lambda: rule(alert_name(["Elasticsearch"], ["ThreadPool", "Write"], ["Rejections"]), {"cluster": "logs"},
                     "Elasticsearch rejecting writes from the thread pool", "The write queue is full; bulk requests get 429.",
                     'rate(elasticsearch_thread_pool_rejected_count{type="write"}[5m]) > 0', "elasticsearch"),
        lambda: rule(alert_name(["Kafka"], ["Request", "Produce"], ["Latency", "TotalTime"]), {"instance": f"kafka-{ri(0, 5)}:7071"},
                     "Broker produce request time high", "Time the broker spends on produce requests, measured on the broker itself.",
                     'kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.99"} > 500', "kafka"),
        lambda: rule(alert_name(["Kube", "K8s"], ["Apiserver", "API"], ["Latency", "SlowRequests"]), {"verb": C(["LIST", "GET", "POST"])},
                     "API server requests slow", "Server-side request latency of the Kubernetes API server.",
                     'histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket{verb!~"WATCH|CONNECT"}[5m]))) > 1', "ksm"),
        lambda: rule(alert_name(["Etcd"], ["Fsync", "Wal"], ["Slow", "DurationHigh"]), {"instance": f"etcd-{ri(0, 2)}"},
                     "etcd WAL fsync slow", "Disk latency under etcd; fsyncs take longer than 500ms.",
                     'histogram_quantile(0.99, rate(etcd_disk_wal_fsync_duration_seconds_bucket[5m])) > 0.5', "node"),
        lambda: rule(alert_name(["Kubelet"], ["Pods", "TooManyPods"], ["NearCapacity", ""]), {"node": h},
                     f"{h} runs close to its pod capacity", "Pods on the node approach the kubelet's max-pods.",
                     'count by (node) (kube_pod_info) / on (node) kube_node_status_capacity{resource="pods"} > 0.95', "ksm"),
        lambda: rule(alert_name(["Nginx", "Ingress"], ["Bad", "502"], ["Gateway", "Errors"]), {"ingress": s},
                     f"502s from {s}", "The upstream closed the connection or answered garbage.",
                     f'sum(rate(nginx_ingress_controller_requests{{ingress="{s}",status="502"}}[5m])) > 1', "nginx"),
        lambda: rule(alert_name(["Alertmanager", "Prometheus"], ["Notifications", "Rule"], ["Failing", "Errors"]), {"integration": C(["slack", "pagerduty", "webhook"])},
                     "Monitoring cannot deliver or evaluate", "Alert delivery or rule evaluation fails; this is the monitoring's health.",
                     C(['rate(alertmanager_notifications_failed_total[5m]) > 0', 'increase(prometheus_rule_evaluation_failures_total[5m]) > 0',
                        'prometheus_tsdb_compactions_failed_total > 0']), "app"),
    ])()


# Vocabulary templates whose unknown rows carry a class's words or metrics for a different fault.
VOCAB_NEAR_MISSES = {"v_u_absent_up", "v_u_disk_latency_io", "v_u_server_latency", "v_u_memory_no_limit", "v_u_misc_near",
                     "v_u_logs", "v_u_more_near", "v_u_exporter_near"}

VOCAB_KUBE_TEMPLATES = {
    "oom": ([v_oom_kubelet_cadvisor], 60),
    "disk_full": ([v_disk_kubelet], 50),
    "dependency_timeout": ([v_to_codes], 40),
    "connection_pool_exhausted": ([v_pool_exporters], 50),
    "unknown": ([v_u_exporter_near], 160),
}


# Each entry: (function, weight, is_near_miss). Near-misses carry vocabulary of a class but are not that class.
UNKNOWN_TEMPLATES = [
    (u_high_cpu, 3, False), (u_cpu_throttle, 2, False), (u_replication_lag, 3, False), (u_crashloop, 4, False),
    (u_dns, 4, True), (u_auth, 5, True), (u_node_not_ready, 3, False), (u_image_pull, 3, False), (u_5xx, 4, False),
    (u_replicas_mismatch, 3, False), (u_queue_lag, 3, False), (u_tls_unknown_ca, 6, True), (u_conn_refused, 6, True),
    (u_disk_io, 5, True), (u_memory_reported, 4, True), (u_slo_burn, 2, False), (u_backup_failed, 2, False),
    (u_cron_failed, 2, False), (u_config_reload, 2, False), (u_lock_statement_timeout, 5, True), (u_deadlock, 2, True),
    (u_cert_renewed, 2, True), (u_license_token_expiry, 3, True), (u_insufficient_sched, 3, True),
    (u_exit_nonmem, 3, True), (u_rollout_stuck, 2, True), (u_too_many_open_files, 2, True),
    (u_thread_pool_rejected, 2, True), (u_rate_limited, 2, True), (u_pool_info, 2, True), (u_kafka_isr, 2, False),
    (u_es_health, 2, False), (u_target_down, 2, False), (u_misc_infra, 8, False),
]

CLASS_TEMPLATES = {
    "oom": [oom_k8s_event, oom_alert_events, oom_kernel, oom_jvm, oom_node, oom_python, oom_go, oom_misc_runtime,
            oom_eviction_memory, oom_node_memory_pressure, oom_host_oom_kill_alert, oom_systemd, oom_probe_exit137,
            oom_dotnet_ps],
    "disk_full": [disk_node_fs_alert, disk_filling_up, disk_inodes, disk_enospc_app, disk_postgres, disk_mysql,
                  disk_elasticsearch, disk_kafka, disk_k8s_ephemeral, disk_pressure, disk_docker_containerd,
                  disk_nginx_redis_prom, disk_probe, disk_sqlite_quota],
    "cert_expiry": [cert_blackbox_alert, cert_expired_blackbox, cert_manager, cert_go_client, cert_java,
                    cert_node_python_curl, cert_nginx_haproxy, cert_k8s_apiserver, cert_ssl_exporter, cert_probe,
                    cert_envoy_grpc],
    "dependency_timeout": [to_go_http, to_grpc, to_nginx, to_envoy, to_java, to_python, to_node, to_dotnet,
                           to_alert_latency, to_haproxy, to_data_clients, to_probe, to_api_gateway],
    "connection_pool_exhausted": [pool_postgres_log, pool_postgres_alert, pool_mysql, pool_hikari, pool_sqlalchemy,
                                  pool_redis, pool_go_sql, pool_ruby_node, pool_envoy_overflow, pool_probe,
                                  pool_pgbouncer_pgpool],
}


def finish(sig):
    """Small variations every source sees: casing of free text, resolved status, a service when missing."""
    if "text" in sig and chance(0.05):
        sig["text"] = sig["text"].lower()
    if chance(0.04):
        sig["status"] = "resolved"
    elif chance(0.5):
        sig["status"] = "firing"
    return sig


def content_key(sig):
    return json.dumps({k: v for k, v in sig.items() if k != "id"}, sort_keys=True)


def generate():
    seen = set()
    rows = []

    def emit(label, fn):
        for _ in range(50):
            sig = finish(fn())
            # A template may name a different class for one of its variants (see u_memory_reported).
            row_label = sig.pop("_label", label)
            key = content_key(sig)
            if key not in seen:
                seen.add(key)
                sig["label"] = row_label
                rows.append(sig)
                return
        raise RuntimeError(f"could not make a distinct example from {fn.__name__}")

    for label, templates in CLASS_TEMPLATES.items():
        for i in range(PER_CLASS):
            emit(label, templates[i % len(templates)])

    weighted = [fn for fn, w, _ in UNKNOWN_TEMPLATES for _ in range(w)]
    near = {fn.__name__ for fn, _, nm in UNKNOWN_TEMPLATES if nm}
    near_count = 0
    for i in range(UNKNOWN):
        fn = weighted[i % len(weighted)]
        emit("unknown", fn)
        near_count += fn.__name__ in near and rows[-1]["label"] == "unknown"

    r.shuffle(rows)
    # The rule-file vocabulary comes after the first corpus, so its rows keep their ids and content.
    first = len(rows)
    for table in (VOCAB_CLASS_TEMPLATES, VOCAB_EXTRA_TEMPLATES, VOCAB_KUBE_TEMPLATES):
        for label, (templates, count) in table.items():
            for i in range(count):
                fn = templates[i % len(templates)]
                emit(label, fn)
                near_count += fn.__name__ in VOCAB_NEAR_MISSES
    vocabulary = rows[first:]
    r.shuffle(vocabulary)
    rows[first:] = vocabulary
    out = []
    for i, row in enumerate(rows, 1):
        ordered = {"id": f"tr-{i:05d}"}
        ordered.update(row)
        out.append(ordered)
    return out, near_count


def main():
    rows, near = generate()
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts = {}
    for row in rows:
        counts[row["label"]] = counts.get(row["label"], 0) + 1
    print(f"wrote {len(rows)} examples to {OUT}", file=sys.stderr)
    for k in sorted(counts):
        print(f"  {k}: {counts[k]}", file=sys.stderr)
    print(f"  (unknown near-misses: {near})", file=sys.stderr)


if __name__ == "__main__":
    main()
