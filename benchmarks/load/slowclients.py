#!/usr/bin/env python3
"""Many slow HTTP/1.1 downloads in one process, and the RSS of the proxy they go through.

Usage: slowclients.py --port P --path /10m --clients N --pid PID [options]

Opens N connections to 127.0.0.1:P, spread evenly over --ramp seconds; each sends one GET and then reads its
response at --rate bytes per second (a --chunk at a time, pausing between reads, with a small SO_RCVBUF so the
kernel does not read ahead for it) for --hold seconds from its own start, then closes, whatever is left: the
proxy in front of a fast upstream always has a slow client with most of the response still to come.

Meanwhile the RSS of --pid and of its child processes (an nginx master's worker) is read every --interval
seconds from /proc/PID/status (VmRSS, VmHWM). At --probe-at seconds, if given, --probe-cmd runs once (jcmd ...)
and its output goes to --probe-out; the peak RSS seen before it started is reported separately, since the
probe's own attach can add to a JVM's RSS.

Writes --samples (TSV, one row per sample) and --summary (JSON) and prints a one-line summary. Exits 0 when every
client got a 200 and read at least --min-bytes of the expected body, 3 otherwise (the summary says what failed).
Bounded: the whole run ends by ramp + hold + 20 s.
"""
import argparse
import asyncio
import json
import os
import shlex
import socket
import statistics
import sys
import time


def read_status(pid):
    """VmRSS and VmHWM of a process in KiB, or None when it is gone."""
    try:
        with open("/proc/%d/status" % pid) as fh:
            rss = hwm = None
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
            return (rss, hwm) if rss is not None else None
    except (OSError, ValueError):
        return None


def children(pid):
    """Direct children of pid (nginx's workers), by scanning /proc."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as fh:
                stat = fh.read()
        except OSError:
            continue
        # Field 4 (ppid) follows the command name in parentheses, which may hold spaces.
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) > 1 and int(rest[1]) == pid:
            out.append(int(name))
    return sorted(out)


class Stats:
    def __init__(self):
        self.started = 0
        self.connected = 0
        self.active = 0
        self.ok = 0
        self.body_bytes = 0
        self.errors = {}
        self.first_error = {}
        self.per_client = []

    def error(self, kind, detail):
        self.errors[kind] = self.errors.get(kind, 0) + 1
        self.first_error.setdefault(kind, detail)


async def client(i, args, stats, t0, expect):
    loop = asyncio.get_running_loop()
    start = t0 + args.ramp * i / max(1, args.clients)
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    stats.started += 1
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    sock.setblocking(False)
    stats.active += 1
    counted_ok = False
    body = 0
    try:
        try:
            await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", args.port)), args.stall)
        except (OSError, asyncio.TimeoutError) as e:
            stats.error("connect", repr(e))
            return
        stats.connected += 1
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: slowclients\r\n\r\n" % (args.path, args.port)).encode()
        await loop.sock_sendall(sock, req)
        head = b""
        checked = b""
        length = None
        end = start + args.hold
        paced_from = None
        while True:
            now = time.monotonic()
            if now >= end:
                break
            try:
                data = await asyncio.wait_for(loop.sock_recv(sock, args.chunk), min(args.stall, max(0.05, end - now)))
            except asyncio.TimeoutError:
                if time.monotonic() >= end:
                    break
                stats.error("stall", "no byte for %.0f s after %d body bytes" % (args.stall, body))
                return
            except OSError as e:
                stats.error("recv", "%r after %d body bytes" % (e, body))
                return
            if not data:
                if length is not None and body >= length:
                    break  # the whole body arrived (only when --hold is long enough)
                stats.error("eof", "closed after %d body bytes (head %r)" % (body, head[:60]))
                return
            if length is None:
                head += data
                cut = head.find(b"\r\n\r\n")
                if cut < 0:
                    if len(head) > 16384:
                        stats.error("head", "no end of head in 16 KiB")
                        return
                    continue
                data = head[cut + 4:]
                status = head.split(b"\r\n", 1)[0]
                if not status.startswith(b"HTTP/1.1 200"):
                    stats.error("status", status.decode("latin-1"))
                    return
                length = -1
                for line in head[:cut].split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v.strip())
                paced_from = time.monotonic()
            body += len(data)
            stats.body_bytes += len(data)
            if len(checked) < len(expect):
                checked += data[: len(expect) - len(checked)]
                if not expect.startswith(checked):
                    stats.error("bytes", "body differs from the upstream's file within its first %d bytes" % len(checked))
                    return
            if not counted_ok and body >= args.min_bytes:
                counted_ok = True
                stats.ok += 1
            # Pace: the next read waits until the bytes so far are due at --rate.
            due = paced_from + body / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(min(delay, max(0.0, end - time.monotonic())))
        if not counted_ok:
            stats.error("short", "only %d body bytes in %.0f s" % (body, args.hold))
    finally:
        stats.per_client.append(body)
        stats.active -= 1
        sock.close()


async def sampler(args, stats, t0, samples, state):
    pids = [args.pid] + children(args.pid)
    state["pids"] = pids
    with open(args.samples, "w") as out:
        out.write("t\tactive\tconnected\trss_total_kib\t" + "\t".join("rss_%d\thwm_%d" % (p, p) for p in pids) + "\n")
        while True:
            t = time.monotonic() - t0
            total = 0
            cols = []
            for p in pids:
                s = read_status(p)
                if s is None:
                    state["gone"] = p
                    cols += ["NA", "NA"]
                    continue
                total += s[0]
                cols += [str(s[0]), str(s[1])]
                state["hwm"][p] = s[1]
            samples.append((t, stats.active, total, state["probing"]))
            out.write("%.2f\t%d\t%d\t%d\t%s\n" % (t, stats.active, stats.connected, total, "\t".join(cols)))
            out.flush()
            await asyncio.sleep(args.interval)


async def probe(args, t0, samples, state):
    await asyncio.sleep(max(0.0, t0 + args.probe_at - time.monotonic()))
    state["peak_before_probe"] = max((s[2] for s in samples), default=None)
    state["probing"] = True
    try:
        proc = await asyncio.create_subprocess_exec(*shlex.split(args.probe_cmd), stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.STDOUT)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
        except asyncio.TimeoutError:
            proc.kill()
            out = b"probe timed out after 30 s\n"
            await proc.wait()
    except OSError as e:
        out = ("probe failed: %r\n" % e).encode()
    with open(args.probe_out, "wb") as fh:
        fh.write(out)


async def main(args):
    expect = b""
    if args.expect_file:
        with open(args.expect_file, "rb") as fh:
            expect = fh.read(65536)
    stats = Stats()
    samples = []
    state = {"hwm": {}, "probing": False, "peak_before_probe": None, "gone": None}
    t0 = time.monotonic() + 0.5
    sample_task = asyncio.create_task(sampler(args, stats, t0, samples, state))
    probe_task = asyncio.create_task(probe(args, t0, samples, state)) if args.probe_cmd else None
    tasks = [asyncio.create_task(client(i, args, stats, t0, expect)) for i in range(args.clients)]
    limit = args.ramp + args.hold + 20
    done, pending = await asyncio.wait(tasks, timeout=limit + 0.5)
    for t in pending:
        t.cancel()
    if pending:
        stats.error("overran", "%d clients still running after %d s" % (len(pending), limit))
        await asyncio.gather(*pending, return_exceptions=True)
    for t in done:
        if t.exception() is not None:
            stats.error("crash", repr(t.exception()))
    if probe_task is not None:
        try:
            await asyncio.wait_for(probe_task, 35)
        except asyncio.TimeoutError:
            probe_task.cancel()
    await asyncio.sleep(args.interval)  # one more sample, after the clients closed
    sample_task.cancel()
    try:
        await sample_task
    except asyncio.CancelledError:
        pass

    rss = [s[2] for s in samples]
    # The plateau: every client connected and none finished yet, before any probe.
    plateau = [s[2] for s in samples if s[1] == args.clients and not s[3]]
    summary = {
        "clients": args.clients,
        "connected": stats.connected,
        "ok": stats.ok,
        "errors": stats.errors,
        "first_error": stats.first_error,
        "body_bytes": stats.body_bytes,
        "mean_body_bytes_per_client": stats.body_bytes // max(1, stats.connected),
        "min_body_bytes_per_client": min(stats.per_client) if stats.per_client else None,
        "median_body_bytes_per_client": int(statistics.median(stats.per_client)) if stats.per_client else None,
        "pids": state["pids"],
        "samples": len(samples),
        "peak_rss_kib": max(rss) if rss else None,
        "peak_rss_before_probe_kib": state["peak_before_probe"],
        "plateau_median_rss_kib": int(statistics.median(plateau)) if plateau else None,
        "plateau_samples": len(plateau),
        "hwm_kib": {str(p): v for p, v in state["hwm"].items()},
        "hwm_total_kib": sum(state["hwm"].values()) if state["hwm"] else None,
        "process_gone": state["gone"],
    }
    with open(args.summary, "w") as fh:
        json.dump(summary, fh, indent=1)
    print("clients %d: connected %d, ok %d, errors %s; body %.1f MiB (%.0f KiB/client); peak RSS %s KiB "
          "(before probe %s), plateau %s KiB over %d samples, VmHWM %s KiB"
          % (args.clients, stats.connected, stats.ok, stats.errors or "none", stats.body_bytes / 1048576,
             stats.body_bytes / 1024 / max(1, stats.connected), summary["peak_rss_kib"],
             summary["peak_rss_before_probe_kib"], summary["plateau_median_rss_kib"], len(plateau),
             summary["hwm_total_kib"]))
    return 0 if stats.ok == args.clients and not stats.errors else 3


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/10m")
    p.add_argument("--clients", type=int, required=True)
    p.add_argument("--pid", type=int, required=True, help="process whose RSS (with its children's) is sampled")
    p.add_argument("--ramp", type=float, default=3.0, help="seconds over which the clients connect")
    p.add_argument("--hold", type=float, default=25.0, help="seconds each client reads before closing")
    p.add_argument("--rate", type=float, default=32768, help="bytes per second each client reads")
    p.add_argument("--chunk", type=int, default=16384, help="bytes per read")
    p.add_argument("--rcvbuf", type=int, default=16384, help="SO_RCVBUF of each client socket")
    p.add_argument("--min-bytes", type=int, default=65536,
                   help="a client that read fewer body bytes than this in --hold failed (it was starved)")
    p.add_argument("--stall", type=float, default=15.0, help="a client that gets nothing for this long fails")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between RSS samples")
    p.add_argument("--expect-file", help="the upstream's file: each body's first 64 KiB must match it")
    p.add_argument("--probe-at", type=float, default=0.0)
    p.add_argument("--probe-cmd")
    p.add_argument("--probe-out")
    p.add_argument("--samples", required=True)
    p.add_argument("--summary", required=True)
    a = p.parse_args()
    if a.clients < 1 or a.rate <= 0 or a.chunk < 1 or a.hold <= 0:
        p.error("clients, rate, chunk and hold must be positive")
    if a.probe_cmd and not a.probe_out:
        p.error("--probe-cmd needs --probe-out")
    return a


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
