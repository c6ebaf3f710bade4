#!/usr/bin/env bash
# Slow-client abuse: slowhttptest's slowloris (-H), slow body (-B) and slow read (-X) against Sluice and nginx,
# each a reverse proxy with the same client timeouts in front of one static nginx upstream. While each attack runs,
# a probe fetches a small page every 0.25 s (is the proxy still available, and how fast?) and the proxy's RSS is
# sampled every 0.5 s. One contender at a time, each started afresh per attack. See benchmarks/abuse/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

usage() {
  cat <<'EOF'
Usage: benchmarks/abuse/run.sh [options]

  --attacks "A..."     any of slowloris slowbody slowread       [ATTACKS, default all three]
  --contenders "P..."  any of nginx sluice                      [CONTENDERS, default "nginx sluice"]
  --conns N            attack connections                       [CONNS, default 1000]
  --rate N             new attack connections per second        [RATE, default 200]
  --length SECS        attack length                            [LENGTH, default 60]
  --second-wave        halfway through, a second wave of N connections for the rest;
                       its cost per connection is measured from the plateau before it
                       to the one at the end, past the attack path's first-time costs
                       (the JIT's work on it, allocator growth)    [SECOND_WAVE=1]
  --jar PATH           the Sluice jar  [SLUICE_JAR, default <repo>/lib/cli/target/sluice.jar]
  --out DIR            results directory [OUT_DIR, default benchmarks/abuse/results/<timestamp>]
  --quick              conns 200, length 20
  -h, --help           this text

Both proxies: one worker, client_header_timeout, client_body_timeout and send_timeout 60s (nginx's defaults and
Sluice's), proxy_buffering on with nginx's default buffers, no temporary file for responses (nginx:
proxy_max_temp_file_size 0, the model Sluice has), access log off. Sluice runs with SLUICE_JVM_OPTS (default the
memory run's "-XX:+UseSerialGC -Xms64m -Xmx64m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=512m").
Exit status: 0 done (the figures say how each fared); 1 a setup failure.
EOF
}

die() { echo "abuse/run.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*"; }

ATTACKS="${ATTACKS:-slowloris slowbody slowread}"
CONTENDERS="${CONTENDERS:-nginx sluice}"
CONNS="${CONNS:-1000}"
RATE="${RATE:-200}"
LENGTH="${LENGTH:-60}"
SECOND_WAVE="${SECOND_WAVE:-0}"
SLUICE_JAR="${SLUICE_JAR:-$REPO_ROOT/lib/cli/target/sluice.jar}"
SLUICE_JVM_OPTS="${SLUICE_JVM_OPTS:--XX:+UseSerialGC -Xms64m -Xmx64m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=512m}"
OUT_DIR="${OUT_DIR:-$SCRIPT_DIR/results/$(date +%Y%m%d-%H%M%S)}"
while (( $# )); do
  case "$1" in
    --attacks) ATTACKS="${2:?}"; shift ;;
    --contenders) CONTENDERS="${2:?}"; shift ;;
    --conns) CONNS="${2:?}"; shift ;;
    --rate) RATE="${2:?}"; shift ;;
    --length) LENGTH="${2:?}"; shift ;;
    --jar) SLUICE_JAR="${2:?}"; shift ;;
    --out) OUT_DIR="${2:?}"; shift ;;
    --second-wave) SECOND_WAVE=1 ;;
    --quick) CONNS=200; LENGTH=20 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done
for a in $ATTACKS; do [[ $a =~ ^(slowloris|slowbody|slowread)$ ]] || die "unknown attack '$a'"; done
for c in $CONTENDERS; do [[ $c =~ ^(nginx|sluice)$ ]] || die "unknown contender '$c'"; done
[[ $CONNS =~ ^[0-9]+$ && $RATE =~ ^[0-9]+$ && $LENGTH =~ ^[0-9]+$ ]] || die "--conns, --rate and --length take numbers"

# Tools: installed here when missing and we are root.
missing=()
for t in nginx slowhttptest curl python3; do command -v "$t" >/dev/null || missing+=("$t"); done
if (( ${#missing[@]} )); then
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; install them (apt-get install ${missing[*]})"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null || die "apt-get install failed"
fi
if [[ " $CONTENDERS " == *" sluice "* && ! -f $SLUICE_JAR ]]; then
  log "building Sluice"
  (cd "$REPO_ROOT" && mvn -q -B -DskipTests package) || die "build failed"
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

mkdir -p "$OUT_DIR/logs"
TMP="$(mktemp -d /tmp/sluice-abuse.XXXXXX)"
PIDS=()
stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  for pid in $(pgrep -f -- "$TMP/" 2>/dev/null || true); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT INT TERM
start_bg() { local logf="$1"; shift; "$@" >"$logf" 2>&1 </dev/null & LAST_PID=$!; PIDS+=("$LAST_PID"); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {
  local end=$((SECONDS + $3))
  while (( SECONDS < end )); do
    kill -0 "$2" 2>/dev/null || return 1
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1")" == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}
ROOT_USER=""; [[ $(id -u) == 0 ]] && ROOT_USER="user root;"

# The upstream: a private nginx serving a small page and a 1 MiB file.
UP="$TMP/upstream"; mkdir -p "$UP/www"
UPORT="$(free_port)"
printf 'ok\n' >"$UP/www/small"
head -c 1048576 /dev/zero | tr '\0' 'x' >"$UP/www/1m"
cat >"$UP/nginx.conf" <<EOF
$ROOT_USER
worker_processes 1;
pid $UP/nginx.pid;
error_log $UP/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 100000;
  server { listen 127.0.0.1:$UPORT; root $UP/www; location / { } }
}
EOF
start_bg "$OUT_DIR/logs/upstream.log" nginx -p "$UP/" -c "$UP/nginx.conf" -g 'daemon off;'
wait_http "http://127.0.0.1:$UPORT/small" "$LAST_PID" 15 || die "the upstream nginx did not start"

PX_PID=""
start_nginx() { # PORT
  local d="$TMP/nginx-proxy"; mkdir -p "$d/tmp"
  cat >"$d/nginx.conf" <<EOF
$ROOT_USER
worker_processes 1;
worker_rlimit_nofile 65536;
pid $d/nginx.pid;
error_log $d/error.log error;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $d/tmp; proxy_temp_path $d/tmp;
  proxy_max_temp_file_size 0;
  upstream backend { server 127.0.0.1:$UPORT; keepalive 32; }
  server {
    listen 127.0.0.1:$1 backlog=4096;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
  start_bg "$OUT_DIR/logs/nginx-$ATTACK.log" nginx -p "$d/" -c "$d/nginx.conf" -g 'daemon off;'
  PX_PID=$LAST_PID
}
start_sluice() { # PORT
  local -a jvm; read -r -a jvm <<<"$SLUICE_JVM_OPTS"
  start_bg "$OUT_DIR/logs/sluice-$ATTACK.log" java "${jvm[@]}" -jar "$SLUICE_JAR" --listen "127.0.0.1:$1" \
    --worker-processes 1 --server "127.0.0.1:$UPORT" --upstream-keepalive 32 --access-log off
  PX_PID=$LAST_PID
}

# RSS of a process and its children, KiB.
rss() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    total=$(( total + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

printf 'attack\tcontender\tidle_rss_kib\tpeak_rss_kib\tend_rss_kib\twave2_kib_per_conn\tprobes\tprobes_failed\tprobe_p50_s\tprobe_p99_s\tprobe_max_s\tattack_connected_max\n' \
  >"$OUT_DIR/summary.tsv"
for ATTACK in $ATTACKS; do
  for C in $CONTENDERS; do
    PORT="$(free_port)"
    "start_$C" "$PORT"
    wait_http "http://127.0.0.1:$PORT/small" "$PX_PID" 60 || die "$C did not start (log $OUT_DIR/logs/$C-$ATTACK.log)"
    sleep 2
    idle="$(rss "$PX_PID")"
    case "$ATTACK" in
      slowloris) mode=(-H -i 10 -s 8192) ;;
      slowbody) mode=(-B -i 10 -s 8192) ;;
      slowread) mode=(-X -k 3 -n 1 -w 512 -y 1024 -z 32) ;;
    esac
    url="http://127.0.0.1:$PORT/small"; [[ $ATTACK == slowread ]] && url="http://127.0.0.1:$PORT/1m"
    log "$ATTACK against $C: $CONNS connections at $RATE/s for ${LENGTH}s (idle RSS $((idle / 1024)) MiB)"
    prefix="$OUT_DIR/logs/$ATTACK-$C"
    start_bg "$prefix.slowhttptest.log" slowhttptest "${mode[@]}" -c "$CONNS" -r "$RATE" -l "$LENGTH" -u "$url" \
      -p 5 -g -o "$prefix"
    ATTACK_PID=$LAST_PID
    WAVE2_PID=""
    : >"$prefix.probes" ; : >"$prefix.rss"; rm -f "$prefix.wave2-at"
    start=$SECONDS; end=$((SECONDS + LENGTH + 5)); next_rss=0
    while (( SECONDS < end )) && kill -0 "$ATTACK_PID" 2>/dev/null; do
      curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$PORT/small" \
        >>"$prefix.probes" 2>/dev/null || echo "000 5" >>"$prefix.probes"
      if (( SECONDS >= next_rss )); then rss "$PX_PID" >>"$prefix.rss"; next_rss=$SECONDS; fi
      if [[ $SECOND_WAVE == 1 && -z $WAVE2_PID ]] && (( SECONDS - start >= LENGTH / 2 )); then
        wc -l <"$prefix.rss" >"$prefix.wave2-at"
        log "$ATTACK against $C: a second wave of $CONNS connections for $((LENGTH / 2))s"
        start_bg "$prefix.wave2.slowhttptest.log" slowhttptest "${mode[@]}" -c "$CONNS" -r "$RATE" \
          -l "$((LENGTH / 2))" -u "$url" -p 5 -g -o "$prefix.wave2"
        WAVE2_PID=$LAST_PID
      fi
      sleep 0.25
    done
    stop_pid "$ATTACK_PID"
    [[ -z $WAVE2_PID ]] || stop_pid "$WAVE2_PID"
    stop_pid "$PX_PID"
    python3 - "$ATTACK" "$C" "$idle" "$prefix" "$CONNS" >>"$OUT_DIR/summary.tsv" <<'PY'
import csv, sys
attack, contender, idle, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
probes = [l.split() for l in open(prefix + ".probes") if l.strip()]
times = sorted(float(t) for _, t in probes)
failed = sum(1 for code, _ in probes if code != "200")
rss = [int(x) for x in open(prefix + ".rss") if x.strip()] or [0]
connected = 0
try:
    with open(prefix + ".csv") as fh:
        for row in csv.DictReader(fh):
            connected = max(connected, int(row.get("Connected", 0) or 0))
except OSError:
    pass
q = lambda p: times[min(len(times) - 1, int(p * len(times)))] if times else float("nan")
# With a second wave: what its connections added, from the plateau before it (the median of the 5 samples before
# it started) to the plateau at the end (the median of the last 5), per connection of the wave.
wave2 = "-"
try:
    at = int(open(prefix + ".wave2-at").read())
    median = lambda xs: sorted(xs)[len(xs) // 2]
    wave2 = "%.1f" % ((median(rss[-5:]) - median(rss[max(0, at - 5):at])) / int(sys.argv[5]))
except (OSError, ValueError, IndexError):
    pass
print("\t".join(map(str, [attack, contender, idle, max(rss), rss[-1], wave2, len(probes), failed,
                         "%.3f" % q(0.5), "%.3f" % q(0.99), "%.3f" % (times[-1] if times else float("nan")), connected])))
PY
  done
done
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); cpu: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo) ($(nproc) cores)"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'); slowhttptest: $(slowhttptest -h 2>&1 | grep -o 'version [0-9.]*')"
  echo "sluice: $SLUICE_JAR ($(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')); JVM flags: $SLUICE_JVM_OPTS"
  echo "attack: $CONNS connections at $RATE/s for ${LENGTH}s"
  echo
  column -t -s $'\t' "$OUT_DIR/summary.tsv"
} | tee "$OUT_DIR/summary.txt"
