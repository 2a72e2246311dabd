"""Training examples for Homeostat's own host probes (directory_size, filesystem_usage).

The product emits these signals itself, so the model must know them. Deterministic: seed 7.
Writes train-probes.jsonl next to this script.
"""
import json
import random
from pathlib import Path

rng = random.Random(7)
services = ["shop", "billing", "search", "ledger", "ingest", "mailer", "gateway", "reports", "auth", "media"]
dirs = ["/var/log/{s}", "/srv/{s}/logs", "/data/{s}/spool", "/opt/{s}/var/log", "/home/{s}/logs", "/var/lib/{s}/tmp"]
mounts = ["/", "/var", "/data", "/srv", "/var/lib/docker", "/mnt/volume-1"]
units = [("Mi", 1), ("Gi", 1024)]


def size(mib):
    return f"{mib / 1024:.1f}Gi" if mib >= 1024 else f"{mib:.1f}Mi"


rows = []
for i in range(70):
    s = rng.choice(services)
    if i % 3 == 2:
        path = rng.choice(mounts)
        pct = rng.uniform(90.5, 99.9)
        total = rng.choice([20, 50, 100, 200, 500]) * 1024
        text = (f"filesystem usage of {path} is {pct:.1f}% ({size(total * pct / 100)} of {size(total)}), "
                f"above the {rng.choice([85, 90, 95])}% threshold")
        title = "FilesystemUsageHigh"
        metrics = {"usage": round(pct, 1), "limit": 90.0, "usage_ratio": round(pct / 90, 4)}
        kind = "Filesystem"
    else:
        path = rng.choice(dirs).format(s=s)
        budget = rng.choice([64, 256, 512, 1024, 2048, 8192])
        used = budget * rng.uniform(1.01, 1.9)
        text = (f"disk usage of directory {path} is {size(used)}, over its {size(budget)} budget "
                f"({used / budget * 100:.0f}%)")
        title = "DirectoryUsageHigh"
        metrics = {"usage": round(used * 1048576), "limit": budget * 1048576, "usage_ratio": round(used / budget, 4)}
        kind = "Directory"
    rows.append({
        "id": f"hp-{i + 1:04d}",
        "source": "probe",
        "service": s,
        "resource": {"kind": kind, "path": path, "host": f"{s}-{rng.randint(1, 9)}"},
        "title": title,
        "text": text,
        "labels": {"probe": f"{s}-disk", "path": path, "severity": rng.choice(["warning", "critical"])},
        "metrics": metrics,
        "status": "firing",
        "label": "disk_full",
    })

out = Path(__file__).with_name("train-probes.jsonl")
out.write_text("".join(json.dumps(r) + "\n" for r in rows))
print(f"wrote {len(rows)} rows to {out}")
