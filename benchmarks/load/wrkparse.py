#!/usr/bin/env python3
"""Parse the text that `wrk --latency` prints into one tab-separated line.

Usage:
    wrkparse.py FILE        print the fields below (tab-separated) for one wrk output
    wrkparse.py --header    print the field names
    wrkparse.py --self-test run the built-in checks against sample outputs

Fields: rps p50_us p75_us p90_us p99_us avg_us max_us requests duration_s read_bytes
        non2xx err_connect err_read err_write err_timeout

wrk formats latencies with a unit suffix (us, ms, s; m and h are accepted too), the
per-thread Req/Sec stats with metric suffixes (k, M, G), sizes with binary ones (B, KB,
MB, GB, TB) and durations as "10.00s", "1.00m" and so on. The "Socket errors" and
"Non-2xx or 3xx responses" lines only appear when the count is non-zero, so they default
to 0. A missing "Requests/sec" line means wrk did not complete: exit status 1.
"""
import re
import sys

FIELDS = ["rps", "p50_us", "p75_us", "p90_us", "p99_us", "avg_us", "max_us",
          "requests", "duration_s", "read_bytes", "non2xx",
          "err_connect", "err_read", "err_write", "err_timeout"]

_NUM = r"([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
_TIME_US = {"us": 1.0, "µs": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}
_METRIC = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
_BINARY = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "": 1}


def time_us(text):
    """'123.45us' / '1.20ms' / '2.00s' / '1.00m' -> microseconds (float)."""
    m = re.fullmatch(_NUM + r"\s*(us|µs|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError("not a wrk time: %r" % text)
    return float(m.group(1)) * _TIME_US[m.group(2)]


def metric(text):
    """'30.00k' / '1.20M' / '512' -> float."""
    m = re.fullmatch(_NUM + r"\s*([kKMGT]?)", text.strip())
    if not m:
        raise ValueError("not a wrk metric number: %r" % text)
    return float(m.group(1)) * _METRIC[m.group(2)]


def size_bytes(text):
    """'50.00MB' / '1.5GB' / '312B' -> bytes (float)."""
    m = re.fullmatch(_NUM + r"\s*(B|KB|MB|GB|TB|)", text.strip())
    if not m:
        raise ValueError("not a wrk size: %r" % text)
    return float(m.group(1)) * _BINARY[m.group(2)]


def parse(text):
    r = {k: None for k in FIELDS}
    for k in ("non2xx", "err_connect", "err_read", "err_write", "err_timeout"):
        r[k] = 0
    m = re.search(r"^\s*Requests/sec:\s*" + _NUM + r"\s*([kKMG]?)\s*$", text, re.M)
    if m:
        r["rps"] = metric(m.group(1) + m.group(2))
    m = re.search(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    if m:
        r["avg_us"] = time_us(m.group(1))
        r["max_us"] = time_us(m.group(3))
    dist = re.search(r"Latency Distribution\s*\n((?:\s*[0-9.]+%\s+\S+\s*\n?)+)", text)
    if dist:
        for pm in re.finditer(r"([0-9.]+)%\s+(\S+)", dist.group(1)):
            pct = float(pm.group(1))
            key = {50.0: "p50_us", 75.0: "p75_us", 90.0: "p90_us", 99.0: "p99_us"}.get(pct)
            if key:
                r[key] = time_us(pm.group(2))
    m = re.search(r"^\s*(\d+)\s+requests in\s+(\S+?),\s*(\S+)\s+read", text, re.M)
    if m:
        r["requests"] = int(m.group(1))
        r["duration_s"] = time_us(m.group(2)) / 1e6
        r["read_bytes"] = size_bytes(m.group(3))
    m = re.search(r"Socket errors:\s*connect\s+(\d+),\s*read\s+(\d+),\s*write\s+(\d+),\s*timeout\s+(\d+)", text)
    if m:
        r["err_connect"], r["err_read"], r["err_write"], r["err_timeout"] = (int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if m:
        r["non2xx"] = int(m.group(1))
    # Requests/sec is wrk's own requests/duration; fall back to it if the line was lost.
    if r["rps"] is None and r["requests"] is not None and r["duration_s"]:
        r["rps"] = r["requests"] / r["duration_s"]
    return r


def fmt(v):
    if v is None:
        return "NA"
    if isinstance(v, float):
        return ("%.3f" % v).rstrip("0").rstrip(".")
    return str(v)


SAMPLE_OK = """Running 10s test @ http://127.0.0.1:18081/small
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   187.21us   62.05us   4.16ms   93.48%
    Req/Sec    42.77k     1.92k   46.13k    72.28%
  Latency Distribution
     50%  177.00us
     75%  194.00us
     90%  221.00us
     99%  385.00us
  429688 requests in 10.10s, 95.08MB read
Requests/sec:  42543.86
Transfer/sec:      9.41MB
"""

SAMPLE_ERR = """Running 3s test @ http://127.0.0.1:18082/64k
  2 threads and 256 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    45.10ms   12.30ms   1.20s    88.00%
    Req/Sec     1.10M   200.00k    1.50M    66.00%
  Latency Distribution
     50%   40.50ms
     75%   50.00ms
     90%   70.25ms
     99%    1.02s
  6543 requests in 3.00s, 1.2GB read
  Socket errors: connect 0, read 12, write 3, timeout 7
  Non-2xx or 3xx responses: 42
Requests/sec:   2181.00
Transfer/sec:    409.60MB
"""

SAMPLE_DEAD = """Running 3s test @ http://127.0.0.1:1/small
  1 threads and 8 connections
unable to connect to 127.0.0.1:1 Connection refused
"""


def self_test():
    ok = parse(SAMPLE_OK)
    assert ok["rps"] == 42543.86, ok
    assert ok["p50_us"] == 177.0 and ok["p99_us"] == 385.0, ok
    assert ok["avg_us"] == 187.21 and abs(ok["max_us"] - 4160.0) < 1e-6, ok
    assert ok["requests"] == 429688 and ok["duration_s"] == 10.1, ok
    assert abs(ok["read_bytes"] - 95.08 * 1048576) < 1, ok
    assert ok["non2xx"] == 0 and ok["err_read"] == 0, ok
    e = parse(SAMPLE_ERR)
    assert e["p50_us"] == 40500.0 and e["p99_us"] == 1020000.0, e
    assert e["max_us"] == 1200000.0, e
    assert e["non2xx"] == 42, e
    assert (e["err_connect"], e["err_read"], e["err_write"], e["err_timeout"]) == (0, 12, 3, 7), e
    assert abs(e["read_bytes"] - 1.2 * (1 << 30)) < 1, e
    d = parse(SAMPLE_DEAD)
    assert d["rps"] is None, d
    assert metric("30.00k") == 30000 and metric("1.5M") == 1.5e6 and metric("12") == 12
    assert time_us("1.00m") == 60e6 and time_us("2s") == 2e6
    print("wrkparse self-test: 3 passed, 0 failed")


def main(argv):
    if len(argv) == 2 and argv[1] == "--header":
        print("\t".join(FIELDS))
        return 0
    if len(argv) == 2 and argv[1] == "--self-test":
        self_test()
        return 0
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as fh:
        r = parse(fh.read())
    print("\t".join(fmt(r[k]) for k in FIELDS))
    return 0 if r["rps"] is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
