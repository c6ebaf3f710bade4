#!/usr/bin/env bash
# Regenerates the nginx ground-truth balancing vectors in
# lib/core/src/test/resources/nginx-vectors/ by running a REAL nginx.
#
# Requirements: a fresh Debian machine after
#     apt-get install -y nginx curl
# (python3 must be present; it is on a standard Debian install). No internet access
# is needed; only loopback addresses (127.0.0.0/8) are used.
#
# Usage:
#     lib/core/src/test/nginx/generate-vectors.sh [OUTPUT_DIR]
# Environment:
#     NGINX   nginx binary to use (default: nginx from PATH, else /usr/sbin/nginx)
#
# What it does:
#   1. writes a private nginx configuration into a mktemp directory (own prefix, pid file,
#      error log, temp paths; worker_processes 1; listens only on 127.0.0.1 high ports):
#        - identity servers on 127.0.0.1:19001..19006 answering 200 with their own port,
#        - one upstream{} block and one proxy server (own listen port, own access log that
#          records $remote_addr, $request_uri and $upstream_addr) per test case;
#   2. starts nginx ("daemon off") as a background job, waits until it answers on a
#      health port (never on a proxy port, so no balancer state is touched);
#   3. drives the requests with a small python3 http.client program (keep-alive to the
#      proxy; for ip_hash each client connects from its own 127.A.B.C source address);
#   4. stops nginx gracefully, reads the access logs, cross-checks them against the response
#      bodies and writes one vector file per case plus README.md.
# Every nginx started here is stopped by the EXIT trap; every wait loop is bounded.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="${1:-$SCRIPT_DIR/../resources/nginx-vectors}"
NGINX="${NGINX:-$(command -v nginx || true)}"
if [[ -z "$NGINX" && -x /usr/sbin/nginx ]]; then NGINX=/usr/sbin/nginx; fi
if [[ -z "$NGINX" ]]; then echo "nginx not found (apt-get install -y nginx curl)" >&2; exit 1; fi
command -v curl >/dev/null || { echo "curl not found (apt-get install -y curl)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 not found" >&2; exit 1; }

HEALTH_PORT=19099
START_TIME=$(date +%s)

WORK="$(mktemp -d -t sluice-nginx-vectors.XXXXXX)"
# nginx workers drop privileges when started as root; let them traverse the prefix.
chmod 755 "$WORK"
mkdir -p "$WORK/conf" "$WORK/logs" "$WORK/tmp"
NGINX_PID=""

stop_nginx() {
    local pid="$1" i
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -QUIT "$pid" 2>/dev/null || true                 # graceful: flush and exit
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true             # fast shutdown
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    if kill -0 "$pid" 2>/dev/null; then
        local kids
        kids="$(pgrep -P "$pid" || true)"
        kill -KILL "$pid" $kids 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    stop_nginx "$NGINX_PID"
    NGINX_PID=""
    if [[ $rc -ne 0 && -f "$WORK/logs/error.log" ]]; then
        echo "--- nginx error log (last 20 lines) ---" >&2
        tail -n 20 "$WORK/logs/error.log" >&2 || true
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NGINX_VERSION="$("$NGINX" -v 2>&1 | sed -n 's|^nginx version: nginx/||p')"
PKG_VERSION="$(dpkg-query -W -f='${Version}' nginx 2>/dev/null || true)"
echo "Using nginx $NGINX_VERSION ($NGINX${PKG_VERSION:+, Debian package $PKG_VERSION})"

# ----------------------------------------------------------------------------------------------
# The python helper: case definitions, nginx.conf generation, request driver, vector writer.
# ----------------------------------------------------------------------------------------------
cat >"$WORK/vectors.py" <<'PY'
import datetime, http.client, json, os, sys

IDENTITY_PORTS = range(19001, 19007)
FIRST_PROXY_PORT = 19101
RR_PICKS = 120

def servers(*specs):
    """spec: (port, params) -> (address, params text exactly as in the nginx server line)."""
    return [("127.0.0.1:%d" % port, params) for port, params in specs]

def weighted(*weights):
    return servers(*[(19001 + i, "" if w == 1 else "weight=%d" % w) for i, w in enumerate(weights)])

def plain(n, down=()):
    return servers(*[(19001 + i, "down" if i in down else "") for i in range(n)])

# ---------------------------------------------------------------- deterministic generators
class Lcg:
    """64-bit LCG (Knuth MMIX constants); deterministic on every platform."""
    def __init__(self, seed):
        self.s = seed & (2**64 - 1)
    def next(self, n):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        return (self.s >> 33) % n
    def pick(self, seq):
        return seq[self.next(len(seq))]

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PCHAR = ALNUM + "-._~!$&'()*+,;=:@"
WORDS = ["alpha", "beta", "cafe", "naive", "photo", "user", "orders", "index", "x", "Q", "zz9",
         "data", "v", "item", "search", "long-name_with.dots", "tilde~", "plus+sign"]
PCT = ["%20", "%2F", "%C3%A9", "%E2%82%AC", "%7E", "%25", "%3F", "%F0%9F%98%80", "%41"]

def rand_segment(r, maxlen):
    while True:
        n = 1 + r.next(maxlen)
        seg = "".join(r.pick(PCHAR) for _ in range(n))
        if r.next(4) == 0:
            seg += r.pick(PCT)
        if seg not in (".", ".."):
            return seg

def rand_query(r):
    parts = []
    for _ in range(1 + r.next(4)):
        k = r.pick(WORDS)
        v = "".join(r.pick(ALNUM + "-._~+,:@/?") for _ in range(r.next(12)))
        parts.append(k + ("=" + v if r.next(5) else ""))
    return "&".join(parts)

def hash_keys():
    """2,000 distinct request URIs: /k/0 ../k/999 and 1,000 varied ones."""
    keys = ["/k/%d" % i for i in range(1000)]
    seen = set(keys)
    r = Lcg(20240601)
    fixed = ["/", "/a", "/?", "/index.html", "/k/", "/K/0", "/k/0?", "/k/0/", "//k//0", "/k/00"]
    varied = []
    for k in fixed:
        if k not in seen:
            seen.add(k); varied.append(k)
    attempts = 0
    while len(varied) < 1000 and attempts < 100000:
        attempts += 1
        t = r.next(10)
        if t == 0:
            u = "/img/photo-%d.jpg?size=%d" % (r.next(5000), r.next(10))
        elif t == 1:
            u = "/api/v%d/users/%d/orders?page=%d&sort=%s" % (1 + r.next(3), r.next(100000),
                                                               r.next(50), r.pick(["asc", "desc"]))
        elif t == 2:
            u = "/static/%s.%s" % ("".join(r.pick("0123456789abcdef") for _ in range(8 + r.next(33))),
                                   r.pick(["css", "js", "png", "woff2", "svg"]))
        elif t == 3:
            u = "/search?q=%s+%s&lang=%s" % (r.pick(WORDS), r.pick(WORDS), r.pick(["en", "de", "fr", "zh-CN"]))
        elif t == 4:
            u = "/%%7Euser%d/%s" % (r.next(1000), r.pick(["", "index.html", "caf%C3%A9", "a%20b"]))
        elif t == 5:  # long paths (a few hundred characters)
            u = "/long/" + "/".join(rand_segment(r, 40) for _ in range(3 + r.next(12)))
        elif t == 6:
            u = "/" + "/".join(rand_segment(r, 12) for _ in range(1 + r.next(6)))
            if r.next(2):
                u += "?" + rand_query(r)
        elif t == 7:
            u = "/%s" % rand_segment(r, 3)
        elif t == 8:
            u = "/k/%d?%s" % (r.next(2000), rand_query(r))
        else:
            u = "/%s/%s-%d%s" % (r.pick(WORDS), r.pick(WORDS), r.next(10**9),
                                 r.pick(["", "/", ".html", ";jsessionid=ABC123", "?", "?a=1&a=2"]))
        if u not in seen:
            seen.add(u); varied.append(u)
    assert len(varied) == 1000, len(varied)
    return keys + varied

def ip_clients():
    """>= 360 distinct /24 client networks 127.A.B.C, a few networks with two clients."""
    r = Lcg(127001)
    clients, nets = [], set()
    def add(ip):
        clients.append(ip); nets.add(ip.rsplit(".", 1)[0])
    for ip in ["127.0.0.1", "127.0.0.2", "127.0.1.1", "127.1.0.1", "127.0.255.1", "127.255.0.1",
               "127.255.255.254", "127.1.1.1", "127.2.3.4", "127.100.200.50"]:
        add(ip)
    attempts = 0
    while len(nets) < 360 and attempts < 100000:
        attempts += 1
        a, b, c = r.next(256), r.next(256), 1 + r.next(254)
        if "127.%d.%d" % (a, b) in nets:
            continue
        add("127.%d.%d.%d" % (a, b, c))
    assert len(nets) == 360
    # pairs sharing the first three octets (ip_hash must map them to the same server)
    for ip in list(clients[3::17]):
        a_b_c, last = ip.rsplit(".", 1)
        other = "%s.%d" % (a_b_c, 200 if last != "200" else 100)
        if other not in clients:
            clients.append(other)
    assert len(set(clients)) == len(clients)
    return clients

# ---------------------------------------------------------------- the cases
def build_cases():
    cases = []
    def add(name, method, srv, description):
        cases.append({"name": name, "method": method, "servers": srv, "description": description})
    rr = "round robin (default balancer)"
    add("rr_1_1_1", "round_robin", weighted(1, 1, 1), rr)
    add("rr_5_1_1", "round_robin", weighted(5, 1, 1), rr)
    add("rr_3_2_1", "round_robin", weighted(3, 2, 1), rr)
    add("rr_10_1", "round_robin", weighted(10, 1), rr)
    add("rr_2_2_1", "round_robin", weighted(2, 2, 1), rr)
    add("rr_1_2_3_4", "round_robin", weighted(1, 2, 3, 4), rr)
    add("rr_3_1down_2", "round_robin",
        servers((19001, "weight=3"), (19002, "down"), (19003, "weight=2")), rr + ", middle peer down")
    add("rr_1down_2_1", "round_robin",
        servers((19001, "down"), (19002, "weight=2"), (19003, "")), rr + ", first peer down")
    add("rr_5_1_3_1_2_4", "round_robin", weighted(5, 1, 3, 1, 2, 4), rr)
    add("rr_1_1_1_1_1_1", "round_robin", weighted(1, 1, 1, 1, 1, 1), rr)
    for kind, method in (("hash", "hash"), ("chash", "hash_consistent")):
        d = "hash $request_uri" + (" consistent" if kind == "chash" else "")
        add(kind + "_3", method, plain(3), d)
        add(kind + "_4", method, plain(4), d)
        add(kind + "_5", method, plain(5), d)
        add(kind + "_w123", method, weighted(1, 2, 3), d)
        add(kind + "_5_down3", method, plain(5, down=(2,)), d + ", third server down")
    d = "ip_hash"
    add("ip_hash_3", "ip_hash", plain(3), d)
    add("ip_hash_4", "ip_hash", plain(4), d)
    add("ip_hash_5", "ip_hash", plain(5), d)
    add("ip_hash_w123", "ip_hash", weighted(1, 2, 3), d)
    add("ip_hash_5_down3", "ip_hash", plain(5, down=(2,)), d + ", third server down")
    for i, c in enumerate(cases):
        c["port"] = FIRST_PROXY_PORT + i
        c["upstream"] = "up_" + c["name"]
    return cases

BALANCER_DIRECTIVE = {"round_robin": None, "hash": "hash $request_uri;",
                      "hash_consistent": "hash $request_uri consistent;", "ip_hash": "ip_hash;"}

def upstream_block(c):
    lines = ["upstream %s {" % c["upstream"]]
    if BALANCER_DIRECTIVE[c["method"]]:
        lines.append("    " + BALANCER_DIRECTIVE[c["method"]])
    for addr, params in c["servers"]:
        lines.append("    server %s%s;" % (addr, " " + params if params else ""))
    lines.append("}")
    return lines

# ---------------------------------------------------------------- commands
def cmd_config(work, health_port):
    cases = build_cases()
    w = work.rstrip("/")
    conf = [
        "# generated by generate-vectors.sh",
        "worker_processes 1;",
        "daemon off;",
        "master_process on;",
        "pid %s/nginx.pid;" % w,
        "error_log %s/logs/error.log notice;" % w,
        "events { worker_connections 1024; }",
        "http {",
        "    access_log off;",
        "    default_type text/plain;",
        "    keepalive_requests 100000;",
        "    keepalive_timeout 120s;",
        "    client_body_temp_path %s/tmp/body;" % w,
        "    proxy_temp_path %s/tmp/proxy;" % w,
        "    fastcgi_temp_path %s/tmp/fastcgi;" % w,
        "    uwsgi_temp_path %s/tmp/uwsgi;" % w,
        "    scgi_temp_path %s/tmp/scgi;" % w,
        "    large_client_header_buffers 4 16k;",
        "    log_format vectors '$remote_addr\\t$request_uri\\t$upstream_addr\\t$upstream_status\\t$status';",
        "",
        "    # identity servers: answer 200 with their own port",
    ]
    for p in IDENTITY_PORTS:
        conf.append("    server { listen 127.0.0.1:%d; location / { return 200 \"$server_port\"; } }" % p)
    conf.append("    server { listen 127.0.0.1:%d; location / { return 200 \"ok\"; } }" % health_port)
    conf.append("")
    for c in cases:
        conf += ["    " + l for l in upstream_block(c)]
        conf += ["    server {",
                 "        listen 127.0.0.1:%d;" % c["port"],
                 "        access_log %s/logs/%s.log vectors;" % (w, c["name"]),
                 "        location / { proxy_pass http://%s; }" % c["upstream"],
                 "    }", ""]
    conf.append("}")
    with open(os.path.join(work, "conf", "nginx.conf"), "w") as f:
        f.write("\n".join(conf) + "\n")
    with open(os.path.join(work, "cases.json"), "w") as f:
        json.dump(cases, f)

def fetch(conn, uri):
    conn.request("GET", uri)
    resp = conn.getresponse()
    body = resp.read().decode("ascii")
    if resp.status != 200:
        raise SystemExit("unexpected status %d for %s" % (resp.status, uri))
    return body

def cmd_drive(work):
    with open(os.path.join(work, "cases.json")) as f:
        cases = json.load(f)
    keys, clients = hash_keys(), ip_clients()
    results = {}
    for c in cases:
        obs = []
        if c["method"] == "round_robin":
            conn = http.client.HTTPConnection("127.0.0.1", c["port"], timeout=10)
            for i in range(RR_PICKS):
                uri = "/rr/%d" % i
                obs.append(["127.0.0.1", uri, fetch(conn, uri)])
            conn.close()
        elif c["method"] in ("hash", "hash_consistent"):
            conn = http.client.HTTPConnection("127.0.0.1", c["port"], timeout=10)
            for uri in keys:
                obs.append(["127.0.0.1", uri, fetch(conn, uri)])
            conn.close()
        else:  # ip_hash: one connection per client, bound to the client's source address
            for ip in clients:
                conn = http.client.HTTPConnection("127.0.0.1", c["port"], timeout=10,
                                                  source_address=(ip, 0))
                for i in range(2):   # twice: the pick must not depend on anything but the address
                    obs.append([ip, "/ip/%d" % i, fetch(conn, "/ip/%d" % i)])
                conn.close()
        results[c["name"]] = obs
        print("  %-18s %5d requests" % (c["name"], len(obs)), flush=True)
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f)

FORMAT_DOC = {
    "round_robin": "# data: 'pick <index>' = one line per request, in request order, starting from a freshly\n"
                   "#       started nginx (this upstream received no other request)",
    "hash": "# data: 'key <request_uri><TAB><index>' = the $request_uri sent and the server it went to",
    "hash_consistent": "# data: 'key <request_uri><TAB><index>' = the $request_uri sent and the server it went to",
    "ip_hash": "# data: 'client <IPv4 source address><TAB><index>' = the client address nginx saw and the\n"
               "#       server it went to (each client sent 2 requests on one connection; both agreed)",
}

def cmd_write(work, out_dir, nginx_version):
    with open(os.path.join(work, "cases.json")) as f:
        cases = json.load(f)
    with open(os.path.join(work, "results.json")) as f:
        results = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".txt"):
            os.remove(os.path.join(out_dir, old))
    summary = []
    for c in cases:
        addrs = [a for a, _ in c["servers"]]
        with open(os.path.join(work, "logs", c["name"] + ".log"), encoding="latin-1") as f:
            log = [l.rstrip("\n").split("\t") for l in f]
        obs = results[c["name"]]
        if len(log) != len(obs):
            raise SystemExit("%s: %d log lines, %d requests" % (c["name"], len(log), len(obs)))
        picks = []
        for (ip, uri, body), (raddr, ruri, uaddr, ustatus, status) in zip(obs, log):
            if (raddr, ruri) != (ip, uri):
                raise SystemExit("%s: log %r/%r != sent %r/%r" % (c["name"], raddr, ruri, ip, uri))
            if status != "200" or ustatus != "200" or "," in uaddr or ":" not in uaddr:
                raise SystemExit("%s: unexpected log line %r" % (c["name"], (raddr, ruri, uaddr, ustatus, status)))
            if uaddr not in addrs:
                raise SystemExit("%s: upstream %s not in server list" % (c["name"], uaddr))
            if uaddr != "127.0.0.1:" + body:
                raise SystemExit("%s: $upstream_addr %s but body %r" % (c["name"], uaddr, body))
            picks.append((ip, uri, addrs.index(uaddr)))
        for (addr, params), i in zip(c["servers"], range(len(addrs))):
            if "down" in params.split() and any(p[2] == i for p in picks):
                raise SystemExit("%s: a down server was picked" % c["name"])
        lines = ["# Sluice ground-truth balancing vector '%s', observed on a real nginx/%s" % (c["name"], nginx_version),
                 "# (regenerate with lib/core/src/test/nginx/generate-vectors.sh; see README.md)",
                 "# balancer: %s; worker_processes 1; no keepalive; every server up and answering" % c["description"],
                 "# nginx configuration:"]
        lines += ["#   " + l for l in upstream_block(c)]
        lines.append(FORMAT_DOC[c["method"]])
        lines.append("method " + c["method"])
        for addr, params in c["servers"]:
            lines.append("server %s%s" % (addr, " " + params if params else ""))
        if c["method"] == "round_robin":
            lines += ["pick %d" % p for _, _, p in picks]
            n = len(picks)
        elif c["method"] == "ip_hash":
            per_client = {}
            for ip, _, p in picks:
                if per_client.setdefault(ip, p) != p:
                    raise SystemExit("%s: client %s got different servers" % (c["name"], ip))
            lines += ["client %s\t%d" % (ip, p) for ip, p in per_client.items()]
            n = len(per_client)
        else:
            lines += ["key %s\t%d" % (uri, p) for _, uri, p in picks]
            n = len(picks)
        with open(os.path.join(out_dir, c["name"] + ".txt"), "w", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
        data = [p for _, _, p in picks] if c["method"] != "ip_hash" else list(per_client.values())
        counts = [data.count(i) for i in range(len(addrs))]
        summary.append((c["name"], n, counts))
        print("  %-18s %5d vectors  per server %s" % (c["name"], n, counts))
    return cases, summary

README = """# nginx ground-truth balancing vectors

Every `*.txt` file in this directory records what a **real nginx** did for one upstream
configuration: which server each request was sent to. Sluice's balancers must reproduce these
picks exactly (round robin, `hash $request_uri`, `hash $request_uri consistent`, `ip_hash`).

Generated with **nginx/{version}**{pkg} on {date} by
`lib/core/src/test/nginx/generate-vectors.sh`.

## How they were produced

* A private nginx (own prefix under a temporary directory, `worker_processes 1`, listening only on
  127.0.0.1) with identity servers on `127.0.0.1:19001..19006` that answer `200` with their own
  port. All of them are up for the whole run; a `down` server exists only as the `down` flag in
  the configuration, so no failure ever disturbs the balancer state.
* One `upstream {{}}` block and one proxy server (own listen port) per file; each upstream block
  receives only the requests of its own file. No `keepalive`, default `proxy_next_upstream`.
* The chosen server is taken from `$upstream_addr` in the proxy's access log and cross-checked
  against the response body (the identity server's port); every request was answered `200` by
  exactly one upstream server (no retries).
* Round robin: {rr_picks} requests per file, sent sequentially to a freshly started nginx, so the
  weighted round-robin state starts at zero.
* Hash: the same {nkeys} request URIs for every hash / consistent-hash file (`/k/0`..`/k/999` plus
  1,000 varied URIs from a fixed-seed generator: query strings, percent-encoding, `;`, `~`, `'`,
  long paths, ...). The key is `$request_uri`, i.e. the URI exactly as sent (with the query).
* ip_hash: {nclients} clients, each connecting from its own source address `127.A.B.C`
  ({nnets} distinct `/24` networks; {npairs} networks appear with two different last octets, e.g.
  `127.0.0.1` and `127.0.0.2`, and map to the same server). Each client sent two requests on one connection.

## Format

Plain text, UTF-8 (in fact ASCII), `\\n` line endings, parseable without a library:

```
# comment lines start with '#' (only at the top of the file)
method round_robin              one of: round_robin | hash | hash_consistent | ip_hash
server 127.0.0.1:19001 weight=5 one line per server, in configuration order; the text after the
server 127.0.0.1:19002          address is the parameter list exactly as written in the nginx
server 127.0.0.1:19003 down     `server` line (weight=N, down); no parameters means weight 1
pick 0                          round_robin: one line per request, in request order
key /k/0<TAB>0                  hash, hash_consistent: $request_uri, TAB, server index
client 127.0.0.1<TAB>0          ip_hash: client IPv4 address, TAB, server index
```

There are no blank lines. The index is the 0-based position of the chosen server in the file's
`server` list. Keys and addresses never contain spaces or TABs; split a data line at the first
space and at the last TAB. For `hash_consistent` note that nginx hashes the server *text*
(`127.0.0.1:19001`), so the `server` lines must be used verbatim.

## Files

| file | method | servers | vectors | vectors per server |
|---|---|---|---|---|
{table}

## Regenerate

On a Debian machine (no internet needed beyond the Debian package mirror):

```
apt-get install -y nginx curl
lib/core/src/test/nginx/generate-vectors.sh            # writes into this directory
```

The script prints the nginx version it used, stops nginx on exit and removes its temporary
directory. It takes well under a minute.
"""

def cmd_finish(work, out_dir, nginx_version, pkg_version):
    cases, summary = cmd_write(work, out_dir, nginx_version)
    keys, clients = hash_keys(), ip_clients()
    nets = {ip.rsplit(".", 1)[0] for ip in clients}
    by_name = {c["name"]: c for c in cases}
    rows = []
    for name, n, counts in summary:
        c = by_name[name]
        srv = ", ".join(a.rsplit(":", 1)[1] + (" " + p if p else "") for a, p in c["servers"])
        rows.append("| `%s.txt` | %s | %s | %d | %s |" % (name, c["method"], srv, n,
                                                          " / ".join(map(str, counts))))
    text = README.format(version=nginx_version,
                         pkg=" (Debian package %s)" % pkg_version if pkg_version else "",
                         date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
                         rr_picks=RR_PICKS, nkeys=len(keys), nclients=len(clients),
                         nnets=len(nets), npairs=len(clients) - len(nets), table="\n".join(rows))
    with open(os.path.join(out_dir, "README.md"), "w", newline="\n") as f:
        f.write(text)

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "config":
        cmd_config(sys.argv[2], int(sys.argv[3]))
    elif cmd == "drive":
        cmd_drive(sys.argv[2])
    elif cmd == "finish":
        cmd_finish(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        raise SystemExit("unknown command " + cmd)
PY

python3 "$WORK/vectors.py" config "$WORK" "$HEALTH_PORT"
"$NGINX" -t -q -p "$WORK/" -c "$WORK/conf/nginx.conf" -e "$WORK/logs/error.log"

# Start nginx ("daemon off" in the config) in the background; the EXIT trap stops it.
"$NGINX" -p "$WORK/" -c "$WORK/conf/nginx.conf" -e "$WORK/logs/error.log" &
NGINX_PID=$!

ready=""
for ((i = 0; i < 100; i++)); do
    if ! kill -0 "$NGINX_PID" 2>/dev/null; then echo "nginx exited during startup" >&2; exit 1; fi
    if [[ "$(curl -s --max-time 1 "http://127.0.0.1:$HEALTH_PORT/" || true)" == "ok" ]]; then
        ready=yes; break
    fi
    sleep 0.1
done
[[ -n "$ready" ]] || { echo "nginx did not become ready" >&2; exit 1; }
# sanity: the identity servers answer with their own port (direct requests, no balancer involved)
for port in 19001 19002 19003 19004 19005 19006; do
    body="$(curl -s --max-time 2 "http://127.0.0.1:$port/")"
    [[ "$body" == "$port" ]] || { echo "identity server $port answered '$body'" >&2; exit 1; }
done

echo "Driving requests:"
python3 "$WORK/vectors.py" drive "$WORK"

# Graceful stop so that every access log line is flushed before the logs are read.
stop_nginx "$NGINX_PID"
NGINX_PID=""
if grep -E '\[(alert|crit|emerg|error)\]' "$WORK/logs/error.log" >&2; then
    echo "nginx logged errors (see above)" >&2; exit 1
fi

echo "Writing vectors to $OUT_DIR:"
python3 "$WORK/vectors.py" finish "$WORK" "$OUT_DIR" "$NGINX_VERSION" "$PKG_VERSION"
echo "Done in $(( $(date +%s) - START_TIME ))s with nginx $NGINX_VERSION."
