#!/usr/bin/env python3
"""Turns a JFR recording into flame graphs and tables of where the time and the allocations went.

    flame.py RECORDING.jfr OUT_DIR [--thread PREFIX]

Reads `jfr print --json` (the JDK's own tool) and writes, for the threads' time and for their allocations:
  time.collapsed, alloc.collapsed  one line per distinct stack, "thread;outer;...;inner WEIGHT" (the input format
                                   of flamegraph.pl and speedscope)
  time.svg, alloc.svg              flame graphs, outermost frame at the bottom, widths by weight
  top.txt                          the 25 methods with the most self and the most total weight in each
Time is milliseconds: a sample of a thread running Java code (jdk.ExecutionSample) weighs its period, 10 ms in the
JDK's profile settings, and a sample of a thread in native code (jdk.NativeMethodSample: system calls such as
read, writev and epoll_wait, whose innermost frame is the native method) weighs its period, 20 ms; waiting in
epoll_wait is idle time. Allocations are bytes (jdk.ObjectAllocationSample, each weighing what it stands for).
Only threads whose name starts with PREFIX (default "sluice-loop-") are counted.
"""
import collections
import html
import json
import os
import subprocess
import sys

WIDTH = 1600
ROW = 16
MIN_PIXELS = 0.3


def frames_of(event):
    stack = event["values"].get("stackTrace") or {}
    names = []
    for frame in reversed(stack.get("frames") or []):
        method = frame["method"]
        names.append(method["type"]["name"].split(".")[-1] + "." + method["name"])
    if stack.get("truncated"):
        names.insert(0, "[truncated]")
    return names


def thread_of(event):
    thread = event["values"].get("sampledThread") or event["values"].get("eventThread") or {}
    return thread.get("javaName") or thread.get("osName") or "?"


# The weight of one event of each kind: the sampling periods of the JDK's profile settings (lib/jfr/profile.jfc),
# in milliseconds, and an allocation sample's own weight in bytes.
WEIGHTS = {
    "time": {"jdk.ExecutionSample": lambda e: 10, "jdk.NativeMethodSample": lambda e: 20},
    "alloc": {"jdk.ObjectAllocationSample": lambda e: e["values"].get("weight", 0)},
}


def collect(events, weights, prefix):
    stacks = collections.Counter()
    for event in events:
        weight = weights.get(event["type"])
        if weight is None:
            continue
        thread = thread_of(event)
        if not thread.startswith(prefix):
            continue
        stacks[tuple([thread] + frames_of(event))] += weight(event)
    return stacks


def top(stacks, count=25):
    self_, total = collections.Counter(), collections.Counter()
    for stack, n in stacks.items():
        self_[stack[-1]] += n
        for name in set(stack[1:]):
            total[name] += n
    return self_.most_common(count), total.most_common(count)


def svg(stacks, title, unit):
    root = {"n": 0, "kids": {}}
    for stack, n in stacks.items():
        root["n"] += n
        node = root
        for name in stack:
            node = node["kids"].setdefault(name, {"n": 0, "kids": {}})
            node["n"] += n
    depth = max((len(s) for s in stacks), default=0)
    height = (depth + 3) * ROW
    scale = WIDTH / max(root["n"], 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="monospace" '
           f'font-size="11"><text x="4" y="12">{html.escape(title)}: {root["n"]:,} {unit}</text>']

    def draw(node, name, x, level):
        width = node["n"] * scale
        if width < MIN_PIXELS:
            return
        y = height - (level + 1) * ROW
        hue = 10 + (hash(name) % 40)
        label = f"{name} ({node['n']:,} {unit}, {100.0 * node['n'] / max(root['n'], 1):.1f}%)"
        out.append(f'<g><title>{html.escape(label)}</title><rect x="{x:.1f}" y="{y}" width="{width:.1f}" '
                   f'height="{ROW - 1}" fill="hsl({hue},80%,60%)"/>')
        if width > 40:
            shown = name[: int(width / 7)]
            out.append(f'<text x="{x + 2:.1f}" y="{y + ROW - 4}">{html.escape(shown)}</text>')
        out.append("</g>")
        for kid_name, kid in sorted(node["kids"].items()):
            draw(kid, kid_name, x, level + 1)
            x += kid["n"] * scale

    x = 0.0
    for name, kid in sorted(root["kids"].items()):
        draw(kid, name, x, 0)
        x += kid["n"] * scale
    out.append("</svg>")
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    prefix = "sluice-loop-"
    if "--thread" in args:
        at = args.index("--thread")
        prefix = args[at + 1]
        del args[at:at + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    recording, out_dir = args
    os.makedirs(out_dir, exist_ok=True)
    kinds = ",".join(kind for weights in WEIGHTS.values() for kind in weights)
    printed = subprocess.run(["jfr", "print", "--json", "--events", kinds,
                              "--stack-depth", "96", recording], check=True, capture_output=True, text=True).stdout
    events = json.loads(printed)["recording"]["events"]
    report = []
    for name, unit in (("time", "ms"), ("alloc", "bytes")):
        stacks = collect(events, WEIGHTS[name], prefix)
        with open(os.path.join(out_dir, name + ".collapsed"), "w") as f:
            for stack, n in sorted(stacks.items()):
                f.write(";".join(stack) + " " + str(n) + "\n")
        with open(os.path.join(out_dir, name + ".svg"), "w") as f:
            f.write(svg(stacks, f"{name} of threads {prefix}*", unit))
        most_self, most_total = top(stacks)
        whole = sum(stacks.values()) or 1
        report.append(f"== {name}: {sum(stacks.values()):,} {unit} on threads {prefix}*")
        for title, rows in (("self", most_self), ("total", most_total)):
            report.append(f"-- most {title}")
            report.extend(f"{100.0 * n / whole:6.1f}%  {n:>12,}  {method}" for method, n in rows)
        report.append("")
    with open(os.path.join(out_dir, "top.txt"), "w") as f:
        f.write("\n".join(report))
    print("\n".join(report))


if __name__ == "__main__":
    main()
