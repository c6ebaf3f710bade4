#!/usr/bin/env python3
"""Writes the rolling-deploy benchmark's summary (markdown) from a results directory, on stdout.

Usage: report.py OUT_DIR. Reads OUT_DIR/machine.txt, OUT_DIR/results.tsv and, for each run, its folder: load.out
(the client's totals), load.failures (one line per failed request), events.log (what the script did, when) and
access.log (the proxy's view: statuses, and retries).

Each failed request is placed in the phase it fell in: the last event before it ("after kill -9 u1").
"""
import collections
import os
import re
import sys


def read_lines(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n") for line in f]
    except FileNotFoundError:
        return []


def totals(run_dir):
    out = {}
    for line in read_lines(os.path.join(run_dir, "load.out")):
        key, sep, value = line.rpartition("=")
        if sep:
            out[key] = value
    return out


def events(run_dir):
    result = []
    for line in read_lines(os.path.join(run_dir, "events.log")):
        parts = line.split(" ", 2)  # start ms, end ms, what
        if len(parts) == 3 and parts[0].isdigit():
            result.append((int(parts[0]), parts[2]))
    return result


def phase_of(ms, evs):
    """The last event at or before ms, as 'after <event>', and the time it started (0 if none)."""
    last, at = "before the load started", 0
    for t, what in evs:
        if t > ms:
            break
        last, at = "after " + what, t
    return last, at


def failures(run_dir, evs):
    """{(method, kind): Counter(phase)}, {(method, kind, phase): how many were sent before the phase began}, and a
    few sample lines. A failure's phase is the last event before its answer (or error) came."""
    grouped = collections.defaultdict(collections.Counter)
    sent_before = collections.Counter()
    samples = []
    for line in read_lines(os.path.join(run_dir, "load.failures")):
        parts = line.split(" ", 6)
        if len(parts) < 6 or not parts[0].isdigit():
            continue
        ms, method, kind, sent_ms = int(parts[0]), parts[1], parts[2], int(parts[4])
        phase, at = phase_of(ms, evs)
        grouped[(method, kind)][phase] += 1
        if sent_ms < at:
            sent_before[(method, kind, phase)] += 1
        if len(samples) < 8:
            samples.append(line)
    return grouped, sent_before, samples


def match_proxy_lines(run_dir):
    """Writes RUN/failures-with-proxy-log.txt: each failed request followed by the proxy's access-log line of the
    same request id (none when the proxy did not log it: HAProxy does not log a request it drops so that the client
    retries it). Returns {request id: proxy line}."""
    fails = [line for line in read_lines(os.path.join(run_dir, "load.failures")) if line[:1].isdigit()]
    ids = {line.split(" ")[5] for line in fails if len(line.split(" ")) > 5}
    found = {}
    for line in read_lines(os.path.join(run_dir, "access.log")):
        m = re.search(r"[?&]id=(c\d+-\d+)", line)
        if m and m.group(1) in ids:
            found[m.group(1)] = line
    with open(os.path.join(run_dir, "failures-with-proxy-log.txt"), "w", encoding="utf-8") as f:
        for line in fails:
            rid = line.split(" ")[5] if len(line.split(" ")) > 5 else ""
            f.write(line + "\n    proxy: " + found.get(rid, "(no line)") + "\n")
    return found


def proxy_statuses(run_dir, proxy):
    """Counter of non-2xx statuses the proxy logged itself, and the number of log lines."""
    status_field = 1  # "%Ts %ST ..." (HAProxy) or "$msec $status ..." (nginx, Sluice)
    counter = collections.Counter()
    lines = 0
    for line in read_lines(os.path.join(run_dir, "access.log")):
        parts = line.split()
        if len(parts) <= status_field or not parts[status_field].isdigit():
            continue
        lines += 1
        if not parts[status_field].startswith("2"):
            counter[parts[status_field]] += 1
    return counter, lines


def short_notes(grouped):
    """Each failure kind with its phases, the upstreams' numbers left out: "POST status-502 x9 (7 after kill -9 uN,
    2 after uN gone)"."""
    notes = []
    for (method, kind), phases in sorted(grouped.items()):
        steps = collections.Counter()
        for phase, n in phases.items():
            steps[re.sub(r"\bu\d+\b", "uN", phase)] += n
        where = ", ".join(f"{n} {p}" for p, n in steps.most_common())
        notes.append(f"{method} {kind} x{sum(phases.values())} ({where})")
    return "; ".join(notes)


def main():
    out_dir = sys.argv[1]
    rows = [line.split("\t") for line in read_lines(os.path.join(out_dir, "results.tsv"))[1:] if line.strip()]
    print("# Rolling deploys under load\n")
    print("```")
    print("\n".join(read_lines(os.path.join(out_dir, "machine.txt"))))
    print("```\n")
    print("Failed = non-2xx, wrong body, or the connection broke or timed out before the whole answer (the client "
          "never retries). Retried = requests the proxy sent to more than one upstream (from its access log). "
          "Notes: each failure kind with the phase it fell in (the last step of the script before it).\n")
    print("| proxy | membership | kind | sent | failed GET | failed POST | retried | notes |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    details = []
    for row in rows:
        proxy, mode, kind, sent_get, sent_post, failed_get, failed_post, retried, run = (row + [""] * 9)[:9]
        run_dir = os.path.join(out_dir, run)
        if not sent_get:
            print(f"| {proxy} | {mode} | {kind} | | | | | run not completed: see {run}/ |")
            continue
        evs = events(run_dir)
        grouped, sent_before, samples = failures(run_dir, evs)
        t = totals(run_dir)
        sent = int(sent_get) + int(sent_post)
        notes = short_notes(grouped) or "-"
        print(f"| {proxy} | {mode} | {kind} | {sent} | {failed_get} / {sent_get} | {failed_post} / {sent_post} "
              f"| {retried or 'n/a'} | {notes} |")
        statuses, logged = proxy_statuses(run_dir, proxy)
        served = {k[len("served_by "):]: v for k, v in t.items() if k.startswith("served_by ")}
        d = [f"### {proxy}, {mode}, {kind} ({run}/)", ""]
        d.append(f"- client: {sent} sent in {t.get('seconds', '?')} s; slowest answer GET {t.get('max_latency_ms_get', '?')} ms, "
                 f"POST {t.get('max_latency_ms_post', '?')} ms; served by " + ", ".join(f"{k} {v}" for k, v in sorted(served.items(), key=lambda kv: int(kv[0][1:]))))
        d.append(f"- proxy's access log: {logged} requests, non-2xx: "
                 + (", ".join(f"{s} x{n}" for s, n in sorted(statuses.items())) or "none"))
        for (method, kind_), phases in sorted(grouped.items()):
            d.append(f"- {method} {kind_}: " + ", ".join(
                f"{n} {p} ({sent_before[(method, kind_, p)]} of them sent before it)" for p, n in phases.most_common()))
        if samples:
            found = match_proxy_lines(run_dir)
            d.append("- first failures (epoch ms, method, kind, latency ms, sent at epoch ms, request id, detail), "
                     "each with the proxy's log line for it (all of them: failures-with-proxy-log.txt):")
            d.append("")
            d.append("  ```")
            for sample in samples:
                d.append("  " + sample)
                d.append("      proxy: " + found.get(sample.split(" ")[5], "(no line)"))
            d.append("  ```")
        d.append("")
        details.append("\n".join(d))
    print("\n## Per run\n")
    print("\n".join(details))


if __name__ == "__main__":
    main()
