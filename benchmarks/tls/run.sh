#!/usr/bin/env bash
# TLS load comparison: Sluice vs nginx vs HAProxy terminating client TLS, making new handshakes, and speaking
# TLS to the upstream. Same layout as benchmarks/load: wrk, openssl and the upstream nginx share core 0, the proxy
# under test has core 1 alone; contenders run one at a time, interleaved round by round, medians reported.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
LOAD_DIR="$REPO_ROOT/benchmarks/load"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

usage() {
  cat <<'EOF'
Usage: benchmarks/tls/run.sh [options]

Cells (each contender in each, median of the rounds):
  term-small, term-64k   clients speak TLS to the proxy over keep-alive connections (wrk, 64 connections);
                         the proxy speaks plain HTTP to the upstream (keepalive 32)
  hs-new, hs-reuse       new TLS handshakes per second, each followed by one small request (openssl s_time,
                         one connection at a time): full handshakes, then resumed sessions
  up-small, up-64k       plain clients (wrk, 64 connections); the proxy speaks TLS to the upstream (keepalive 32)
  idle                   the RSS the proxy adds per idle TLS keep-alive connection: IDLE_CONNS clients (default
                         2000, idleclients.py) make one request each and wait; KiB per connection, lower is better

Options:
  --quick               3 s per run, 1 round
  --duration SECS       seconds per run                          [DURATION, default 10]
  --rounds N            interleaved rounds                       [ROUNDS, default 3]
  --contenders "P..."   any of nginx haproxy sluice              [CONTENDERS, default all three]
  --cells "C..."        a subset of the cells above              [CELLS, default all]
  --jar PATH            the Sluice jar [SLUICE_JAR, default <repo>/lib/cli/target/sluice.jar]
  --provider conscrypt  run Sluice with Conscrypt (a JSSE provider over BoringSSL, fetched with Maven) installed
                        ahead of the JDK's providers, as an application would install it; default: the JDK's own
  --out DIR             results directory [default benchmarks/tls/results/<timestamp>]
  -h, --help            this text

Environment: SLUICE_JAVA (the java to run Sluice with, default java on PATH), SLUICE_JVM_OPTS (default
"-XX:+UseParallelGC -Xms512m -Xmx512m"), SLUICE_WARMUP (seconds of load before each Sluice measurement, default
60: under load the JIT goes on compiling the JDK's TLS code for about a minute, on the proxy's one core, and until
it is done the p99 is hundreds of milliseconds), LOAD_CPU / PROXY_CPU (0 / 1), KEEP_TMP=1 keeps the temporary directory.

Upstream keep-alive, as each proxy's users run it: nginx keepalive 32 (it keeps none unless told), HAProxy's
default (it keeps every idle server connection), Sluice's default (as many idle as were in use at once).
EOF
}

die() { echo "tls/run.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*"; }

QUICK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --duration) DURATION="${2:?}"; shift ;;
    --rounds) ROUNDS="${2:?}"; shift ;;
    --contenders) CONTENDERS="${2:?}"; shift ;;
    --cells) CELLS="${2:?}"; shift ;;
    --jar) SLUICE_JAR="${2:?}"; shift ;;
    --provider) PROVIDER="${2:?}"; shift ;;
    --out) OUT_DIR="${2:?}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then DURATION="${DURATION:-3}"; ROUNDS="${ROUNDS:-1}"; fi
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
CONTENDERS="${CONTENDERS:-nginx haproxy sluice}"
CELLS="${CELLS:-term-small term-64k hs-new hs-reuse idle up-small up-64k}"
IDLE_CONNS="${IDLE_CONNS:-2000}"
SLUICE_JAR="${SLUICE_JAR:-$REPO_ROOT/lib/cli/target/sluice.jar}"
SLUICE_JVM_OPTS="${SLUICE_JVM_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m}"
SLUICE_JAVA="${SLUICE_JAVA:-java}"
SLUICE_WARMUP="${SLUICE_WARMUP:-60}"
PROVIDER="${PROVIDER:-jdk}"
[[ $PROVIDER =~ ^(jdk|conscrypt)$ ]] || die "unknown provider '$PROVIDER' (jdk or conscrypt)"
LOAD_CPU="${LOAD_CPU:-0}"
PROXY_CPU="${PROXY_CPU:-1}"
for c in $CELLS; do [[ $c =~ ^(term-small|term-64k|hs-new|hs-reuse|idle|up-small|up-64k)$ ]] || die "unknown cell '$c'"; done
for p in $CONTENDERS; do [[ $p =~ ^(nginx|haproxy|sluice)$ ]] || die "unknown contender '$p'"; done
[[ $CONTENDERS != *sluice* || -f $SLUICE_JAR ]] || die "no Sluice jar at $SLUICE_JAR (mvn -q -DskipTests package)"

TMP="$(mktemp -d /tmp/sluice-tls.XXXXXX)"
# shellcheck source=../processes.sh
source "$REPO_ROOT/benchmarks/processes.sh"

for t in nginx haproxy wrk openssl curl taskset python3; do
  command -v "$t" >/dev/null || die "$t is missing (apt-get install -y nginx haproxy wrk openssl curl)"
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

OUT_DIR="${OUT_DIR:-$SCRIPT_DIR/results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT_DIR/logs" "$OUT_DIR/runs"
RAW="$OUT_DIR/raw.tsv"
printf 'round\tcell\tcontender\tvalue\tp99_us\terrors\n' >"$RAW"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo) (load on core $LOAD_CPU, proxy on core $PROXY_CPU)"
  echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'); haproxy: $(haproxy -v 2>&1 | head -1 | awk '{ print $3 }'); $(openssl version)"
  echo "java: $("$SLUICE_JAVA" -version 2>&1 | head -1); sluice: $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null); JVM flags: $SLUICE_JVM_OPTS"
  echo "Sluice's TLS provider: $PROVIDER"
  echo "settings: ${DURATION}s per run, $ROUNDS round(s), cells {$CELLS}; certificates ECDSA P-256; TLSv1.2 and TLSv1.3; Sluice warm-up ${SLUICE_WARMUP}s; upstream keep-alive: nginx 32, HAProxy and Sluice their defaults"
} | tee "$OUT_DIR/machine.txt"

# ---------------------------------------------------------------------------- Sluice's TLS provider
# With --provider conscrypt, Sluice runs with Conscrypt's jar on its class path and Conscrypt first in the JDK's
# provider list (the JDK's own providers shifted one place down), so that SSLContext.getInstance("TLS") is
# Conscrypt's: what an application does with Security.insertProviderAt(Conscrypt.newProvider(), 1).
SLUICE_LAUNCH=(-jar "$SLUICE_JAR")
if [[ $PROVIDER == conscrypt ]]; then
  command -v mvn >/dev/null || die "mvn is needed to fetch Conscrypt"
  mvn -q -B dependency:copy -Dartifact=org.conscrypt:conscrypt-openjdk-uber:2.5.2 -DoutputDirectory="$TMP/provider" \
    || die "could not fetch org.conscrypt:conscrypt-openjdk-uber:2.5.2"
  java_home="$("$SLUICE_JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.home/ { print $2 }')"
  { echo "security.provider.1=org.conscrypt.OpenSSLProvider"
    sed -n 's/^security\.provider\.\([0-9]*\)=\(.*\)$/\1 \2/p' "$java_home/conf/security/java.security" |
      while read -r n name; do echo "security.provider.$((n + 1))=$name"; done
  } >"$TMP/provider/java.security"
  SLUICE_LAUNCH=(-Djava.security.properties="$TMP/provider/java.security"
                 -cp "$SLUICE_JAR:$TMP/provider/conscrypt-openjdk-uber-2.5.2.jar" dev.sluice.cli.Main)
fi

# ---------------------------------------------------------------------------- certificates and the upstream
CERT="$TMP/cert.pem" KEY="$TMP/key.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$KEY" -out "$CERT" >/dev/null 2>&1 \
  || die "openssl could not make a certificate"
cat "$CERT" "$KEY" >"$TMP/haproxy.pem"

ROOT_USER=""
[[ $(id -u) == 0 ]] && ROOT_USER="user root;"
temp_paths() { printf '  client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n' "$1" "$1" "$1" "$1" "$1"; }
UP="$TMP/upstream"
mkdir -p "$UP/www" "$UP/tmp"
yes 'sluice tls body 0123456789abcdefghijklmnopqrstuvwxyz' | head -c 100 >"$UP/www/small" || true
yes 'sluice tls body 0123456789abcdefghijklmnopqrstuvwxyz' | head -c 65536 >"$UP/www/64k" || true
UPORT="$(free_port)" UTLS="$(free_port)"
cat >"$UP/nginx.conf" <<EOF
$ROOT_USER
worker_processes 1;
pid $UP/nginx.pid;
error_log $UP/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  sendfile on; tcp_nodelay on;
  keepalive_requests 10000000; keepalive_timeout 300s;
  ssl_session_cache shared:up:10m;
$(temp_paths "$UP/tmp")
  server {
    listen 127.0.0.1:$UPORT backlog=4096;
    listen 127.0.0.1:$UTLS ssl backlog=4096;
    ssl_certificate $CERT; ssl_certificate_key $KEY;
    root $UP/www;
  }
}
EOF
start_bg "$OUT_DIR/logs/upstream.log" taskset -c "$LOAD_CPU" nginx -p "$UP/" -c "$UP/nginx.conf" -g 'daemon off;'
wait_http "https://127.0.0.1:$UTLS/small" "$LAST_PID" 15 || die "the upstream did not start"

# ---------------------------------------------------------------------------- contenders
# Each runs in one of two shapes: "front" (clients speak TLS to it, it speaks plain HTTP upstream) or "back"
# (plain clients, TLS to the upstream). Each is configured as its users run it: nginx with a session cache,
# HAProxy with its defaults (which cache sessions), Sluice with its defaults.
PX_PID="" PX_PORT=""

start_nginx() { # shape
  local d="$TMP/nginx-$1" listen pass
  mkdir -p "$d/tmp"
  if [[ $1 == front ]]; then
    listen="listen 127.0.0.1:$PX_PORT ssl backlog=4096; ssl_certificate $CERT; ssl_certificate_key $KEY; ssl_session_cache shared:px:10m;"
    pass="proxy_pass http://backend;" upstream_port=$UPORT
  else
    listen="listen 127.0.0.1:$PX_PORT backlog=4096;"
    pass="proxy_pass https://backend; proxy_ssl_session_reuse on;" upstream_port=$UTLS
  fi
  cat >"$d/nginx.conf" <<EOF
$ROOT_USER
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
$(temp_paths "$d/tmp")
  upstream backend { server 127.0.0.1:$upstream_port; keepalive 32; }
  server {
    $listen
    location / { $pass proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
  start_bg "$OUT_DIR/logs/nginx-$1.log" taskset -c "$PROXY_CPU" nginx -p "$d/" -c "$d/nginx.conf" -g 'daemon off;'
  PX_PID=$LAST_PID
}

start_haproxy() { # shape
  local d="$TMP/haproxy-$1" bind server
  mkdir -p "$d"
  if [[ $1 == front ]]; then
    bind="bind 127.0.0.1:$PX_PORT ssl crt $TMP/haproxy.pem"
    server="server up 127.0.0.1:$UPORT"
  else
    bind="bind 127.0.0.1:$PX_PORT"
    server="server up 127.0.0.1:$UTLS ssl verify none"
  fi
  cat >"$d/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  $bind
  default_backend be
backend be
  $server
EOF
  haproxy -c -q -f "$d/haproxy.cfg" >"$OUT_DIR/logs/haproxy-check.log" 2>&1 || die "haproxy refused its config"
  start_bg "$OUT_DIR/logs/haproxy-$1.log" taskset -c "$PROXY_CPU" haproxy -db -f "$d/haproxy.cfg"
  PX_PID=$LAST_PID
}

start_sluice() { # shape
  local -a jvm args
  read -r -a jvm <<<"$SLUICE_JVM_OPTS"
  if [[ $1 == front ]]; then
    args=(--listen "127.0.0.1:$PX_PORT ssl" --ssl-certificate "$CERT" --ssl-certificate-key "$KEY"
          --server "127.0.0.1:$UPORT")
  else
    args=(--listen "127.0.0.1:$PX_PORT" --server "127.0.0.1:$UTLS" --proxy-pass https://backend)
  fi
  start_bg "$OUT_DIR/logs/sluice-$1.log" taskset -c "$PROXY_CPU" "$SLUICE_JAVA" "${jvm[@]}" "${SLUICE_LAUNCH[@]}" \
    --worker-processes 1 --access-log off "${args[@]}"
  PX_PID=$LAST_PID
}

start_contender() { # name shape
  PX_PORT="$(free_port)"
  "start_$1" "$2"
  local scheme=http
  [[ $2 == front ]] && scheme=https
  wait_http "$scheme://127.0.0.1:$PX_PORT/small" "$PX_PID" 60 || { tail -20 "$OUT_DIR/logs/$1-$2.log" >&2; die "$1 ($2) did not start"; }
  # A warm-up: the JIT for Sluice, caches for all; new connections too, for the handshake paths.
  local secs=2
  [[ $1 == sluice ]] && secs=$SLUICE_WARMUP
  taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"$(( (secs + 1) / 2 ))s" "$scheme://127.0.0.1:$PX_PORT/small" >/dev/null 2>&1 || true
  taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"$(( (secs + 1) / 2 ))s" "$scheme://127.0.0.1:$PX_PORT/64k" >/dev/null 2>&1 || true
  [[ $2 == front ]] && timeout $((secs + 10)) taskset -c "$LOAD_CPU" openssl s_time -connect "127.0.0.1:$PX_PORT" \
    -new -time "$(( (secs + 1) / 2 ))" -www /small >/dev/null 2>&1 || true
}

stop_contender() {
  [[ -n $PX_PID ]] || return 0
  stop_pid "$PX_PID"; forget_pid "$PX_PID"; PX_PID=""
}

# ---------------------------------------------------------------------------- measurements
measure() { # round cell contender; prints "value p99_us errors"
  local f="$OUT_DIR/runs/$2-$3-r$1.txt" body
  case "$2" in
    term-*|up-*)
      body="${2#*-}"
      local scheme=http
      [[ $2 == term-* ]] && scheme=https
      timeout $((DURATION + 30)) taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${DURATION}s" --timeout 2s --latency \
        "$scheme://127.0.0.1:$PX_PORT/$body" >"$f" 2>&1 || true
      python3 "$LOAD_DIR/wrkparse.py" "$f" | awk -F'\t' '{ printf "%s %s %d\n", $1, $5, $11 + $12 + $13 + $14 + $15 }'
      ;;
    idle)
      # Memory the proxy adds per idle TLS keep-alive connection: IDLE_CONNS clients make one request each and wait.
      # nginx and HAProxy: their RSS. Sluice: what the JVM holds for them, live heap after a full collection plus
      # native memory (direct buffers, with -XX:NativeMemoryTracking=summary in SLUICE_JVM_OPTS), since its RSS
      # hides both behind a heap already touched and malloc's reuse of buffers freed during the warm-up.
      local before after holder
      before="$(held_kib "$3" "$PX_PID")"
      taskset -c "$LOAD_CPU" python3 "$SCRIPT_DIR/idleclients.py" "$IDLE_CONNS" "$PX_PORT" 60 >"$f" 2>&1 &
      holder=$!
      for _ in $(seq 1 240); do grep -q '^ready' "$f" && break; sleep 0.5; done
      sleep 2
      after="$(held_kib "$3" "$PX_PID")"
      kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true
      if grep -q '^ready' "$f"; then
        awk -v a="$after" -v b="$before" -v n="$IDLE_CONNS" 'BEGIN { printf "%.1f - 0\n", (a - b) / n }'
      else
        echo "NA - 1"
      fi
      ;;
    hs-*)
      local mode=-new
      [[ $2 == hs-reuse ]] && mode=-reuse
      timeout $((DURATION + 30)) taskset -c "$LOAD_CPU" openssl s_time -connect "127.0.0.1:$PX_PORT" $mode \
        -time "$DURATION" -www /small >"$f" 2>&1 || true
      # "N connections in T real seconds": connections per wall-clock second, the proxy's handshake rate
      awk '/connections in [0-9.]+ real seconds/ { for (i = 1; i <= NF; i++) if ($i == "connections") n = $(i - 1);
             for (i = 1; i <= NF; i++) if ($i == "real") t = $(i - 1) }
           END { if (t > 0) printf "%.1f - 0\n", n / t; else print "NA - 1" }' "$f"
      ;;
  esac
}

shape_of() { [[ $1 == up-* ]] && echo back || echo front; }

held_kib() { # contender pid: the memory it holds, in KiB (see the idle cell)
  local total=0 p
  if [[ $1 == sluice ]]; then
    jcmd "$2" GC.run >/dev/null 2>&1 || true
    total=$(jcmd "$2" GC.heap_info 2>/dev/null | awk '/used [0-9]+K/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); s += v } } END { print s + 0 }')
    total=$(( total + $(jcmd "$2" VM.native_memory summary 2>/dev/null | awk '/- +Other \(/ { if (match($0, /committed=[0-9]+KB/)) print substr($0, RSTART + 10, RLENGTH - 12) }' | head -1 || echo 0) + 0 ))
  else
    for p in "$2" $(pgrep -P "$2" || true); do
      total=$(( total + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0) ))
    done
  fi
  echo "$total"
}

for round in $(seq 1 "$ROUNDS"); do
  for shape in front back; do
    cells=""
    for c in $CELLS; do [[ $(shape_of "$c") == "$shape" ]] && cells="$cells $c"; done
    [[ -n $cells ]] || continue
    for p in $CONTENDERS; do
      log "round $round: $p ($shape)"
      start_contender "$p" "$shape"
      for c in $cells; do
        read -r value p99 errors <<<"$(measure "$round" "$c" "$p")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$c" "$p" "$value" "$p99" "$errors" >>"$RAW"
        log "  $c: $value (p99 ${p99} us, errors $errors)"
      done
      stop_contender
    done
  done
done

# ---------------------------------------------------------------------------- report
python3 - "$RAW" "$CONTENDERS" "$CELLS" >"$OUT_DIR/summary.md" <<'EOF'
import statistics, sys
raw, contenders, cells = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
rows = [l.rstrip("\n").split("\t") for l in open(raw)][1:]
def median(cell, who, col):
    vals = [float(r[col]) for r in rows if r[1] == cell and r[2] == who and r[col] not in ("NA", "-", "")]
    return statistics.median(vals) if vals else None
unit = {"term-small": "rps", "term-64k": "rps", "up-small": "rps", "up-64k": "rps",
        "hs-new": "handshakes/s", "hs-reuse": "handshakes/s", "idle": "KiB held per idle connection, lower is better: RSS, for Sluice live heap and native memory"}
print("| cell | " + " | ".join(contenders) + " | " + " | ".join("sluice/" + c for c in contenders if c != "sluice") + " |")
print("|---|" + "---:|" * (len(contenders) + len([c for c in contenders if c != "sluice"])))
for cell in cells:
    vals = {c: median(cell, c, 3) for c in contenders}
    p99 = {c: median(cell, c, 4) for c in contenders}
    def show(c):
        v = vals[c]
        if v is None:
            return "-"
        s = "%.0f" % v if v >= 100 else "%.1f" % v
        return s + (" (p99 %.1f ms)" % (p99[c] / 1000) if p99[c] is not None else "")
    ratios = []
    for c in contenders:
        if c == "sluice":
            continue
        ratios.append("%.2f" % (vals["sluice"] / vals[c]) if vals.get("sluice") and vals[c] else "-")
    print("| %s (%s) | " % (cell, unit[cell]) + " | ".join(show(c) for c in contenders) + " | " + " | ".join(ratios) + " |")
errors = sum(int(r[5]) for r in rows if r[5].isdigit())
print("\nerrors (socket errors and non-2xx, all runs): %d" % errors)
EOF
cat "$OUT_DIR/summary.md"
log "results in $OUT_DIR"
