#!/usr/bin/env python3
"""Merges the benchmarks' result files into one markdown table and one JSON file.

Usage: bench_report.py --out RESULTS.json --data-dir DIR --commit SHA [--quick]
                       [--loadavg-start L] [--failed NAME]... FILE...

Each FILE is either a bench binary's `--json` output ({"bench", "rows": [...]}) or a
google-benchmark JSON file (protocol_bench, sdk_bench), whose benchmarks become rows.
Rows with the same group and name but another "system" (restate, dbos) are peers' figures:
they share a line of the table with durafn's, followed by the ratio in durafn's favour
(peer / durafn for "lower is better", durafn / peer for "higher is better"; > 1 means
durafn is better).
"""
import argparse
import json
import os
import subprocess
import sys

PEERS = ["restate", "dbos"]
PEER_TITLES = {"restate": "Restate", "dbos": "DBOS"}


def num(x):
    if x is None:
        return "-"
    a = abs(x)
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(row):
    if row is None:
        return "-"
    unit = row.get("unit", "")
    if "p50" in row:
        return f"{num(row['p50'])} / {num(row['p99'])} {unit}".strip()
    return f"{num(row.get('value'))} {unit}".strip()


def headline(row):
    return row.get("p50", row.get("value"))


def ratio(ours, peer):
    if ours is None or peer is None:
        return "-"
    a, b = headline(ours), headline(peer)
    better = ours.get("better", "")
    if not a or not b or better not in ("lower", "higher"):
        return "-"
    r = b / a if better == "lower" else a / b
    return f"{r:.2f}x"


def gbench_rows(doc, bench):
    rows = []
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        # CPU time: on a shared machine wall time mostly measures the neighbours.
        value, unit = b["cpu_time"], b.get("time_unit", "ns")
        if unit == "ns" and value >= 10000:
            value, unit = value / 1000, "us"
        if unit == "us" and value >= 10000:
            value, unit = value / 1000, "ms"
        rows.append({
            "bench": bench,
            "group": f"{bench} (google-benchmark, CPU per call)",
            "name": b["name"],
            "system": "durafn",
            "unit": unit,
            "better": "lower",
            "value": value,
        })
    return rows


STEPS_GROUP = "N sequential durable steps"


def derive_step_costs(rows):
    """Per system: marginal cost per step (p50(T(N)) - p50(T(0))) / N and its flatness."""
    out = []
    by_system = {}
    for r in rows:
        if r.get("group") == STEPS_GROUP and r["name"].startswith("N=") and "p50" in r:
            n = int(r["name"][2:].split()[0])
            by_system.setdefault(r.get("system", "durafn"), {})[n] = r
    for system, runs in by_system.items():
        if 0 not in runs:
            continue
        base = runs[0]["p50"]
        per = {}
        for n in sorted(runs):
            if n == 0:
                continue
            per[n] = 1000 * (runs[n]["p50"] - base) / n
            out.append({"bench": "derived", "group": STEPS_GROUP, "system": system,
                        "name": f"N={n} cost per step (marginal p50)", "unit": "us",
                        "better": "lower", "value": per[n], "note": "(T(N) - T(0)) / N"})
        lo, hi = min(per, default=None), max(per, default=None)
        if lo is not None and hi != lo and per[lo] > 0:
            out.append({"bench": "derived", "group": STEPS_GROUP, "system": system,
                        "name": f"flatness: per step N={hi} / N={lo}", "unit": "x",
                        "better": "", "value": per[hi] / per[lo], "note": "target 0.8..1.2"})
    return out


def load(path):
    with open(path) as f:
        doc = json.load(f)
    if "benchmarks" in doc:  # google-benchmark output
        name = path.rsplit("/", 1)[-1].replace("bench-", "").replace(".json", "")
        return gbench_rows(doc, name)
    return doc.get("rows", [])


def machine_info(data_dir, commit, quick, loadavg_start):
    """What the figures depend on: cores, CPU, memory, the data dir's file system, load."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    try:
        df = subprocess.run(["df", "-PT", data_dir], capture_output=True, text=True,
                            check=True).stdout.splitlines()[-1].split()
        filesystem = f"{df[1]} ({df[0]}, mounted on {df[6]})"
    except (OSError, subprocess.CalledProcessError, IndexError):
        filesystem = "?"
    with open("/proc/loadavg") as f:
        loadavg_end = " ".join(f.read().split()[:3])
    return {
        "commit": commit,
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / (1024 * 1024), 1),
        "filesystem": filesystem,
        "data_dir": data_dir,
        "kernel": os.uname().release,
        "loadavg_start": loadavg_start,
        "loadavg_end": loadavg_end,
        "quick": quick,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--loadavg-start", default="?")
    ap.add_argument("--failed", action="append", default=[],
                    help="a bench that did not finish (listed in the output)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    machine = machine_info(args.data_dir, args.commit, args.quick, args.loadavg_start)
    rows = []
    for p in args.files:
        try:
            rows.extend(load(p))
        except (OSError, ValueError) as e:
            print(f"bench_report: skipping {p}: {e}", file=sys.stderr)

    rows.extend(derive_step_costs(rows))

    # durafn's rows first, so the table follows durafn's order and peers join its lines.
    rows.sort(key=lambda r: r.get("system", "durafn") != "durafn")

    # Lines of the table: (group, name) in first-seen order, one cell per system.
    lines, index = [], {}
    for r in rows:
        key = (r["group"], r["name"])
        if key not in index:
            index[key] = len(lines)
            lines.append({"group": r["group"], "name": r["name"], "systems": {}})
        lines[index[key]]["systems"][r.get("system", "durafn")] = r
    # Derived rows join their group's lines.
    first = {}
    for i, l in enumerate(lines):
        first.setdefault(l["group"], i)
    lines.sort(key=lambda l: first[l["group"]])
    peers = [p for p in PEERS if any(p in l["systems"] for l in lines)]

    head = ["benchmark", "measurement", "durafn (p50 / p99 or value)"]
    for p in peers:
        head += [PEER_TITLES[p], f"vs {PEER_TITLES[p]}"]
    head.append("note")
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    last_group = None
    for l in lines:
        ours = l["systems"].get("durafn")
        group = l["group"] if l["group"] != last_group else ""
        last_group = l["group"]
        cells = [group, l["name"], cell(ours)]
        notes = [ours["note"]] if ours and ours.get("note") else []
        for p in peers:
            peer = l["systems"].get(p)
            cells += [cell(peer), ratio(ours, peer)]
            if peer and peer.get("note") and peer.get("note") != (ours or {}).get("note"):
                notes.append(f"{PEER_TITLES[p]}: {peer['note']}")
        cells.append("; ".join(notes))
        out.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")

    m = machine
    print(f"durafn {m.get('commit', '?')} on {m.get('nproc', '?')} cores ({m.get('cpu', '?')}), "
          f"{m.get('memory_gib', '?')} GiB, data dir on {m.get('filesystem', '?')}, "
          f"load average {m.get('loadavg_start', '?')} at start, {m.get('loadavg_end', '?')} at end"
          f"{', quick mode' if m.get('quick') else ''}")
    print()
    print("\n".join(out))
    if args.failed:
        print(f"\nnot finished: {', '.join(args.failed)}")
    with open(args.out, "w") as f:
        json.dump({"machine": machine, "failed": args.failed, "rows": rows}, f, indent=1)
        f.write("\n")
    print(f"\nresults: {args.out}")


if __name__ == "__main__":
    main()
