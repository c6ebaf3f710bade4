#!/usr/bin/env python3
"""Summarise raw.tsv (one row per wrk run) into medians over rounds.

Usage: report.py RAW_TSV OUT_DIR [--meta machine.txt] [--note TEXT]...

Writes OUT_DIR/summary.tsv (machine-readable medians), OUT_DIR/summary.md (markdown to paste
into benchmarks/RESULTS.md) and OUT_DIR/console.txt (the table also printed on stdout).
"""
import argparse
import csv
import os
import statistics
import sys

NAMES = {"nginx": "nginx", "haproxy": "HAProxy", "haproxy-default": "HAProxy (defaults)", "vertx": "Vert.x",
         "gateway": "SC Gateway", "sluice-base": "Sluice (base jar)", "sluice": "Sluice"}
ORDER = ["nginx", "haproxy", "haproxy-default", "vertx", "gateway", "sluice-base", "sluice"]
BODY_ORDER = {"small": 0, "64k": 1, "1m": 2}
BODY_LABEL = {"small": "100 B", "64k": "64 KiB", "1m": "1 MiB"}



def keepalive_size(text):
    """A keepalive K as the harness ran it: a number, or "auto" (Sluice's adaptive pool)."""
    return text if text == "auto" else int(text)


def keepalive_order(k):
    """Numbers first, in order, then auto."""
    return (1, 0) if k == "auto" else (0, k)

def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def lat(us):
    if us is None:
        return "NA"
    if us < 1000:
        return "%.0fus" % us
    if us < 1e6:
        return "%.2fms" % (us / 1e3)
    return "%.2fs" % (us / 1e6)


def other(r):
    """CPU % that something other than our processes took on the busier of the two cores."""
    px, own = num(r.get("cpu_proxy_pct")), num(r.get("proxy_process_pct"))
    ld, ldown = num(r.get("cpu_load_pct")), num(r.get("load_process_pct"))
    vals = [a - b for a, b in ((px, own), (ld, ldown)) if a is not None and b is not None]
    return max(0.0, max(vals)) if vals else None


NOISY = 10.0  # other% above this marks a cell measured while the machine was busy
# A run whose slowest request took this long had a pause of the machine in it: a plain static nginx on the proxy's
# core shows ~100-ms pauses too (benchmarks/RESULTS.md, "Every peer with a warm-up per cell, at c80872f"), and
# wrk's correction for coordinated omission turns one into the p99 of an 8-connection run.
STALL_US = 50000.0


def stalled(r):
    """Whether a run's slowest request waited through a pause of the machine."""
    mx = num(r.get("max_us"))
    return mx is not None and mx >= STALL_US


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def load(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def summarise(rows):
    cells = {}
    for r in rows:
        key = (keepalive_size(r["keepalive"]), int(r["conns"]), r["body"], r["contender"])
        cells.setdefault(key, []).append(r)
    out = []
    for key, rs in cells.items():
        rps = [num(r["rps"]) for r in rs]
        good = [v for v in rps if v is not None]
        s = {
            "keepalive": key[0], "conns": key[1], "body": key[2], "contender": key[3],
            "rounds": len(rs),
            "rps": med(rps),
            "rps_min": min(good) if good else None,
            "rps_max": max(good) if good else None,
            "p50_us": med(num(r["p50_us"]) for r in rs),
            "p99_us": med(num(r["p99_us"]) for r in rs),
            "non2xx": sum(int(num(r["non2xx"]) or 0) for r in rs),
            "sock_err": sum(int(num(r[k]) or 0) for r in rs
                            for k in ("err_connect", "err_read", "err_write", "err_timeout")),
            "cpu_proxy": med(num(r.get("cpu_proxy_pct")) for r in rs),
            "cpu_own": med(num(r.get("proxy_process_pct")) for r in rs),
            "cpu_load": med(num(r.get("cpu_load_pct")) for r in rs),
            "cpu_load_own": med(num(r.get("load_process_pct")) for r in rs),
            "other": med(other(r) for r in rs),
            "failed_runs": sum(1 for v in rps if v is None),
            "stalled": sum(1 for r in rs if stalled(r)),
        }
        s["spread_pct"] = (100.0 * (s["rps_max"] - s["rps_min"]) / s["rps"]
                           if s["rps"] and len(good) > 1 else None)
        out.append(s)
    by = {(s["keepalive"], s["conns"], s["body"], s["contender"]): s for s in out}
    for s in out:
        sl = by.get((s["keepalive"], s["conns"], s["body"], "sluice"))
        s["sluice_ratio"] = (sl["rps"] / s["rps"]
                             if sl and sl["rps"] and s["rps"] and s["contender"] != "sluice" else None)
    out.sort(key=lambda s: (keepalive_order(s["keepalive"]), s["conns"], BODY_ORDER.get(s["body"], 9),
                            ORDER.index(s["contender"]) if s["contender"] in ORDER else 9))
    return out


def f_int(v):
    return "NA" if v is None else "{:,.0f}".format(v)


def f_pct(v):
    return "" if v is None else "%.0f%%" % v


def f_ratio(v):
    return "n/a" if v is None else "%.2f" % v


def console(summary, notes):
    lines = []
    # The proxy column is as wide as the longest name in this run.
    w = max([8] + [len(NAMES.get(s["contender"], s["contender"])) for s in summary])
    row = "%5s  %-6s  %-" + str(w) + "s %10s %7s %9s %9s %7s %6s %6s %7s %8s"
    hdr = (row % ("conns", "body", "proxy", "req/s", "spread", "p50", "p99", "stalled",
                  "cpu", "other", "errors", "Sl/this"))
    for k in sorted({s["keepalive"] for s in summary}, key=keepalive_order):
        rounds = max(s["rounds"] for s in summary if s["keepalive"] == k)
        lines.append("")
        lines.append("Upstream keepalive K=%s  (median of %d round%s)"
                     % (k, rounds, "" if rounds == 1 else "s"))
        lines.append(hdr)
        lines.append("-" * len(hdr))
        prev = None
        for s in summary:
            if s["keepalive"] != k:
                continue
            cell = (s["conns"], s["body"])
            if prev is not None and cell != prev:
                lines.append("")
            prev = cell
            errs = s["non2xx"] + s["sock_err"]
            noisy = s["other"] is not None and s["other"] > NOISY
            lines.append(row % (
                s["conns"], s["body"], NAMES.get(s["contender"], s["contender"]),
                f_int(s["rps"]), f_pct(s["spread_pct"]) or "-", lat(s["p50_us"]), lat(s["p99_us"]),
                "%d/%d" % (s["stalled"], s["rounds"]), f_pct(s["cpu_own"]),
                f_pct(s["other"]) + ("~" if noisy else " "),
                ("%d" % errs) + ("!" if errs or s["failed_runs"] else ""),
                "" if s["contender"] == "sluice" else f_ratio(s["sluice_ratio"])))
    lines.append("")
    lines.append("spread = (max-min)/median req/s over rounds. cpu = CPU the proxy process used (100% = its"
                 " whole core: proxy-bound).")
    lines.append("other = CPU taken by processes other than the proxy, wrk and the upstream on their cores"
                 " (a shared machine); '~' marks cells above %d%%, whose numbers are disturbed." % NOISY)
    lines.append("stalled = rounds whose slowest request took %d ms or more: a pause of the machine, which"
                 " wrk's coordinated-omission correction spreads over the p99 at few connections." % (STALL_US / 1000))
    lines.append("Sl/this = Sluice req/s / this proxy's req/s (>1: Sluice faster).")
    lines.append("errors = non-2xx/3xx responses + socket errors summed over rounds ('!' marks any).")
    noisy = [s for s in summary if s["other"] is not None and s["other"] > NOISY]
    if noisy:
        lines.append("WARNING: %d of %d rows were measured while other work took more than %d%% of a core;"
                     " rerun on an idle machine before drawing conclusions." % (len(noisy), len(summary), NOISY))
    for n in notes:
        lines.append("NOTE: " + n)
    return "\n".join(lines) + "\n"


def markdown(summary, notes, meta):
    L = []
    if meta:
        L.append("Machine and settings:")
        L.append("")
        for k, v in meta:
            L.append("- %s: %s" % (k, v))
        L.append("")
    for n in notes:
        L.append("> " + n)
        L.append("")
    noisy = [s for s in summary if s["other"] is not None and s["other"] > NOISY]
    if noisy:
        L.append("> %d of %d rows were measured while other work took more than %d%% of a core "
                 "(column 'other'); treat them with care." % (len(noisy), len(summary), NOISY))
        L.append("")
    L.append("| K | conns | body | proxy | req/s | p50 | p99 | stalled rounds | proxy CPU | other | errors "
             "| Sluice ÷ this |")
    L.append("|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for s in summary:
        L.append("| %s | %d | %s | %s | %s | %s | %s | %d/%d | %s | %s | %d | %s |" % (
            s["keepalive"], s["conns"], BODY_LABEL.get(s["body"], s["body"]),
            NAMES.get(s["contender"], s["contender"]), f_int(s["rps"]), lat(s["p50_us"]),
            lat(s["p99_us"]), s["stalled"], s["rounds"], f_pct(s["cpu_own"]), f_pct(s["other"]),
            s["non2xx"] + s["sock_err"],
            "—" if s["contender"] == "sluice" else f_ratio(s["sluice_ratio"])))
    peers = [c for c in ORDER if c != "sluice" and any(s["contender"] == c for s in summary)]
    if any(s["contender"] == "sluice" for s in summary) and peers:
        L.append("")
        L.append("Sluice's throughput relative to each peer (median req/s ratio; >1 means Sluice is faster):")
        L.append("")
        L.append("| K | conns | body | " + " | ".join("vs " + NAMES[p] for p in peers) + " |")
        L.append("|--:|--:|---|" + "--:|" * len(peers))
        cells = sorted({(s["keepalive"], s["conns"], s["body"]) for s in summary},
                       key=lambda c: (keepalive_order(c[0]), c[1], BODY_ORDER.get(c[2], 9)))
        by = {(s["keepalive"], s["conns"], s["body"], s["contender"]): s for s in summary}
        for c in cells:
            L.append("| %s | %d | %s | " % (c[0], c[1], BODY_LABEL.get(c[2], c[2])) + " | ".join(
                f_ratio(by[c + (p,)]["sluice_ratio"]) if c + (p,) in by else "n/a" for p in peers) + " |")
    return "\n".join(L) + "\n"


TSV_COLS = ["keepalive", "conns", "body", "contender", "rounds", "rps", "rps_min", "rps_max",
            "spread_pct", "p50_us", "p99_us", "stalled", "non2xx", "sock_err", "failed_runs",
            "cpu_proxy", "cpu_own", "cpu_load", "cpu_load_own", "other", "sluice_ratio"]


def write_tsv(summary, path):
    with open(path, "w") as fh:
        fh.write("\t".join(TSV_COLS) + "\n")
        for s in summary:
            row = []
            for c in TSV_COLS:
                v = s[c]
                row.append("NA" if v is None else (("%.3f" % v).rstrip("0").rstrip(".")
                                                    if isinstance(v, float) else str(v)))
            fh.write("\t".join(row) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("out")
    ap.add_argument("--meta")
    ap.add_argument("--note", action="append", default=[])
    a = ap.parse_args()
    rows = load(a.raw)
    if not rows:
        sys.stderr.write("report.py: no rows in %s\n" % a.raw)
        return 1
    meta = []
    if a.meta and os.path.exists(a.meta):
        with open(a.meta) as fh:
            for line in fh:
                if ":" in line:
                    k, v = line.split(":", 1)
                    meta.append((k.strip(), v.strip()))
    summary = summarise(rows)
    write_tsv(summary, os.path.join(a.out, "summary.tsv"))
    text = console(summary, a.note)
    with open(os.path.join(a.out, "console.txt"), "w") as fh:
        fh.write(text)
    with open(os.path.join(a.out, "summary.md"), "w") as fh:
        fh.write(markdown(summary, a.note, meta))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
