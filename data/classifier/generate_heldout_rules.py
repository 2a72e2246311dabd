#!/usr/bin/env python3
"""Writes heldout-rules.jsonl: a second held-out set of Alertmanager-shaped alerts written in the style of real
Prometheus alerting rules for common exporters and stacks (see README.md, section "heldout-rules.jsonl").

Every alert name, summary and description was written for this file; the metric names are the exporters' own (facts).
Standard library only; a fixed seed makes the output byte-for-byte reproducible. Class counts go to stderr.
"""

import json
import random
import re
import string
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote_plus

SEED = 40417
OUT = Path(__file__).with_name("heldout-rules.jsonl")

# Signals per class. Unknown is about 40% of the file and holds most of the near-misses.
TARGETS = {
    "oom": 66,
    "disk_full": 66,
    "cert_expiry": 62,
    "dependency_timeout": 66,
    "connection_pool_exhausted": 66,
    "unknown": 218,
}

TEMPLATES = []


def T(cls, stack, names, expr, summaries, descriptions, keys="", sev="warning|critical", amb=False, job=None, fixed=None, near=False):
    """One alerting rule: class, source stack, alert names (| separated), PromQL, annotation texts and label keys.

    In expr and texts, `$name` is filled from the instance context, and `«a|b»` picks one alternative per instance.
    `amb` marks a rule whose evidence is only suggestive (see README: the ambiguous convention)."""
    TEMPLATES.append({
        "cls": cls, "stack": stack, "names": names.split("|"), "expr": expr,
        "s": summaries, "d": descriptions, "keys": keys.split(), "sev": sev.split("|"),
        "amb": amb, "near": near, "job": job.split("|") if job else None, "fixed": fixed or {},
    })


# ---------------------------------------------------------------------------------------------------------------
# Vocabulary (made up: namespaces, apps, hosts, domains)

NAMESPACES = ["checkout", "ledger", "search", "identity", "media", "notifications", "platform-data", "storefront",
              "payments-prod", "catalog", "fulfilment", "streaming", "risk", "growth", "backoffice"]
APPS = ["orders-api", "ledger-writer", "cart-service", "profile-svc", "thumbnailer", "invoice-worker", "quote-engine",
        "geo-lookup", "feed-builder", "webhook-relay", "pricing", "recommender", "session-gw", "audit-sink",
        "report-gen", "stock-sync", "mailer", "tariff-calc", "search-indexer", "fraud-scorer"]
SPRING_APPS = ["billing-core", "claims-service", "policy-api", "ledger-batch", "settlement", "kyc-checker"]
DOTNET_APPS = ["Contoso.Orders.Api", "basket-api", "identity-server", "catalog-api", "loyalty-worker"]
NODE_APPS = ["storefront-ssr", "bff-web", "notifier", "graphql-gateway", "cms-preview"]
PY_APPS = ["ml-serving", "etl-runner", "pricing-model", "django-admin", "reco-api"]
GO_APPS = ["edge-router", "token-service", "ingest-gw", "shipment-tracker", "rate-limiter"]
NODE_NAMES = ["gke-prod-euw1-pool-2-3f9c1a2b-x7kq", "gke-prod-euw1-highmem-8c2d0e41-m2pz",
              "ip-10-42-17-88.eu-west-1.compute.internal", "ip-10-42-33-140.eu-west-1.compute.internal",
              "aks-system-31204877-vmss00000b", "aks-workers-70419326-vmss000012", "kube-worker-07", "kube-worker-11"]
STACK_HOSTS = {
    "postgresql": ["db-pg-03", "db-pg-07", "pg-ledger-1", "pg-orders-primary", "10.20.4.17"],
    "mysql": ["mysql-primary-1", "mysql-replica-2", "db-my-04", "10.20.6.31"],
    "redis": ["cache-redis-01", "redis-sessions-2", "redis-queue-0", "10.20.7.12"],
    "mongodb": ["mongo-rs0-1", "mongo-rs0-2", "mongo-orders-0"],
    "elasticsearch": ["es-data-04", "es-data-11", "es-master-1"],
    "kafka": ["kafka-b2", "kafka-b4", "kafka-broker-0", "10.20.9.203"],
    "rabbitmq": ["mq-rabbit-2", "rabbitmq-0", "rabbit-prod-1"],
    "haproxy": ["edge-lb-2", "haproxy-int-1", "lb-dmz-3"],
    "cloud-lb": ["cloudwatch-exporter", "yace-0"],
}
HOSTS = ["node-a17", "worker-3", "bastion-1", "ci-runner-02", "gpu-node-5", "edge-lb-2", "build-agent-5",
         "mongo-rs0-1", "mysql-primary-1", "app-vm-14", "ops-bastion", "10.20.4.17", "10.20.9.203", "172.31.8.44"]
CLUSTERS = ["prod-eu-1", "prod-us-2", "staging-eu", "prod-ap-1"]
DOMAINS = ["shop.example.com", "api.example.org", "login.acme-corp.example", "status.example.net",
           "partners.example.io", "cdn.example.com", "mail.acme-corp.example", "grafana.internal.example.net",
           "pay.example.org", "sso.example.io"]
DBS = ["orders", "ledger", "accounts", "catalog", "events", "billing", "sessions"]
DB_USERS = ["app_rw", "reporting", "orders_svc", "ledger_app", "pgbouncer"]
UPSTREAMS = ["payments-gateway", "inventory", "user-profile", "search-backend", "tax-service", "geo-api",
             "fraud-check", "shipping-quotes", "recommendations"]
TOPICS = ["orders.v1", "payments.events", "clickstream", "inventory-updates", "audit-log", "email-outbox"]
GROUPS = ["order-projector", "ledger-sink", "analytics-loader", "notifier-consumer", "search-indexer"]
QUEUES = ["invoices.generate", "email.send", "thumbnails", "webhooks.retry", "exports.csv"]
VHOSTS = ["/", "prod", "billing"]
ES_CLUSTERS = ["logs-prod", "search-main", "observability"]
ES_INDICES = ["orders-2026.11", "products", "logs-app-000412", "audit-000087"]
REPLSETS = ["rs0", "rs-orders", "cfg"]
HIKARI_POOLS = ["HikariPool-1", "primary-pool", "reporting-pool", "ledgerDS"]
URIS = ["/v1/charges", "/api/stock/{sku}", "/rates", "/oauth/token", "/v2/quotes", "/lookup"]
GRPC = [("payments.v1.Charges", "Authorize"), ("inventory.Stock", "Reserve"), ("geo.Lookup", "Resolve"),
        ("auth.v2.Tokens", "Introspect"), ("pricing.Quotes", "Compute")]
PROM_BASES = ["http://prometheus-k8s-0:9090", "http://prometheus.monitoring.svc:9090", "https://prom.ops.example.net",
              "http://prometheus-server.observability.svc.cluster.local", "https://thanos-ruler.example.net",
              "http://kube-prometheus-stack-prometheus.monitoring:9090"]
PORTS = {
    "node_exporter": 9100, "kube-state-metrics": 8080, "cadvisor-kubelet": 10250, "jvm-micrometer": 8080,
    "go": 8080, "dotnet": 8080, "node": 9464, "python": 8000, "postgresql": 9187, "mysql": 9104, "redis": 9121,
    "mongodb": 9216, "elasticsearch": 9114, "kafka": 9308, "rabbitmq": 15692, "envoy": 9901, "haproxy": 8405,
    "nginx": 10254, "traefik": 8082, "cert-manager": 9402, "cloud-lb": 9106, "blackbox": 9115, "x509-exporter": 9793,
}
DEFAULT_JOBS = {
    "node_exporter": ["node-exporter", "node", "node_exporter"], "kube-state-metrics": ["kube-state-metrics"],
    "cadvisor-kubelet": ["kubelet"], "blackbox": ["blackbox-http", "blackbox_https", "probe-external"],
    "postgresql": ["postgres-exporter", "postgresql"], "mysql": ["mysqld-exporter", "mysql"],
    "redis": ["redis-exporter", "redis"], "mongodb": ["mongodb-exporter", "mongodb"],
    "elasticsearch": ["elasticsearch-exporter", "elasticsearch"], "kafka": ["kafka-exporter", "kafka-jmx"],
    "rabbitmq": ["rabbitmq", "rabbitmq-server"], "envoy": ["envoy-stats", "istio-proxy"],
    "haproxy": ["haproxy", "haproxy-ingress"], "nginx": ["ingress-nginx-controller", "nginx-ingress"],
    "traefik": ["traefik", "traefik-metrics"], "cert-manager": ["cert-manager"], "cloud-lb": ["cloudwatch", "yace", "stackdriver"],
    "x509-exporter": ["x509-certificate-exporter"],
}
ALNUM = "bcdfghjklmnpqrstvwxz2456789"


def rand_id(rng, n):
    return "".join(rng.choice(ALNUM) for _ in range(n))


def gib(value):
    return f"{value:.1f}GiB" if value >= 1 else f"{value * 1024:.0f}MiB"


def context(rng, stack, template):
    """Values for one alert instance: label values and the numbers its texts quote."""
    ns = rng.choice(NAMESPACES)
    pools = {"jvm-micrometer": SPRING_APPS, "dotnet": DOTNET_APPS, "node": NODE_APPS, "python": PY_APPS, "go": GO_APPS}
    app = rng.choice(pools.get(stack, APPS))
    app_dns = app.lower().replace(".", "-")
    pod = f"{app_dns}-{rand_id(rng, 9 if rng.random() < 0.7 else 10)}-{rand_id(rng, 5)}"
    if rng.random() < 0.25:
        pod = f"{app_dns}-{rng.randint(0, 5)}"  # StatefulSet pod
    node = rng.choice(NODE_NAMES)
    port = 9100 if (template["job"] or [""])[0].startswith("node") else PORTS.get(stack, 9100)
    if stack in STACK_HOSTS:
        host = rng.choice(STACK_HOSTS[stack])
    elif stack == "node_exporter":
        host = rng.choice(HOSTS)
    else:  # a pod scraped by its IP
        host = f"10.{rng.choice([42, 244, 96])}.{rng.randint(0, 63)}.{rng.randint(2, 254)}"
    if host[0].isdigit() or rng.random() < 0.5:
        instance = f"{host}:{port}"
    else:
        instance = f"{host}.{rng.choice(['dc1', 'eu-central', 'prod'])}.example.net:{port}"
    if template["job"]:
        job = rng.choice(template["job"])
    elif stack in DEFAULT_JOBS:
        job = rng.choice(DEFAULT_JOBS[stack])
    else:
        job = app_dns
    limit_gib = rng.choice([0.5, 0.75, 1, 1.5, 2, 4, 6, 8, 16])
    pct_hi = round(rng.uniform(95.1, 99.6), 1)  # above every ratio threshold the rules use
    size_gib = rng.choice([20, 50, 100, 200, 250, 500, 1000, 2000])
    pct_free = round(rng.uniform(0.4, 4.9), 1)
    svc, method = rng.choice(GRPC)
    max_conn = rng.choice([100, 150, 200, 300, 500, 1000])
    domain = rng.choice(DOMAINS)
    days = rng.choice([1, 2, 3, 4, 5, 6, 6, 8, 9, 11, 12, 13])
    mountpoint = rng.choice(["/", "/var", "/var/lib/docker", "/data", "/srv", "/var/log", "/home", "/mnt/disks/ssd0"])
    device = rng.choice(["/dev/sda1", "/dev/nvme0n1p1", "/dev/xvda1", "/dev/mapper/vg0-data", "/dev/vdb", "/dev/md0"])
    secs = round(rng.uniform(5.1, 12.9), 2)  # above every latency threshold the rules use
    upstream = rng.choice(UPSTREAMS)
    return {
        "namespace": ns, "app": app, "pod": pod, "container": rng.choice([app_dns, app_dns, "app", "server", "worker"]),
        "node": node, "host": host, "instance": instance, "job": job, "cluster": rng.choice(CLUSTERS),
        "deployment": app_dns, "statefulset": app_dns, "application": app, "service": app_dns,
        "mountpoint": mountpoint, "device": device, "fstype": rng.choice(["ext4", "xfs", "ext4"]),
        "persistentvolumeclaim": rng.choice(["data-", "storage-", "wal-", "export-"]) + f"{app_dns}-{rng.randint(0, 3)}",
        "pct_hi": pct_hi, "pct_lo": round(100 - pct_hi, 1), "pct_free": pct_free,
        "mem_limit": gib(limit_gib), "mem_used": gib(limit_gib * pct_hi / 100),
        "mem_total": gib(rng.choice([8, 16, 32, 64, 128])),
        "size": f"{size_gib}GiB", "free": gib(size_gib * pct_free / 100),
        "hours": rng.choice([3, 5, 7, 9, 14, 20, 31]), "days": days,
        "secs": secs, "ms": int(secs * 1000), "count": rng.randint(2, 14), "rate": round(rng.uniform(1.2, 9.5), 2),
        "err_pct": round(rng.uniform(10.5, 31.0), 1), "restarts": rng.randint(3, 19),
        "target": f"https://{domain}{rng.choice(['', '/healthz', '/login', '/api/ping'])}", "domain": domain,
        "cert": domain.split(".")[0] + "-tls", "issuer": rng.choice(["letsencrypt-prod", "internal-ca", "zerossl", "vault-issuer"]),
        "db": rng.choice(DBS), "dbuser": rng.choice(DB_USERS), "max_conn": max_conn,
        "cur_conn": int(max_conn * pct_hi / 100), "waiting": rng.randint(3, 60),
        "upstream": upstream, "envoy_cluster_name": f"outbound|{rng.choice([443, 8080, 9090])}||{upstream}.{ns}.svc.cluster.local",
        "proxy": rng.choice(["be_api", "be_static", "fe_https", "be_payments", "be_search"]),
        "ingress": rng.choice(["storefront", "api-public", "admin", "webhooks", "partners-api"]),
        "router": rng.choice(["api@kubernetescrd", "web-secure@file", "shop@docker"]),
        "entrypoint": rng.choice(["websecure", "web", "internal"]),
        "lb": "app/" + rng.choice(["prod-public-alb", "api-alb", "internal-alb"]) + "/" + "".join(rng.choice("0123456789abcdef") for _ in range(16)),
        "target_group": "targetgroup/" + rng.choice(["api-tg", "web-tg", "grpc-tg"]) + "/" + "".join(rng.choice("0123456789abcdef") for _ in range(16)),
        "topic": rng.choice(TOPICS), "consumergroup": rng.choice(GROUPS), "queue": rng.choice(QUEUES), "vhost": rng.choice(VHOSTS),
        "es_cluster": rng.choice(ES_CLUSTERS), "es_node": f"es-data-{rng.randint(0, 8)}", "index": rng.choice(ES_INDICES),
        "rs": rng.choice(REPLSETS), "pool": rng.choice(HIKARI_POOLS), "uri": rng.choice(URIS),
        "grpc_service": svc, "grpc_method": method, "lag": rng.randint(60000, 900000),
        "rabbit_node": f"rabbit@{app_dns}-{rng.randint(0, 2)}.{app_dns}-nodes.{ns}",
        "broker": rng.randint(0, 5), "threshold_days": rng.choice([7, 14, 21, 30]),
    }


# ---------------------------------------------------------------------------------------------------------------
# Rendering


def pick_alternatives(rng, text):
    return re.sub(r"«([^»]*)»", lambda m: rng.choice(m.group(1).split("|")), text)


def snake(name):
    for word, plain in (("MySQL", "Mysql"), ("HAProxy", "Haproxy"), ("PgBouncer", "Pgbouncer"), ("RabbitMQ", "Rabbitmq"),
                        ("NodeJS", "Nodejs"), ("OOM", "Oom")):
        name = name.replace(word, plain)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def query_value(rng, expr, ctx, texts):
    """The value an alert's expression returned, as `{{ $value }}` prints it: the figure the texts quote, else a value
    just past the rule's final comparison."""
    for placeholder, scale in (("$ms", 1), ("$secs", 1), ("$err_pct", 0.01), ("$rate", 1), ("$waiting", 1), ("$lag", 1),
                               ("$count", 1), ("$restarts", 1)):
        if placeholder in texts:
            return format(float(ctx[placeholder[1:]]) * scale, ".6g")
    if "* 100 >" in expr:
        return format(float(ctx["pct_hi"]) + rng.uniform(-0.05, 0.05), ".6g")
    if "* 100 <" in expr:
        return format(float(ctx["pct_free"]) + rng.uniform(-0.05, 0.05), ".6g")
    if "time()" in expr:
        return format(float(ctx["days"]) * 86400 - rng.uniform(0, 86000), ".10g")
    match = re.search(r"(>=|<=|==|!=|>|<)\s*([0-9.e+*^ ]+)\)?\s*$", expr)
    if not match:
        return "1"
    operator, threshold = match.group(1), eval(match.group(2).replace("^", "**"), {"__builtins__": {}})
    if operator in ("==", "!=") or (operator == ">=" and threshold >= 1):
        return format(threshold + 1 if operator == "!=" else threshold, "g")
    if threshold == 0:
        if operator.startswith("<"):
            return format(-rng.uniform(1e6, 9e9), ".10g")
        return str(ctx["waiting"] if re.search("pending|waiting|queue", expr) else ctx["count"])
    if 0 < threshold < 1:  # a ratio: the same figure the texts quote
        quoted = float(ctx["pct_hi"] if operator.startswith(">") else ctx["pct_free"]) / 100
        if (quoted > threshold) == operator.startswith(">"):
            return format(quoted + rng.uniform(-0.0005, 0.0005), ".6g")
    factor = rng.uniform(1.02, 1.3) if operator.startswith(">") else rng.uniform(0.2, 0.95)
    return format(threshold * factor, ".6g")


def render(rng, template, index):
    stack = template["stack"]
    ctx = context(rng, stack, template)
    for key, value in VALUE_OVERRIDES.get(template["names"][0], {}).items():
        ctx[key] = pick_alternatives(rng, value)
    fill = lambda text: string.Template(pick_alternatives(rng, text)).safe_substitute(ctx)
    name = rng.choice(template["names"])
    if name[0].isupper() and rng.random() < 0.12:
        name = snake(name)
    labels = {"alertname": name}
    for key in template["keys"]:
        if key not in template["fixed"]:
            labels[key] = str(ctx[key])
    for key, value in template["fixed"].items():
        labels[key] = fill(value)
    severity = rng.choice(template["sev"])
    roll = rng.random()
    if roll < 0.05:
        labels["severity"] = {"warning": "warn", "critical": "page", "info": "info"}.get(severity, severity)
    elif roll < 0.09:
        labels["priority"] = {"warning": "P3", "critical": "P1", "info": "P4"}.get(severity, "P2")
    else:
        labels["severity"] = severity
    if rng.random() < 0.25:
        labels["prometheus"] = rng.choice(["monitoring/k8s", "observability/kube-prometheus", "monitoring/prometheus"])
    if rng.random() < 0.2 and "cluster" not in labels:
        labels["cluster"] = ctx["cluster"]
    if rng.random() < 0.15:
        labels["team"] = rng.choice(["platform", "sre", "payments", "data", "core-infra", "storefront"])

    signal = {"id": f"hr-{index:04d}-{stack}", "source": "alertmanager" if rng.random() < 0.9 else "prometheus"}
    shape = rng.random()
    annotations = {}
    if shape < 0.62:
        annotations["summary"] = fill(rng.choice(template["s"]))
        annotations["description"] = fill(rng.choice(template["d"]))
    elif shape < 0.77:
        annotations["message"] = fill(rng.choice(template["d"]))
    elif shape < 0.85:
        annotations["summary"] = fill(rng.choice(template["s"]))
    elif shape < 0.9:
        annotations["description"] = fill(rng.choice(template["d"]))
    # else: labels only
    expr = fill(template["expr"])
    if "description" in annotations and rng.random() < 0.2:
        # A common rule-file habit: the description ends with the query value and the alert's labels.
        shown = " ".join(f"{k}:{v}" for k, v in sorted(labels.items()) if k not in ("alertname", "severity", "priority"))
        annotations["description"] += f"\n  VALUE = {query_value(rng, expr, ctx, ' '.join(template['s'] + template['d']))}\n  LABELS = map[{shown}]"
    if annotations and rng.random() < 0.3:
        slug = name if rng.random() < 0.5 else snake(name).replace("_", "-")
        annotations["runbook_url"] = rng.choice([
            f"https://runbooks.example.net/alerts/{slug}",
            f"https://github.com/acme-sre/runbooks/blob/main/{stack}/{slug}.md",
            f"https://wiki.example.org/display/OPS/{slug}",
        ])
    # Alertmanager's JSON writes label and annotation maps with their keys sorted.
    signal["labels"] = dict(sorted(labels.items()))
    if annotations:
        signal["annotations"] = dict(sorted(annotations.items()))
    if shape < 0.95 or annotations:
        signal["generatorURL"] = f"{rng.choice(PROM_BASES)}/graph?g0.expr={quote_plus(expr)}&g0.tab=1"
    day = rng.randint(1, 88)
    month, dom = (9, day) if day <= 30 else ((10, day - 30) if day <= 61 else (11, day - 61))
    start = f"2026-{month:02d}-{dom:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    start += f".{rng.randint(0, 999999999):09d}Z" if rng.random() < 0.6 else "Z"
    resolved = rng.random() < 0.06
    signal["status"] = "resolved" if resolved else "firing"
    signal["startsAt"] = start
    if not resolved and signal["source"] == "alertmanager" and rng.random() < 0.7:
        signal["endsAt"] = "0001-01-01T00:00:00Z"
    if resolved:
        hour = int(start[11:13])
        signal["endsAt"] = start[:11] + (f"{hour + rng.randint(1, 3):02d}{start[13:19]}Z" if hour < 21 else "23:59:59Z")
    signal["fingerprint"] = "".join(rng.choice("0123456789abcdef") for _ in range(16))
    signal["label"] = template["cls"]
    if template["amb"]:
        signal["ambiguous"] = True
    return signal


def main():
    unknown_overrides = set(VALUE_OVERRIDES) - {t["names"][0] for t in TEMPLATES}
    if unknown_overrides:
        sys.exit(f"VALUE_OVERRIDES names no rule: {sorted(unknown_overrides)}")
    rng = random.Random(SEED)
    by_class = {}
    for template in TEMPLATES:
        by_class.setdefault(template["cls"], []).append(template)
    chosen = []
    for cls, target in TARGETS.items():
        templates = by_class[cls]
        order = list(range(len(templates)))
        for k in range(target):
            if k % len(templates) == 0:
                rng.shuffle(order)
            chosen.append(templates[order[k % len(templates)]])
    rng.shuffle(chosen)
    signals = [render(rng, template, i + 1) for i, template in enumerate(chosen)]
    with OUT.open("w", encoding="utf-8", newline="\n") as out:
        for signal in signals:
            out.write(json.dumps(signal, ensure_ascii=False, sort_keys=False) + "\n")

    classes = Counter(s["label"] for s in signals)
    ambiguous = Counter(s["label"] for s in signals if s.get("ambiguous"))
    stacks = Counter(s["id"].split("-", 2)[2] for s in signals)
    print(f"wrote {len(signals)} signals to {OUT.name} ({len(TEMPLATES)} rules)", file=sys.stderr)
    for cls in TARGETS:
        print(f"  {cls:28} {classes[cls]:4}  ambiguous {ambiguous[cls]}", file=sys.stderr)
    near = sum(1 for t in chosen if t["near"])
    print(f"  near-misses (unknown rows carrying another class's vocabulary): {near}", file=sys.stderr)
    print("  stacks: " + ", ".join(f"{k} {v}" for k, v in sorted(stacks.items())), file=sys.stderr)
    count = lambda predicate: sum(1 for s in signals if predicate(s))
    print(f"  resolved {count(lambda s: s['status'] == 'resolved')}, labels only {count(lambda s: 'annotations' not in s)} "
          f"({count(lambda s: 'generatorURL' not in s)} without generatorURL), message {count(lambda s: 'message' in s.get('annotations', {}))}, "
          f"runbook_url {count(lambda s: 'runbook_url' in s.get('annotations', {}))}, source prometheus "
          f"{count(lambda s: s['source'] == 'prometheus')}, snake_case names {count(lambda s: '_' in s['labels']['alertname'])}, "
          f"ambiguous {sum(ambiguous.values())}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------------
# Rules. Texts are ours; metric names are the exporters' documented names.

# --- oom: memory exhausted or near its limit ------------------------------------------------------------------

T("oom", "cadvisor-kubelet", "ContainerMemoryNearLimit|KubeContainerMemoryUsageHigh|WorkingSetCloseToLimit",
  'sum by (namespace, pod, container) (container_memory_working_set_bytes{container!="", image!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"}) > «0.9|0.85|0.95»',
  ["Container $container in $namespace/$pod is close to its memory limit",
   "$namespace/$pod: working set at $pct_hi% of the memory limit"],
  ["Container $container of pod $pod (namespace $namespace) has a working set of $mem_used against a $mem_limit limit. If it keeps growing the kernel will kill it.",
   "Working set memory for $container in $namespace/$pod is $pct_hi% of its limit ($mem_limit)."],
  "namespace pod container")
T("oom", "cadvisor-kubelet", "PodMemoryLimitApproaching|WorkloadMemoryAtLimit|ContainerMemoryHeadroomLow",
  'max by (namespace, pod, container) (container_memory_working_set_bytes{container!=""} / (container_spec_memory_limit_bytes{container!=""} > 0)) > «0.9|0.93|0.95»',
  ["Memory headroom of $namespace/$pod is almost gone", "$container is about to hit its cgroup memory limit"],
  ["Only $pct_lo% of the $mem_limit memory limit is left for container $container in pod $pod.",
   "cgroup memory for $namespace/$pod/$container stands at $mem_used of $mem_limit."],
  "namespace pod container instance", job="kubelet|cadvisor")
T("oom", "kube-state-metrics", "KubeContainerOOMKilled|PodOOMKilled|ContainerKilledForMemory",
  'kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1 and on (namespace, pod, container) increase(kube_pod_container_status_restarts_total[«10m|15m|30m»]) > 0',
  ["$namespace/$pod ($container) was OOM-killed", "Container $container restarted after an OOM kill"],
  ["Container $container in pod $namespace/$pod last terminated with reason OOMKilled and has restarted $restarts times.",
   "The previous instance of $container ($namespace/$pod) was killed for exceeding its $mem_limit memory limit."],
  "namespace pod container job", fixed={"reason": "OOMKilled"})
T("oom", "kube-state-metrics", "ContainerTerminatedOOM|oom_killed_container",
  'sum by (namespace, pod, container) (kube_pod_container_status_terminated_reason{reason="OOMKilled"}) > 0',
  ["$container in $namespace is terminated: OOMKilled"],
  ["Pod $pod in $namespace has container $container in terminated state with reason OOMKilled."],
  "namespace pod container")
T("oom", "cadvisor-kubelet", "ContainerOomEvents|CgroupOomKillDetected",
  'increase(container_oom_events_total{container!=""}[«5m|10m»]) > 0',
  ["OOM event in container $container ($namespace/$pod)", "cgroup OOM killer fired for $namespace/$pod"],
  ["cAdvisor counted $count OOM events for container $container of $namespace/$pod on node $node.",
   "The memory cgroup of $container reached its limit and the OOM killer ran."],
  "namespace pod container node", job="kubelet")
T("oom", "node_exporter", "HostMemoryNearlyExhausted|NodeMemoryAlmostFull|HostAvailableMemoryLow",
  '(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100 > «90|95»',
  ["Host $instance is running out of memory", "Available memory on $instance below $pct_lo%"],
  ["Only $pct_lo% of the $mem_total of RAM on $instance is still available.",
   "$instance: MemAvailable is at $pct_lo% of MemTotal; the OOM killer may start picking processes."],
  "instance job")
T("oom", "node_exporter", "HostKernelOomKill|NodeOOMKillDetected|HostOomKillerActive",
  'increase(node_vmstat_oom_kill[«5m|15m|1h»]) > 0',
  ["Kernel OOM kill on $instance", "The OOM killer ran on $instance"],
  ["The kernel on $instance killed $count process(es) because it ran out of memory.",
   "node_vmstat_oom_kill went up on $instance: a process was killed for lack of memory."],
  "instance job")
T("oom", "node_exporter", "HostMemoryPressureStall|NodeMemoryPsiHigh",
  'rate(node_pressure_memory_waiting_seconds_total[5m]) > «0.1|0.2»',
  ["Tasks on $instance are stalling on memory", "Memory pressure (PSI) high on $instance"],
  ["Processes on $instance spent more than 10% of the last 5 minutes waiting for memory (PSI)."],
  "instance job")
T("oom", "kube-state-metrics", "KubeNodeMemoryPressure|NodeUnderMemoryPressure|NodeMemoryPressureCondition",
  'kube_node_status_condition{condition="MemoryPressure", status="true"} == 1',
  ["$node reports MemoryPressure", "Node $node has the MemoryPressure condition"],
  ["Kubelet on $node set MemoryPressure=True; pods with no or low memory requests will be evicted first.",
   "Node $node is low on memory and the kubelet reports MemoryPressure."],
  "node condition status job", fixed={"condition": "MemoryPressure", "status": "true"})
T("oom", "cadvisor-kubelet", "KubeletEvictingForMemory|PodsEvictedMemoryAvailable",
  'increase(kubelet_evictions{eviction_signal="memory.available"}[«15m|30m»]) > 0',
  ["Kubelet on $node evicted pods for memory", "Memory evictions on $node"],
  ["The kubelet on $node evicted $count pod(s) because memory.available crossed its eviction threshold.",
   "Pods were evicted from $node to reclaim memory."],
  "node instance", fixed={"eviction_signal": "memory.available"}, job="kubelet")
T("oom", "jvm-micrometer", "JvmHeapNearMax|SpringBootHeapUsageHigh|JvmHeapExhaustion",
  'sum by (application, instance) (jvm_memory_used_bytes{area="heap"}) / sum by (application, instance) (jvm_memory_max_bytes{area="heap"}) > «0.9|0.92|0.85»',
  ["$application heap usage at $pct_hi% of max", "Heap almost full in $application"],
  ["JVM heap used by $application on $instance is $pct_hi% of -Xmx ($mem_limit). Expect long GC pauses and OutOfMemoryError.",
   "$application ($instance) has used $mem_used of a $mem_limit heap."],
  "application instance job", fixed={"area": "heap"})
T("oom", "jvm-micrometer", "JvmOldGenNearlyFull|TenuredGenerationFull",
  'max by (instance, pool) (jvm_memory_pool_bytes_used{pool=~".*Old Gen"}) / max by (instance, pool) (jvm_memory_pool_bytes_max{pool=~".*Old Gen"}) > 0.9',
  ["Old generation almost full on $instance"],
  ["The old-generation pool on $instance is at $pct_hi% of its maximum even after collections."],
  "instance job pool", fixed={"pool": "«G1 Old Gen|PS Old Gen|Tenured Gen»"})
T("oom", "jvm-micrometer", "JvmMetaspaceNearLimit|MetaspaceExhaustion|JvmNonHeapNearMax",
  'jvm_memory_used_bytes{area="nonheap", id="Metaspace"} / (jvm_memory_max_bytes{area="nonheap", id="Metaspace"} > 0) > «0.9|0.95»',
  ["Metaspace of $application near MaxMetaspaceSize", "$application is running out of metaspace"],
  ["Metaspace used by $application is $pct_hi% of MaxMetaspaceSize; class loading will fail with OutOfMemoryError: Metaspace.",
   "Non-heap (Metaspace) usage on $instance at $pct_hi% of its configured maximum."],
  "application instance area id", fixed={"area": "nonheap", "id": "Metaspace"})
T("oom", "kafka", "KafkaBrokerHeapHigh|KafkaJvmHeapPressure",
  'jvm_memory_bytes_used{job="kafka-jmx", area="heap"} / jvm_memory_bytes_max{job="kafka-jmx", area="heap"} > «0.85|0.9»',
  ["Kafka broker $instance heap at $pct_hi%"],
  ["Heap of the Kafka broker on $instance is at $pct_hi% of its maximum ($mem_limit).",
   "Broker $broker ($instance) JVM heap close to max heap size."],
  "instance job area", job="kafka-jmx", fixed={"area": "heap"})
T("oom", "go", "GoHeapNearMemoryLimit|GoMemLimitApproaching",
  'go_memstats_heap_alloc_bytes{job="$job"} / go_gc_gomemlimit_bytes{job="$job"} > «0.9|0.95»',
  ["$job heap close to GOMEMLIMIT", "Go heap of $pod near its soft memory limit"],
  ["Heap allocated by $job in $namespace/$pod is $pct_hi% of GOMEMLIMIT ($mem_limit); the GC is running constantly.",
   "$pod: Go heap at $mem_used with GOMEMLIMIT $mem_limit."],
  "job namespace pod instance")
T("oom", "dotnet", "DotnetProcessMemoryNearLimit|AspNetWorkingSetHigh",
  'max by (namespace, pod) (process_working_set_bytes{job="$job"}) / max by (namespace, pod) (kube_pod_container_resource_limits{resource="memory", container="$container"}) > 0.9',
  ["$app working set near its container limit", ".NET process memory of $pod at $pct_hi% of limit"],
  ["The .NET process in $namespace/$pod has a working set of $mem_used; the container limit is $mem_limit.",
   "$app ($pod) is using $pct_hi% of its memory limit."],
  "namespace pod job")
T("oom", "dotnet", "DotnetGcHeapLarge|ClrManagedHeapHigh",
  'dotnet_total_memory_bytes{job="$job"} > «1.5e+09|3e+09»',
  ["Managed heap of $app is large"], ["GC heap of $app on $instance reached $mem_used."],
  "job instance", amb=True)
T("oom", "node", "NodejsHeapHigh|NodeHeapUsageHigh|V8HeapAlmostFull",
  'nodejs_heap_size_used_bytes{job="$job"} / nodejs_heap_size_total_bytes{job="$job"} > «0.9|0.95»',
  ["$app V8 heap at $pct_hi%", "Node.js heap nearly full on $pod"],
  ["V8 heap used by $app ($pod) is $pct_hi% of the heap currently allocated.",
   "Heap used/total ratio for $job is $pct_hi%."],
  "job namespace pod", amb=True)
T("oom", "python", "GunicornWorkerMemoryNearLimit|PythonProcessRssNearLimit",
  'max by (namespace, pod) (process_resident_memory_bytes{job="$job"}) / on (namespace, pod) group_left max by (namespace, pod) (kube_pod_container_resource_limits{resource="memory"}) > «0.9|0.85»',
  ["$app resident memory near the pod limit", "RSS of $pod close to its memory limit"],
  ["Resident memory of the Python workers in $namespace/$pod is $mem_used of a $mem_limit limit.",
   "$app: RSS at $pct_hi% of the container memory limit; workers will be killed."],
  "namespace pod job")
T("oom", "python", "PythonProcessMemoryHigh|CeleryWorkerRssHigh",
  'process_resident_memory_bytes{job="$job"} > «2|3|4» * 1024 * 1024 * 1024',
  ["RSS of $job above threshold"], ["Process $instance ($job) has resident memory $mem_used."],
  "job instance", amb=True)
T("oom", "go", "GoProcessAllocHigh|go_heap_alloc_high",
  'go_memstats_alloc_bytes{job="$job"} > «1e+09|2e+09»',
  ["Go heap allocation high in $job"], ["$job on $instance has $mem_used allocated on the heap."],
  "job instance", amb=True)
T("oom", "redis", "RedisMemoryNearMaxmemory|RedisMaxmemoryAlmostReached|RedisMemoryHigh",
  'redis_memory_used_bytes / redis_memory_max_bytes > «0.9|0.85|0.95» and redis_memory_max_bytes > 0',
  ["Redis $instance used memory at $pct_hi% of maxmemory", "Redis close to maxmemory"],
  ["Redis on $instance uses $mem_used against maxmemory $mem_limit. Writes will fail or keys will be evicted per the policy.",
   "Memory of $instance is $pct_hi% of the configured maxmemory."],
  "instance job")
T("oom", "redis", "RedisEvictingKeys|RedisKeysEvicted",
  'increase(redis_evicted_keys_total[5m]) > «0|100»',
  ["Redis $instance is evicting keys"], ["Redis on $instance evicted keys in the last 5 minutes because maxmemory was reached."],
  "instance job", amb=True)
T("oom", "rabbitmq", "RabbitmqMemoryAlarm|RabbitMQMemoryHighWatermark",
  '(rabbitmq_alarms_memory_used_watermark * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) == 1',
  ["RabbitMQ memory alarm on $rabbit_node", "Memory high watermark hit on $rabbit_node"],
  ["$rabbit_node crossed vm_memory_high_watermark; publishers are blocked until memory goes down.",
   "The memory alarm is set on RabbitMQ node $rabbit_node ($instance)."],
  "instance namespace rabbitmq_node", fixed={"rabbitmq_node": "$rabbit_node"})
T("oom", "rabbitmq", "RabbitmqMemoryNearWatermark|RabbitmqResidentMemoryHigh",
  'sum by (rabbitmq_node) (rabbitmq_process_resident_memory_bytes * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) / sum by (rabbitmq_node) (rabbitmq_resident_memory_limit_bytes * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) > «0.9|0.8»',
  ["RabbitMQ $rabbit_node near its memory limit"],
  ["Resident memory of $rabbit_node is $pct_hi% of the memory high watermark; the broker will soon block publishers."],
  "rabbitmq_node", fixed={"rabbitmq_node": "$rabbit_node"})
T("oom", "elasticsearch", "ElasticsearchHeapUsageHigh|EsNodeHeapPressure|ElasticsearchJvmHeapTooHigh",
  'elasticsearch_jvm_memory_used_bytes{area="heap"} / elasticsearch_jvm_memory_max_bytes{area="heap"} > «0.9|0.85»',
  ["Elasticsearch node $es_node heap at $pct_hi%", "Heap pressure on $es_node"],
  ["JVM heap of $es_node in cluster $es_cluster is at $pct_hi% of max; old-gen GCs and circuit breakers will follow.",
   "$es_node ($es_cluster) heap used $mem_used of $mem_limit."],
  "cluster name instance", fixed={"cluster": "$es_cluster", "name": "$es_node", "area": "heap"})
T("oom", "elasticsearch", "ElasticsearchParentBreakerTripped|EsCircuitBreakerTrips",
  'increase(elasticsearch_breakers_tripped{breaker="parent"}[«5m|15m»]) > 0',
  ["Parent circuit breaker tripped on $es_node"],
  ["Requests on $es_node were rejected because the parent circuit breaker's memory limit was reached."],
  "cluster name breaker", fixed={"cluster": "$es_cluster", "name": "$es_node", "breaker": "parent"}, amb=True)
T("oom", "mongodb", "MongodbWiredTigerCacheFull|MongoCacheNearMax",
  'mongodb_ss_wt_cache_bytes_currently_in_the_cache / mongodb_ss_wt_cache_maximum_bytes_configured > «0.95|0.9»',
  ["WiredTiger cache of $instance nearly full", "MongoDB cache at $pct_hi% of its configured size"],
  ["WiredTiger cache on $instance ($rs) holds $mem_used of a configured $mem_limit; application threads are being drafted into eviction.",
   "MongoDB $instance: cache usage $pct_hi% of cacheSizeGB."],
  "instance rs_nm", fixed={"rs_nm": "$rs"})
T("oom", "envoy", "EnvoyHeapPressureHigh|EnvoyOverloadHeapPressure",
  'envoy_overload_envoy_resource_monitors_fixed_heap_pressure > «0.95|0.9»',
  ["Envoy heap pressure in $namespace/$pod", "Envoy close to its max heap"],
  ["Envoy in $pod reports fixed-heap pressure above 0.95 of max_heap_size_bytes; the overload manager will start shedding load.",
   "Heap pressure of the proxy in $namespace/$pod is $pct_hi%."],
  "namespace pod")
T("oom", "node_exporter", "HostSwapNearlyFull|NodeSwapUsageHigh",
  '(1 - node_memory_SwapFree_bytes / node_memory_SwapTotal_bytes) > «0.8|0.9» and node_memory_SwapTotal_bytes > 0',
  ["Swap on $instance is almost used up"], ["$instance has used $pct_hi% of its swap space."],
  "instance job", amb=True)

# --- disk_full: space or inodes, now or predicted -------------------------------------------------------------

T("disk_full", "node_exporter", "HostDiskSpaceLow|NodeFilesystemSpaceCritical|HostFilesystemNearlyFull",
  '(node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs", mountpoint!~"/boot.*"} / node_filesystem_size_bytes * 100 < «10|5|15») and node_filesystem_readonly == 0',
  ["Filesystem $mountpoint on $instance has $pct_free% free", "Disk almost full on $instance"],
  ["$mountpoint ($device) on $instance has only $free of $size left ($pct_free%).",
   "Free space on $instance:$mountpoint is down to $pct_free%."],
  "instance job device mountpoint fstype")
T("disk_full", "node_exporter", "HostFilesystemPredictedFull|NodeDiskWillFillSoon|DiskFillForecast",
  'predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"}[«6h|4h|12h»], «24|48» * 3600) < 0 and node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.4',
  ["$mountpoint on $instance will be full within $hours hours", "Filesystem $mountpoint is filling up"],
  ["At the current growth rate $mountpoint on $instance runs out of space in about $hours hours ($free left).",
   "Linear prediction over the last hours says $device mounted on $mountpoint hits 0 bytes free soon."],
  "instance job device mountpoint")
T("disk_full", "node_exporter", "HostInodesLow|NodeFilesystemInodesExhausting|HostInodesRunningOut",
  'node_filesystem_files_free{fstype!="tmpfs"} / node_filesystem_files{fstype!="tmpfs"} * 100 < «5|10»',
  ["$instance:$mountpoint is running out of inodes", "Few inodes left on $mountpoint"],
  ["Only $pct_free% of inodes remain on $mountpoint ($device) of $instance; new files will fail with ENOSPC.",
   "Inode usage of $mountpoint on $instance is above $pct_hi%."],
  "instance job device mountpoint")
T("disk_full", "node_exporter", "HostInodesWillRunOut|NodeInodesFillingUp",
  'predict_linear(node_filesystem_files_free{fstype!="tmpfs"}[6h], 24 * 3600) < 0',
  ["Inodes on $mountpoint predicted to run out within a day"],
  ["$mountpoint on $instance is creating files fast enough to exhaust its inodes within 24 hours."],
  "instance device mountpoint")
T("disk_full", "node_exporter", "VarLogAlmostFull|LogPartitionLowSpace|ContainerRuntimeDiskLow",
  'node_filesystem_avail_bytes{mountpoint="$mountpoint"} < «1|2|5» * 1024^3',
  ["Low free space on $instance", "Less than a few GiB left on a system partition"],
  ["$instance has $free free on $mountpoint; logs or image layers are filling it.",
   "Available bytes on $mountpoint of $instance dropped under the floor."],
  "instance job device mountpoint")
T("disk_full", "cadvisor-kubelet", "PersistentVolumeClaimAlmostFull|PvcSpaceLow|KubeVolumeNearlyFull",
  'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < «0.1|0.05|0.15»',
  ["PVC $namespace/$persistentvolumeclaim is almost full", "Volume $persistentvolumeclaim has $pct_free% free"],
  ["PersistentVolumeClaim $persistentvolumeclaim in $namespace has $free free out of $size.",
   "The volume claimed by $persistentvolumeclaim ($namespace) is $pct_hi% used."],
  "namespace persistentvolumeclaim node job", job="kubelet")
T("disk_full", "cadvisor-kubelet", "VolumeFillingUp|PvcForecastFull",
  'predict_linear(kubelet_volume_stats_available_bytes{job="kubelet"}[«6h|12h»], «4|2» * 24 * 3600) < 0 and kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.3',
  ["$persistentvolumeclaim is predicted to fill up", "Volume in $namespace will be full within days"],
  ["Based on recent growth, PVC $namespace/$persistentvolumeclaim will be full in about $days days.",
   "$persistentvolumeclaim ($namespace) is on course to run out of space."],
  "namespace persistentvolumeclaim", job="kubelet")
T("disk_full", "cadvisor-kubelet", "PvcInodesNearlyExhausted|KubeVolumeInodesLow",
  'kubelet_volume_stats_inodes_free / kubelet_volume_stats_inodes < «0.05|0.03»',
  ["PVC $persistentvolumeclaim is out of inodes soon"],
  ["Volume $namespace/$persistentvolumeclaim has only $pct_free% inodes free."],
  "namespace persistentvolumeclaim")
T("disk_full", "kube-state-metrics", "NodeDiskPressure|KubeNodeUnderDiskPressure",
  'kube_node_status_condition{condition="DiskPressure", status="true"} == 1',
  ["$node reports DiskPressure", "Node $node is low on disk"],
  ["The kubelet on $node set DiskPressure=True: nodefs or imagefs is below its eviction threshold.",
   "$node has the DiskPressure condition; images will be garbage-collected and pods evicted."],
  "node condition status job", fixed={"condition": "DiskPressure", "status": "true"})
T("disk_full", "cadvisor-kubelet", "KubeletEvictingForDiskSpace|PodsEvictedNodefs",
  'increase(kubelet_evictions{eviction_signal=~"nodefs.available|imagefs.available|nodefs.inodesFree"}[30m]) > 0',
  ["Kubelet on $node evicted pods to reclaim disk"],
  ["Pods were evicted from $node because node filesystem space fell below the eviction threshold."],
  "node instance eviction_signal", fixed={"eviction_signal": "«nodefs.available|imagefs.available»"})
T("disk_full", "cadvisor-kubelet", "PodEphemeralStorageNearLimit|EphemeralStorageLimitApproaching",
  'sum by (namespace, pod) (container_fs_usage_bytes{container!=""}) / sum by (namespace, pod) (kube_pod_container_resource_limits{resource="ephemeral_storage"}) > «0.9|0.85»',
  ["$namespace/$pod close to its ephemeral-storage limit"],
  ["Pod $pod writes $pct_hi% of its ephemeral-storage limit to local disk; it will be evicted at 100%.",
   "Local storage used by $namespace/$pod is near the ephemeral-storage limit."],
  "namespace pod")
T("disk_full", "cadvisor-kubelet", "ContainerFilesystemFull|ContainerRootfsAlmostFull",
  'max by (instance, device) (container_fs_usage_bytes{device=~"/dev/.*", id="/"} / container_fs_limit_bytes{device=~"/dev/.*", id="/"}) > «0.9|0.85»',
  ["Container filesystem $device on $node almost full"],
  ["cAdvisor reports $device on $node at $pct_hi% of capacity."],
  "instance device", job="kubelet")
T("disk_full", "postgresql", "PostgresDataVolumeFull|PostgresqlDiskSpaceLow",
  'node_filesystem_avail_bytes{mountpoint="/var/lib/postgresql"} / node_filesystem_size_bytes{mountpoint="/var/lib/postgresql"} < «0.1|0.15»',
  ["PostgreSQL data volume on $host has $pct_free% free", "Postgres data disk nearly full"],
  ["The volume holding the PostgreSQL data directory on $host has $free left; when it fills, the server stops accepting writes.",
   "$host: /var/lib/postgresql at $pct_hi% used."],
  "instance job", job="node-exporter")
T("disk_full", "postgresql", "PostgresDatabaseTooLarge|PgDatabaseSizeHigh",
  'pg_database_size_bytes{datname="$db"} > «200|500» * 1024^3',
  ["Database $db is very large"], ["Database $db on $instance has grown past the size budget."],
  "instance datname", fixed={"datname": "$db"}, amb=True)
T("disk_full", "mysql", "MysqlDataDirFillingUp|MySQLDiskWillFill",
  'predict_linear(node_filesystem_avail_bytes{mountpoint="/var/lib/mysql"}[6h], 12 * 3600) < 0',
  ["MySQL data directory on $host will be full within 12 hours"],
  ["Free space on /var/lib/mysql of $host is falling and will reach zero within the next 12 hours (binlogs, tmp tables)."],
  "instance", job="node-exporter")
T("disk_full", "mysql", "MysqlBinlogVolumeLarge|mysql_binlogs_huge",
  'mysql_binlog_size_bytes > «50|100» * 1024^3',
  ["Binary logs on $instance exceed the size budget"], ["Binary logs on $instance take more than the allowed space."],
  "instance job", amb=True)
T("disk_full", "elasticsearch", "ElasticsearchDiskWatermarkApproaching|EsDataPathLowSpace|ElasticsearchDiskSpaceLow",
  'elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes < «0.15|0.2»',
  ["$es_node is close to the high disk watermark", "Data path of $es_node has $pct_free% free"],
  ["Elasticsearch node $es_node ($es_cluster) has $free free on its data path; shards will move away at the high watermark and indices become read-only at flood stage.",
   "Disk on $es_node at $pct_hi% used."],
  "cluster name", fixed={"cluster": "$es_cluster", "name": "$es_node"})
T("disk_full", "elasticsearch", "ElasticsearchFloodStageRisk|EsDiskFloodStage",
  'elasticsearch_filesystem_data_free_bytes / elasticsearch_filesystem_data_size_bytes < 0.05',
  ["$es_node disk at flood stage"], ["$es_node has under 5% disk free; indices with shards there get a read-only block."],
  "cluster name instance", fixed={"cluster": "$es_cluster", "name": "$es_node"})
T("disk_full", "kafka", "KafkaLogDirFillingUp|KafkaBrokerDiskLow",
  'predict_linear(node_filesystem_avail_bytes{mountpoint=~"/var/lib/kafka.*"}[«6h|12h»], 24 * 3600) < 0',
  ["Kafka log dir on $host fills within a day", "Broker disk filling on $host"],
  ["The Kafka log directory on $host will run out of space within 24 hours at the current ingest rate; retention is not keeping up.",
   "Broker $broker ($host): log volume free space trending to zero."],
  "instance mountpoint", fixed={"mountpoint": "/var/lib/kafka/data"}, job="node-exporter")
T("disk_full", "mongodb", "MongodbFilesystemNearlyFull|MongoDiskUsageHigh",
  'mongodb_dbstats_fsUsedSize / mongodb_dbstats_fsTotalSize > «0.9|0.85»',
  ["MongoDB filesystem on $instance at $pct_hi%"],
  ["The filesystem holding MongoDB data on $instance ($rs) is $pct_hi% used ($free free)."],
  "instance database", fixed={"database": "$db"})
T("disk_full", "rabbitmq", "RabbitmqDiskAlarm|RabbitMQFreeDiskAlarm",
  '(rabbitmq_alarms_free_disk_space_watermark * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) == 1',
  ["RabbitMQ disk alarm on $rabbit_node"],
  ["Free disk on $rabbit_node fell below disk_free_limit; all publishers are blocked.",
   "The disk alarm fired on $rabbit_node."],
  "instance rabbitmq_node", fixed={"rabbitmq_node": "$rabbit_node"})
T("disk_full", "rabbitmq", "RabbitmqDiskNearLimit|RabbitmqLowDiskHeadroom",
  '(rabbitmq_disk_space_available_bytes * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) < «2|3» * (rabbitmq_disk_space_available_limit_bytes * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info)',
  ["RabbitMQ free disk approaching disk_free_limit on $rabbit_node"],
  ["$rabbit_node has $free of disk left, close to the configured free-disk limit."],
  "instance rabbitmq_node", fixed={"rabbitmq_node": "$rabbit_node"})

# --- cert_expiry: a certificate expiring or expired -----------------------------------------------------------

T("cert_expiry", "blackbox", "SslCertificateExpiringSoon|BlackboxCertExpiry|TLSCertExpiresSoon",
  'probe_ssl_earliest_cert_expiry{job=~"blackbox.*"} - time() < 86400 * «14|21|30»',
  ["Certificate for $target expires in $days days", "TLS certificate on $domain expiring soon"],
  ["The certificate served by $target expires in $days days. Renew it before clients start failing the handshake.",
   "Blackbox probe of $target sees a certificate chain whose earliest expiry is $days days away."],
  "instance job", fixed={"instance": "$target"})
T("cert_expiry", "blackbox", "EndpointCertificateExpiresInDays|SslCertExpiryCritical",
  '(probe_ssl_earliest_cert_expiry - time()) / 86400 < «3|7»',
  ["$domain certificate expires in $days days", "Certificate expiry imminent for $domain"],
  ["Less than a week before the certificate of $target expires.", "$target: $days day(s) of certificate validity left."],
  "instance job", fixed={"instance": "$target"}, sev="critical")
T("cert_expiry", "blackbox", "SslCertificateExpired|CertificateHasExpired",
  'probe_ssl_earliest_cert_expiry - time() <= 0',
  ["Certificate for $domain has expired", "Expired TLS certificate on $target"],
  ["The certificate presented by $target is past its notAfter date; browsers and clients reject it.",
   "$domain serves an expired certificate."],
  "instance job", fixed={"instance": "$target"}, sev="critical")
T("cert_expiry", "blackbox", "TlsChainExpiring|LastChainCertExpiry",
  'probe_ssl_last_chain_expiry_timestamp_seconds - time() < 86400 * «10|20»',
  ["Verified chain for $domain expires soon"],
  ["The verified certificate chain of $target ends its validity in $days days."],
  "instance job", fixed={"instance": "$target"})
T("cert_expiry", "blackbox", "SslExporterCertExpiring|HostCertNotAfterSoon",
  'ssl_cert_not_after{job="ssl-exporter"} - time() < 86400 * «20|30»',
  ["Certificate $domain expires within $days days"],
  ["ssl_exporter found that the leaf certificate for $domain (CN=$domain) stops being valid in $days days."],
  "instance cn job", fixed={"instance": "$domain:443", "cn": "$domain", "job": "ssl-exporter"})
T("cert_expiry", "cert-manager", "CertManagerCertExpiresShortly|CertificateNotRenewedBeforeExpiry|CertManagerCertificateExpiring",
  'certmanager_certificate_expiration_timestamp_seconds - time() < «21|14|7» * 24 * 3600',
  ["Certificate $namespace/$cert expires in $days days", "cert-manager certificate $cert close to expiry"],
  ["Certificate $cert in $namespace (issuer $issuer) expires in $days days and has not been renewed.",
   "The certificate $namespace/$cert managed by cert-manager will expire in $days days."],
  "namespace name issuer_name issuer_kind", fixed={"name": "$cert", "issuer_name": "$issuer", "issuer_kind": "«ClusterIssuer|Issuer»"})
T("cert_expiry", "cert-manager", "CertManagerRenewalOverdue|CertificateRenewalLate",
  'time() > certmanager_certificate_renewal_timestamp_seconds + «3600|7200»',
  ["Renewal of $namespace/$cert is overdue", "cert-manager missed the renewal time of $cert"],
  ["The renewal time of certificate $cert in $namespace passed and it is still not renewed; it now expires in $days days.",
   "$namespace/$cert should have been renewed already; the current certificate keeps counting down to expiry."],
  "namespace name", fixed={"name": "$cert"})
T("cert_expiry", "cadvisor-kubelet", "KubeletClientCertExpiring|KubeletClientCertificateTtlLow",
  'kubelet_certificate_manager_client_ttl_seconds < «604800|1209600»',
  ["Kubelet client certificate on $node expires soon"],
  ["The client certificate the kubelet on $node uses to talk to the API server expires in $days days."],
  "node instance job", job="kubelet")
T("cert_expiry", "cadvisor-kubelet", "KubeletServingCertExpiry|KubeletServerCertificateTtlLow",
  'kubelet_certificate_manager_server_ttl_seconds < «604800|1209600»',
  ["Kubelet serving certificate on $node is about to expire"],
  ["The serving certificate of the kubelet on $node is valid for less than $days days."],
  "node instance job", job="kubelet")
T("cert_expiry", "cadvisor-kubelet", "ApiserverClientCertsExpiring|ApiserverClientCertNearExpiry",
  'apiserver_client_certificate_expiration_seconds_count{job="apiserver"} > 0 and on (job) histogram_quantile(0.01, sum by (job, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{job="apiserver"}[5m]))) < «604800|1209600»',
  ["A client certificate used against the API server expires soon"],
  ["Some clients authenticate to the Kubernetes API with a certificate that expires within $days days."],
  "job", job="apiserver")
T("cert_expiry", "envoy", "EnvoyCertExpiringSoon|EnvoyFirstCertExpiry",
  'envoy_server_days_until_first_cert_expiring < «10|15»',
  ["Envoy in $pod holds a certificate expiring in $days days"],
  ["A certificate loaded by the Envoy proxy in $namespace/$pod expires in $days days."],
  "namespace pod")
T("cert_expiry", "traefik", "TraefikCertificateExpiring|TraefikTlsCertNotAfter",
  '(traefik_tls_certs_not_after - time()) / 86400 < «14|21»',
  ["Traefik certificate for $domain expires in $days days"],
  ["Traefik serves a certificate for $domain (cn=$domain) that expires in $days days; check the ACME resolver."],
  "cn sans", fixed={"cn": "$domain", "sans": "$domain"})
T("cert_expiry", "x509-exporter", "X509CertificateExpiringSoon|KubeSecretCertExpiring",
  '(x509_cert_not_after{secret_namespace!=""} - time()) / 86400 < «28|14»',
  ["Certificate in secret $namespace/$cert expires in $days days"],
  ["The certificate stored in secret $cert ($namespace) expires in $days days."],
  "secret_namespace secret_name subject_CN", fixed={"secret_namespace": "$namespace", "secret_name": "$cert", "subject_CN": "$domain"})
T("cert_expiry", "x509-exporter", "X509CertificateExpired|CertInSecretExpired",
  'x509_cert_expired == 1',
  ["Expired certificate in $namespace/$cert"], ["Secret $namespace/$cert holds a certificate for $domain that has already expired."],
  "secret_namespace secret_name", fixed={"secret_namespace": "$namespace", "secret_name": "$cert"}, sev="critical")
T("cert_expiry", "cloud-lb", "AcmCertificateExpiring|LoadBalancerCertExpiry",
  'aws_certificatemanager_days_to_expiry_minimum < «30|14»',
  ["ACM certificate on the load balancer expires in $days days"],
  ["The ACM certificate attached to the public load balancer ($domain) expires in $days days and is not eligible for managed renewal."],
  "dimension_CertificateArn job", fixed={"dimension_CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/«4f1c9a2e-77b0-4d3a-9c55-2a6d1e8b0f13|b2d7e611-0c4a-4b8e-a0a9-5e3f7c2d9a44»"}, job="cloudwatch")
T("cert_expiry", "nginx", "IngressCertificateExpiring|NginxIngressSslExpiry",
  'avg by (host, secret_name) (nginx_ingress_controller_ssl_expire_time_seconds) - time() < 86400 * «14|7»',
  ["Ingress certificate for $domain expires in $days days"],
  ["ingress-nginx serves a certificate for $domain from secret $cert that expires in $days days."],
  "host secret_name namespace", fixed={"host": "$domain", "secret_name": "$cert"})
T("cert_expiry", "haproxy", "HaproxyFrontendCertExpiring",
  'probe_ssl_earliest_cert_expiry{job="blackbox-haproxy"} - time() < 86400 * «10|21»',
  ["HAProxy frontend certificate for $domain expires soon"],
  ["The certificate bound on the HAProxy frontend for $domain expires in $days days."],
  "instance job", fixed={"instance": "$target", "job": "blackbox-haproxy"})

# --- dependency_timeout: timeouts or slowness on calls to something downstream ---------------------------------

T("dependency_timeout", "blackbox", "ProbeSlow|BlackboxProbeSlowResponse|EndpointProbeSlow",
  'probe_duration_seconds{job=~"blackbox.*"} > «3|5»',
  ["Probe of $target takes $secs s", "Slow probe: $target"],
  ["The blackbox probe of $target took $secs seconds to complete.", "Requests from the probe to $target are slow ($secs s)."],
  "instance job", fixed={"instance": "$target"})
T("dependency_timeout", "blackbox", "UpstreamHttpProcessingSlow|BlackboxHttpSlowPhase",
  'avg_over_time(probe_http_duration_seconds{phase="processing"}[«10m|5m»]) > «2|1»',
  ["$target is slow to answer", "Server processing phase slow for $target"],
  ["Over the last minutes $target needed $secs s on average between sending the request and the first byte."],
  "instance job phase", fixed={"instance": "$target", "phase": "processing"})
T("dependency_timeout", "blackbox", "DnsLookupSlow|ProbeDnsResolutionSlow",
  'probe_dns_lookup_time_seconds > «1|0.5»',
  ["DNS resolution of $domain is slow"], ["The probe needed $secs s to resolve $domain."],
  "instance job", fixed={"instance": "$target"})
T("dependency_timeout", "envoy", "EnvoyUpstreamTimeouts|UpstreamRequestTimeoutsHigh",
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_timeout[5m])) > «1|0.5»',
  ["Requests to $upstream are timing out", "Envoy upstream timeouts on $upstream"],
  ["Envoy reports $rate requests per second to cluster $envoy_cluster_name hitting the route timeout.",
   "Calls through the mesh to $upstream time out at $rate/s."],
  "envoy_cluster_name")
T("dependency_timeout", "envoy", "EnvoyUpstreamLatencyHigh|MeshUpstreamP99Slow",
  'histogram_quantile(0.99, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket[5m]))) > «1000|2500»',
  ["p99 latency to $upstream is $ms ms", "Upstream $upstream responds slowly"],
  ["99th percentile of upstream request time to $envoy_cluster_name is $ms ms.",
   "The service behind cluster $envoy_cluster_name answers Envoy slowly (p99 $ms ms)."],
  "envoy_cluster_name")
T("dependency_timeout", "envoy", "EnvoyUpstreamConnectTimeouts|UpstreamConnectTimeout",
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_cx_connect_timeout[5m])) > 0',
  ["Connect timeouts to $upstream"], ["Envoy cannot establish connections to $envoy_cluster_name within the connect timeout."],
  "envoy_cluster_name namespace")
T("dependency_timeout", "envoy", "IstioClientLatencyHigh|SidecarOutboundSlow",
  'histogram_quantile(0.99, sum by (le, destination_service) (rate(istio_request_duration_milliseconds_bucket{reporter="source"}[5m]))) > «1500|3000»',
  ["Calls to $upstream are slow (p99 $ms ms)"],
  ["Client-side p99 for requests to $upstream.$namespace.svc.cluster.local is $ms ms."],
  "destination_service", fixed={"destination_service": "$upstream.$namespace.svc.cluster.local"})
T("dependency_timeout", "haproxy", "HaproxyBackendSlow|HAProxyBackendResponseTimeHigh",
  'haproxy_backend_response_time_average_seconds > «1|2»',
  ["Backend $proxy responds slowly", "HAProxy backend $proxy average response $secs s"],
  ["Servers of backend $proxy take $secs s on average to respond to HAProxy.",
   "Average response time of backend $proxy over the last 1024 requests is $secs s."],
  "proxy instance")
T("dependency_timeout", "haproxy", "HaproxyBackendConnectSlow|HAProxyServerConnectTimeHigh",
  'haproxy_backend_connect_time_average_seconds > «0.5|1»',
  ["Connecting to backend $proxy is slow"], ["HAProxy needs $secs s on average to open a connection to the servers of $proxy."],
  "proxy instance")
T("dependency_timeout", "nginx", "IngressUpstreamLatencyHigh|NginxUpstreamResponseSlow",
  'histogram_quantile(0.95, sum by (le, ingress, namespace) (rate(nginx_ingress_controller_response_duration_seconds_bucket[5m]))) > «3|2»',
  ["Upstream of ingress $ingress answers slowly", "Backend response time for $namespace/$ingress is high"],
  ["p95 time to receive the response from the upstream service of ingress $ingress ($namespace) is $secs s.",
   "The pods behind $ingress respond to nginx in $secs s at p95."],
  "ingress namespace")
T("dependency_timeout", "nginx", "IngressGatewayTimeouts|Nginx504RateHigh",
  'sum by (ingress) (rate(nginx_ingress_controller_requests{status="504"}[5m])) / sum by (ingress) (rate(nginx_ingress_controller_requests[5m])) > «0.02|0.05»',
  ["$err_pct% of requests on $ingress end in 504", "Gateway timeouts on $ingress"],
  ["nginx returns 504 Gateway Timeout for $err_pct% of requests to ingress $ingress: the upstream did not answer in time."],
  "ingress exported_namespace", fixed={"exported_namespace": "$namespace"})
T("dependency_timeout", "traefik", "TraefikBackendSlow|TraefikServiceLatencyHigh",
  'histogram_quantile(0.99, sum by (le, service) (rate(traefik_service_request_duration_seconds_bucket[5m]))) > «2|1»',
  ["Traefik service $router responds slowly"],
  ["Requests forwarded by Traefik to service $router take $secs s at p99."],
  "service", fixed={"service": "$router"})
T("dependency_timeout", "cloud-lb", "AlbTargetResponseSlow|AwsAlbTargetLatencyHigh",
  'aws_applicationelb_target_response_time_average{dimension_LoadBalancer="$lb"} > «2|1»',
  ["Targets behind the ALB respond in $secs s"],
  ["Targets registered with $lb need $secs s on average to respond to the load balancer."],
  "dimension_LoadBalancer job", fixed={"dimension_LoadBalancer": "$lb"}, job="cloudwatch|yace")
T("dependency_timeout", "cloud-lb", "AlbGatewayTimeouts|ElbBackend504s",
  'sum by (dimension_LoadBalancer) (aws_applicationelb_httpcode_elb_504_count_sum) > «10|25»',
  ["Load balancer $lb returns 504s"],
  ["$lb answers requests with 504 because the targets do not respond before the idle timeout."],
  "dimension_LoadBalancer", fixed={"dimension_LoadBalancer": "$lb"})
T("dependency_timeout", "cloud-lb", "GcpLbBackendLatencyHigh|GlbBackendSlow",
  'histogram_quantile(0.95, sum by (le, backend_target_name) (rate(stackdriver_https_lb_rule_loadbalancing_googleapis_com_https_backend_latencies_bucket[5m]))) > «2000|1500»',
  ["Backends behind the HTTPS load balancer are slow"],
  ["The Google HTTPS load balancer sees p95 backend latency of $ms ms for backend service $upstream."],
  "backend_target_name", fixed={"backend_target_name": "$upstream-bes"})
T("dependency_timeout", "jvm-micrometer", "OutboundHttpSlow|DownstreamCallLatencyHigh|RestClientSlow",
  'histogram_quantile(0.99, sum by (le, application, client_name) (rate(http_client_requests_seconds_bucket[5m]))) > «2|1»',
  ["$application calls to $upstream are slow", "Outbound HTTP latency from $application high"],
  ["HTTP client calls from $application to $upstream take $secs s at p99.",
   "$application waits $secs s for $upstream (client_name=$upstream)."],
  "application client_name", fixed={"client_name": "$upstream"})
T("dependency_timeout", "jvm-micrometer", "HttpClientTimeouts|OutboundReadTimeouts",
  'sum by (application, client_name) (rate(http_client_requests_seconds_count{exception=~"SocketTimeoutException|ReadTimeoutException|ConnectTimeoutException"}[5m])) > «0.1|0»',
  ["$application gets timeouts calling $upstream"],
  ["Requests from $application to $upstream fail with socket/read timeouts ($rate/s)."],
  "application client_name", fixed={"client_name": "$upstream"})
T("dependency_timeout", "jvm-micrometer", "TimeLimiterTimeouts|Resilience4jCallTimeouts",
  'sum by (application, name) (rate(resilience4j_timelimiter_calls_total{kind="timeout"}[5m])) > 0',
  ["Time limiter $upstream is cutting calls off"],
  ["Resilience4j time limiter $upstream in $application records calls that exceeded their timeout."],
  "application name", fixed={"name": "$upstream"})
T("dependency_timeout", "go", "GrpcClientDeadlineExceeded|GrpcClientDeadlinesHigh",
  'sum by (grpc_service, grpc_method) (rate(grpc_client_handled_total{grpc_code="DeadlineExceeded"}[5m])) / sum by (grpc_service, grpc_method) (rate(grpc_client_handled_total[5m])) > «0.05|0.01»',
  ["Calls to $grpc_service/$grpc_method exceed their deadline", "gRPC client deadlines exceeded"],
  ["$err_pct% of client calls from $job to $grpc_service/$grpc_method finish with DeadlineExceeded."],
  "job grpc_service grpc_method")
T("dependency_timeout", "go", "GrpcClientLatencyHigh|DownstreamGrpcSlow",
  'histogram_quantile(0.99, sum by (le, grpc_service) (rate(grpc_client_handling_seconds_bucket{job="$job"}[5m]))) > «1|0.5»',
  ["$job waits long on $grpc_service"], ["Client-side p99 of calls to $grpc_service from $job is $secs s."],
  "job grpc_service")
T("dependency_timeout", "dotnet", "DotnetHttpClientSlow|OutgoingRequestDurationHigh",
  'histogram_quantile(0.95, sum by (le, server_address) (rate(http_client_request_duration_seconds_bucket{job="$job"}[5m]))) > «3|2»',
  ["$app outgoing calls to $upstream slow"], ["HttpClient calls from $app to $upstream.internal take $secs s at p95."],
  "job server_address", fixed={"server_address": "$upstream.internal"})
T("dependency_timeout", "dotnet", "PollyTimeoutsFiring|ResiliencePipelineTimeouts",
  'sum by (pipeline_name) (rate(resilience_polly_strategy_events_total{event_name="OnTimeout"}[5m])) > 0',
  ["Polly timeouts on pipeline $upstream"],
  ["The resilience pipeline $upstream in $app is timing out calls ($rate/s)."],
  "pipeline_name job", fixed={"pipeline_name": "$upstream"})
T("dependency_timeout", "node", "NodeOutboundRequestsSlow|FetchUpstreamLatencyHigh",
  'histogram_quantile(0.99, sum by (le, target) (rate(outbound_request_duration_seconds_bucket{job="$job"}[5m]))) > «2|4»',
  ["$app waits on $upstream", "Slow responses from $upstream seen by $app"],
  ["p99 of outgoing requests from $app to $upstream is $secs s."],
  "job target", fixed={"target": "$upstream"})
T("dependency_timeout", "node", "NodeOutboundTimeouts|UpstreamEtimedout",
  'sum by (target) (rate(outbound_requests_total{job="$job", outcome="timeout"}[5m])) > «0.2|0»',
  ["$app calls to $upstream time out"], ["$rate requests/s from $app to $upstream end in a client timeout."],
  "job target", fixed={"target": "$upstream"})
T("dependency_timeout", "python", "PythonUpstreamLatencyHigh|RequestsToPeerSlow",
  'histogram_quantile(0.95, sum by (le, net_peer_name) (rate(http_client_duration_milliseconds_bucket{job="$job"}[5m]))) > «2500|4000»',
  ["$app: calls to $upstream take $ms ms"], ["Outgoing HTTP calls from $app to $upstream are slow (p95 $ms ms)."],
  "job net_peer_name", fixed={"net_peer_name": "$upstream"})
T("dependency_timeout", "postgresql", "PostgresQueriesSlowFromApp|DbClientLatencyHigh",
  'histogram_quantile(0.99, sum by (le, db_system, db_namespace) (rate(db_client_operation_duration_seconds_bucket{db_system="postgresql"}[5m]))) > «1|2»',
  ["Database calls from $app to $db are slow"], ["p99 of PostgreSQL operations issued by $app against $db is $secs s."],
  "db_system db_namespace job", fixed={"db_system": "postgresql", "db_namespace": "$db"})
T("dependency_timeout", "redis", "RedisClientCommandsSlow|LettuceCommandLatencyHigh",
  'max by (application, command) (lettuce_command_completion_seconds_max) > «0.5|0.25»',
  ["Redis commands from $application are slow"], ["$application waits up to $secs s for Redis commands to complete."],
  "application command", fixed={"command": "«GET|HGETALL|SET|MGET»"})
T("dependency_timeout", "mongodb", "MongoDriverCommandsSlow|MongoClientLatencyHigh",
  'histogram_quantile(0.99, sum by (le, application, command) (rate(mongodb_driver_commands_seconds_bucket[5m]))) > «1|0.5»',
  ["MongoDB calls from $application slow"], ["$application sees p99 of $secs s for MongoDB commands."],
  "application command", fixed={"command": "«find|aggregate|update|insert»"})
T("dependency_timeout", "kafka", "KafkaProducerLatencyHigh|ProducerRequestLatencySlow",
  'max by (application, client_id) (kafka_producer_request_latency_avg) > «500|250»',
  ["Kafka producer in $application waits on brokers"], ["Average produce request latency of $application to the brokers is $ms ms."],
  "application client_id", fixed={"client_id": "$app-producer-1"})
T("dependency_timeout", "cert-manager", "AcmeServerSlow|CertManagerAcmeRequestsSlow",
  'sum by (host) (rate(certmanager_http_acme_client_request_duration_seconds_sum[10m])) / sum by (host) (rate(certmanager_http_acme_client_request_duration_seconds_count[10m])) > «5|10»',
  ["Calls to the ACME server are slow"], ["cert-manager's requests to acme-v02.api.letsencrypt.org average $secs s."],
  "host", fixed={"host": "acme-v02.api.letsencrypt.org"})

# --- connection_pool_exhausted: connections or sessions against a configured limit ----------------------------

T("connection_pool_exhausted", "postgresql", "PostgresBackendsNearMaxConnections|PostgresConnectionsNearMax|PgConnectionsHigh",
  'sum by (instance) (pg_stat_activity_count) / on (instance) pg_settings_max_connections > «0.8|0.9»',
  ["PostgreSQL $instance uses $pct_hi% of max_connections", "Connection slots running out on $instance"],
  ["$cur_conn of $max_conn connections are in use on $instance; new clients will be refused soon.",
   "Postgres on $instance is at $pct_hi% of max_connections ($max_conn)."],
  "instance job")
T("connection_pool_exhausted", "postgresql", "PostgresConnectionSlotsExhausting|PgReservedSlotsOnly",
  'sum by (instance) (pg_stat_activity_count) > on (instance) (pg_settings_max_connections - pg_settings_superuser_reserved_connections) * 0.95',
  ["Only reserved connection slots left on $instance"],
  ["Client backends on $instance nearly fill the non-reserved connection slots ($cur_conn of $max_conn)."],
  "instance")
T("connection_pool_exhausted", "postgresql", "PgbouncerClientsQueued|PgBouncerClientWaiting",
  'max by (database, user) (pgbouncer_pools_client_waiting_connections) > «0|2»',
  ["Clients waiting for a server connection in PgBouncer pool $db", "PgBouncer queueing clients"],
  ["$waiting clients of $dbuser wait for a server connection in pool $db: the pool is full.",
   "Pool $db/$dbuser has no free server connections; clients are queued."],
  "database user instance", fixed={"database": "$db", "user": "$dbuser"}, job="pgbouncer-exporter")
T("connection_pool_exhausted", "postgresql", "PgbouncerMaxClientConnNear|PgBouncerClientLimit",
  'sum by (instance) (pgbouncer_pools_client_active_connections + pgbouncer_pools_client_waiting_connections) / on (instance) pgbouncer_config_max_client_connections > «0.9|0.85»',
  ["PgBouncer $instance near max_client_conn"],
  ["PgBouncer on $instance has $cur_conn client connections of max_client_conn $max_conn."],
  "instance")
T("connection_pool_exhausted", "mysql", "MysqlConnectionsNearMax|MySQLConnectionCeilingNear",
  'max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections > «0.85|0.8»',
  ["MySQL $instance at $pct_hi% of max_connections", "Too many connections on $instance"],
  ["$cur_conn threads connected to MySQL on $instance, max_connections is $max_conn.",
   "MySQL $instance is close to refusing clients with 'Too many connections'."],
  "instance job")
T("connection_pool_exhausted", "mysql", "MysqlMaxUsedConnectionsAtLimit",
  'mysql_global_status_max_used_connections / mysql_global_variables_max_connections > 0.95',
  ["MySQL $instance reached its connection ceiling"],
  ["Peak connections on $instance reached $pct_hi% of max_connections since the server started."],
  "instance")
T("connection_pool_exhausted", "mysql", "MysqlConnectionsRejectedAtMax|MysqlMaxConnectionErrors",
  'increase(mysql_global_status_connection_errors_total{error="max_connections"}[5m]) > 0',
  ["MySQL $instance refused clients at max_connections"],
  ["$count connections to $instance were refused because max_connections was reached."],
  "instance error", fixed={"error": "max_connections"})
T("connection_pool_exhausted", "redis", "RedisClientsNearMaxclients|RedisTooManyClients",
  'redis_connected_clients / redis_config_maxclients > «0.85|0.9»',
  ["Redis $instance close to maxclients"],
  ["$cur_conn clients connected to $instance, maxclients is $max_conn."],
  "instance job")
T("connection_pool_exhausted", "redis", "RedisRejectingConnections|RedisRejectedClients",
  'increase(redis_rejected_connections_total[«5m|1m»]) > 0',
  ["Redis $instance rejects connections"],
  ["Redis on $instance rejected $count connections because maxclients was reached."],
  "instance job")
T("connection_pool_exhausted", "mongodb", "MongodbConnectionsNearLimit|MongoConnectionsSaturated",
  'mongodb_ss_connections{conn_type="current"} / (mongodb_ss_connections{conn_type="current"} + mongodb_ss_connections{conn_type="available"}) > «0.8|0.9»',
  ["MongoDB $instance is running out of connections"],
  ["$instance ($rs) uses $pct_hi% of its incoming connection limit."],
  "instance rs_nm", fixed={"rs_nm": "$rs"})
T("connection_pool_exhausted", "mongodb", "MongoDriverPoolWaitQueue|MongoClientPoolWaiting",
  'max by (application) (mongodb_driver_pool_waitqueuesize) > «0|2»',
  ["$application threads wait for a MongoDB connection"],
  ["$waiting operations in $application wait in the driver's connection pool queue: the pool is at maxPoolSize."],
  "application")
T("connection_pool_exhausted", "rabbitmq", "RabbitmqSocketsNearLimit|RabbitMQTcpSocketsExhausted",
  '(rabbitmq_process_open_tcp_sockets * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) / (rabbitmq_process_max_tcp_sockets * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) > «0.9|0.8»',
  ["$rabbit_node near its TCP socket limit"],
  ["$rabbit_node has used $pct_hi% of the sockets it may open; new client connections will be refused."],
  "instance rabbitmq_node", fixed={"rabbitmq_node": "$rabbit_node"})
T("connection_pool_exhausted", "haproxy", "HaproxyFrontendSessionsNearLimit|HAProxySessionLimitReached",
  'haproxy_frontend_current_sessions / haproxy_frontend_limit_sessions > «0.9|0.8»',
  ["Frontend $proxy near its session limit"],
  ["HAProxy frontend $proxy holds $cur_conn sessions; its maxconn is $max_conn."],
  "proxy instance")
T("connection_pool_exhausted", "haproxy", "HaproxyBackendQueueing|HAProxyServerMaxconnQueue",
  'sum by (proxy) (haproxy_backend_current_queue) > «0|2»',
  ["Requests queued on backend $proxy"],
  ["$waiting requests wait in HAProxy for a free connection slot on backend $proxy (servers at maxconn)."],
  "proxy")
T("connection_pool_exhausted", "haproxy", "HaproxyServerSessionsAtLimit",
  'haproxy_server_current_sessions / (haproxy_server_limit_sessions > 0) > 0.9',
  ["Server in $proxy at its session limit"],
  ["A server of backend $proxy uses $pct_hi% of its configured session limit."],
  "proxy server", fixed={"server": "«srv1|api-2|web03»"})
T("connection_pool_exhausted", "envoy", "EnvoyUpstreamConnectionOverflow|EnvoyCircuitBreakerMaxConnections",
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_cx_overflow[5m])) > 0',
  ["Envoy hits max_connections to $upstream"],
  ["The max_connections circuit breaker of $envoy_cluster_name overflows; new connections are not opened."],
  "envoy_cluster_name")
T("connection_pool_exhausted", "envoy", "EnvoyPendingRequestsOverflow|EnvoyPendingQueueFull",
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_pending_overflow[5m])) > 0',
  ["Envoy pending request queue to $upstream overflows"],
  ["Requests to $envoy_cluster_name are rejected because all connections are busy and max_pending_requests is reached."],
  "envoy_cluster_name namespace")
T("connection_pool_exhausted", "envoy", "EnvoyListenerConnectionLimit|EnvoyDownstreamCxOverflow",
  'rate(envoy_listener_downstream_cx_overflow[5m]) > 0',
  ["Envoy listener in $pod at its connection limit"], ["The listener refuses downstream connections: its connection limit is reached."],
  "namespace pod")
T("connection_pool_exhausted", "jvm-micrometer", "HikariPoolSaturated|JdbcPoolNearlyExhausted",
  'max by (application, pool) (hikaricp_connections_active / hikaricp_connections_max) > «0.9|0.95»',
  ["Hikari pool $pool of $application almost exhausted"],
  ["$cur_conn of $max_conn connections of pool $pool in $application are in use."],
  "application pool", fixed={"pool": "$pool"})
T("connection_pool_exhausted", "jvm-micrometer", "HikariThreadsWaitingForConnection|HikariPendingHigh",
  'max by (application, pool) (hikaricp_connections_pending) > «0|2»',
  ["Threads wait for a JDBC connection in $application"],
  ["$waiting threads of $application wait for a connection from pool $pool."],
  "application pool", fixed={"pool": "$pool"})
T("connection_pool_exhausted", "jvm-micrometer", "HikariConnectionAcquireTimeouts|JdbcConnectionTimeouts",
  'increase(hikaricp_connections_timeout_total[5m]) > 0',
  ["$application timed out waiting for a pooled connection"],
  ["$count requests in $application gave up waiting for a connection from $pool (connectionTimeout)."],
  "application pool", fixed={"pool": "$pool"})
T("connection_pool_exhausted", "jvm-micrometer", "TomcatConnectorConnectionsNearMax|TomcatMaxConnections",
  'tomcat_connections_current_connections / tomcat_connections_config_max_connections > «0.9|0.85»',
  ["Tomcat in $application near maxConnections"],
  ["The Tomcat connector of $application has $cur_conn open connections, maxConnections is $max_conn."],
  "application instance")
T("connection_pool_exhausted", "go", "GoSqlPoolSaturated|DatabaseSqlPoolFull",
  'go_sql_stats_connections_in_use{job="$job"} / go_sql_stats_connections_max_open{job="$job"} >= «0.9|1»',
  ["$job: database/sql pool for $db is saturated"],
  ["All or nearly all of the $max_conn open connections allowed for $db are in use in $job."],
  "job db_name", fixed={"db_name": "$db"})
T("connection_pool_exhausted", "go", "GoSqlConnectionWaits|SqlPoolWaitsHigh",
  'rate(go_sql_stats_connections_waited_for{job="$job"}[5m]) > «1|0.1»',
  ["$job goroutines wait for database connections"], ["Goroutines in $job wait for a free connection to $db ($rate/s)."],
  "job db_name", fixed={"db_name": "$db"})
T("connection_pool_exhausted", "dotnet", "NpgsqlPoolNearlyFull|DbConnectionPoolSaturated",
  'sum by (pool_name) (db_client_connections_usage{state="used"}) / sum by (pool_name) (db_client_connections_max) > «0.9|0.85»',
  ["Npgsql pool of $app nearly full"], ["$cur_conn of $max_conn pooled connections of $app are busy."],
  "pool_name job", fixed={"pool_name": "Host=pg-$db;Database=$db;Username=$dbuser"})
T("connection_pool_exhausted", "dotnet", "DbPoolPendingRequests|DotnetConnectionPoolWaits",
  'sum by (pool_name) (db_client_connections_pending_requests) > «0|2»',
  ["$app requests wait for a pooled DB connection"], ["$waiting requests in $app wait to open a connection from the pool."],
  "pool_name job", fixed={"pool_name": "$db-pool"})
T("connection_pool_exhausted", "node", "NodePgPoolWaiting|PgPoolClientsQueued",
  'max by (pod) (pg_pool_waiting_count{job="$job"}) > 0',
  ["$app has queries waiting for a pg pool client"], ["node-postgres pool of $app is at max; $waiting queries wait for a client."],
  "job pod")
T("connection_pool_exhausted", "python", "SqlalchemyPoolSaturated|SqlalchemyPoolOverflow",
  'sqlalchemy_pool_checkedout{job="$job"} / (sqlalchemy_pool_size{job="$job"} + sqlalchemy_pool_max_overflow{job="$job"}) >= «0.9|1»',
  ["SQLAlchemy pool of $app is full"], ["$app has checked out every connection its QueuePool allows (size plus overflow)."],
  "job instance")
T("connection_pool_exhausted", "cloud-lb", "AlbRejectedConnections|LoadBalancerConnectionLimit",
  'sum by (dimension_LoadBalancer) (aws_applicationelb_rejected_connection_count_sum) > 0',
  ["$lb rejects connections"], ["The load balancer $lb rejected $count connections because it reached its maximum number of connections."],
  "dimension_LoadBalancer", fixed={"dimension_LoadBalancer": "$lb"})
T("connection_pool_exhausted", "cloud-lb", "ElbSurgeQueueBuilding|ClassicElbSpillover",
  'aws_elb_surge_queue_length_maximum > «100|512»',
  ["Requests queue on the classic ELB"], ["The surge queue of the ELB holds requests waiting for a backend connection."],
  "dimension_LoadBalancerName", fixed={"dimension_LoadBalancerName": "legacy-web-elb"}, amb=True)
T("connection_pool_exhausted", "nginx", "NginxDroppingConnections|NginxWorkerConnectionsExhausted",
  'rate(nginx_connections_accepted[5m]) - rate(nginx_connections_handled[5m]) > 0',
  ["nginx on $instance drops accepted connections"],
  ["nginx accepted more connections than it handled: worker_connections is exhausted on $instance."],
  "instance job", job="nginx-exporter")
T("connection_pool_exhausted", "nginx", "NginxActiveConnectionsHigh|nginx_connections_high",
  'nginx_connections_active{job="nginx-exporter"} > «8000|20000»',
  ["Many active connections on nginx $instance"], ["nginx on $instance has more active connections than expected."],
  "instance job", job="nginx-exporter", amb=True)
T("connection_pool_exhausted", "traefik", "TraefikOpenConnectionsHigh",
  'sum by (entrypoint) (traefik_open_connections{entrypoint="$entrypoint"}) > «20000|5000»',
  ["Traefik entrypoint $entrypoint has many open connections"], ["Open connections on $entrypoint are above the alert threshold."],
  "entrypoint", fixed={"entrypoint": "$entrypoint"}, amb=True)
T("connection_pool_exhausted", "postgresql", "PostgresManyBackends|pg_backends_high",
  'sum by (instance) (pg_stat_activity_count) > «400|250»',
  ["Many backends on $instance"], ["PostgreSQL on $instance has $cur_conn backends."],
  "instance", amb=True)

# --- unknown: everything else, with many near-misses ---------------------------------------------------------
# Monitoring's own health: absent series, failed scrapes, exporter errors.

T("unknown", "node_exporter", "NodeExporterAbsent|NodeExporterMissing",
  'absent(up{job="node-exporter"} == 1)',
  ["node-exporter has disappeared from Prometheus"], ["No node-exporter target has been scraped successfully for 15 minutes."],
  "job", fixed={"job": "node-exporter"})
T("unknown", "cadvisor-kubelet", "CadvisorMetricsAbsent|KubeletCadvisorMissing|ContainerMemoryMetricsAbsent",
  'absent(container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor"})',
  ["cAdvisor container memory series are missing", "No container memory metrics from the kubelet"],
  ["Prometheus has no container_memory_working_set_bytes series from the kubelet's cAdvisor endpoint; memory alerts cannot fire."],
  "job metrics_path", fixed={"job": "kubelet", "metrics_path": "/metrics/cadvisor"}, near=True)
T("unknown", "blackbox", "CertExpiryMetricMissing|BlackboxSslSeriesAbsent",
  'absent(probe_ssl_earliest_cert_expiry{job="$job"})',
  ["Certificate expiry metric missing for $job"], ["The probes of job $job no longer produce probe_ssl_earliest_cert_expiry; expiry cannot be watched."],
  "job", near=True)
T("unknown", "node_exporter", "RootFilesystemMetricAbsent|FilesystemSeriesMissing",
  'absent(node_filesystem_avail_bytes{mountpoint="/"})',
  ["Root filesystem metrics missing"], ["node_filesystem_avail_bytes for / is absent; disk space alerts are blind."],
  "mountpoint", fixed={"mountpoint": "/"}, near=True)
T("unknown", "postgresql", "PostgresExporterSettingsMissing|PgMaxConnectionsSeriesAbsent",
  'absent(pg_settings_max_connections{job="$job"})',
  ["postgres_exporter stopped reporting settings"], ["No pg_settings_max_connections series from $job: the exporter cannot read pg_settings."],
  "job", near=True)
T("unknown", "jvm-micrometer", "HikariMetricsAbsent|PoolMetricsMissing",
  'absent(hikaricp_connections_max{application="$application"})',
  ["Connection pool metrics of $application missing"], ["$application no longer exposes hikaricp metrics."],
  "application", near=True)
T("unknown", "cert-manager", "CertManagerTargetGone|CertManagerControllerDown|CertManagerNotScraped",
  'absent(up{job="cert-manager", namespace="cert-manager"} == 1)',
  ["cert-manager controller is down", "cert-manager has disappeared from target discovery"],
  ["No cert-manager controller has been up for 10 minutes; certificates will not be issued or renewed while it is down."],
  "job namespace", fixed={"job": "cert-manager", "namespace": "cert-manager"}, sev="critical", near=True)
T("unknown", "postgresql", "PostgresExporterDown|PostgresUnreachableByExporter",
  'pg_up == 0',
  ["postgres_exporter cannot connect to $instance"], ["The exporter on $instance reports pg_up 0: it cannot reach the database."],
  "instance job", sev="critical")
T("unknown", "postgresql", "PostgresExporterScrapeError|PgExporterErrors",
  'pg_exporter_last_scrape_error == 1',
  ["postgres_exporter scrape error on $instance"], ["The last scrape of PostgreSQL by the exporter on $instance failed."],
  "instance job")
T("unknown", "redis", "RedisInstanceUnreachable|RedisExporterCannotReach",
  'redis_up == 0',
  ["Redis $instance down"], ["redis_exporter cannot reach Redis at $instance."], "instance job", sev="critical")
T("unknown", "mysql", "MysqlNotReachable|MySQLExporterCannotConnect",
  'mysql_up == 0',
  ["MySQL $instance unreachable"], ["mysqld_exporter on $instance cannot connect to MySQL."], "instance job", sev="critical")
T("unknown", "mongodb", "MongodbNotResponding|MongoExporterNoConnection",
  'mongodb_up == 0',
  ["MongoDB $instance down"], ["mongodb_exporter reports that $instance does not answer."], "instance job", sev="critical")
T("unknown", "elasticsearch", "ElasticsearchExporterDown|EsHealthScrapeFailing",
  'elasticsearch_cluster_health_up == 0',
  ["Cannot read cluster health of $es_cluster"], ["The last cluster health scrape of $es_cluster by the exporter failed."],
  "cluster instance", fixed={"cluster": "$es_cluster"})
T("unknown", "node_exporter", "NodeTextfileCollectorError|TextfileScrapeError",
  'node_textfile_scrape_error == 1',
  ["Textfile collector error on $instance"], ["node-exporter could not read one of the .prom files on $instance."],
  "instance job")
T("unknown", "node_exporter", "NodeFilesystemCollectorFailing|NodeCollectorFailed",
  'node_scrape_collector_success{collector="«filesystem|meminfo»"} == 0',
  ["A node-exporter collector fails on $instance"], ["A node-exporter collector on $instance returned an error during the scrape."],
  "instance collector", fixed={"collector": "«filesystem|meminfo»"}, near=True)
T("unknown", "cloud-lb", "CloudwatchExporterScrapeFailing|YaceScrapeErrors",
  'cloudwatch_exporter_scrape_error == 1',
  ["CloudWatch exporter cannot fetch metrics"], ["The CloudWatch exporter failed its last scrape; load balancer metrics are stale."],
  "job instance", job="cloudwatch")
T("unknown", "x509-exporter", "X509ExporterReadErrors|CertificateExporterErrors",
  'delta(x509_read_errors[15m]) > 0',
  ["x509-certificate-exporter cannot read some certificates"], ["The exporter failed to parse or read certificates from some secrets or files."],
  "job instance", near=True)
T("unknown", "kube-state-metrics", "AlertPipelineHeartbeat|AlwaysFiringHeartbeat",
  'vector(1)', ["Alerting pipeline heartbeat"], ["This alert always fires to show the alerting pipeline works end to end."],
  "", sev="none")
T("unknown", "kafka", "KafkaBrokersMissing|KafkaClusterBrokerCountLow",
  'kafka_brokers < «3|5»',
  ["Fewer Kafka brokers than expected"], ["kafka_exporter sees fewer brokers in the cluster than configured."],
  "instance job")

# I/O errors, read-only filesystems and disk latency.
T("unknown", "node_exporter", "HostFsStatfsError|NodeFilesystemDeviceErrors",
  'node_filesystem_device_error{fstype!~"tmpfs|nfs.*"} == 1',
  ["Filesystem $mountpoint on $instance reports a device error"], ["statfs on $mountpoint ($device) fails on $instance."],
  "instance device mountpoint fstype", near=True)
T("unknown", "node_exporter", "HostFilesystemReadOnly|NodeFilesystemRemountedRo",
  'node_filesystem_readonly{fstype=~"ext4|xfs"} == 1',
  ["$mountpoint on $instance is read-only"], ["$device on $instance was remounted read-only, usually after I/O errors."],
  "instance device mountpoint", near=True)
T("unknown", "node_exporter", "HostDiskReadLatencyHigh|NodeDiskSlowReads",
  'rate(node_disk_read_time_seconds_total[1m]) / rate(node_disk_reads_completed_total[1m]) > «0.1|0.05» and rate(node_disk_reads_completed_total[1m]) > 0',
  ["Disk read latency high on $instance"], ["Average read latency on $device of $instance is above 100 ms."],
  "instance device", near=True)
T("unknown", "node_exporter", "HostDiskIoSaturated|NodeDiskBusy",
  'rate(node_disk_io_time_seconds_total[5m]) > «0.95|0.9»',
  ["Disk $device on $instance is saturated"], ["$device on $instance spent over 90% of the time doing I/O."],
  "instance device", near=True)
T("unknown", "node_exporter", "HostRaidDiskFailed|NodeMdArrayDegraded",
  'node_md_disks{state="failed"} > 0',
  ["RAID array on $instance has a failed disk"], ["md device md0 on $instance has a failed member disk."],
  "instance device state", fixed={"device": "md0", "state": "failed"})
T("unknown", "node_exporter", "HostMemoryEccUncorrectable|NodeEdacErrors",
  'increase(node_edac_uncorrectable_errors_total[1h]) > 0',
  ["Uncorrectable memory errors on $instance"], ["The memory controller of $instance reported uncorrectable ECC errors: a DIMM is failing."],
  "instance controller", fixed={"controller": "«0|1»"}, near=True)

# CPU, load, runtime health.
T("unknown", "node_exporter", "HostCpuSaturated|NodeCpuBusy",
  '100 - (avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > «90|85»',
  ["CPU busy on $instance"], ["CPU usage on $instance has been above 90% for 15 minutes."], "instance")
T("unknown", "node_exporter", "HostLoadHigh|NodeLoadPerCoreHigh",
  'node_load15 / count without (cpu, mode) (node_cpu_seconds_total{mode="idle"}) > 2',
  ["Load average high on $instance"], ["15-minute load per core on $instance is above 2."], "instance")
T("unknown", "cadvisor-kubelet", "ContainerCfsThrottlingHigh|ContainerCpuThrottled",
  'sum by (namespace, pod, container) (increase(container_cpu_cfs_throttled_periods_total{container!=""}[5m])) / sum by (namespace, pod, container) (increase(container_cpu_cfs_periods_total[5m])) > «0.25|0.5»',
  ["$container in $namespace is CPU throttled", "CPU throttling on $namespace/$pod"],
  ["$err_pct% of CFS periods of container $container ($namespace/$pod) are throttled against its CPU limit."],
  "namespace pod container", near=True)
T("unknown", "cadvisor-kubelet", "ContainerCpuNearLimit|KubeContainerCpuAtLimit",
  'sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{container!=""}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="cpu"}) > «0.9|0.95»',
  ["$container close to its CPU limit"], ["Container $container of $namespace/$pod uses $pct_hi% of its CPU limit."],
  "namespace pod container", near=True)
T("unknown", "go", "GoroutineLeakSuspected|GoGoroutinesHigh",
  'go_goroutines{job="$job"} > «10000|5000»',
  ["$job runs too many goroutines"], ["$job on $instance has more than 10k goroutines; something is leaking."], "job instance")
T("unknown", "go", "TooManyOpenFiles|ProcessFdExhaustion",
  'process_open_fds{job="$job"} / process_max_fds{job="$job"} > «0.8|0.9»',
  ["$job close to its file descriptor limit"], ["$job on $instance uses $pct_hi% of its open-files limit."],
  "job instance", near=True)
T("unknown", "dotnet", "DotnetThreadPoolQueueLong|ThreadPoolStarvation",
  'dotnet_thread_pool_queue_length{job="$job"} > «500|100»',
  ["Thread pool work queue long in $app"], ["Work items queue up in the .NET thread pool of $app; threads are blocked."],
  "job instance", near=True)
T("unknown", "dotnet", "DotnetExceptionRateHigh|ClrExceptionsSpike",
  'sum by (job) (rate(dotnet_exceptions_total{job="$job"}[5m])) > «10|50»',
  ["$app throws many exceptions"], ["$app throws exceptions far above its usual rate."], "job")
T("unknown", "node", "NodeEventLoopLag|NodejsEventLoopBlocked",
  'nodejs_eventloop_lag_p99_seconds{job="$job"} > «0.5|0.2»',
  ["Event loop of $app lags"], ["p99 event loop lag of $app in $pod is $secs s; the process is CPU bound or blocked."],
  "job pod")
T("unknown", "python", "PythonWorkerCpuSaturated|GunicornCpuBusy",
  'rate(process_cpu_seconds_total{job="$job"}[5m]) > «0.9|0.95»',
  ["$app worker pegged on CPU"], ["A Python worker of $app uses a full core; requests queue behind the GIL."], "job instance")
T("unknown", "jvm-micrometer", "JvmGcPausesLong|JvmGcTimeHigh",
  'sum by (application) (rate(jvm_gc_pause_seconds_sum[5m])) > «0.3|0.2»',
  ["$application spends much time in GC"], ["$application spent more than 20% of the last 5 minutes in GC pauses."],
  "application", amb=True, near=True)
T("unknown", "jvm-micrometer", "JvmDeadlockedThreads|JavaThreadsDeadlocked",
  'jvm_threads_deadlocked{job="$job"} > 0',
  ["Deadlocked threads in $job"], ["The JVM of $job on $instance reports deadlocked threads."], "job instance")
T("unknown", "jvm-micrometer", "TomcatThreadsBusy|TomcatThreadPoolNearMax",
  'tomcat_threads_busy_threads / tomcat_threads_config_max_threads > «0.9|0.85»',
  ["Tomcat threads almost all busy in $application"], ["$application has $pct_hi% of its Tomcat worker threads busy."],
  "application", amb=True, near=True)

# Memory near-misses: fragmentation, requests and quotas, configuration.
T("unknown", "redis", "RedisMemoryFragmentationHigh|RedisFragmentationRatio",
  'redis_mem_fragmentation_ratio > «1.5|2»',
  ["Redis $instance memory is fragmented"], ["RSS of Redis on $instance is 1.5 times its used memory: memory fragmentation."],
  "instance job", near=True)
T("unknown", "redis", "RedisMaxmemoryNotSet|RedisNoMemoryLimit",
  'redis_memory_max_bytes == 0',
  ["Redis $instance has no maxmemory"], ["maxmemory is not configured on $instance; set a limit and an eviction policy."],
  "instance job", sev="info|warning", near=True)
T("unknown", "kube-state-metrics", "ClusterMemoryRequestsOvercommitted|ClusterMemoryRequestsHigh",
  'sum(kube_pod_container_resource_requests{resource="memory"}) / sum(kube_node_status_allocatable{resource="memory"}) > «0.95|0.9»',
  ["Memory requests overcommit the cluster"], ["Pods request more memory than the cluster can tolerate losing a node for."],
  "", near=True)
T("unknown", "kube-state-metrics", "NamespaceMemoryQuotaNearlyUsed|NamespaceQuotaMemoryTight",
  'kube_resourcequota{type="used", resource="limits.memory"} / ignoring (type) kube_resourcequota{type="hard", resource="limits.memory"} > «0.9|0.95»',
  ["Memory quota of $namespace almost used"], ["Namespace $namespace uses $pct_hi% of its limits.memory quota; new pods will be rejected."],
  "namespace resource resourcequota", fixed={"resource": "limits.memory", "resourcequota": "compute"}, amb=True, near=True)
T("unknown", "cadvisor-kubelet", "ContainerMemoryAboveRequest|MemoryOverRequest",
  'sum by (namespace, pod, container) (container_memory_working_set_bytes{container!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_requests{resource="memory"}) > «2|1.5»',
  ["$container uses far more memory than requested"], ["$namespace/$pod/$container uses more than twice its memory request."],
  "namespace pod container", amb=True, near=True)
T("unknown", "kube-state-metrics", "ContainerKilledSigkill|ContainerExitCode137",
  'kube_pod_container_status_last_terminated_exitcode == 137',
  ["$container was killed with SIGKILL"], ["Container $container of $namespace/$pod last exited with code 137."],
  "namespace pod container", amb=True, near=True)

# Kubernetes workload faults.
T("unknown", "kube-state-metrics", "KubeWorkloadCrashLooping|PodCrashLoopBackOff",
  'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
  ["$namespace/$pod is crash looping"], ["Container $container of $namespace/$pod is in CrashLoopBackOff."],
  "namespace pod container reason", fixed={"reason": "CrashLoopBackOff"})
T("unknown", "kube-state-metrics", "ContainerRestartingOften|KubePodRestartsHigh",
  'increase(kube_pod_container_status_restarts_total[1h]) > «3|2»',
  ["$container restarted $restarts times in an hour"], ["$namespace/$pod/$container restarted $restarts times in the last hour."],
  "namespace pod container")
T("unknown", "kube-state-metrics", "ContainerTerminatedWithError|KubeContainerErrorExit",
  'kube_pod_container_status_last_terminated_reason{reason="Error"} == 1',
  ["$container exited with an error"], ["The last run of $container in $namespace/$pod ended with reason Error."],
  "namespace pod container reason", fixed={"reason": "Error"})
T("unknown", "kube-state-metrics", "K8sNodeNotReady|NodeNotReady",
  'kube_node_status_condition{condition="Ready", status="true"} == 0',
  ["$node is not ready"], ["$node has not been Ready for 15 minutes."], "node condition", fixed={"condition": "Ready"})
T("unknown", "kube-state-metrics", "KubeImagePullBackOff|PodImagePullFailing",
  'kube_pod_container_status_waiting_reason{reason=~"ImagePullBackOff|ErrImagePull"} == 1',
  ["$namespace/$pod cannot pull its image"], ["Container $container of $namespace/$pod waits on an image pull."],
  "namespace pod container reason", fixed={"reason": "«ImagePullBackOff|ErrImagePull»"})
T("unknown", "kube-state-metrics", "DeploymentReplicasUnavailable|DeploymentUnavailableReplicas",
  'kube_deployment_spec_replicas != kube_deployment_status_replicas_available',
  ["$namespace/$deployment is missing replicas"], ["Deployment $namespace/$deployment has fewer available replicas than desired."],
  "namespace deployment")
T("unknown", "kube-state-metrics", "DeploymentProgressDeadlineExceeded|KubeRolloutStuck",
  'kube_deployment_status_condition{condition="Progressing", status="false"} == 1',
  ["Rollout of $namespace/$deployment exceeded its progress deadline"],
  ["Deployment $deployment in $namespace stopped progressing (ProgressDeadlineExceeded)."],
  "namespace deployment condition", fixed={"condition": "Progressing"}, near=True)
T("unknown", "kube-state-metrics", "JobActiveDeadlineExceeded|KubeJobDeadlineExceeded",
  'kube_job_status_failed{reason="DeadlineExceeded"} > 0',
  ["Job in $namespace hit its activeDeadlineSeconds"], ["Job $deployment-backfill in $namespace failed with DeadlineExceeded."],
  "namespace job_name reason", fixed={"job_name": "$deployment-backfill", "reason": "DeadlineExceeded"}, near=True)
T("unknown", "kube-state-metrics", "HpaStuckAtMaxReplicas|HpaAtMaxReplicas",
  'kube_horizontalpodautoscaler_status_current_replicas == kube_horizontalpodautoscaler_spec_max_replicas',
  ["HPA of $deployment at its max replicas"], ["The autoscaler of $namespace/$deployment is at maxReplicas."],
  "namespace horizontalpodautoscaler", fixed={"horizontalpodautoscaler": "$deployment"}, near=True)
T("unknown", "kube-state-metrics", "KubePvcPending|PersistentVolumeClaimPending",
  'kube_persistentvolumeclaim_status_phase{phase="Pending"} == 1',
  ["PVC $persistentvolumeclaim stuck in Pending"], ["$namespace/$persistentvolumeclaim has been Pending; no volume was provisioned."],
  "namespace persistentvolumeclaim phase", fixed={"phase": "Pending"}, near=True)
T("unknown", "cadvisor-kubelet", "KubeletPlegRelistSlow|KubeletPlegSlow",
  'histogram_quantile(0.99, sum by (instance, le) (rate(kubelet_pleg_relist_duration_seconds_bucket{job="kubelet"}[5m]))) >= 10',
  ["PLEG relist slow on $node"], ["The kubelet on $node needs over 10 s to relist pods."], "instance node")
T("unknown", "cadvisor-kubelet", "KubeletPodCountNearCapacity|NodePodCapacityNearlyUsed",
  'max by (node) (kubelet_running_pods) / max by (node) (kube_node_status_capacity{resource="pods"}) > 0.95',
  ["$node runs nearly its maximum pods"], ["The kubelet on $node runs $pct_hi% of its pod capacity."], "node", near=True)

# Latency with no dependency named: server-side slowness (ambiguous by the convention in README).
T("unknown", "jvm-micrometer", "SpringEndpointSlow|HttpServerLatencyHigh",
  'histogram_quantile(0.99, sum by (le, application, uri) (rate(http_server_requests_seconds_bucket[5m]))) > «1.5|3»',
  ["$application endpoint $uri is slow"], ["p99 of $application handling $uri is $secs s."],
  "application uri", fixed={"uri": "$uri"}, amb=True, near=True)
T("unknown", "nginx", "IngressRequestLatencyHigh|NginxRequestDurationHigh",
  'histogram_quantile(0.95, sum by (le, ingress) (rate(nginx_ingress_controller_request_duration_seconds_bucket[5m]))) > «2|4»',
  ["Requests on $ingress take $secs s"], ["p95 request duration on ingress $ingress is $secs s."],
  "ingress", amb=True, near=True)
T("unknown", "traefik", "TraefikEntrypointSlow|TraefikRequestLatencyHigh",
  'histogram_quantile(0.99, sum by (le, entrypoint) (rate(traefik_entrypoint_request_duration_seconds_bucket[5m]))) > «1|2»',
  ["Requests on entrypoint $entrypoint are slow"], ["p99 request duration on Traefik entrypoint $entrypoint is $secs s."],
  "entrypoint", fixed={"entrypoint": "$entrypoint"}, amb=True, near=True)
T("unknown", "go", "GrpcServerSlow|GrpcServerHandlingLatency",
  'histogram_quantile(0.99, sum by (le, grpc_service, grpc_method) (rate(grpc_server_handling_seconds_bucket{job="$job"}[5m]))) > «0.5|1»',
  ["$grpc_service/$grpc_method slow in $job"], ["$job takes $secs s at p99 to handle $grpc_service/$grpc_method."],
  "job grpc_service grpc_method", amb=True, near=True)
T("unknown", "go", "GrpcServerDeadlineExceeded|GrpcServerDeadlines",
  'sum by (grpc_service) (rate(grpc_server_handled_total{job="$job", grpc_code="DeadlineExceeded"}[5m])) > «0.1|1»',
  ["$job returns DeadlineExceeded"], ["$job answers $grpc_service calls with DeadlineExceeded at $rate/s."],
  "job grpc_service", amb=True, near=True)
T("unknown", "dotnet", "AspNetCoreSlowRequests|DotnetServerLatencyHigh",
  'histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job="$job"}[5m]))) > «1|2»',
  ["$app route $uri slow"], ["p95 server duration of $app for $uri is $secs s."],
  "job http_route", fixed={"http_route": "$uri"}, amb=True, near=True)
T("unknown", "python", "FastapiLatencyHigh|PythonHandlerSlow",
  'histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket{job="$job"}[5m]))) > «2|1»',
  ["$app handler $uri slow"], ["p99 of $app for handler $uri is $secs s."],
  "job handler", fixed={"handler": "$uri"}, amb=True, near=True)
T("unknown", "node", "NodeHttpServerSlow|ExpressRoutesSlow",
  'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="$job"}[5m]))) > «1.5|3»',
  ["$app routes are slow"], ["p95 latency of $app for route $uri is $secs s."],
  "job route", fixed={"route": "$uri"}, amb=True, near=True)
T("unknown", "kafka", "KafkaProduceRequestsSlow|KafkaBrokerRequestLatency",
  'kafka_network_requestmetrics_totaltimems{request="Produce", quantile="0.99"} > «500|1000»',
  ["Produce requests slow on broker $broker"], ["Broker $broker needs $ms ms at p99 to complete Produce requests."],
  "instance request", fixed={"request": "Produce"}, amb=True, near=True)
T("unknown", "elasticsearch", "ElasticsearchSearchLatencyHigh|EsQueryTimeHigh",
  'rate(elasticsearch_indices_search_query_time_seconds[5m]) / rate(elasticsearch_indices_search_query_total[5m]) > «1|0.5»',
  ["Search queries slow on $es_node"], ["Average query time on $es_node is $secs s."],
  "cluster name", fixed={"cluster": "$es_cluster", "name": "$es_node"}, amb=True, near=True)
T("unknown", "mysql", "MysqlSlowQueryBurst|MySQLSlowQueryRate",
  'increase(mysql_global_status_slow_queries[«5m|1m»]) > «0|1»',
  ["Slow queries on $instance"], ["MySQL on $instance logged $count slow queries in the last minutes."],
  "instance job", amb=True, near=True)
T("unknown", "redis", "RedisSlowlogGrowing|RedisSlowCommands",
  'redis_slowlog_length > «50|10»',
  ["Redis slowlog growing on $instance"], ["The slowlog of $instance holds many commands slower than slowlog-log-slower-than."],
  "instance job", near=True)
T("unknown", "cadvisor-kubelet", "KubeApiserverLatencyHigh|ApiserverSlowRequests",
  'histogram_quantile(0.99, sum by (le, verb, resource) (rate(apiserver_request_duration_seconds_bucket{verb!~"WATCH|CONNECT"}[5m]))) > «1|4»',
  ["API server requests slow"], ["p99 latency of API server requests is $secs s."],
  "verb resource", fixed={"verb": "«LIST|GET|PATCH»", "resource": "«pods|configmaps|events»"}, amb=True, near=True)

# Error rates and unhealthy backends.
T("unknown", "nginx", "IngressHigh5xxRate|NginxServerErrorsHigh",
  'sum by (ingress) (rate(nginx_ingress_controller_requests{status=~"5.."}[5m])) / sum by (ingress) (rate(nginx_ingress_controller_requests[5m])) > «0.05|0.1»',
  ["$err_pct% 5xx on $ingress"], ["Ingress $ingress answers $err_pct% of requests with 5xx."], "ingress")
T("unknown", "haproxy", "HaproxyBackend5xx|HAProxyHttpServerErrors",
  'sum by (proxy) (rate(haproxy_backend_http_responses_total{code="5xx"}[5m])) / sum by (proxy) (rate(haproxy_backend_http_responses_total[5m])) > «0.05|0.02»',
  ["Backend $proxy returns 5xx"], ["$err_pct% of responses from backend $proxy are 5xx."], "proxy")
T("unknown", "haproxy", "HaproxyBackendNoServers|HAProxyBackendAllServersDown",
  'haproxy_backend_active_servers == 0',
  ["Backend $proxy has no active server"], ["All servers of HAProxy backend $proxy are down."], "proxy instance", sev="critical")
T("unknown", "haproxy", "HaproxyHealthChecksFailing|HAProxyServerCheckFailures",
  'increase(haproxy_server_check_failures_total[5m]) > «3|0»',
  ["Health checks failing on $proxy"], ["Servers of $proxy fail their health checks."], "proxy server", fixed={"server": "«srv1|api-2|web03»"})
T("unknown", "envoy", "EnvoyUpstream5xxHigh|MeshUpstreamErrors",
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m])) > «0.05|0.1»',
  ["Upstream $upstream answers with 5xx"], ["$err_pct% of requests to $envoy_cluster_name return 5xx."], "envoy_cluster_name")
T("unknown", "envoy", "EnvoyUpstreamConnectFailures|UpstreamConnectionRefused",
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_cx_connect_fail[5m])) > «1|0.2»',
  ["Envoy cannot connect to $upstream"], ["Connections from Envoy to $envoy_cluster_name fail (refused or reset) at $rate/s."],
  "envoy_cluster_name", near=True)
T("unknown", "envoy", "EnvoyRetryBudgetOverflow|EnvoyRetryOverflow",
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_retry_overflow[5m])) > 0',
  ["Retries to $upstream are being cut off"], ["The retry circuit breaker of $envoy_cluster_name overflows."],
  "envoy_cluster_name", near=True)
T("unknown", "traefik", "TraefikService5xx|TraefikBackendErrors",
  'sum by (service) (rate(traefik_service_requests_total{code=~"5.."}[5m])) / sum by (service) (rate(traefik_service_requests_total[5m])) > «0.05|0.1»',
  ["Traefik service $router returns 5xx"], ["$err_pct% of responses from $router are 5xx."], "service", fixed={"service": "$router"})
T("unknown", "traefik", "TraefikConfigReloadFailed|TraefikReloadErrors",
  'increase(traefik_config_reloads_failure_total[5m]) > 0',
  ["Traefik failed to reload its configuration"], ["A Traefik configuration reload failed; the previous config stays active."], "instance")
T("unknown", "nginx", "NginxIngressConfigReloadFailed|IngressReloadFailure",
  'nginx_ingress_controller_config_last_reload_successful == 0',
  ["ingress-nginx config reload failed"], ["The last nginx configuration reload in $pod failed."], "namespace pod")
T("unknown", "cloud-lb", "AlbTarget5xxHigh|AlbBackendErrors",
  'sum by (dimension_LoadBalancer) (aws_applicationelb_httpcode_target_5_xx_count_sum) > «50|100»',
  ["Targets behind $lb return 5xx"], ["Targets of $lb answered many requests with 5xx in the last period."],
  "dimension_LoadBalancer", fixed={"dimension_LoadBalancer": "$lb"})
T("unknown", "cloud-lb", "AlbUnhealthyTargets|LoadBalancerUnhealthyHosts",
  'max by (dimension_TargetGroup) (aws_applicationelb_un_healthy_host_count_maximum) > 0',
  ["Unhealthy targets in $target_group"], ["Some targets in $target_group fail their health checks."],
  "dimension_TargetGroup", fixed={"dimension_TargetGroup": "$target_group"})
T("unknown", "cloud-lb", "AlbBadGateway|Elb502s",
  'sum by (dimension_LoadBalancer) (aws_applicationelb_httpcode_elb_502_count_sum) > «0|1»',
  ["$lb returns 502"], ["The load balancer $lb returned $count 502 Bad Gateway responses."],
  "dimension_LoadBalancer", fixed={"dimension_LoadBalancer": "$lb"})
T("unknown", "blackbox", "ProbeFailed|BlackboxEndpointDown",
  'probe_success{job=~"blackbox.*"} == 0',
  ["Probe of $target failed"], ["The blackbox probe of $target has failed for 5 minutes."],
  "instance job", fixed={"instance": "$target"})
T("unknown", "blackbox", "ProbeHttpStatus5xx|BlackboxHttpServerError",
  'probe_http_status_code >= 500',
  ["$target answers with a 5xx status"], ["HTTP probe of $target returns a server error status."],
  "instance job", fixed={"instance": "$target"})
T("unknown", "blackbox", "DeprecatedTlsVersionServed|BlackboxOldTlsProtocol",
  'probe_tls_version_info{version=~"TLS 1.0|TLS 1.1"} == 1',
  ["$domain negotiates an old TLS version"], ["The probe of $target negotiated a deprecated TLS version; update the server's TLS settings."],
  "instance version", fixed={"instance": "$target", "version": "«TLS 1.0|TLS 1.1»"}, near=True)
T("unknown", "blackbox", "CertificateRevoked|SslOcspRevoked",
  'ssl_ocsp_response_status == 1',
  ["Certificate for $domain is revoked"], ["The OCSP responder reports the certificate of $domain as revoked."],
  "instance job", fixed={"instance": "$domain:443", "job": "ssl-exporter"}, near=True)
T("unknown", "blackbox", "SslHandshakeFailing|SslExporterConnectFailed",
  'ssl_tls_connect_success == 0',
  ["TLS connection to $domain fails"], ["ssl_exporter cannot complete a TLS handshake with $domain."],
  "instance job", fixed={"instance": "$domain:443", "job": "ssl-exporter"}, near=True)
T("unknown", "cert-manager", "CertManagerCertificateStuckNotReady|CertificateNotReady",
  'max by (name, namespace) (certmanager_certificate_ready_status{condition="False"}) == 1',
  ["Certificate $namespace/$cert is not ready"], ["cert-manager reports certificate $cert in $namespace as not Ready."],
  "namespace name condition", fixed={"name": "$cert", "condition": "False"}, amb=True, near=True)
T("unknown", "cert-manager", "AcmeRateLimited|CertManagerAcmeErrors",
  'sum by (host) (rate(certmanager_http_acme_client_request_count{status=~"429|5.."}[10m])) > 0',
  ["The ACME server rejects cert-manager requests"], ["Requests from cert-manager to the ACME directory get 429 or 5xx responses."],
  "host status", fixed={"host": "acme-v02.api.letsencrypt.org", "status": "«429|503»"}, near=True)

T("unknown", "kube-state-metrics", "NodeConditionUnknown|KubeletStoppedPostingConditions",
  'kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure", status="unknown"} == 1',
  ["Conditions of $node are Unknown"], ["The kubelet on $node stopped posting its MemoryPressure/DiskPressure conditions; the node is probably unreachable."],
  "node condition status", fixed={"condition": "«MemoryPressure|DiskPressure»", "status": "unknown"}, near=True)
T("unknown", "node_exporter", "HostHardwareCorruptedMemory|NodeMemoryPoisoned",
  'node_memory_HardwareCorrupted_bytes > 0',
  ["$instance has memory pages marked corrupted"], ["The kernel on $instance took memory pages out of use after hardware errors."],
  "instance", near=True)
T("unknown", "nginx", "IngressClientRequestTimeouts|Nginx408Rising",
  'sum by (ingress) (rate(nginx_ingress_controller_requests{status="408"}[5m])) > «1|5»',
  ["Clients time out sending requests to $ingress"], ["nginx closes slow client connections on $ingress with 408 Request Timeout."],
  "ingress", near=True)
T("unknown", "jvm-micrometer", "HikariPoolOversized|HikariMostlyIdle",
  'avg_over_time(hikaricp_connections_idle[1h]) / avg_over_time(hikaricp_connections_max[1h]) > 0.9',
  ["Pool $pool of $application is mostly idle"], ["Over the last hour $application kept more than 90% of pool $pool idle; the pool is larger than needed."],
  "application pool", fixed={"pool": "$pool"}, sev="info", near=True)
T("unknown", "kube-state-metrics", "PersistentVolumeFailed|KubePvPhaseFailed",
  'kube_persistentvolume_status_phase{phase="Failed"} > 0',
  ["A persistent volume is in phase Failed"], ["Volume pvc-$pod is Failed: reclamation did not succeed."],
  "persistentvolume phase", fixed={"persistentvolume": "pvc-$pod", "phase": "Failed"}, near=True)

T("unknown", "node_exporter", "HostDiskSpaceFreedSuddenly|FilesystemLargeDeletion",
  'delta(node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"}[1h]) > «50|100» * 1024^3',
  ["Much space was freed on $instance:$mountpoint"], ["More than 50GiB became free on $mountpoint of $instance within an hour; check whether data was deleted on purpose."],
  "instance mountpoint", sev="info", near=True)
T("unknown", "node_exporter", "HostFilesystemResized|FilesystemSizeChanged",
  'changes(node_filesystem_size_bytes{fstype=~"ext4|xfs"}[30m]) > 0',
  ["$mountpoint on $instance changed size"], ["The size of $device mounted on $mountpoint changed; a volume was grown or replaced."],
  "instance device mountpoint", sev="info", near=True)
T("unknown", "kube-state-metrics", "ContainerWithoutMemoryLimit|WorkloadMissingMemoryLimit",
  'count by (namespace, pod, container) (kube_pod_container_info{container!=""}) unless on (namespace, pod, container) kube_pod_container_resource_limits{resource="memory"}',
  ["$namespace/$pod runs without a memory limit"], ["Container $container of $namespace/$pod has no memory limit set."],
  "namespace pod container", sev="info", near=True)
T("unknown", "cert-manager", "CertManagerSyncErrors|CertManagerControllerErrors",
  'sum by (controller) (rate(certmanager_controller_sync_error_count[5m])) > 0',
  ["cert-manager controllers report sync errors"], ["A cert-manager controller fails to reconcile some resources."],
  "controller", fixed={"controller": "«certificates-issuing|certificaterequests-issuer-acme|orders»"}, near=True)
T("unknown", "blackbox", "EndpointNotServedOverTls|ProbeWithoutTls",
  'probe_http_ssl{job=~"blackbox.*"} == 0',
  ["$target is not served over TLS"], ["The last probe of $target ended on a plain HTTP response."],
  "instance job", fixed={"instance": "$target"}, near=True)
T("unknown", "mysql", "MysqlAbortedClients|MySQLClientsDroppedUncleanly",
  'rate(mysql_global_status_aborted_clients[5m]) > «1|5»',
  ["Clients drop connections to $instance"], ["Connections to $instance end without a proper close (client died or wait_timeout)."],
  "instance", near=True)

# Data stores and brokers: replication, locks, queues, cluster health.
T("unknown", "postgresql", "PostgresReplicationLagHigh|PgReplicaLagging",
  'pg_replication_lag_seconds > «60|300»',
  ["Replica $instance lags"], ["Replica $instance is $secs minutes behind the primary."], "instance")
T("unknown", "postgresql", "PostgresDeadlocks|PgDeadlocksDetected",
  'increase(pg_stat_database_deadlocks{datname!~"template.*"}[5m]) > «1|0»',
  ["Deadlocks in $db"], ["Database $db on $instance recorded $count deadlocks in 5 minutes."], "instance datname", fixed={"datname": "$db"})
T("unknown", "postgresql", "PostgresLongRunningTransaction|PgTransactionTooLong",
  'pg_stat_activity_max_tx_duration{state="active"} > «3600|600»',
  ["Long transaction on $instance"], ["A transaction on $instance has been running for over an hour."], "instance datname", fixed={"datname": "$db"})
T("unknown", "postgresql", "PostgresIdleInTransaction|PgIdleInTxSessions",
  'sum by (instance, datname) (pg_stat_activity_count{state="idle in transaction"}) > «20|10»',
  ["Sessions idle in transaction on $instance"], ["$count sessions on $db sit idle in transaction."],
  "instance datname", fixed={"datname": "$db"}, amb=True, near=True)
T("unknown", "postgresql", "PostgresWalArchivingFailing|PgArchiverFailed",
  'increase(pg_stat_archiver_failed_count[10m]) > 0',
  ["WAL archiving fails on $instance"], ["archive_command keeps failing on $instance."], "instance")
T("unknown", "mysql", "MysqlReplicationLag|MySQLReplicaBehind",
  'mysql_slave_status_seconds_behind_master > «300|60»',
  ["MySQL replica $instance behind"], ["Replica $instance is behind the source."], "instance")
T("unknown", "mysql", "MysqlAbortedConnects|MySQLAuthFailures",
  'rate(mysql_global_status_aborted_connects[5m]) > «5|1»',
  ["Aborted connections on $instance"], ["Clients fail to connect to $instance (bad credentials or handshake errors)."],
  "instance", near=True)
T("unknown", "mysql", "MysqlInnodbRowLockWaits|MySQLLockWaitsHigh",
  'increase(mysql_global_status_innodb_row_lock_waits[5m]) > «100|500»',
  ["Row lock waits on $instance"], ["Transactions on $instance wait for InnoDB row locks."], "instance", near=True)
T("unknown", "redis", "RedisBgsaveFailing|RedisRdbSaveFailed",
  'redis_rdb_last_bgsave_status == 0',
  ["Background save failing on $instance"], ["The last BGSAVE on $instance failed."], "instance")
T("unknown", "redis", "RedisReplicaMissing|RedisNoReplicas",
  'redis_connected_slaves < 1',
  ["Redis primary $instance has no replica"], ["No replica is connected to $instance."], "instance")
T("unknown", "mongodb", "MongoReplsetMemberUnhealthy|MongoRsMemberDown",
  'mongodb_rs_members_health == 0',
  ["Replica set member of $rs unhealthy"], ["A member of replica set $rs reports health 0."], "instance rs_nm", fixed={"rs_nm": "$rs"})
T("unknown", "mongodb", "MongodbAssertsRising|MongoRegularAsserts",
  'rate(mongodb_ss_asserts{assert_type="regular"}[5m]) > «0|1»',
  ["MongoDB $instance raises asserts"], ["Regular asserts are increasing on $instance."], "instance")
T("unknown", "mongodb", "MongodbConnectionChurn|MongoConnectionsCreatedFast",
  'rate(mongodb_ss_connections{conn_type="totalCreated"}[5m]) > «50|100»',
  ["Many new connections to $instance"], ["Clients open connections to $instance at a high rate; check client pooling."],
  "instance", near=True)
T("unknown", "elasticsearch", "EsClusterStatusRed|EsClusterHealthRed",
  'elasticsearch_cluster_health_status{color="red"} == 1',
  ["Cluster $es_cluster is red"], ["At least one primary shard of $es_cluster is unassigned."], "cluster color", fixed={"cluster": "$es_cluster", "color": "red"})
T("unknown", "elasticsearch", "EsShardsLeftUnassigned|EsShardsUnassigned",
  'elasticsearch_cluster_health_unassigned_shards > 0',
  ["Unassigned shards in $es_cluster"], ["$count shards of $es_cluster are unassigned."], "cluster", fixed={"cluster": "$es_cluster"})
T("unknown", "elasticsearch", "ElasticsearchWriteRejections|EsThreadPoolRejected",
  'increase(elasticsearch_thread_pool_rejected_count{type="write"}[5m]) > 0',
  ["$es_node rejects write requests"], ["The write thread pool queue on $es_node is full and rejects requests."],
  "cluster name type", fixed={"cluster": "$es_cluster", "name": "$es_node", "type": "write"}, near=True)
T("unknown", "kafka", "KafkaConsumerGroupLag|KafkaConsumerLagging",
  'sum by (consumergroup, topic) (kafka_consumergroup_lag) > «10000|50000»',
  ["$consumergroup lags on $topic"], ["Consumer group $consumergroup is $lag messages behind on $topic."], "consumergroup topic")
T("unknown", "kafka", "KafkaUnderReplicatedPartitions|KafkaTopicUnderReplicated",
  'sum by (topic) (kafka_topic_partition_under_replicated_partition) > 0',
  ["Under-replicated partitions in $topic"], ["Some partitions of $topic have fewer in-sync replicas than configured."], "topic")
T("unknown", "kafka", "KafkaIsrShrinking|KafkaIsrShrinks",
  'rate(kafka_server_replicamanager_isrshrinks_total[5m]) > 0',
  ["ISR shrinking on broker $broker"], ["In-sync replica sets shrink on $instance."], "instance")
T("unknown", "rabbitmq", "RabbitmqQueueBacklog|RabbitMQMessagesPiling",
  'sum by (queue, vhost) (rabbitmq_queue_messages_ready) > «10000|50000»',
  ["Queue $queue has a backlog"], ["$lag messages are ready in $queue (vhost $vhost)."], "queue vhost")
T("unknown", "rabbitmq", "RabbitmqNoConsumers|RabbitMQQueueWithoutConsumers",
  'rabbitmq_queue_consumers == 0',
  ["No consumers on $queue"], ["Queue $queue in vhost $vhost has no consumer."], "queue vhost")
T("unknown", "rabbitmq", "RabbitmqFileDescriptorsNearLimit|RabbitMQFdsExhausted",
  '(rabbitmq_process_open_fds * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) / (rabbitmq_process_max_fds * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info) > «0.9|0.8»',
  ["$rabbit_node close to its file descriptor limit"], ["$rabbit_node uses $pct_hi% of its file descriptors."],
  "rabbitmq_node", fixed={"rabbitmq_node": "$rabbit_node"}, amb=True, near=True)
T("unknown", "rabbitmq", "RabbitmqConnectionChurn|RabbitMQHighConnectionChurn",
  'sum(rate(rabbitmq_connections_closed_total[5m])) > «10|50»',
  ["High connection churn on RabbitMQ"], ["Clients open and close connections to RabbitMQ at a high rate."], "", near=True)
T("unknown", "go", "GoSqlIdleConnectionChurn|SqlIdleClosedHigh",
  'rate(go_sql_stats_connections_closed_max_idle{job="$job"}[5m]) > «10|5»',
  ["$job closes many idle DB connections"], ["$job keeps closing idle connections to $db (max idle too low)."],
  "job db_name", fixed={"db_name": "$db"}, near=True)
T("unknown", "node_exporter", "HostConntrackTableNearlyFull|NodeConntrackLimit",
  'node_nf_conntrack_entries / node_nf_conntrack_entries_limit > «0.9|0.8»',
  ["conntrack table almost full on $instance"], ["$instance tracks $pct_hi% of nf_conntrack_max connections; new flows will be dropped."],
  "instance", amb=True, near=True)
T("unknown", "node_exporter", "HostTimeOffsetLarge|NodeNtpDrift",
  '(node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or (node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0)',
  ["Clock skew on $instance"], ["The clock of $instance drifts from NTP."], "instance")
T("unknown", "node_exporter", "HostNicReceiveErrorsRising|NodeNicErrors",
  'rate(node_network_receive_errs_total[2m]) / rate(node_network_receive_packets_total[2m]) > 0.01',
  ["Receive errors on $instance"], ["The network interface of $instance reports receive errors."], "instance device", fixed={"device": "«eth0|ens5|bond0»"})
T("unknown", "envoy", "EnvoyNotLive|EnvoyServerDraining",
  'envoy_server_state != 0',
  ["Envoy in $pod is not live"], ["The proxy in $namespace/$pod is draining or initialising."], "namespace pod")


# Numbers quoted in the texts that must agree with a rule's threshold, by the rule's first alert name.
VALUE_OVERRIDES = {
    "EndpointCertificateExpiresInDays": {"days": "«1|2|3|5|6»"},
    "SslCertificateExpiringSoon": {"days": "«3|6|9|11|13»"},
    "TlsChainExpiring": {"days": "«2|5|8|9»"},
    "CertManagerCertExpiresShortly": {"days": "«2|4|5|6»"},
    "KubeletClientCertExpiring": {"days": "«1|2|4|6»"},
    "KubeletServingCertExpiry": {"days": "«1|3|5»"},
    "ApiserverClientCertsExpiring": {"days": "«1|3|6»"},
    "EnvoyCertExpiringSoon": {"days": "«3|5|8|9»"},
    "HaproxyFrontendCertExpiring": {"days": "«4|6|9»"},
    "IngressCertificateExpiring": {"days": "«3|5|6»"},
    "HostFilesystemPredictedFull": {"hours": "«3|7|11|19»"},
    "PostgresReplicationLagHigh": {"secs": "«4|9|17»"},
    "VolumeFillingUp": {"days": "«1|2»"},
    "PostgresManyBackends": {"cur_conn": "«412|530|618»"},
    "VarLogAlmostFull": {"mountpoint": "«/var/log|/var/lib/containerd|/var/lib/docker»", "free": "«612MiB|840MiB|310MiB»"},
    "DotnetGcHeapLarge": {"mem_used": "«3.4GiB|3.9GiB»"},
    "PythonProcessMemoryHigh": {"mem_used": "«4.6GiB|5.2GiB»"},
    "GoProcessAllocHigh": {"mem_used": "«2.3GiB|2.8GiB»"},
}


if __name__ == "__main__":
    main()
