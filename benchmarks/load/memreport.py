#!/usr/bin/env python3
"""Summarise memory.sh's runs.tsv: peak RSS per contender and client count, the RSS each client adds, and
Sluice against the target "no more than nginx's peak plus the JVM's fixed baseline, flat as N doubles".

Usage: memreport.py RUNS_TSV OUT_DIR [--meta machine.txt]

Writes OUT_DIR/summary.md (markdown for benchmarks/RESULTS.md) and OUT_DIR/console.txt, and prints the latter.

Peak: the highest RSS sampled (VmRSS of the process and its children, every 0.5 s) before a jcmd probe ran, or
during the whole run when none did (jcmd's attach adds to a JVM's RSS). Idle: the RSS 2 s after start, before any
request. Growth: peak - idle, what the run added. Per client: growth / N. Slope: the peak's increase from one N
to the next, divided by the clients added, so every fixed cost cancels.
"""
import argparse
import csv
import os
import sys

NAMES = {"nginx": "nginx (defaults)", "nginx-notemp": "nginx, proxy_max_temp_file_size 0",
         "sluice": "Sluice", "sluice-bigheap": "Sluice, throughput JVM flags"}
ORDER = ["nginx", "nginx-notemp", "sluice", "sluice-bigheap"]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def mib(kib):
    return "NA" if kib is None else "%.1f" % (kib / 1024.0)


def kib(v):
    return "NA" if v is None else "%.1f" % v


def load(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for r in rows:
        r["n"] = int(r["clients"])
        r["peak"] = num(r["peak_before_probe_kib"]) or num(r["peak_kib"])
        r["idle"] = num(r["idle_kib"])
        r["growth"] = r["peak"] - r["idle"] if r["peak"] is not None and r["idle"] is not None else None
        r["per_client"] = r["growth"] / r["n"] if r["growth"] is not None else None
    return rows


def slopes(rows):
    """(contender, n1, n2, KiB per added client by peak, by plateau) between consecutive client counts."""
    out = []
    for c in ORDER:
        rs = sorted((r for r in rows if r["contender"] == c and r["peak"] is not None), key=lambda r: r["n"])
        for a, b in zip(rs, rs[1:]):
            if b["n"] > a["n"]:
                pa, pb = num(a["plateau_kib"]), num(b["plateau_kib"])
                out.append((c, a["n"], b["n"], (b["peak"] - a["peak"]) / (b["n"] - a["n"]),
                            (pb - pa) / (b["n"] - a["n"]) if pa is not None and pb is not None else None))
    return out


def verdicts(rows):
    """Sluice's peak against each nginx's peak plus Sluice's idle baseline of the same run."""
    by = {(r["contender"], r["n"]): r for r in rows}
    out = []
    for r in sorted(rows, key=lambda r: r["n"]):
        if not r["contender"].startswith("sluice") or r["peak"] is None:
            continue
        for ng in ("nginx", "nginx-notemp"):
            o = by.get((ng, r["n"]))
            if o is None or o["peak"] is None:
                continue
            limit = o["peak"] + r["idle"]
            out.append((r["contender"], ng, r["n"], r["peak"], limit, r["growth"], o["peak"]))
    return out


def tables(rows, meta):
    L = []
    if meta:
        L.append("Machine and settings:")
        L.append("")
        L += ["- %s: %s" % kv for kv in meta]
        L.append("")
    L.append("| N | proxy | idle RSS MiB | peak RSS MiB | growth MiB | KiB per client | plateau MiB | clients ok | "
             "mean KiB read per client | heap used / committed MiB | direct MiB | temp-file warnings | proxy CPU | load avg (1 min) |")
    L.append("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in sorted(rows, key=lambda r: (r["n"], ORDER.index(r["contender"]) if r["contender"] in ORDER else 9)):
        errs = r["errors"] if r["errors"] not in ("{}", "NA", "") else ""
        heap = ("%s / %s" % (mib(num(r["heap_used_kib"])), mib(num(r["heap_committed_kib"])))
                if num(r["heap_used_kib"]) is not None else "–")
        L.append("| %d | %s | %s | %s | %s | %s | %s | %s/%s%s | %s | %s | %s | %s | %s | %s→%s |" % (
            r["n"], NAMES.get(r["contender"], r["contender"]), mib(r["idle"]), mib(r["peak"]), mib(r["growth"]),
            kib(r["per_client"]), mib(num(r["plateau_kib"])), r["ok"], r["n"], (" " + errs) if errs else "",
            r["mean_body_kib"], heap, mib(num(r.get("direct_kib"))) if num(r.get("direct_kib")) is not None else "–",
            r["temp_file_warnings"] if r["temp_file_warnings"] != "NA" else "–",
            (r.get("proxy_cpu_pct") or "NA") + "%", r["load_start"], r["load_end"]))
    sl = slopes(rows)
    if sl:
        L.append("")
        L.append("RSS added per added client (slope between client counts, of the peak and of the plateau):")
        L.append("")
        L.append("| proxy | from N | to N | KiB per added client, peak | KiB per added client, plateau |")
        L.append("|---|--:|--:|--:|--:|")
        for c, a, b, s, sp in sl:
            L.append("| %s | %d | %d | %.1f | %s |" % (NAMES.get(c, c), a, b, s, kib(sp)))
    v = verdicts(rows)
    if v:
        L.append("")
        L.append("Target: Sluice's peak ≤ nginx's peak + Sluice's idle baseline (equivalently: what the run added "
                 "to Sluice ≤ nginx's whole peak):")
        L.append("")
        L.append("| N | Sluice | against | Sluice peak MiB | limit MiB | Sluice growth MiB | nginx peak MiB | verdict |")
        L.append("|--:|---|---|--:|--:|--:|--:|---|")
        for c, ng, n, peak, limit, growth, npk in v:
            L.append("| %d | %s | %s | %s | %s | %s | %s | %s |" % (
                n, NAMES.get(c, c), NAMES.get(ng, ng), mib(peak), mib(limit), mib(growth), mib(npk),
                "met" if peak <= limit else "**missed** by %s MiB" % mib(peak - limit)))
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("out")
    ap.add_argument("--meta")
    a = ap.parse_args()
    rows = load(a.runs)
    if not rows:
        sys.stderr.write("memreport.py: no runs in %s\n" % a.runs)
        return 1
    meta = []
    if a.meta and os.path.exists(a.meta):
        with open(a.meta) as fh:
            meta = [tuple(s.strip() for s in line.split(":", 1)) for line in fh if ":" in line]
    md = tables(rows, meta)
    with open(os.path.join(a.out, "summary.md"), "w") as fh:
        fh.write(md)
    text = tables(rows, [])
    with open(os.path.join(a.out, "console.txt"), "w") as fh:
        fh.write(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
