#!/usr/bin/env bash
# End-to-end reverse-proxy load comparison: Sluice vs nginx, HAProxy, Vert.x and Spring Cloud Gateway
# on this machine.
#
# One static upstream (a private nginx) and wrk share core 0; the proxy under test gets
# core 1 alone. Contenders are measured one at a time, interleaved round by round, and the
# median over rounds is reported. See benchmarks/load/README.md, or run with --help.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

usage() {
  cat <<'EOF'
Usage: benchmarks/load/run.sh [options]

Compares Sluice, nginx, HAProxy, Vert.x http-proxy and Spring Cloud Gateway as reverse
proxies in front of one static nginx upstream, with wrk as the load generator, all on loopback.

Options (each also settable by the environment variable in brackets):
  --quick               smoke test: 3 s per run, 1 round, 2 s JVM warm-up per body
  --large               the large-response cell: 1 MiB bodies at 64 connections, keepalive 32
                        (same as --bodies 1m --conns 64 --keepalive 32; those flags still override)
  --duration SECS       seconds per measured wrk run              [DURATION, default 10]
  --rounds N            interleaved rounds, median reported        [ROUNDS, default 3]
  --keepalive "K..."    upstream keepalive pool sizes; "auto" (Sluice's adaptive pool, its default)
                        only with Sluice contenders and haproxy-default, each at its own
                        defaults                                   [KEEPALIVES, default "32 256"]
  --conns "C..."        wrk connection counts                      [CONNS, default "8 64 256"]
  --bodies "B..."       response bodies: small (100 B), 64k, 1m    [BODIES, default "small 64k"]
  --contenders "P..."   any of nginx haproxy haproxy-default sluice sluice-base vertx gateway
                                                   [CONTENDERS, default nginx haproxy sluice]
                        haproxy: idle server connections capped at K (pool-max-conn K), the
                          equal-caps view; haproxy-default: HAProxy's own pool defaults, K unused;
                        vertx: Vert.x http-proxy, gateway: Spring Cloud Gateway (server WebFlux),
                          both at most K upstream connections; their jars are built with mvn
                          (benchmarks/contenders/{vertx,gateway}) the first time they are needed
  --threads N           wrk threads (all on the load core)         [WRK_THREADS, default 1]
  --warmup SECS         JVM warm-up per body before measuring (Sluice, Vert.x, Gateway)
                                                                   [WARMUP, default 5]
  --wait-quiet SECS     before each run, wait up to SECS for both cores to be under
                        QUIET_MAX% busy (other builds on a shared machine); 0 = off
                                                     [QUIET_WAIT, default 30; --quick: 0]
  --jar PATH            the Sluice jar     [SLUICE_JAR, default <repo>/lib/cli/target/sluice.jar]
  --base-jar PATH       a second Sluice jar, measured as contender sluice-base (added to the
                        contenders when given), for a before/after comparison in one run   [BASE_JAR]
  --build               build the jar (mvn -q -DskipTests package) if it is missing
  --out DIR             results directory  [OUT_DIR, default benchmarks/load/results/<timestamp>]
  --no-install          never run apt-get; fail if a tool is missing
  -h, --help            this text

Other environment knobs:
  SLUICE_JAVA       the java binary that runs Sluice and sluice-base (default "java" on PATH), e.g.
                    /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; Vert.x and Gateway use "java"
  SLUICE_JVM_OPTS   JVM flags for Sluice (default "-XX:+UseParallelGC -Xms512m -Xmx512m")
  PEER_JVM_OPTS     JVM flags for Vert.x and Gateway (default: the same as Sluice's default)
  VERTX_JAR / GATEWAY_JAR  the contender jars (default benchmarks/contenders/{vertx,gateway}/
                    target/{vertx,gateway}-proxy.jar, built when missing)
  SLUICE_EXTRA_ARGS extra Sluice flags appended after the fixed ones, as shell words (quotes
                    group a value: --proxy-buffers '8 8k') (default empty)
  HAPROXY_REUSE     HAProxy http-reuse mode: always (default), safe, aggressive, never
  NATIVE_WARMUP     warm-up seconds per body for nginx and HAProxy (default 1)
  CELL_WARMUP       seconds of load at each cell's own connections and body right before its measured
                    run, for every contender (default 3; 0: none)
  JVM_START_WAIT    seconds a JVM contender has to start answering (default 120)
  LOAD_CPU / PROXY_CPU  cores for wrk+upstream and for the proxy (default 0 and 1)
  WRK_TIMEOUT       wrk's per-request timeout (default 2s)
  QUIET_MAX         busy % under which a core counts as quiet for --wait-quiet (default 15)
  KEEP_TMP=1        keep the temporary configs and logs directory

Exit status: 0 all good; 2 a contender failed its sanity check or died; 3 some cell saw
non-2xx responses or socket errors; 1 any other failure.
EOF
}

die() { echo "run.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*"; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# ---------------------------------------------------------------------------- options
QUICK=0 LARGE=0 BUILD=0 INSTALL=1
o_duration="" o_rounds="" o_warmup="" o_quiet=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --large) LARGE=1 ;;
    --duration) o_duration="${2:?--duration needs a value}"; shift ;;
    --rounds) o_rounds="${2:?--rounds needs a value}"; shift ;;
    --keepalive) KEEPALIVES="${2:?--keepalive needs a value}"; shift ;;
    --conns) CONNS="${2:?--conns needs a value}"; shift ;;
    --bodies) BODIES="${2:?--bodies needs a value}"; shift ;;
    --contenders) CONTENDERS="${2:?--contenders needs a value}"; shift ;;
    --threads) WRK_THREADS="${2:?--threads needs a value}"; shift ;;
    --warmup) o_warmup="${2:?--warmup needs a value}"; shift ;;
    --wait-quiet) o_quiet="${2:?--wait-quiet needs a value}"; shift ;;
    --jar) SLUICE_JAR="${2:?--jar needs a value}"; shift ;;
    --base-jar) BASE_JAR="${2:?--base-jar needs a value}"; shift ;;
    --build) BUILD=1 ;;
    --out) OUT_DIR="${2:?--out needs a value}"; shift ;;
    --no-install) INSTALL=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done

# Precedence: flag, then environment, then --quick's value, then the default.
if [[ $QUICK == 1 ]]; then q_duration=3 q_rounds=1 q_warmup=2 q_quiet=0; else q_duration=10 q_rounds=3 q_warmup=5 q_quiet=30; fi
DURATION="${o_duration:-${DURATION:-$q_duration}}"
ROUNDS="${o_rounds:-${ROUNDS:-$q_rounds}}"
WARMUP="${o_warmup:-${WARMUP:-$q_warmup}}"
QUIET_WAIT="${o_quiet:-${QUIET_WAIT:-$q_quiet}}"
QUIET_MAX="${QUIET_MAX:-15}"
NATIVE_WARMUP="${NATIVE_WARMUP:-1}"
CELL_WARMUP="${CELL_WARMUP:-3}"
# --large picks one cell (issue 4's 1 MiB responses at 64 connections) instead of the grid.
if [[ $LARGE == 1 ]]; then p_keepalives="32" p_conns="64" p_bodies="1m"; else p_keepalives="32 256" p_conns="8 64 256" p_bodies="small 64k"; fi
KEEPALIVES="${KEEPALIVES:-$p_keepalives}"
CONNS="${CONNS:-$p_conns}"
BODIES="${BODIES:-$p_bodies}"
CONTENDERS="${CONTENDERS:-nginx haproxy sluice}"
WRK_THREADS="${WRK_THREADS:-1}"
WRK_TIMEOUT="${WRK_TIMEOUT:-2s}"
SLUICE_JAR="${SLUICE_JAR:-$REPO_ROOT/lib/cli/target/sluice.jar}"
SLUICE_JAVA="${SLUICE_JAVA:-java}"
SLUICE_JVM_OPTS="${SLUICE_JVM_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m}"
# The other JVM contenders get the same default flags as Sluice, so the comparison is fair; a separate
# knob, so that SLUICE_JVM_OPTS can carry flags of a newer SLUICE_JAVA that their java does not know.
PEER_JVM_OPTS="${PEER_JVM_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m}"
CONTENDERS_DIR="$REPO_ROOT/benchmarks/contenders"
VERTX_JAR="${VERTX_JAR:-$CONTENDERS_DIR/vertx/target/vertx-proxy.jar}"
GATEWAY_JAR="${GATEWAY_JAR:-$CONTENDERS_DIR/gateway/target/gateway-proxy.jar}"
JVM_START_WAIT="${JVM_START_WAIT:-120}"
SLUICE_EXTRA_ARGS="${SLUICE_EXTRA_ARGS:-}"
HAPROXY_REUSE="${HAPROXY_REUSE:-always}"
LOAD_CPU="${LOAD_CPU:-0}"
PROXY_CPU="${PROXY_CPU:-1}"

for v in DURATION ROUNDS WARMUP NATIVE_WARMUP CELL_WARMUP WRK_THREADS LOAD_CPU PROXY_CPU QUIET_WAIT QUIET_MAX JVM_START_WAIT; do
  is_uint "${!v}" || die "$v must be a whole number, got '${!v}'"
done
(( DURATION >= 1 && ROUNDS >= 1 && WRK_THREADS >= 1 )) || die "duration, rounds and threads must be >= 1"
for k in $KEEPALIVES; do
  if [[ $k == auto ]]; then
    for p in $CONTENDERS; do
      [[ $p == sluice* || $p == haproxy-default ]] \
        || die "keepalive 'auto' is Sluice's alone; measure it with sluice, sluice-base and haproxy-default (which takes no K)"
    done
  else
    is_uint "$k" || die "keepalive sizes must be whole numbers or auto, got '$k'"
  fi
done
for c in $CONNS; do is_uint "$c" && (( c >= 1 )) || die "connection counts must be >= 1, got '$c'"; done
for b in $BODIES; do [[ $b =~ ^(small|64k|1m)$ ]] || die "unknown body '$b' (small, 64k, 1m)"; done
if [[ -n ${BASE_JAR:-} && " $CONTENDERS " != *" sluice-base "* ]]; then CONTENDERS="$CONTENDERS sluice-base"; fi
for p in $CONTENDERS; do
  [[ $p =~ ^(nginx|haproxy|haproxy-default|sluice|sluice-base|vertx|gateway)$ ]] \
    || die "unknown contender '$p' (nginx, haproxy, haproxy-default, sluice, sluice-base, vertx, gateway)"
done
if [[ " $CONTENDERS " == *" sluice-base "* ]]; then
  [[ -n ${BASE_JAR:-} && -f $BASE_JAR ]] || die "contender sluice-base needs --base-jar PATH (an existing jar)"
fi
case "$HAPROXY_REUSE" in always|safe|aggressive|never) ;; *) die "HAPROXY_REUSE: always, safe, aggressive or never" ;; esac
[[ "$SLUICE_JAR" = /* ]] || SLUICE_JAR="$PWD/$SLUICE_JAR"
[[ "$VERTX_JAR" = /* ]] || VERTX_JAR="$PWD/$VERTX_JAR"
[[ "$GATEWAY_JAR" = /* ]] || GATEWAY_JAR="$PWD/$GATEWAY_JAR"

NCPU="$(nproc --all 2>/dev/null || getconf _NPROCESSORS_ONLN)"
(( LOAD_CPU < NCPU && PROXY_CPU < NCPU )) || die "needs cores $LOAD_CPU and $PROXY_CPU, this machine has $NCPU"
[[ $LOAD_CPU != "$PROXY_CPU" ]] || echo "run.sh: warning: load and proxy share core $LOAD_CPU; numbers will not mean much" >&2

# ---------------------------------------------------------------------------- cleanup
TMP="$(mktemp -d /tmp/sluice-load.XXXXXX)"
# shellcheck source=../processes.sh
source "$SCRIPT_DIR/../processes.sh"

# ---------------------------------------------------------------------------- tools
ensure_tools() {
  local missing=() t
  command -v nginx >/dev/null || missing+=(nginx)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v python3 >/dev/null || missing+=(python3)
  command -v timeout >/dev/null || missing+=(coreutils)
  [[ ${#missing[@]} == 0 ]] && return 0
  [[ $INSTALL == 1 ]] || die "missing: ${missing[*]} (and --no-install was given)"
  [[ $(id -u) == 0 ]] || die "missing: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
  log "installing ${missing[*]} with apt-get"
  # Keep apt from starting the system nginx/haproxy services: we only need the binaries.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && POLICY_RC_CREATED=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 900 apt-get install -y -q "${missing[@]}" >"$TMP/apt.log" 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    timeout 900 apt-get update -q >>"$TMP/apt.log" 2>&1 || true
    timeout 900 apt-get install -y -q "${missing[@]}" >>"$TMP/apt.log" 2>&1 \
      || { tail -20 "$TMP/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
  if [[ $POLICY_RC_CREATED == 1 ]]; then rm -f /usr/sbin/policy-rc.d; POLICY_RC_CREATED=0; fi
  for t in nginx haproxy wrk curl taskset python3; do command -v "$t" >/dev/null || die "$t still missing after install"; done
}

# busy and total jiffies of core N: "busy total"
cpu_jiffies() {
  awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}
busy_pct() { # before-busy before-total after-busy after-total
  awk -v b0="$1" -v t0="$2" -v b1="$3" -v t1="$4" 'BEGIN { d = t1 - t0; printf "%.1f", (d > 0) ? 100 * (b1 - b0) / d : 0 }'
}
# CPU ticks (user+system) used so far by PID and its direct children (nginx's worker).
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"
proc_ticks() {
  local p t=0 f
  local -a a
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    f="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    f="${f##*) }"   # the fields after "(comm) "; utime and stime are the 12th and 13th of these
    read -r -a a <<<"$f"
    t=$(( t + a[11] + a[12] ))
  done
  echo "$t"
}
now_ns() { date +%s%N; }
# Milliseconds of CPU used by the shell's finished children, from a saved `times` output.
children_cpu_ms() {
  awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t * 1000 }' "$1"
}

# ---------------------------------------------------------------------------- setup
ensure_tools
python3 "$SCRIPT_DIR/wrkparse.py" --self-test >/dev/null || die "wrkparse.py self-test failed"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) >= 4096 )) || echo "run.sh: warning: only $(ulimit -n) file descriptors allowed" >&2

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT_DIR="${OUT_DIR:-$SCRIPT_DIR/results/$STAMP}"
mkdir -p "$OUT_DIR/wrk" "$OUT_DIR/logs"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
RAW="$OUT_DIR/raw.tsv"
printf 'round\tkeepalive\tconns\tbody\tcontender\t%s\tcpu_proxy_pct\tproxy_process_pct\tcpu_load_pct\tload_process_pct\twrk_file\n' \
  "$(python3 "$SCRIPT_DIR/wrkparse.py" --header)" >"$RAW"

NOTES=()
EXIT_CODE=0

# Leave a contender out of the run, saying why (on the console and in the report's notes).
drop_contender() { # name reason
  echo "*** $2" >&2
  NOTES+=("$2")
  CONTENDERS="$(for p in $CONTENDERS; do [[ $p == "$1" ]] || printf '%s ' "$p"; done)"
}

# Sluice: locate (or build) the jar; skip it with a clear message when absent.
want_sluice=0
for p in $CONTENDERS; do [[ $p == sluice ]] && want_sluice=1; done
if [[ $want_sluice == 1 ]]; then
  if [[ ! -f "$SLUICE_JAR" && $BUILD == 1 ]]; then
    command -v mvn >/dev/null || die "--build needs mvn on PATH"
    log "building Sluice: (cd $REPO_ROOT && mvn -q -DskipTests package)"
    (cd "$REPO_ROOT" && timeout 1800 mvn -q -DskipTests package) >"$OUT_DIR/logs/build.log" 2>&1 \
      || { tail -30 "$OUT_DIR/logs/build.log" >&2; die "Sluice build failed (log: $OUT_DIR/logs/build.log)"; }
  fi
  skip_reason=""
  if [[ ! -f "$SLUICE_JAR" ]]; then
    skip_reason="Sluice skipped: $SLUICE_JAR not found (build it with 'mvn -q -DskipTests package' at the repo root, or pass --build or --jar PATH)"
    [[ $BUILD == 1 ]] && skip_reason="Sluice skipped: the build finished but $SLUICE_JAR still does not exist"
  elif ! command -v "$SLUICE_JAVA" >/dev/null; then
    skip_reason="Sluice skipped: no $SLUICE_JAVA (SLUICE_JAVA; for java on PATH: apt-get install -y openjdk-17-jre-headless)"
  fi
  [[ -z $skip_reason ]] || drop_contender sluice "$skip_reason"
fi
if [[ " $CONTENDERS " == *" sluice-base "* ]] && ! command -v "$SLUICE_JAVA" >/dev/null; then
  die "contender sluice-base needs $SLUICE_JAVA (SLUICE_JAVA)"
fi

# Vert.x and Spring Cloud Gateway: standalone Maven projects under benchmarks/contenders/, built here
# the first time they are measured (not modules of the root pom: the repository's build never needs them).
# A contender whose jar is missing and cannot be built is skipped with a message, like Sluice.
ensure_contender_jar() { # name jar
  local name="$1" jar="$2" pom="$CONTENDERS_DIR/$1/pom.xml" blog="$OUT_DIR/logs/build-$1.log"
  [[ " $CONTENDERS " == *" $name "* ]] || return 0
  if ! command -v java >/dev/null; then
    drop_contender "$name" "$name skipped: no java on PATH (apt-get install -y openjdk-17-jre-headless)"
    return 0
  fi
  [[ -f $jar ]] && return 0
  if [[ $jar != "$CONTENDERS_DIR/$name/target/"* ]]; then
    drop_contender "$name" "$name skipped: $jar not found"
    return 0
  fi
  if ! command -v mvn >/dev/null; then
    drop_contender "$name" "$name skipped: $jar is missing and there is no mvn to build it (apt-get install -y maven)"
    return 0
  fi
  log "building $name: mvn -q -B -f $pom package -DskipTests (log: $blog)"
  if ! timeout 1800 mvn -q -B -f "$pom" package -DskipTests >"$blog" 2>&1 || [[ ! -f $jar ]]; then
    tail -30 "$blog" >&2
    drop_contender "$name" "$name skipped: building $jar failed (log: $blog)"
  fi
}
ensure_contender_jar vertx "$VERTX_JAR"
ensure_contender_jar gateway "$GATEWAY_JAR"

CONTENDERS="$(echo $CONTENDERS)"
[[ -n $CONTENDERS ]] || die "no contender left to measure"
read -r -a CONT_ARR <<<"$CONTENDERS"

# Versions of the libraries in a contender jar: "artifact version, ..." for the ARTIFACTs named.
jar_versions() { # jar artifact...
  python3 - "$@" <<'PY' 2>/dev/null || echo "?"
import re, sys, zipfile
jar, wanted = sys.argv[1], sys.argv[2:]
found = {}
with zipfile.ZipFile(jar) as z:
    for n in z.namelist():
        m = re.match(r"BOOT-INF/lib/(.+?)-(\d[^/]*?)\.jar$", n)  # a Spring Boot jar's nested jars
        if m:
            found.setdefault(m.group(1), m.group(2))
        m = re.match(r"META-INF/maven/[^/]+/([^/]+)/pom\.properties$", n)  # a shaded jar's artifacts
        if m:
            v = re.search(r"^version=(.+)$", z.read(n).decode(), re.M)
            if v:
                found.setdefault(m.group(1), v.group(1).strip())
print(", ".join("%s %s" % (a, found.get(a, "?")) for a in wanted))
PY
}
measured() { [[ " $CONTENDERS " == *" $1 "* ]]; }

# Machine description, recorded with the results.
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo) ($NCPU cores; load+upstream on core $LOAD_CPU, proxy on core $PROXY_CPU)"
  echo "kernel: $(uname -srm)"
  echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "haproxy: $(haproxy -v 2>&1 | head -1 | awk '{ print $3 }')"
  echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{ print $2 }')"
  if command -v java >/dev/null; then echo "java: $(java -version 2>&1 | head -2 | paste -sd';' | sed 's/;/; /')"; else echo "java: none"; fi
  echo "sluice: $([[ " $CONTENDERS " == *" sluice "* ]] && echo "$SLUICE_JAR ($(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))" || echo 'not measured')"
  [[ " $CONTENDERS " == *" sluice-base "* ]] && echo "sluice-base: $BASE_JAR"
  if measured sluice || measured sluice-base; then
    echo "sluice java: $SLUICE_JAVA ($("$SLUICE_JAVA" -version 2>&1 | head -2 | paste -sd';' | sed 's/;/; /'))"
  fi
  echo "sluice JVM flags: $SLUICE_JVM_OPTS"
  [[ -n "$SLUICE_EXTRA_ARGS" ]] && echo "sluice extra flags: $SLUICE_EXTRA_ARGS"
  measured vertx && echo "vertx: $VERTX_JAR ($(jar_versions "$VERTX_JAR" vertx-http-proxy vertx-core netty-codec-http))"
  measured gateway && echo "gateway: $GATEWAY_JAR ($(jar_versions "$GATEWAY_JAR" spring-cloud-gateway-server-webflux spring-boot reactor-netty-http netty-codec-http))"
  if measured vertx || measured gateway; then echo "vertx/gateway JVM flags: $PEER_JVM_OPTS"; fi
  echo "settings: ${DURATION}s per run, $ROUNDS round(s), keepalive K in {$KEEPALIVES}, connections {$CONNS}, bodies {$BODIES}, wrk -t$WRK_THREADS --timeout $WRK_TIMEOUT, warm-up ${WARMUP}s/body (JVMs) ${NATIVE_WARMUP}s/body (nginx, HAProxy) and ${CELL_WARMUP}s per cell (all), haproxy http-reuse $HAPROXY_REUSE, wait for quiet cores up to ${QUIET_WAIT}s (<${QUIET_MAX}% busy)"
} >"$OUT_DIR/machine.txt"
cat "$OUT_DIR/machine.txt"

# ---------------------------------------------------------------------------- upstream
ROOT_USER=""
[[ $(id -u) == 0 ]] && ROOT_USER="user root;"
nginx_temp_paths() { # prefix dir
  printf '  client_body_temp_path %s/tmp/body;\n  proxy_temp_path %s/tmp/proxy;\n  fastcgi_temp_path %s/tmp/fastcgi;\n  uwsgi_temp_path %s/tmp/uwsgi;\n  scgi_temp_path %s/tmp/scgi;\n' "$1" "$1" "$1" "$1" "$1"
}

UP_DIR="$TMP/upstream"
mkdir -p "$UP_DIR/www" "$UP_DIR/tmp"
# Deterministic bodies, so the sanity check can compare bytes.
gen_body() { yes 'sluice load body 0123456789abcdefghijklmnopqrstuvwxyz' | head -c "$2" >"$UP_DIR/www/$1" || true; }
gen_body small 100
gen_body 64k 65536
gen_body 1m 1048576
UPORT="$(free_port)"
cat >"$UP_DIR/nginx.conf" <<EOF
# Static upstream: one worker, keep-alive on, file descriptors cached (open_file_cache).
$ROOT_USER
worker_processes 1;
pid $UP_DIR/nginx.pid;
error_log $UP_DIR/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  # tcp_nopush (TCP_CORK) with sendfile stalls 64 KiB keep-alive responses for ~40 ms on
  # loopback (p90 of 25 ms measured straight against this upstream), so it stays off.
  tcp_nopush off;
  tcp_nodelay on;
  open_file_cache max=16 inactive=1h;
  open_file_cache_valid 1h;
  # The upstream is a fixture, not a contender: never close pooled proxy connections.
  keepalive_requests 10000000;
  keepalive_timeout 300s;
$(nginx_temp_paths "$UP_DIR")
  server {
    listen 127.0.0.1:$UPORT backlog=4096;
    root $UP_DIR/www;
    location / { }
  }
}
EOF
log "starting upstream nginx on 127.0.0.1:$UPORT (core $LOAD_CPU)"
start_bg "$OUT_DIR/logs/upstream.log" taskset -c "$LOAD_CPU" nginx -p "$UP_DIR/" -c "$UP_DIR/nginx.conf" -e "$UP_DIR/error.log" -g 'daemon off;'
UP_PID=$LAST_PID
wait_http "http://127.0.0.1:$UPORT/small" "$UP_PID" 15 \
  || { cat "$OUT_DIR/logs/upstream.log" "$UP_DIR/error.log" >&2 2>/dev/null; die "upstream nginx did not start"; }

# ---------------------------------------------------------------------------- contenders
PX_PID="" PX_PORT="" PX_DIR="" PX_LOG=""

start_nginx() { # K
  PX_DIR="$TMP/nginx-k$1"; mkdir -p "$PX_DIR/tmp"
  cat >"$PX_DIR/nginx.conf" <<EOF
$ROOT_USER
worker_processes 1;
pid $PX_DIR/nginx.pid;
error_log $PX_DIR/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
$(nginx_temp_paths "$PX_DIR")
  upstream backend {
    server 127.0.0.1:$UPORT;
    keepalive $1;
  }
  server {
    listen 127.0.0.1:$PX_PORT backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  start_bg "$PX_LOG" taskset -c "$PROXY_CPU" nginx -p "$PX_DIR/" -c "$PX_DIR/nginx.conf" -e "$PX_DIR/error.log" -g 'daemon off;'
  PX_PID=$LAST_PID
}

# HAProxy; the server line's pool settings differ between the two HAProxy contenders.
haproxy_with() { # name K server-pool-settings comment
  PX_DIR="$TMP/$1-k$2"; mkdir -p "$PX_DIR"
  cat >"$PX_DIR/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
  # no 'log' line: logging off

defaults
  mode http
  option http-keep-alive
  http-reuse $HAPROXY_REUSE
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 60s

frontend fe
  bind 127.0.0.1:$PX_PORT
  default_backend be

backend be
  # $4
  server up 127.0.0.1:$UPORT$3
EOF
  haproxy -c -q -f "$PX_DIR/haproxy.cfg" >"$OUT_DIR/logs/haproxy-check.log" 2>&1 \
    || { cat "$OUT_DIR/logs/haproxy-check.log" >&2; die "haproxy rejected its config"; }
  start_bg "$PX_LOG" taskset -c "$PROXY_CPU" haproxy -db -f "$PX_DIR/haproxy.cfg"
  PX_PID=$LAST_PID
}

# The equal-caps view: idle server connections capped at K, as nginx's 'keepalive K' caps its cache.
start_haproxy() { # K
  haproxy_with haproxy "$1" " pool-max-conn $1 pool-purge-delay 60s" \
    "pool-max-conn caps idle pooled server connections, like nginx's 'keepalive K'; pool-purge-delay 60s matches nginx's upstream keepalive_timeout default."
}

# The defaults view: HAProxy's own pool defaults, as its users run it (pool-max-conn -1: idle server
# connections not capped; pool-purge-delay 5s: half of the idle ones closed every 5 s); K does not apply.
start_haproxy-default() { # K
  haproxy_with haproxy-default "$1" "" \
    "HAProxy's pool defaults: pool-max-conn -1 (idle server connections not capped), pool-purge-delay 5s."
}

start_sluice() { # K [JAR]
  local -a jvm extra
  read -r -a jvm <<<"$SLUICE_JVM_OPTS"
  eval "extra=($SLUICE_EXTRA_ARGS)" # shell words: a quoted value with a space stays one argument
  start_bg "$PX_LOG" taskset -c "$PROXY_CPU" "$SLUICE_JAVA" "${jvm[@]}" -jar "${2:-$SLUICE_JAR}" \
    --listen "127.0.0.1:$PX_PORT" --worker-processes 1 --server "127.0.0.1:$UPORT" \
    --upstream-keepalive "$1" --access-log off "${extra[@]}"
  PX_PID=$LAST_PID
}

start_sluice-base() { # K
  start_sluice "$1" "$BASE_JAR"
}

# Vert.x http-proxy (benchmarks/contenders/vertx): one event loop, one verticle, at most K pooled
# upstream connections (PoolOptions http1MaxSize), keep-alive, HTTP/1.1, TCP_NODELAY, NIO transport.
start_vertx() { # K
  local -a jvm
  read -r -a jvm <<<"$PEER_JVM_OPTS"
  start_bg "$PX_LOG" taskset -c "$PROXY_CPU" java "${jvm[@]}" -jar "$VERTX_JAR" "$PX_PORT" "127.0.0.1:$UPORT" "$1"
  PX_PID=$LAST_PID
}

# Spring Cloud Gateway server WebFlux (benchmarks/contenders/gateway): one route /** to the upstream, set
# by command-line properties; one Reactor Netty I/O thread (reactor.netty.ioWorkerCount=1, the default
# being max(cores, 4)); a fixed pool of at most K upstream connections (pool.max-connections is read only
# with pool.type=fixed: the default elastic pool has no cap); logging at WARN, no actuator on the classpath.
GW="spring.cloud.gateway.server.webflux"
start_gateway() { # K
  local -a jvm
  read -r -a jvm <<<"$PEER_JVM_OPTS"
  start_bg "$PX_LOG" taskset -c "$PROXY_CPU" java "${jvm[@]}" -Dreactor.netty.ioWorkerCount=1 -jar "$GATEWAY_JAR" \
    --server.address=127.0.0.1 --server.port="$PX_PORT" --server.shutdown=immediate \
    "--$GW.routes[0].id=upstream" "--$GW.routes[0].uri=http://127.0.0.1:$UPORT" "--$GW.routes[0].predicates[0]=Path=/**" \
    "--$GW.httpclient.pool.type=fixed" "--$GW.httpclient.pool.max-connections=$1" \
    --logging.level.root=WARN --spring.main.banner-mode=off
  PX_PID=$LAST_PID
}

# Contenders that run on a JVM: they get WARMUP seconds per body to compile their hot paths.
is_jvm() { [[ $1 == sluice* || $1 == vertx || $1 == gateway ]]; }

# Start a contender and wait until it proxies; returns non-zero (with a message) otherwise.
start_contender() { # name K round
  local name="$1" k="$2" logf end
  PX_PORT="$(free_port)" PX_DIR=""
  PX_LOG="$OUT_DIR/logs/$name-k$k-r$3.log"
  logf="$PX_LOG"
  "start_$name" "$k"
  if [[ $name == sluice* ]]; then
    # CLI contract: one line containing "listening on HOST:PORT" once it accepts connections.
    end=$((SECONDS + 60))
    until grep -q "listening on" "$logf" 2>/dev/null; do
      if ! kill -0 "$PX_PID" 2>/dev/null || (( SECONDS >= end )); then
        echo "!!! sluice did not report 'listening on' (log $logf):" >&2; tail -20 "$logf" >&2
        return 1
      fi
      sleep 0.2
    done
  fi
  # A JVM contender gets longer: Spring Boot alone takes several seconds to start on one core.
  local secs=30
  is_jvm "$name" && secs=$JVM_START_WAIT
  if ! wait_http "http://127.0.0.1:$PX_PORT/small" "$PX_PID" "$secs"; then
    echo "!!! $name did not start answering 200 on 127.0.0.1:$PX_PORT (log $logf):" >&2
    tail -20 "$logf" >&2
    [[ -n $PX_DIR && -f "$PX_DIR/error.log" ]] && tail -20 "$PX_DIR/error.log" >&2
    return 1
  fi
}

stop_contender() {
  [[ -n $PX_PID ]] || return 0
  stop_pid "$PX_PID"
  forget_pid "$PX_PID"
  PX_PID=""
}

# Fetch every body once through the proxy and compare bytes with the upstream's files.
sanity_check() { # name
  local b code got
  for b in $BODIES; do
    got="$TMP/sanity-$1-$b"
    code="$(curl -s -o "$got" -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PX_PORT/$b" || echo 000)"
    if [[ $code != 200 ]] || ! cmp -s "$got" "$UP_DIR/www/$b"; then
      echo "!!! SANITY FAILED: $1 /$b returned HTTP $code and $(wc -c <"$got" 2>/dev/null || echo 0) bytes (expected 200 and $(wc -c <"$UP_DIR/www/$b") identical bytes)" >&2
      return 1
    fi
  done
}

# Run wrk once, pinned to the load core. Usage: run_wrk OUTFILE SECS CONNS BODY
run_wrk() {
  local t="$WRK_THREADS"
  (( t > $3 )) && t=$3
  # In the background plus `wait`, so that INT/TERM reach the trap at once instead of after wrk.
  timeout -k 5 $(( $2 + 30 )) taskset -c "$LOAD_CPU" \
    wrk -t"$t" -c"$3" -d"$2"s --timeout "$WRK_TIMEOUT" --latency "http://127.0.0.1:$PX_PORT/$4" >"$1" 2>&1 </dev/null &
  local pid=$! rc=0
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  forget_pid "$pid"
  return "$rc"
}

# On a shared machine, give other work up to QUIET_WAIT seconds to finish before a run.
# After 3 waits in a row that ended busy, the machine is taken as busy for good and the wait
# shrinks to 5 s (still catching a quiet spell) until a quiet moment is seen again.
BUSY_STREAK=0
wait_quiet() {
  (( QUIET_WAIT > 0 )) || return 0
  local limit=$QUIET_WAIT a0 at0 b0 bt0 a1 at1 b1 bt1 la lb waited=0
  (( BUSY_STREAK >= 3 && limit > 5 )) && limit=5
  local end=$(( SECONDS + limit ))
  while :; do
    read -r a0 at0 <<<"$(cpu_jiffies "$LOAD_CPU")"; read -r b0 bt0 <<<"$(cpu_jiffies "$PROXY_CPU")"
    sleep 1
    read -r a1 at1 <<<"$(cpu_jiffies "$LOAD_CPU")"; read -r b1 bt1 <<<"$(cpu_jiffies "$PROXY_CPU")"
    la="$(busy_pct "$a0" "$at0" "$a1" "$at1")" lb="$(busy_pct "$b0" "$bt0" "$b1" "$bt1")"
    if awk -v a="$la" -v b="$lb" -v m="$QUIET_MAX" 'BEGIN { exit !(a < m && b < m) }'; then
      (( waited )) && log "machine quiet again (cores ${la}% / ${lb}% busy)"
      BUSY_STREAK=0
      return 0
    fi
    if (( SECONDS >= end )); then
      BUSY_STREAK=$(( BUSY_STREAK + 1 ))
      log "machine still busy after ${limit}s (cores ${la}% / ${lb}% busy); measuring anyway"
      (( BUSY_STREAK == 3 && QUIET_WAIT > 5 )) && log "machine stays busy: waiting at most 5s from now on"
      return 0
    fi
    (( waited )) || log "machine busy (cores ${la}% / ${lb}% busy): waiting up to ${limit}s"
    waited=1
  done
}

# A JVM's warm-up ends with a second, short run: when the first run's connections close, the JIT throws
# away the hot path's compiled code (its close branches were never taken before) and compiles it again,
# which would otherwise fall in the first seconds of the measured run.
JVM_REWARM=3
warm_up() { # name K round
  local secs="$NATIVE_WARMUP" b
  is_jvm "$1" && secs="$WARMUP"
  (( secs > 0 )) || return 0
  for b in $BODIES; do
    run_wrk "$OUT_DIR/logs/warmup-$1-k$2-r$3-$b.txt" "$secs" 64 "$b" || true
  done
  if is_jvm "$1"; then
    run_wrk "$OUT_DIR/logs/rewarm-$1-k$2-r$3.txt" "$JVM_REWARM" 64 "${BODIES%% *}" || true
  fi
}

n_cells=$(( $(wc -w <<<"$KEEPALIVES") * $(wc -w <<<"$CONNS") * $(wc -w <<<"$BODIES") ))
n_runs=$(( n_cells * ${#CONT_ARR[@]} * ROUNDS ))
# Each start: its warm-up per body, plus a few seconds to start (a JVM: about 10 on one core).
per_start=0
for p in "${CONT_ARR[@]}"; do
  if is_jvm "$p"; then per_start=$(( per_start + $(wc -w <<<"$BODIES") * WARMUP + JVM_REWARM + 10 ))
  else per_start=$(( per_start + $(wc -w <<<"$BODIES") * NATIVE_WARMUP + 3 )); fi
done
est=$(( n_runs * (DURATION + CELL_WARMUP + 1 + (QUIET_WAIT > 0)) + $(wc -w <<<"$KEEPALIVES") * ROUNDS * per_start ))
log "contenders: $CONTENDERS; $n_cells cells x ${#CONT_ARR[@]} contenders x $ROUNDS rounds = $n_runs runs of ${DURATION}s (about $(( est / 60 + 1 )) min)"
log "results in $OUT_DIR"

declare -A FAILED=()
run_no=0
for k in $KEEPALIVES; do
  for round in $(seq 1 "$ROUNDS"); do
    # Rotate the starting contender every round so none always runs first.
    n=${#CONT_ARR[@]}
    for i in $(seq 0 $(( n - 1 ))); do
      name="${CONT_ARR[$(( (i + round - 1) % n ))]}"
      if [[ -n "${FAILED[$name]:-}" ]]; then
        run_no=$(( run_no + $(wc -w <<<"$CONNS") * $(wc -w <<<"$BODIES") ))
        continue
      fi
      log "K=$k round $round/$ROUNDS: $name"
      if ! start_contender "$name" "$k" "$round" || ! sanity_check "$name"; then
        FAILED[$name]="failed to start or failed the sanity check (K=$k, round $round); see $OUT_DIR/logs"
        stop_contender
        run_no=$(( run_no + $(wc -w <<<"$CONNS") * $(wc -w <<<"$BODIES") ))
        continue
      fi
      warm_up "$name" "$k" "$round"
      for c in $CONNS; do
        for b in $BODIES; do
          run_no=$((run_no + 1))
          f="$OUT_DIR/wrk/k${k}-r${round}-${name}-c${c}-${b}.txt"
          # The cell's own shape first, for every contender: a JVM's JIT recompiles hot methods when the
          # connection count changes (deoptimised for branches the warm-up's shape never took).
          if (( CELL_WARMUP > 0 )); then
            run_wrk "$OUT_DIR/logs/cell-warmup-$name-k$k-r$round-c$c-$b.txt" "$CELL_WARMUP" "$c" "$b" || true
          fi
          wait_quiet
          # CPU accounting: busy % of each core, and the share our own processes used of it
          # (proxy; upstream + wrk), so interference from other work on the machine shows.
          read -r cb0 ct0 <<<"$(cpu_jiffies "$LOAD_CPU")"
          read -r pb0 pt0 <<<"$(cpu_jiffies "$PROXY_CPU")"
          own0="$(proc_ticks "$PX_PID")" up0="$(proc_ticks "$UP_PID")" w0="$(now_ns)"
          wrc=0
          times >"$TMP/times0"   # builtin, no fork: children's CPU time so far
          run_wrk "$f" "$DURATION" "$c" "$b" || wrc=$?
          times >"$TMP/times1"   # now also counts wrk
          own1="$(proc_ticks "$PX_PID")" up1="$(proc_ticks "$UP_PID")" w1="$(now_ns)"
          read -r cb1 ct1 <<<"$(cpu_jiffies "$LOAD_CPU")"
          read -r pb1 pt1 <<<"$(cpu_jiffies "$PROXY_CPU")"
          cpu_up="$(busy_pct "$cb0" "$ct0" "$cb1" "$ct1")"
          cpu_px="$(busy_pct "$pb0" "$pt0" "$pb1" "$pt1")"
          wall_s="$(awk -v ns=$(( w1 - w0 )) 'BEGIN { printf "%.6f", ns / 1e9 }')"
          cpu_own="$(awk -v d=$(( own1 - own0 )) -v hz="$CLK_TCK" -v w="$wall_s" 'BEGIN { printf "%.1f", (w > 0) ? 100 * d / hz / w : 0 }')"
          wrk_ms="$(( $(children_cpu_ms "$TMP/times1") - $(children_cpu_ms "$TMP/times0") ))"
          cpu_upown="$(awk -v d=$(( up1 - up0 )) -v hz="$CLK_TCK" -v wm="$wrk_ms" -v w="$wall_s" 'BEGIN { printf "%.1f", (w > 0) ? 100 * (d / hz + wm / 1000) / w : 0 }')"
          prc=0
          parsed="$(python3 "$SCRIPT_DIR/wrkparse.py" "$f")" || prc=$?
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$k" "$c" "$b" "$name" "$parsed" \
            "$cpu_px" "$cpu_own" "$cpu_up" "$cpu_upown" "wrk/$(basename "$f")" >>"$RAW"
          IFS=$'\t' read -r rps p50 _ _ p99 _ _ _ _ _ non2xx ec er ew et <<<"$parsed"
          printf '[%3d/%d] K=%-3s r%d %-15s c=%-3s %-5s %9s req/s  p50 %6sus  p99 %7sus  cpu: proxy core %5s%% (proxy %5s%%), load core %5s%% (wrk+upstream %5s%%)\n' \
            "$run_no" "$n_runs" "$k" "$round" "$name" "$c" "$b" "$rps" "$p50" "$p99" "$cpu_px" "$cpu_own" "$cpu_up" "$cpu_upown"
          if (( wrc != 0 || prc != 0 )); then
            echo "!!! $name K=$k c=$c $b: wrk failed (exit $wrc); output:" >&2
            sed 's/^/    /' "$f" >&2
            EXIT_CODE=3
          elif (( non2xx + ec + er + ew + et > 0 )); then
            echo "!!! $name K=$k c=$c $b: $non2xx non-2xx/3xx responses; socket errors connect $ec, read $er, write $ew, timeout $et" >&2
            EXIT_CODE=3
          fi
          if ! kill -0 "$PX_PID" 2>/dev/null; then
            FAILED[$name]="died during K=$k round $round (log $PX_LOG)"
            echo "!!! $name ${FAILED[$name]}" >&2
            break 2
          fi
        done
      done
      stop_contender
    done
  done
done

REPORT_ARGS=(--meta "$OUT_DIR/machine.txt")
for n in "${NOTES[@]}"; do REPORT_ARGS+=(--note "$n"); done
for name in "${!FAILED[@]}"; do
  REPORT_ARGS+=(--note "FAILED: $name ${FAILED[$name]}")
  echo "*** FAILED: $name ${FAILED[$name]}" >&2
  EXIT_CODE=2
done
(( EXIT_CODE == 3 )) && REPORT_ARGS+=(--note "Some runs saw non-2xx responses or socket errors (errors column); do not trust those cells.")

echo
if [[ $(wc -l <"$RAW") -gt 1 ]]; then
  python3 "$SCRIPT_DIR/report.py" "$RAW" "$OUT_DIR" "${REPORT_ARGS[@]}"
else
  echo "no measurements were taken" >&2
  EXIT_CODE=2
fi
echo
log "results: $OUT_DIR/{summary.md,summary.tsv,raw.tsv,console.txt,machine.txt} (wrk outputs in wrk/)"
exit "$EXIT_CODE"
