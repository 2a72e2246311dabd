#!/usr/bin/env python3
"""Writes heldout.jsonl: the held-out corpus that measures how Homeostat's learned classifier generalises.

Written separately from generate_train.py and sharing nothing with it (no import, no template sentence): other
products and stacks where possible (PgBouncer, Npgsql, SqlClient, MongoDB, Oracle, Windows, Rust, .NET, Erlang, ECS,
Cloud Run, Lambda, Heroku, Nomad, Ceph, MinIO, Traefik, Kong, Cassandra, ...), other metric names (kubelet volume
stats, windows_exporter, CloudWatch, OpenTelemetry, Istio), other alert names and casing, and a larger share of
signals that carry only labels or only free text. About a fifth of the file is near-misses: signals that use a
class's vocabulary but are not that class, which a senior SRE would call `unknown`.

Every message was written for this corpus; nothing is copied from real logs. Deterministic; standard library only.
"""

import json
import os
import random
import sys
from urllib.parse import quote

SEED = 90211
HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "heldout.jsonl")

N_PER_CLASS = 90
N_UNKNOWN = 370

rng = random.Random(SEED)
HEX = "0123456789abcdef"
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def one(seq):
    return rng.choice(seq)


def num(lo, hi):
    return rng.randint(lo, hi)


def p(prob):
    return rng.random() < prob


def token(n, chars=ALNUM):
    return "".join(rng.choice(chars) for _ in range(n))


APPS = [
    "fulfilment", "quote-engine", "kyc-verifier", "ride-matching", "telemetry-sink", "claims-processor",
    "policy-admin", "route-planner", "vod-packager", "seat-reservation", "loan-origination", "tax-calc",
    "partner-sync", "storefront", "dispatch", "sms-relay", "doc-render", "hr-portal", "tariff-svc", "returns",
    "merchant-onboarding", "ledger-v2", "driver-app-bff", "pos-sync", "settlement", "risk-engine", "crm-bridge",
    "content-api", "booking", "payout-scheduler", "device-registry", "otp-service",
]
SPACES = ["retail", "logistics", "risk", "observability", "tenant-42", "apps", "prod-eu", "streaming", "finance",
          "mobility", "insurance", "edge-west", "svc", "production"]
DATABASES = ["claimsdb", "bookings", "merchant", "fleet", "policies", "pos", "riskdata", "crm", "settlements"]
ROLES = ["svc_claims", "app_rw", "reporter", "booking_app", "sa_ingest", "dbuser"]
TEAMS = ["sre", "platform", "payments-oncall", "data-eng", "mobility"]
SEVS = ["CRITICAL", "Warning", "sev2", "sev1", "S3", "error", "crit"]


def app():
    return one(APPS)


def space():
    return one(SPACES)


def machine():
    kind = num(0, 6)
    if kind == 0:
        return f"aks-nodepool{num(1, 3)}-{num(10000000, 99999999)}-vmss{num(0, 30):06x}"
    if kind == 1:
        return f"gke-prod-pool-{num(1, 4)}-{token(8, HEX)}-{token(4)}"
    if kind == 2:
        return f"WIN-{one(['SQL', 'IIS', 'APP', 'FS'])}{num(1, 20):02d}"
    if kind == 3:
        return f"lnx-{one(['web', 'api', 'db', 'batch'])}-{num(1, 200):03d}"
    if kind == 4:
        return f"compute-{num(1, 30)}.{one(['ovh', 'hetzner', 'rack4'])}"
    if kind == 5:
        return f"i-0{token(16, HEX)}"
    return f"srv{num(100, 999)}.{one(['ams', 'sin', 'gru', 'yyz'])}.corp"


def address():
    return f"{one(['172.16', '192.168', '100.64'])}.{num(0, 255)}.{num(1, 254)}"


def workload(a):
    return f"{a}-{token(num(9, 10))}-{token(5)}"


def stamp():
    mo, d = num(1, 12), num(1, 28)
    style = num(0, 3)
    if style == 0:
        return f"2027-{mo:02d}-{d:02d}T{num(0, 23):02d}:{num(0, 59):02d}:{num(0, 59):02d}.{num(0, 999999):06d}+00:00"
    if style == 1:
        return f"{d:02d}/{mo:02d}/2027 {num(0, 23):02d}:{num(0, 59):02d}:{num(0, 59):02d}"
    if style == 2:
        return f"[{num(1700000000, 1799999999)}]"
    return ""


def dotnet_time():
    return f"{num(0, 23):02d}:{num(0, 59):02d}:{num(0, 59):02d}"


def graph_link(query):
    base = one(["http://prometheus:9090", "http://thanos-query.observability:9090", "http://vmselect:8481/select/0/prometheus",
                "http://mimir.internal:9090"])
    return f"{base}/graph?g0.expr={quote(query, safe='')}&g0.tab=1"


def drop_empty(obj):
    return {k: v for k, v in obj.items() if v is not None and v != "" and v != {} and v != []}


def rule_alert(name, labels, headline=None, detail=None, query=None, app_name=None, target=None, values=None,
               origin="alertmanager"):
    """An alert from a rule. Sometimes only labels, sometimes a 'message' annotation in place of summary/description."""
    lab = {"alertname": name}
    if p(0.8):
        lab["severity"] = one(SEVS)
    if p(0.35):
        lab["team"] = one(TEAMS)
    if p(0.2):
        lab["env"] = one(["prd", "production", "live"])
    lab.update({k: str(v) for k, v in labels.items() if v is not None})
    notes = {}
    shape = num(0, 9)
    if shape <= 1:
        pass  # labels only
    elif shape <= 3:
        notes["message"] = " ".join(x for x in (headline, detail) if x)
    else:
        if headline:
            notes["summary"] = headline
        if detail and p(0.8):
            notes["description"] = detail
    if origin == "alertmanager" and p(0.2):
        origin = "prometheus"  # a rule evaluated and posted without Alertmanager in between
    signal = {"source": origin, "service": app_name, "resource": target, "labels": lab, "annotations": notes}
    if query and p(0.75):
        signal["generatorURL"] = graph_link(query)
    if values:
        signal["metrics"] = values
    return drop_empty(signal)


def line(message, app_name=None, where=None):
    return drop_empty({"source": "log", "service": app_name, "text": message, "resource": where})


def kube(reason, message, kind, namespace, name, box=None, node=None):
    return drop_empty({"source": "kubernetes", "title": reason, "text": message,
                       "resource": drop_empty({"kind": kind, "namespace": namespace, "name": name, "container": box,
                                               "host": node})})


def check(title, message, values, app_name=None, target=None):
    return drop_empty({"source": "probe", "title": title, "text": message, "metrics": values, "service": app_name,
                       "resource": target})


def event(title, message=None, app_name=None, labels=None, target=None):
    return drop_empty({"source": "api", "title": title, "text": message, "service": app_name, "labels": labels,
                       "resource": target})


def size_mib():
    return one([192, 256, 448, 512, 640, 900, 1000, 2000, 2560, 4000])


# =====================================================================================================================
# oom
# =====================================================================================================================

def h_oom_dotnet():
    a = app()
    body = one([
        f"Unhandled exception. System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.\n   at System.Collections.Generic.List`1.AddWithResize(T item)\n   at {a.title().replace('-', '')}.Import.Run()",
        f"{dotnet_time()} crit: Microsoft.AspNetCore.Server.Kestrel[13] Connection id \"0HN{token(10).upper()}\": An unhandled exception was thrown by the application.\nSystem.OutOfMemoryException: Insufficient memory to continue the execution of the program.",
        f"Application: w3wp.exe\nFramework Version: v4.0.30319\nDescription: The process was terminated due to an unhandled exception.\nException Info: System.OutOfMemoryException",
    ])
    return line(body, a, drop_empty({"host": machine()}) if p(0.4) else None)


def h_oom_rust():
    a = app()
    body = one([
        f"memory allocation of {one([8589934592, 4294967296, 1073741824, 268435456])} bytes failed\n{one(['fatal runtime error: aborting', 'process aborted with SIGABRT', ''])}".strip(),
        f"thread 'tokio-runtime-worker' panicked: memory allocation of {num(100000, 900000000)} bytes failed",
        f"{a}: process aborted (SIGABRT) after 'memory allocation of {num(1000000, 9000000000)} bytes failed'",
    ])
    return line(body, a)


def h_oom_go_other():
    a = app()
    body = one([
        f"{a}: Go runtime gave up: VirtualAlloc of {one([1048576, 67108864, 8388608])} bytes failed with errno=1455 (the paging file is too small), process is out of memory",
        "fatal error: out of memory allocating heap arena metadata",
        f"runtime: mmap({token(2, HEX)}{token(8, HEX)}, {num(1, 64) * 1048576}) returned 0xc, errno=12 (cannot allocate memory)\nfatal error: runtime: cannot map pages in arena address space",
    ])
    return line(body, a, drop_empty({"host": machine(), "container": a}) if p(0.5) else None)


def h_oom_ecs_cloudrun():
    a = app()
    lim = size_mib()
    pick = num(0, 3)
    if pick == 0:
        return event("ECS task stopped",
                     f"Task {token(32, HEX)} in service {a} stopped. Stopped reason: OutOfMemoryError: Container killed due to memory usage. Exit code 137.",
                     a, {"cluster": one(["ecs-prod", "fargate-main"]), "stopCode": "EssentialContainerExited"})
    if pick == 1:
        return line(f"Memory limit of {lim} MiB exceeded with {lim + num(1, 90)} MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits",
                    a)
    if pick == 2:
        return line(f"{a}[web.{num(1, 6)}]: Process running mem={lim * 2 + num(1, 400)}M({num(201, 400)}.{num(0, 9)}%)\nError R15 (Memory quota vastly exceeded)\nStopping process with SIGKILL",
                    a)
    used = one([512, 1024, 2048, 3008])
    return line(f"REPORT RequestId: {token(8, HEX)}-{token(4, HEX)}-{token(4, HEX)}-{token(4, HEX)}-{token(12, HEX)}\tDuration: {num(100, 900000) / 100} ms\tMemory Size: {used} MB\tMax Memory Used: {used} MB\nRuntime exited with error: signal: killed (Runtime.ExitError); the function ran out of memory",
                a)


def h_oom_gunicorn_beam():
    a = app()
    body = one([
        f"[{stamp()}] [1] [ERROR] Worker (pid:{num(10, 9999)}) was sent SIGKILL! Perhaps out of memory?",
        f"eheap_alloc: Cannot allocate {num(1000000, 9000000000)} bytes of memory (of type \"{one(['heap', 'old_heap', 'binary'])}\").\nCrash dump is being written to: erl_crash.dump...done",
        f"Crash dump: Slogan: eheap_alloc: Cannot allocate {num(1000000, 900000000)} bytes of memory (of type \"heap\")",
    ])
    return line(body, one([a, "rabbitmq", "ejabberd", "gunicorn"]))


def h_oom_systemd_oomd():
    unit = one(["clickhouse", "grafana-agent", "mongod", "jupyterhub", "sidekiq", "minio", "rspamd"])
    m = machine()
    return line(one([
        f"systemd-oomd[{num(300, 999)}]: Killed /system.slice/{unit}.service due to memory pressure for /system.slice being {num(60, 99)}.{num(10, 99)}% > {one([50, 60, 80])}.00% for > 20s with reclaim activity",
        f"systemd-oomd[{num(300, 999)}]: Killed /user.slice/user-1000.slice/{unit}.scope due to memory used ({num(90, 99)}.{num(0, 99)}%) / total and swap used exceeding limits",
    ]), unit, {"host": m} if p(0.5) else None)


def h_oom_old_kernel():
    proc = one(["mongod", "beam.smp", "clickhouse-serv", "ffmpeg", "influxd", "w3wp", "sqlservr", "tritonserver"])
    m = machine()
    text = one([
        f"Out of memory: Kill process {num(1000, 65000)} ({proc}) score {num(800, 1000)} or sacrifice child",
        f"{m} kernel: [{num(1000, 999999)}.{num(100000, 999999)}] Task in /kubepods/burstable/pod{token(8, HEX)} killed as a result of limit of /kubepods/burstable/pod{token(8, HEX)}\n memory: usage {num(100000, 999999)}kB, limit {num(100000, 999999)}kB, failcnt {num(1, 99999)}",
    ])
    if p(0.5):
        return kube("OOMKilling", text, "Node", None, m, node=m)
    return line(text, None, {"host": m})


def h_oom_cgroup_probe():
    a = app()
    kills = num(1, 12)
    lim = size_mib()
    return check(one(["cgroup memory events", f"{a} memory.events", "memory controller"]),
                 one([f"memory.events for /sys/fs/cgroup/system.slice/{a}.service: oom {kills} oom_kill {kills} (memory.max {lim}M)",
                      f"{a}: {kills} processes killed by the memory controller since last check; memory.max={lim}M reached"]),
                 {"memory_events_oom_kill": kills, "memory_max_bytes": lim * 1048576}, a)


def h_oom_postgres():
    return line(one([
        f"{stamp()} [{num(100, 99999)}] ERROR:  out of memory\n{stamp()} [{num(100, 99999)}] DETAIL:  Failed on request of size {one([8192, 1048576, 33554432])} in memory context \"{one(['ExecutorState', 'HashBatchContext', 'TupleSort main', 'MessageContext'])}\".",
        f"{stamp()} LOG:  server process (PID {num(100, 99999)}) was terminated by signal 9: Killed; the kernel OOM killer chose it under memory pressure",
    ]), one(["postgresql", "pg-cluster", "claimsdb-pg"]))


def h_oom_windows():
    m = machine()
    procname = one(["sqlservr.exe", "w3wp.exe", "java.exe", "MsMpEng.exe", "chrome.exe", "dotnet.exe"])
    return event(one(["Resource-Exhaustion-Detector", "Event 2004", "Windows low memory"]),
                 f"Windows successfully diagnosed a low virtual memory condition on {m}. The following programs consumed the most virtual memory: {procname} ({num(1000, 30000)}) consumed {num(3000000000, 30000000000)} bytes",
                 None, {"EventID": "2004", "Channel": "System"}, {"host": m})


def h_oom_nomad_docker():
    a = app()
    if p(0.5):
        return event(one(["Task event", "Nomad allocation failed"]),
                     f"Task \"{a}\" in alloc {token(8, HEX)}: Terminated, Exit Code: 137, Exit Message: \"OOM Killed\"",
                     a, {"job": a, "task_group": one(["web", "workers", "api"])})
    return line(f"container {token(12, HEX)} ({a}) died: exitCode=137 OOMKilled=true memory.limit={size_mib()}MiB", a)


def h_oom_kubectl_table():
    a, ns = app(), space()
    w = workload(a)
    return line(one([
        f"NAME{' ' * 24}READY   STATUS      RESTARTS      AGE\n{w}   0/1     OOMKilled   {num(2, 30)} ({num(1, 59)}s ago)   {num(1, 50)}h",
        f"pod/{w} in {ns}: lastState.terminated.reason=OOMKilled exitCode=137, container '{a}' limit {size_mib()}Mi",
    ]), a, {"kind": "Pod", "namespace": ns, "name": w})


def h_oom_alert():
    a, ns = app(), space()
    w = workload(a)
    name = one(["ContainerTerminatedOutOfMemory", "workload_oom_kill", "POD_MEMORY_KILLED", "PodKilledForMemory",
                "oom_terminations"])
    q = one([
        f'sum by (namespace, pod) (kube_pod_container_status_terminated_reason{{reason="OOMKilled",namespace="{ns}"}}) > 0',
        f'kube_pod_container_status_last_terminated_exitcode{{namespace="{ns}",container="{a}"}} == 137 and on(pod) container_memory_working_set_bytes >= container_spec_memory_limit_bytes * 0.99',
    ])
    return rule_alert(name, {"namespace": ns, "pod": w, "container": a},
                      one([f"{a} terminated by kernel for exceeding its memory limit", f"{w} ran out of memory",
                           "container killed: memory limit reached"]),
                      one([f"Exit code 137 with memory at the limit ({size_mib()}Mi) - the kernel killed it.",
                           f"Workload {ns}/{a} keeps dying out of memory."]),
                      q, a if p(0.5) else None)


def h_oom_eviction():
    a, ns = app(), space()
    return kube(one(["Evicted", "Preempting"]),
                one([f"Pod was rejected: The node had condition: [MemoryPressure].",
                     f"Evicting pod {workload(a)}: kubelet reclaiming memory, memory.available fell to {num(20, 99)}Mi",
                     f"Usage of memory by {a} exceeded node allocatable; pod evicted under memory pressure"]),
                "Pod", ns, workload(a), a)


# =====================================================================================================================
# disk_full
# =====================================================================================================================

def h_disk_pvc():
    ns, a = space(), app()
    claim = f"{one(['data', 'storage', 'wal', 'pgdata'])}-{a}-{num(0, 4)}"
    left = num(1, 9)
    return rule_alert(one(["KubePersistentVolumeFillingUp", "PVCAlmostFull", "VolumeCapacityLow", "pvc_space_low"]),
                      {"namespace": ns, "persistentvolumeclaim": claim},
                      one([f"PVC {claim} is {100 - left}% used", f"Volume {claim} in {ns} is nearly out of space",
                           f"Only {left}% free on claim {claim}"]),
                      one([f"The PersistentVolume claimed by {claim} in namespace {ns} has {left}.{num(0, 9)}% free.",
                           "Expand the volume or clean up data before writes start failing."]),
                      one([f'kubelet_volume_stats_available_bytes{{namespace="{ns}",persistentvolumeclaim="{claim}"}} / kubelet_volume_stats_capacity_bytes{{namespace="{ns}",persistentvolumeclaim="{claim}"}} < 0.0{num(3, 9)}',
                           f'predict_linear(kubelet_volume_stats_available_bytes{{persistentvolumeclaim="{claim}"}}[6h], 4 * 24 * 3600) < 0',
                           f'kubelet_volume_stats_inodes_free{{persistentvolumeclaim="{claim}"}} / kubelet_volume_stats_inodes < 0.03']),
                      None, drop_empty({"kind": "PersistentVolumeClaim", "namespace": ns, "name": claim}) if p(0.5) else None)


def h_disk_windows():
    m = machine()
    vol = one(["C:", "D:", "E:", "F:"])
    free = num(1, 8)
    if p(0.55):
        return rule_alert(one(["WindowsDiskSpaceLow", "windows_volume_free_low", "LogicalDiskAlmostFull"]),
                          {"instance": f"{m}:9182", "volume": vol},
                          f"{vol} on {m} has {free}% free", None,
                          f'100 * windows_logical_disk_free_bytes{{volume="{vol}"}} / windows_logical_disk_size_bytes{{volume="{vol}"}} < {free + 2}',
                          None, {"host": m, "path": vol + "\\"})
    return line(one([
        f"System.IO.IOException: There is not enough space on the disk. : '{vol}\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex{num(200101, 271231)}.log'",
        f"Event 2013, srv: The {vol} disk is at or near capacity. You may need to delete some files.",
        f"MSSQLSERVER error 1105: Could not allocate space for object 'dbo.{one(['Orders', 'AuditLog', 'Events'])}' in database '{one(DATABASES)}' because the 'PRIMARY' filegroup is full. Create disk space by deleting unneeded files, dropping objects in the filegroup, adding additional files to the filegroup, or setting autogrowth on for existing files in the filegroup.",
    ]), one(["iis", "mssql", "windows-host", app()]), {"host": m})


def h_disk_cloud_db():
    inst = f"{one(DATABASES)}-{one(['prod', 'primary', 'main'])}"
    if p(0.5):
        gib = round(rng.uniform(0.2, 4.5), 1)
        return rule_alert(one(["RDSFreeStorageLow", "CloudSqlDiskUtilisationHigh", "AzureSqlStoragePercent"]),
                          {"dbinstance_identifier": inst},
                          f"{inst}: FreeStorageSpace {gib} GiB", None,
                          f'aws_rds_free_storage_space_average{{dbinstance_identifier="{inst}"}} < {int(gib * 2)} * 1024^3',
                          values={"FreeStorageSpace": gib * 1073741824})
    return event(one(["RDS-EVENT-0007", "DB instance storage full", "Cloud SQL storage"]),
                 one([f"DB instance {inst} has reached the storage-full state; it has been stopped to prevent corruption.",
                      f"Instance {inst} disk utilization is at {num(95, 100)}%; automatic storage increase is disabled."]),
                 inst)


def h_disk_mongo_rust_minio():
    a = app()
    body = one([
        f"{{\"t\":{{\"$date\":\"{stamp() or '2027-03-01T00:00:00Z'}\"}},\"s\":\"E\",\"c\":\"WT\",\"msg\":\"WiredTiger error\",\"attr\":{{\"error\":28,\"message\":\"[{num(1700000000, 1799999999)}:{num(0, 999999)}] __posix_file_write, {num(100, 999)}: /data/db/collection-{num(1, 99)}--{num(1000, 9999)}.wt: handle-write: pwrite: failed to write {num(4096, 65536)} bytes: No space left on device\"}}}}",
        f"Error: Os {{ code: 28, kind: StorageFull, message: \"No space left on device\" }} while flushing segment {num(1, 9999)}",
        f"API: PutObject(bucket={one(['backups', 'uploads', 'artifacts'])}, object={token(10)}.tar.gz)\nError: Storage resources are insufficient for the write operation .minio.sys/tmp/{token(8)} (cmd.StorageFull)",
        f"write error: ENOSPC (errno 28) appending to /var/opt/{a}/journal/{num(1, 999):06d}.log",
    ])
    return line(body, one(["mongodb", a, "minio"]))


def h_disk_ceph():
    return line(one([
        f"cluster [ERR] Health check failed: 1 full osd(s) (OSD_FULL); pool '{one(['rbd', 'cephfs_data', 'volumes'])}' is full (no space)",
        f"HEALTH_ERR {num(1, 3)} full osd(s); {num(1, 5)} pool(s) full; osd.{num(0, 40)} is full at {num(95, 99)}%",
        f"Health check update: {num(1, 6)} nearfull osd(s) (OSD_NEARFULL); osd.{num(0, 40)} at {num(85, 94)}% usage",
    ]), one(["ceph-mon", "ceph", "rook-ceph"]), {"host": machine()} if p(0.3) else None)


def h_disk_opensearch_block():
    idx = f"{one(['logs', 'traces', 'audit'])}-{one(['2027.03.01', '2027.07.15', '000123'])}"
    return line(one([
        f"OpenSearchStatusException[index [{idx}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block]]",
        f"cluster.routing.allocation.disk.watermark.flood_stage reached on node {one(['os-data', 'opensearch-hot'])}-{num(0, 9)}: {num(95, 99)}% of /usr/share/opensearch/data used; indices set read-only",
    ]), one(["opensearch", "fluent-bit", "logstash"]))


def h_disk_thinpool_tsdb():
    return line(one([
        f"devmapper: Thin Pool has {num(100, 9000)} free data blocks which is less than minimum required {one([16384, 163840])} free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior",
        f"level=error component=compactor msg=\"compaction failed\" err=\"compact blocks: write compaction: preallocate: no space left on device\"",
        f"Disk space is below threshold of {one(['1.00', '2.00', '5.00'])} GiB. Only {num(100, 999)} MiB out of {one([50, 100, 200])} GiB left on /var/jenkins_home.",
    ]), one(["docker", "thanos-compact", "jenkins", "mimir-compactor"]))


def h_disk_emptydir():
    a, ns = app(), space()
    return kube(one(["Evicted", "Evicting"]),
                one([f"Usage of EmptyDir volume \"{one(['cache', 'scratch', 'tmp', 'spool'])}\" exceeds the limit \"{one(['1Gi', '500Mi', '4Gi'])}\".",
                     f"Container {a} used {num(3, 40)}Gi of local disk (ephemeral storage); kubelet reclaimed node filesystem space",
                     f"The node had condition: [DiskPressure]."]),
                "Pod", ns, workload(a), a)


def h_disk_zabbix_probe():
    m = machine()
    mount = one(["/var/lib/clickhouse", "/export", "/var/spool", "/u01", "/var/opt/mssql", "/backup", "/"])
    free = round(rng.uniform(0.1, 4.9), 1)
    return check(one(["Free disk space", f"{m}: space on {mount}", "volume capacity"]),
                 one([f"Free disk space is less than 5% on volume {mount} ({free}% left)",
                      f"Volume {mount} at {100 - free:.1f}% capacity on {m}",
                      f"df: {mount} Use% {int(100 - free)}% IUse% {num(1, 40)}%"]),
                 {"pfree": free, "used_pct": round(100 - free, 1)}, None, {"host": m, "path": mount})


def h_disk_inode_text():
    m = machine()
    mount = one(["/var/spool/postfix", "/srv/sessions", "/var/lib/php/sessions", "/data/thumbs"])
    return line(one([
        f"{m}: df -i {mount}: IUsed {num(6000000, 6553600)} IFree 0 IUse% 100% - no inodes left, file creation failing",
        f"touch: cannot touch '{mount}/{token(8)}': No space left on device (0 free inodes, {num(40, 95)}% blocks free)",
    ]), one(["postfix", "php-fpm", app()]), {"host": m, "path": mount})


def h_disk_redis_aof_kafka():
    return line(one([
        f"{num(1, 99)}:M {stamp()} # Error writing to the AOF file: No space left on device",
        f"[{stamp()}] ERROR Failed to write offset checkpoint for /var/data/kafka - disk is out of space (errno=28)",
        f"{num(1, 99)}:C {stamp()} * Background saving failed: disk full on /data (rdb {num(1, 30)} GB)",
    ]), one(["redis", "kafka", "valkey"]))


def h_disk_prom_alert_other():
    m = machine()
    mount = one(["/var/lib/etcd", "/var/lib/elasticsearch", "/data"])
    return rule_alert(one(["disk_almost_full", "HOST_DISK_FULL", "StorageVolumeNearCapacity"]),
                      {"host": m, "mount": mount},
                      f"disk on {m} ({mount}) is almost full", None,
                      one([f'disk_used_percent{{host="{m}",path="{mount}"}} > 95',
                           f'(1 - (disk_free{{host="{m}",path="{mount}"}} / disk_total{{host="{m}",path="{mount}"}})) > 0.95']),
                      None, {"host": m, "path": mount})


# =====================================================================================================================
# cert_expiry
# =====================================================================================================================

def fqdn():
    return one([f"{app()}.{one(['shop', 'bank', 'mobility', 'insure'])}-{one(['corp', 'group'])}.com",
                f"{one(['sso', 'mtls', 'partners', 'edge', 'mqtt', 'smtp'])}.{one(['contoso', 'initech', 'umbrella'])}.org",
                f"{app()}.{space()}.internal"])


def h_cert_dotnet():
    h = fqdn()
    return line(one([
        f"System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: NotTimeValid\n   at System.Net.Security.SslStream.CompleteHandshake() (host {h})",
        f"{dotnet_time()} fail: System.Net.Http.HttpClient.{app()}.LogicalHandler[101] SSL policy errors for https://{h}/: RemoteCertificateChainErrors (NotTimeValid: the certificate validity period ended {num(1, 40)} days ago)",
    ]), app())


def h_cert_boringssl():
    a = app()
    return line(one([
        f"[{stamp()}][{num(10, 99)}][debug][connection] [C{num(1, 99999)}] TLS error: {num(268435000, 268436999)}:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED",
        f"upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: {num(268435000, 268436999)}:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED",
        f"SSL_do_handshake() failed (SSL: error:0A000415:SSL routines::sslv3 alert certificate expired:SSL alert number 45) while SSL handshaking to upstream",
    ]), one(["istio-proxy", "envoy-sidecar", "kong", a]))


def h_cert_openssl_cli():
    h = fqdn()
    return check(one(["openssl s_client", f"tls {h}", "certificate verify"]),
                 one([f"depth=0 CN = {h}\nverify error:num=10:certificate has expired\nnotAfter=Jan {num(1, 28)} 00:00:00 2027 GMT\nVerify return code: 10 (certificate has expired)",
                      f"{h}:443 leaf certificate notAfter passed {num(1, 30)}h ago (serial {token(16, HEX)})"]),
                 {"verify_code": 10, "up": 0}, None, {"host": h})


def h_cert_telegraf_x509():
    h = fqdn()
    secs = num(3600, 20 * 86400)
    return rule_alert(one(["X509CertificateExpiring", "x509_cert_expiring", "TlsLeafExpiry", "CertValidityLow"]),
                      {"common_name": h, "source": f"https://{h}:443"},
                      one([f"Certificate CN={h} valid for another {secs // 3600}h only", f"{h}: cert expires soon"]),
                      None,
                      one([f'x509_cert_expiry{{common_name="{h}"}} < {one([604800, 1209600, 259200])}',
                           f'probe_ssl_last_chain_expiry_timestamp_seconds{{instance="{h}"}} - time() < 86400 * {one([5, 10, 20])}']),
                      values={"expiry_seconds": secs} if p(0.5) else None)


def h_cert_windows_autoenroll():
    m = machine()
    thumb = " ".join(token(2, HEX) for _ in range(20))
    return event("CertificateServicesClient-AutoEnrollment",
                 f"Event 64: Certificate for local system with Thumbprint {thumb} is about to expire or already expired.",
                 None, {"EventID": "64", "computer": m}, {"host": m})


def h_cert_acm_keyvault():
    h = fqdn()
    days = num(1, 30)
    if p(0.5):
        return event("ACM Certificate Approaching Expiration",
                     f"certificate arn:aws:acm:{one(['eu-west-1', 'us-east-1'])}:{num(100000000000, 999999999999)}:certificate/{token(8, HEX)}-{token(4, HEX)} for {h} expires in {days} days; it is not eligible for managed renewal",
                     None, {"DaysToExpiry": str(days), "source": "aws.acm"})
    return event("Microsoft.KeyVault.CertificateNearExpiry",
                 f"Key Vault {one(['kv-prod', 'kv-shared'])} certificate '{h.replace('.', '-')}' will expire in {days} days (lifetime action not configured)",
                 None, {"EventType": "Microsoft.KeyVault.CertificateNearExpiry"})


def h_cert_rustls():
    return line(one([
        "error trying to connect: invalid peer certificate: Expired",
        f"rustls::Error InvalidCertificate(Expired) connecting to {fqdn()}:443",
    ]), app())


def h_cert_vault_istio_saml():
    pick = num(0, 2)
    if pick == 0:
        return line(f"vault: issued certificate for {fqdn()} (role {one(['web', 'internal-mtls'])}) expires in {num(1, 47)}h and the renewer failed: lease not renewable",
                    "vault-agent")
    if pick == 1:
        return event("Mesh root certificate",
                     f"istio-ca-root-cert in {space()} expires in {num(1, 9)} days; workloads will reject peers once it lapses",
                     "istiod")
    return event("SAML signing certificate",
                 f"The IdP token-signing certificate for {fqdn()} expires on 2027-{num(1, 12):02d}-{num(1, 28):02d}, {num(1, 14)} days from now; SSO logins will fail after that",
                 one(["okta-sync", "adfs", "keycloak"]))


def h_cert_letsencrypt_mail():
    h = fqdn()
    return event("Let's Encrypt certificate expiration notice",
                 f"Your certificate (or certificates) for the names listed below will expire in {num(2, 19)} days (on {num(1, 28)} {one(['Mar', 'Jul', 'Nov'])} 27 12:00 +0000). Please make sure to renew your certificate before then.\n\n{h}",
                 None)


def h_cert_manager_condition():
    ns = space()
    cn = f"{app()}-{one(['cert', 'tls-secret', 'mtls'])}"
    return kube(one(["NotReady", "RenewalOverdue"]),
                one([f"Certificate {cn} is Ready=False: the certificate in secret {cn} expired at 2027-{num(1, 12):02d}-{num(1, 28):02d}; issuance is failing",
                     f"Renewal of {cn} is overdue: renewalTime passed {num(2, 30)}d ago, notAfter in {num(1, 5)}d"]),
                "Certificate", ns, cn)


def h_cert_node_undici():
    return line(one([f"TypeError: fetch failed; cause: Error: certificate has expired (code=CERT_HAS_EXPIRED) while calling https://{fqdn()}/",
                     f"[undici] TLS to {fqdn()} rejected: peer certificate has expired ({num(1, 90)} days past notAfter)"]),
                app())


def h_cert_mqtt_smtp():
    return line(one([
        f"postfix/smtp[{num(1000, 99999)}]: Untrusted TLS connection established to {fqdn()}[{address()}]:25: certificate expired (notAfter {num(1, 28)}.{num(1, 12)}.2027)",
        f"mosquitto: OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed - client certificate for device {token(10)} expired",
    ]), one(["postfix", "mosquitto"]))


# =====================================================================================================================
# dependency_timeout
# =====================================================================================================================

def target_app():
    return one(APPS + ["partner-api", "geocoder", "card-vault", "identity-provider", "rates-feed"])


def h_to_botocore():
    region = one(["eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1"])
    svc_ = one(["dynamodb", "s3", "sqs", "kms", "sts", "secretsmanager"])
    return line(one([
        f"botocore.exceptions.ConnectTimeoutError: Connect timeout on endpoint URL: \"https://{svc_}.{region}.amazonaws.com/\"",
        f"botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL: \"https://{svc_}.{region}.amazonaws.com/\"",
    ]), app())


def h_to_polly_wcf():
    a, t = app(), target_app()
    return line(one([
        f"Polly.Timeout.TimeoutRejectedException: The delegate executed asynchronously through TimeoutPolicy did not complete within the timeout.\n   at {a.title().replace('-', '')}.{t.title().replace('-', '')}Gateway.SendAsync()",
        f"System.TimeoutException: The request channel timed out while waiting for a reply after 00:{num(0, 1):02d}:{num(10, 59):02d}. Increase the timeout value passed to the call to Request. (endpoint http://{t}/Service.svc)",
    ]), a)


def h_to_rust():
    a, t = app(), target_app()
    return line(one([
        f"error sending request for url (http://{t}.{space()}.svc:8080/v1/lookup): operation timed out",
        f"call to {t} failed: deadline has elapsed",
        f"hyper::Error(Connect, ConnectError(\"tcp connect error\", Os {{ code: 110, kind: TimedOut, message: \"Connection timed out\" }})) calling {t}",
    ]), a)


def h_to_php_ruby():
    a, t = app(), target_app()
    return line(one([
        f"GuzzleHttp\\Exception\\ConnectException: cURL error 28: Operation timed out after {num(1000, 30000)} milliseconds with 0 bytes received (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for http://{t}/api",
        f"Net::ReadTimeout with #<TCPSocket:(closed)> (calling {t})",
        f"Faraday::TimeoutError: execution expired (GET https://{t}/v2/status)",
        f"curl: (28) Connection timed out after {num(1000, 20000)} milliseconds ({t})",
    ]), a)


def h_to_go_io():
    a, t = app(), target_app()
    return line(one([
        f"dial tcp {address()}:{one([443, 8443, 9000])}: i/o timeout (dependency {t})",
        f"Post \"https://{t}/v1/score\": net/http: TLS handshake timeout",
        f"read tcp {address()}:{num(30000, 60000)}->{address()}:443: i/o timeout while waiting on {t}",
    ]), a)


def h_to_istio_metric():
    a, t, ns = app(), target_app(), space()
    return rule_alert(one(["MeshUpstream504s", "istio_route_timeouts", "DestinationTimingOut", "SidecarRouteTimeout"]),
                      {"source_workload": a, "destination_service": f"{t}.{ns}.svc.cluster.local"},
                      f"{a} -> {t}: requests ending in route timeout",
                      f"Sidecars report responses with flag UT (upstream request timeout) from {t}.",
                      f'sum(rate(istio_requests_total{{source_workload="{a}",destination_service=~"{t}.*",response_code="504",response_flags="UT"}}[5m])) > 0.5',
                      a)


def h_to_alb_kong_traefik():
    t = target_app()
    pick = num(0, 2)
    if pick == 0:
        return rule_alert(one(["AlbTargetTimeouts", "ELB504Spike", "lb_gateway_timeouts"]),
                          {"load_balancer": f"app/{t}-alb/{token(16, HEX)}", "target_group": f"{t}-tg"},
                          f"ALB returning 504 for {t}", "Targets did not respond before the load balancer idle timeout.",
                          f'sum(aws_applicationelb_httpcode_elb_504_count_sum{{load_balancer=~".*{t}.*"}}) > 20',
                          t, values={"HTTPCode_ELB_504_Count": float(num(20, 900))})
    if pick == 1:
        return line(f"{{\"message\":\"The upstream server is timing out\"}} status=504 route={t}-route upstream={t}.{space()}:{num(8000, 9000)} latency_upstream={num(60000, 61000)}",
                    "kong")
    return line(f"{address()} - - [{num(1, 28)}/Jul/2027:{num(10, 23)}:{num(10, 59)}:{num(10, 59)} +0000] \"GET /{t}/ HTTP/2.0\" 504 15 \"-\" \"-\" {num(1, 99999)} \"{t}@kubernetescrd\" \"http://{address()}:8080\" {num(30000, 90000)}ms Gateway Timeout",
                "traefik")


def h_to_apache():
    t = target_app()
    return line(one([
        f"[proxy_http:error] [pid {num(100, 99999)}:tid {num(1000, 999999)}] (70007)The timeout specified has expired: [client {address()}:{num(1024, 65535)}] AH01102: error reading status line from remote server {t}:{num(8000, 9000)}",
        f"[proxy:error] AH00957: HTTP: attempt to connect to {address()}:{num(8000, 9000)} ({t}) failed: (70007)The timeout specified has expired",
    ]), "httpd")


def h_to_cassandra_mongo_kafka():
    a = app()
    return line(one([
        f"com.datastax.oss.driver.api.core.DriverTimeoutException: Query timed out after PT{one([2, 5, 10])}S",
        f"com.datastax.driver.core.exceptions.OperationTimedOutException: [cassandra-{num(0, 5)}/{address()}:9042] Timed out waiting for server response",
        f"MongoServerSelectionError: Server selection timed out after 30000 ms (replica set rs0, hosts mongo-0:27017, mongo-1:27017)",
        f"org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeTopics",
        f"pymongo.errors.NetworkTimeout: mongo-{num(0, 2)}.{space()}:27017: timed out (configured timeouts: socketTimeoutMS: 20000.0ms, connectTimeoutMS: 20000.0ms)",
    ]), a)


def h_to_python_grpc():
    a, t = app(), target_app()
    return line(f"grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:\n\tstatus = StatusCode.DEADLINE_EXCEEDED\n\tdetails = \"Deadline Exceeded\"\n\tdebug_error_string = \"UNKNOWN:Deadline Exceeded {{grpc_status:4, created_time:\\\"{stamp() or '2027-01-01'}\\\"}}\"\n>  (target {t}:50051)",
                a)


def h_to_synthetic():
    t = target_app()
    s = num(10, 60)
    return check(one([f"synthetic: {t}", "multi-step check", f"{t} journey"]),
                 one([f"step {num(2, 6)} ('call {t}') got no response within {s}s",
                      f"checkout journey aborted: {t} did not answer before the {s}s step deadline"]),
                 {"success": 0, "step_duration_ms": s * 1000}, t)


def h_to_otel_alert():
    a, t = app(), target_app()
    return rule_alert(one(["OutboundCallsTimingOut", "partner_api_timeouts", "DOWNSTREAM_TIMEOUT", "UpstreamResponseTimeouts"]),
                      {"service_name": a, "peer_service": t},
                      None if p(0.3) else f"{t} is not responding to {a} within its deadline",
                      None,
                      one([f'sum(rate(http_client_request_duration_seconds_count{{service_name="{a}",server_address="{t}",error_type="timeout"}}[5m])) > 1',
                           f'sum(rate(envoy_cluster_upstream_rq_per_try_timeout{{envoy_cluster_name="{t}"}}[5m])) > 0']),
                      a)


# =====================================================================================================================
# connection_pool_exhausted
# =====================================================================================================================

def h_pool_pgbouncer():
    db = one(DATABASES)
    if p(0.5):
        return line(one([
            f"{stamp()} [{num(100, 9999)}] WARNING C-0x{token(12, HEX)}: (nodb)/(nouser)@{address()}:{num(1024, 65535)} pooler error: no more connections allowed (max_client_conn)",
            f"psql: error: connection to server at \"pgbouncer.{space()}\" ({address()}), port 6432 failed: FATAL:  no more connections allowed (max_client_conn)",
        ]), "pgbouncer")
    return rule_alert(one(["PgbouncerClientsWaiting", "pgbouncer_pool_saturated", "BouncerQueueBuilding"]),
                      {"database": db, "user": one(ROLES)},
                      f"{num(10, 500)} clients waiting for a server connection to {db}", None,
                      f'pgbouncer_pools_client_waiting_connections{{database="{db}"}} > 10 and pgbouncer_pools_client_maxwait_seconds > 5',
                      None, None)


def h_pool_npgsql_sqlclient():
    a = app()
    return line(one([
        f"Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either raise 'Max Pool Size' (currently {one([20, 50, 100])}) or 'Timeout' (currently {one([15, 30])} seconds) in your connection string.",
        f"System.InvalidOperationException: Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections were in use and max pool size was reached.",
    ]), a)


def h_pool_mongo():
    a = app()
    return line(one([
        f"com.mongodb.MongoWaitQueueFullException: Too many threads are already waiting for a connection. Max number of threads (maxWaitQueueSize) of {one([500, 1000])} has been exceeded.",
        f"WaitQueueTimeoutError: Timed out while checking out a connection from connection pool (maxPoolSize {one([10, 100])}, all in use)",
        f"pymongo.errors.WaitQueueTimeoutError: Timed out while checking out a connection from connection pool. maxPoolSize: {one([50, 100])}, timeout: 10.0",
    ]), a)


def h_pool_http_client():
    a, t = app(), target_app()
    return line(one([
        f"org.apache.http.conn.ConnectionPoolTimeoutException: Timeout waiting for connection from pool (route {{}}->http://{t}:8080, leased {one([20, 50])} of max {one([20, 50])})",
        f"reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException: Pending acquire queue has reached its maximum size of {one([1000, 200])}",
        f"okhttp3: all {one([5, 10])} connections to {t} busy; ConnectionPool exhausted, call queued {num(2, 40)}s",
    ]), a)


def h_pool_orm():
    a = app()
    return line(one([
        f"PrismaClientKnownRequestError: Timed out fetching a new connection from the connection pool. More info: http://pris.ly/d/connection-pool (Current connection pool timeout: {one([10, 20])}, connection limit: {one([5, 9, 17])}) code: 'P2024'",
        "error returned from database: pool timed out while waiting for an open connection",
        f"deadpool: Timeout occurred while waiting for a slot to become available (max_size={one([16, 32])})",
        f"org.apache.tomcat.jdbc.pool.PoolExhaustedException: [http-nio-8080-exec-{num(1, 200)}] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:{one([100, 50])}; busy:{one([100, 50])}; idle:0; lastwait:30000].",
        "com.mchange.v2.resourcepool.BasicResourcePool: An attempt by a client to checkout a Connection has timed out.",
    ]), a)


def h_pool_oracle():
    return line(one([
        f"ORA-00020: maximum number of processes ({one([150, 300, 600])}) exceeded",
        "ORA-00018: maximum number of sessions exceeded",
        "ORA-12516: TNS:listener could not find available handler with matching protocol stack",
    ]), one(["oracle-db", app()]), {"host": machine()} if p(0.4) else None)


def h_pool_mysql_user_limit():
    return line(one([
        f"ERROR 1203 (42000): User {one(ROLES)} already has more than 'max_user_connections' active connections",
        f"(1203, \"User '{one(ROLES)}' has exceeded the 'max_user_connections' resource (current value: {one([50, 100])})\")",
    ]), app())


def h_pool_redis_clients():
    a = app()
    return line(one([
        "redis.clients.jedis.exceptions.JedisExhaustedPoolException: Could not get a resource since the pool is exhausted",
        "redis: connection pool timeout",
        f"StackExchange.Redis: all {num(50, 200)} multiplexed connections busy; pool of {num(50, 200)} exhausted, {num(10, 900)} ops waiting",
    ]), a)


def h_pool_cloud_metric():
    inst = f"{one(DATABASES)}-{one(['prod', 'rw'])}"
    maxc = one([500, 1000, 5000])
    cur = maxc - num(0, 10)
    return rule_alert(one(["RdsConnectionsAtMax", "DatabaseConnectionsCeiling", "sql_connections_maxed"]),
                      {"db": inst},
                      f"{inst}: {cur} of {maxc} allowed connections in use", None,
                      one([f'aws_rds_database_connections_average{{dbinstance_identifier="{inst}"}} >= {maxc} * 0.98',
                           f'mongodb_connections{{state="available"}} < 10',
                           f'sum(db_client_connections_usage{{state="used",pool_name="{inst}"}}) >= sum(db_client_connections_max{{pool_name="{inst}"}})',
                           f'jdbc_connections_active{{name="{inst}"}} >= jdbc_connections_max{{name="{inst}"}}']),
                      None, None, {"DatabaseConnections": float(cur)})


def h_pool_envoy_overflow():
    a, t = app(), target_app()
    if p(0.5):
        return line(f"[{stamp()}] \"POST /{t} HTTP/1.1\" 503 UO 0 81 0 - \"{address()}\" \"{a}\" \"{token(8, HEX)}\" \"{t}:8080\" \"-\" upstream connection pool overflow (circuit breaker max_pending_requests)",
                    "envoy")
    return rule_alert(one(["PendingRequestOverflow", "mesh_pool_overflow"]),
                      {"cluster_name": t, "workload": a},
                      f"Connections to {t} capped: pending request queue overflowing", None,
                      f'rate(envoy_cluster_upstream_rq_pending_overflow{{envoy_cluster_name="{t}"}}[5m]) > 0', a)


def h_pool_probe_text():
    db = one(DATABASES)
    cap = one([40, 80, 200])
    return check(one([f"{db} pooler", "connection headroom", "jdbc pool"]),
                 one([f"{db}: {cap}/{cap} pooled connections leased, {num(5, 300)} requests queued for a connection",
                      f"no idle connections left in pool '{db}' (max {cap}); acquire waits {num(2, 60)}s"]),
                 {"leased": cap, "max": cap, "queued": num(5, 300)}, f"{db}-pool")


# =====================================================================================================================
# unknown, including near-misses (flag in the table below)
# =====================================================================================================================

def n_cpu_load():
    m = machine()
    if p(0.5):
        return rule_alert(one(["WindowsCpuSaturated", "cpu_busy", "LoadAverageHigh"]), {"instance": f"{m}:9182"},
                          f"{m}: processor busy {num(90, 100)}%", None,
                          '100 - (avg by (instance) (rate(windows_cpu_time_total{mode="idle"}[2m])) * 100) > 90')
    return line(f"{m}: load average: {num(30, 90)}.{num(10, 99)}, {num(20, 60)}.{num(10, 99)}, {num(10, 40)}.{num(10, 99)} on {one([8, 16, 32])} cores; top: {one(['ffmpeg', 'java', 'node'])} {num(300, 1600)}% CPU",
                None, {"host": m})


def n_replica_lag():
    return one([
        lambda: rule_alert("MongodbReplicationLag", {"rs_nm": "rs0", "member": f"mongo-{num(1, 2)}"},
                           f"secondary is {num(20, 900)}s behind the primary", None,
                           "mongodb_rs_members_optimeDate{member_state=\"PRIMARY\"} - on (set) group_right mongodb_rs_members_optimeDate{member_state=\"SECONDARY\"} > 10"),
        lambda: line(f"redis replica: MASTER <-> REPLICA sync started; master_link_down_since_seconds:{num(30, 3000)}", "redis"),
        lambda: event("Read replica lag", f"ReplicaLag on {one(DATABASES)}-ro-{num(1, 3)} is {num(60, 9000)} seconds", one(DATABASES)),
    ])()


def n_crash_unexplained():
    a = app()
    return one([
        lambda: line(f"systemd[1]: {a}.service: Start request repeated too quickly.\nsystemd[1]: {a}.service: Failed with result 'exit-code'.", a),
        lambda: line(f"INFO gave up: {a} entered FATAL state, too many start retries too quickly", "supervisord"),
        lambda: event("Task restarting", f"Nomad: task {a} exited with code 1; restarting in {num(5, 30)}s ({num(2, 9)} of 10 attempts)", a),
        lambda: kube("BackOff", f"Back-off {one(['10s', '40s', '2m40s', '5m0s'])} restarting failed container={a} pod={workload(a)}", "Pod", space(), workload(a), a),
    ])()


def n_dns():
    t = target_app()
    return line(one([
        f"socket.gaierror: [Errno -3] Temporary failure in name resolution ({t}.{space()})",
        f"Error: getaddrinfo EAI_AGAIN {t}.internal",
        f"System.Net.Sockets.SocketException (11001): No such host is known. ({t}.corp:443)",
        f";; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: {num(1, 65535)} ({t}.svc.cluster.local)",
        f"failed to lookup address information: Name or service not known (host {t})",
    ]), app())


def n_auth():
    a = app()
    return line(one([
        "ORA-01017: invalid username/password; logon denied",
        f"Login failed for user '{one(ROLES)}'. Reason: Password did not match that for the login provided. [CLIENT: {address()}]",
        f"FATAL:  no pg_hba.conf entry for host \"{address()}\", user \"{one(ROLES)}\", database \"{one(DATABASES)}\", no encryption",
        f"{{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}} (401) from identity-provider",
        "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.",
        f"ERROR:  permission denied for table {one(['orders', 'claims', 'payouts'])}",
        "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed: Invalid username or password",
        f"HTTP/1.1 403 Forbidden - caller {a} not in allow-list for /admin/export",
    ]), a)


def n_node_lost():
    m = machine()
    if p(0.5):
        return kube("NodeStatusUnknown", "Kubelet stopped posting node status.", "Node", None, m, node=m)
    return rule_alert(one(["NodeUnreachable", "k8s_node_unready"]), {"node": m},
                      f"{m} not Ready for {num(5, 60)}m", None,
                      'kube_node_status_condition{condition="Ready",status=~"false|unknown"} == 1')


def n_image_pull():
    a, ns = app(), space()
    img = f"{one(['docker.io/library', 'ghcr.io/org', 'quay.io/team'])}/{a}:{one(['latest', 'v2', 'stable'])}"
    return kube(one(["Failed", "ErrImagePull"]),
                one([f"Failed to pull image \"{img}\": toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading",
                     f"Failed to pull image \"{img}\": unauthorized: authentication required",
                     f"Failed to pull image \"{img}\": failed to resolve reference: {img}: not found"]),
                "Pod", ns, workload(a), a)


def n_errors_5xx():
    a = app()
    return one([
        lambda: line(f"[{stamp()}] \"GET /{a} HTTP/1.1\" 503 UH 0 19 0 - \"{address()}\" \"-\" no healthy upstream", "envoy"),
        lambda: rule_alert(one(["Elevated503s", "error_ratio_high", "FRONTEND_5XX"]), {"service": a},
                           f"{a}: {num(2, 30)}% of responses are 5xx", None,
                           f'sum(rate(traefik_service_requests_total{{service=~"{a}.*",code=~"5.."}}[5m])) / sum(rate(traefik_service_requests_total{{service=~"{a}.*"}}[5m])) > 0.02'),
        lambda: event("HTTPCode_Target_5XX_Count", f"{a}-tg targets returned {num(200, 9000)} 500 Internal Server Error responses in 5 minutes", a),
    ])()


def n_rollout():
    a, ns = app(), space()
    return one([
        lambda: rule_alert("StatefulSetReplicasNotReady", {"namespace": ns, "statefulset": a}, f"{a}: {num(0, 2)}/3 replicas ready", None,
                           "kube_statefulset_status_replicas_ready != kube_statefulset_replicas"),
        lambda: event("Argo Rollout degraded", f"Rollout {ns}/{a} is Degraded: RolloutAborted - metric \"success-rate\" assessed Failed", a),
    ])()


def n_backlog():
    q = one(["invoices", "fulfilment-events", "sms-outbox", "claims-intake"])
    return one([
        lambda: rule_alert("SqsOldestMessageAge", {"queue_name": q}, f"Oldest message in {q} is {num(10, 300)} minutes old", None,
                           f'aws_sqs_approximate_age_of_oldest_message_maximum{{queue_name="{q}"}} > 600'),
        lambda: line(f"nats: consumer {q}-worker on stream {q.upper()} has {num(10000, 9000000)} pending messages, ack floor {num(1, 999999)}", "nats"),
        lambda: event("Pub/Sub backlog", f"subscription {q}-sub num_undelivered_messages={num(10000, 5000000)}", "pubsub"),
    ])()


def n_tls_not_expiry():
    h = fqdn()
    return line(one([
        f"System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch ({h})",
        f"verify error:num=20:unable to get local issuer certificate (depth=1, {h})",
        f"javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching {h} found.",
        "invalid peer certificate: UnknownIssuer",
        "x509: certificate relies on legacy Common Name field, use SANs instead",
        f"remote error: tls: bad certificate (client presented no certificate to {h})",
        f"SSL routines::wrong version number (plaintext listener on {h}:443?)",
        f"java.security.cert.CertificateNotYetValidException: NotBefore: {one(['Tue', 'Fri'])} Sep {num(1, 28)} 00:00:00 UTC 2027 - host clock is {num(2, 30)} days behind",
    ]), app())


def n_refused():
    t = target_app()
    return line(one([
        f"System.Net.Http.HttpRequestException: No connection could be made because the target machine actively refused it. ({t}:{num(5000, 9000)})",
        f"ConnectionRefusedError: [Errno 111] Connection refused (connecting to {t})",
        f"Connection refused (os error 111) while connecting to {t}:{num(5000, 9000)}",
        f"curl: (7) Failed to connect to {t} port {num(5000, 9000)} after 0 ms: Couldn't connect to server",
        f"upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: delayed connect error: 111",
        f"ECONNRESET: socket hang up while streaming response from {t}",
    ]), app())


def n_disk_fault():
    m = machine()
    dev = one(["sdc", "dm-3", "nvme1n1", "xvdg"])
    part = dev + ("p1" if dev.startswith("nvme") else "" if dev.startswith("dm") else "1")
    return line(one([
        f"XFS ({dev}): metadata I/O error in \"xfs_trans_read_buf_map\" at daddr 0x{token(6, HEX)} len 8 error 5",
        f"Buffer I/O error on dev {part}, logical block {num(1000, 99999999)}, lost async page write",
        f"nvme nvme{num(0, 3)}: I/O {num(1, 999)} QID {num(1, 16)} timeout, aborting",
        f"The device, \\Device\\Harddisk{num(0, 4)}\\DR{num(0, 4)}, has a bad block.",
        f"Error: EROFS: read-only file system, open '/app/cache/{token(6)}.json'",
        f"{m} kernel: JBD2: Detected IO errors while flushing file data on {part}-8",
        f"ZFS: pool 'tank' state DEGRADED: one or more devices has experienced an unrecoverable error (vdev {dev}, cksum {num(1, 900)})",
    ]), None, {"host": m})


def n_memory_fine():
    a = app()
    return one([
        lambda: check("memory", f"{a}: GC heap size {num(100, 700)} MB (gen2 {num(50, 300)} MB), working set {num(300, 900)} MB of {one([2, 4])} GB container limit",
                      {"gc_heap_bytes": num(100, 700) * 1048576}, a),
        lambda: line(f"used_memory_human:{num(1, 3)}.{num(10, 99)}G maxmemory_human:{one([8, 16])}.00G mem_fragmentation_ratio:1.{num(1, 30):02d}", "redis"),
        lambda: rule_alert("WindowsMemoryInfo", {"instance": f"{machine()}:9182"}, f"available memory {num(4000, 24000)} MB", "Informational.",
                           "windows_os_physical_memory_free_bytes < 32e9"),
        lambda: (lambda used: line(f"jemalloc stats: allocated {used} MiB, resident {used + num(10, 200)} MiB, limit {one([2, 4, 8])} GiB - healthy", a))(num(200, 900)),
    ])()


def n_slo():
    a = app()
    return rule_alert(one(["LatencyBudgetBurn", "slo_fast_burn", "AvailabilityObjectiveAtRisk"]), {"sloth_service": a, "sloth_slo": "requests-availability"},
                      f"{a}: {num(10, 80)}% of monthly error budget consumed in {one(['1h', '6h', '3d'])}", None,
                      f'slo:sli_error:ratio_rate5m{{sloth_service="{a}"}} > (14.4 * 0.0005)')


def n_backup():
    return one([
        lambda: line(f"barman: ERROR: Backup failed for server '{one(DATABASES)}': could not start backup (exit 1)", "barman"),
        lambda: event("Azure Backup job failed", f"Backup of vm-{token(6)} failed: UserErrorVmNotInDesirableState", "azure-backup"),
        lambda: event("Snapshot policy", f"DLM policy policy-{token(8, HEX)} failed to create snapshots for {num(1, 9)} volumes", "aws-dlm"),
    ])()


def n_schedule():
    return one([
        lambda: kube("FailedNeedsStart", "Cannot determine if job needs to be started: too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew.",
                     "CronJob", space(), f"{app()}-nightly"),
        lambda: line(f"[{stamp()}] {{taskinstance.py:{num(1000, 3000)}}} ERROR - Task failed with exception; Marking task as FAILED. dag_id={one(['etl_daily', 'billing_rollup'])}, task_id={one(['extract', 'load'])}", "airflow"),
        lambda: kube("DeadlineExceeded", "Job was active longer than specified deadline", "Job", space(), f"{app()}-reindex-{num(1000000, 9999999)}"),
    ])()


def n_config():
    return line(one([
        f"level=error msg=\"Cannot start the provider *file.Provider: yaml: line {num(2, 80)}: mapping values are not allowed in this context\"",
        f"caddy: adapting config using caddyfile: Caddyfile:{num(2, 90)}: unrecognized directive: {token(6)}",
        f"[error] [config] section '{one(['output', 'filter'])}' tried to instance a plugin name that doesn't exist",
        f"level=error component=configuration msg=\"Loading configuration file failed\" file=/etc/alertmanager/alertmanager.yml err=\"yaml: unmarshal errors\"",
    ]), one(["traefik", "caddy", "fluent-bit", "alertmanager"]))


def n_lock_timeout():
    return line(one([
        "Msg 1222, Level 16, State 56: Lock request time out period exceeded.",
        "ORA-30006: resource busy; acquire with WAIT timeout expired",
        "ERROR 3024 (HY000): Query execution was interrupted, maximum statement execution time exceeded",
        f"FATAL:  terminating connection due to idle-session timeout",
        f"ERROR:  could not obtain lock on row in relation \"{one(['orders', 'bookings', 'claims'])}\"",
        f"ORA-00060: deadlock detected while waiting for resource",
        "Msg 1205: Transaction (Process ID 61) was deadlocked on lock resources with another process and has been chosen as the deadlock victim.",
    ]), one(["mssql", "oracle-db", "mysql", "postgresql", app()]))


def n_pool_benign():
    db = one(DATABASES)
    return line(one([
        f"pool '{db}' warmed up: {one([5, 10])} connections opened in {num(20, 900)}ms",
        f"connection pool '{db}' stats: in use {num(1, 6)}/{one([50, 100])}, idle {num(4, 20)}, waiters 0",
        f"closing connection pool '{db}' for graceful shutdown ({num(1, 20)} connections drained)",
        f"max_connections raised from {one([100, 200])} to {one([300, 400])} on {db} after maintenance restart",
    ]), app())


def n_memory_words():
    m, a = machine(), app()
    return one([
        lambda: kube("NodeHasSufficientMemory", f"Node {m} status is now: NodeHasSufficientMemory", "Node", None, m, node=m),
        lambda: kube("NodeHasNoDiskPressure", f"Node {m} status is now: NodeHasNoDiskPressure", "Node", None, m, node=m),
        lambda: event("Weekly capacity report", f"{a}: 0 OOM kills in the last 7 days; peak memory {num(30, 70)}% of limit", a),
        lambda: kube("NotTriggerScaleUp", f"pod didn't trigger scale-up: {num(1, 4)} Insufficient memory, {num(1, 3)} max node group size reached", "Pod", space(), workload(a), a),
        lambda: line(f"kubelet: set oom_score_adj=-999 for process {num(100, 99999)} (kube-proxy)", "kubelet"),
    ])()


def n_disk_words():
    a = app()
    return one([
        lambda: event("Volume expanded", f"PVC data-{a}-0 resized from {one([50, 100])}Gi to {one([200, 400])}Gi; filesystem now {num(20, 45)}% used", a),
        lambda: line(f"logrotate: cleanup freed {num(2, 80)} GiB on /var/log, usage now {num(20, 55)}%", "logrotate"),
        lambda: rule_alert("DiskLatencyP99High", {"device": one(["sda", "nvme0n1"])}, f"p99 write latency {num(80, 900)}ms", None,
                           "histogram_quantile(0.99, rate(node_disk_write_time_seconds_total[5m])) > 0.05"),
    ])()


def n_expiry_words():
    return one([
        lambda: event("Subscription expiring", f"Support subscription for {one(['RHEL', 'Red Hat OpenShift', 'Datadog'])} expires in {num(5, 40)} days", None),
        lambda: line("401 Unauthorized: token is expired (exp claim in the past)", app()),
        lambda: event("API key rotation due", f"Access key for IAM user {one(ROLES)} is {num(85, 120)} days old and expires per policy in {num(1, 10)} days", None),
        lambda: kube("Issued", f"Certificate {app()}-tls issued successfully, valid until 2028-{num(1, 12):02d}-{num(1, 28):02d}", "Certificate", space(), f"{app()}-tls"),
        lambda: event("Session timeout", f"{num(10, 900)} user sessions on {app()} expired after 30 minutes idle (normal)", None),
    ])()


def n_timeout_words():
    return one([
        lambda: line(f"raft: election timeout elapsed; node etcd-{num(0, 2)} starting election at term {num(10, 9999)}", "etcd"),
        lambda: line(f"{one(['ALB', 'nginx'])}: closing idle keep-alive connection after {one([60, 75])}s idle timeout ({num(100, 9000)} closed this hour)", None),
        lambda: kube("FailedMount", f"Unable to attach or mount volumes: unmounted volumes=[{one(['data', 'certs'])}]: timed out waiting for the condition", "Pod", space(), workload(app())),
    ])()


def n_misc():
    a, m = app(), machine()
    return one([
        lambda: rule_alert("HostConntrackLimit", {"instance": f"{m}:9100"}, "conntrack table almost full", None,
                           "node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.8"),
        lambda: line(f"thread 'main' panicked at 'called `Option::unwrap()` on a `None` value', src/{one(['handler', 'config', 'db'])}.rs:{num(10, 400)}:{num(5, 60)}", a),
        lambda: line(f"Unhandled exception. System.NullReferenceException: Object reference not set to an instance of an object.\n   at {a.title().replace('-', '')}.Handler.Process()", a),
        lambda: event("AWS Health: scheduled maintenance", f"EC2 instance {m} is scheduled for retirement on 2027-{num(1, 12):02d}-{num(1, 28):02d}", None),
        lambda: rule_alert("KafkaBrokerDown", {"broker_id": str(num(0, 5))}, "broker left the cluster", None, "count(kafka_brokers) < 3"),
        lambda: line(f"Hit rate for {a} edge cache dropped to {num(10, 50)}% after purge", "cdn"),
        lambda: rule_alert("TooManyRestarts", {"container": a, "namespace": space()}, f"{a} restarted {num(5, 30)} times in 1h", None,
                           "increase(kube_pod_container_status_restarts_total[1h]) > 5"),
        lambda: event("Deploy blocked", f"Change freeze active: deployment of {a} v{num(1, 9)}.{num(0, 30)} rejected by policy", a),
        lambda: line(f"WARN clock drift {num(200, 900)}ms vs ntp.pool.org exceeds 100ms on {m}", "chronyd"),
        lambda: rule_alert("GrafanaDatasourceErrors", {"datasource": one(["loki", "tempo"])}, "datasource queries failing", None,
                           "rate(grafana_datasource_request_total{code!=\"200\"}[5m]) > 1"),
        lambda: line(f"panic: assignment to entry in nil map\n\ngoroutine {num(1, 999)} [running]:\nmain.(*server).{one(['route', 'handle'])}(...)", a),
        lambda: check("healthz", f"GET /healthz returned 500: {{\"status\":\"down\",\"checks\":{{\"featureFlags\":\"stale\"}}}}", {"up": 0, "status_code": 500}, a),
    ])()


# (builder, weight, near_miss)
UNKNOWN_BUILDERS = [
    (n_cpu_load, 3, False), (n_replica_lag, 3, False), (n_crash_unexplained, 4, False), (n_dns, 3, True),
    (n_auth, 5, False), (n_node_lost, 2, False), (n_image_pull, 3, False), (n_errors_5xx, 3, False),
    (n_rollout, 2, False), (n_backlog, 3, False), (n_tls_not_expiry, 5, True), (n_refused, 5, True),
    (n_disk_fault, 4, True), (n_memory_fine, 3, True), (n_slo, 2, False), (n_backup, 2, False), (n_schedule, 3, True),
    (n_config, 2, False), (n_lock_timeout, 4, True), (n_pool_benign, 2, True), (n_memory_words, 3, True),
    (n_disk_words, 2, True), (n_expiry_words, 3, True), (n_timeout_words, 2, True), (n_misc, 8, False),
]

CLASS_BUILDERS = {
    "oom": [h_oom_dotnet, h_oom_rust, h_oom_go_other, h_oom_ecs_cloudrun, h_oom_gunicorn_beam, h_oom_systemd_oomd,
            h_oom_old_kernel, h_oom_cgroup_probe, h_oom_postgres, h_oom_windows, h_oom_nomad_docker,
            h_oom_kubectl_table, h_oom_alert, h_oom_eviction],
    "disk_full": [h_disk_pvc, h_disk_windows, h_disk_cloud_db, h_disk_mongo_rust_minio, h_disk_ceph,
                  h_disk_opensearch_block, h_disk_thinpool_tsdb, h_disk_emptydir, h_disk_zabbix_probe,
                  h_disk_inode_text, h_disk_redis_aof_kafka, h_disk_prom_alert_other],
    "cert_expiry": [h_cert_dotnet, h_cert_boringssl, h_cert_openssl_cli, h_cert_telegraf_x509,
                    h_cert_windows_autoenroll, h_cert_acm_keyvault, h_cert_rustls, h_cert_vault_istio_saml,
                    h_cert_letsencrypt_mail, h_cert_manager_condition, h_cert_node_undici, h_cert_mqtt_smtp],
    "dependency_timeout": [h_to_botocore, h_to_polly_wcf, h_to_rust, h_to_php_ruby, h_to_go_io, h_to_istio_metric,
                           h_to_alb_kong_traefik, h_to_apache, h_to_cassandra_mongo_kafka, h_to_python_grpc,
                           h_to_synthetic, h_to_otel_alert],
    "connection_pool_exhausted": [h_pool_pgbouncer, h_pool_npgsql_sqlclient, h_pool_mongo, h_pool_http_client,
                                  h_pool_orm, h_pool_oracle, h_pool_mysql_user_limit, h_pool_redis_clients,
                                  h_pool_cloud_metric, h_pool_envoy_overflow, h_pool_probe_text],
}


def vary(sig):
    """Source-independent variation: upper-cased text now and then, explicit status sometimes."""
    if "text" in sig and p(0.04):
        sig["text"] = sig["text"].upper()
    roll = rng.random()
    if roll < 0.03:
        sig["status"] = "resolved"
    elif roll < 0.4:
        sig["status"] = "firing"
    return sig


def build():
    rows, keys = [], set()

    def add(label, builder):
        for _ in range(60):
            sig = vary(builder())
            key = json.dumps(sig, sort_keys=True)
            if key not in keys:
                keys.add(key)
                sig["label"] = label
                rows.append(sig)
                return
        raise RuntimeError(f"{builder.__name__} keeps repeating itself")

    for label, builders in CLASS_BUILDERS.items():
        order = builders[:]
        for i in range(N_PER_CLASS):
            if i % len(order) == 0:
                rng.shuffle(order)
            add(label, order[i % len(order)])

    pool = [b for b, w, _ in UNKNOWN_BUILDERS for _ in range(w)]
    near_names = {b.__name__ for b, _, near in UNKNOWN_BUILDERS if near}
    near = 0
    for i in range(N_UNKNOWN):
        b = pool[i % len(pool)]
        near += b.__name__ in near_names
        add("unknown", b)

    rng.shuffle(rows)
    return [dict({"id": f"ho-{i:05d}"}, **row) for i, row in enumerate(rows, 1)], near


def main():
    rows, near = build()
    with open(TARGET, "w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    tally = {}
    for row in rows:
        tally[row["label"]] = tally.get(row["label"], 0) + 1
    print(f"wrote {len(rows)} examples to {TARGET}", file=sys.stderr)
    for k in sorted(tally):
        print(f"  {k}: {tally[k]}", file=sys.stderr)
    print(f"  (unknown near-misses: {near}, {100 * near / len(rows):.1f}% of the file)", file=sys.stderr)


if __name__ == "__main__":
    main()
