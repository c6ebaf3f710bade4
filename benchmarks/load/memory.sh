#!/usr/bin/env bash
# Memory under many slow clients: the peak RSS of Sluice and of nginx while N clients each download a 10 MiB
# response slowly through them, for several N, so the cost per added client (the slope) shows.
#
# One static upstream (a private nginx) and the clients (one python3 process, slowclients.py) share core 0;
# the proxy under test gets core 1 alone, one contender at a time, each started afresh for every N.
# See benchmarks/load/README.md ("Memory run"), or run with --help.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

usage() {
  cat <<'EOF'
Usage: benchmarks/load/memory.sh [options]

N slow clients each download a 10 MiB file through the proxy under test (nginx, then Sluice),
reading RATE bytes/s for HOLD seconds and then closing; the proxy's RSS (VmRSS, VmHWM of its
processes) is sampled every 0.5 s. Reports peak RSS per contender and N, the idle baseline, and
the RSS added per client.

Options (each also settable by the environment variable in brackets):
  --clients "N..."      client counts                   [MEM_CLIENTS, default "500 1000 2000"]
  --contenders "P..."   any of nginx nginx-notemp sluice sluice-bigheap
                                     [MEM_CONTENDERS, default "nginx nginx-notemp sluice"]
  --hold SECS           seconds each client reads before closing          [HOLD, default 25]
  --ramp SECS           seconds over which the N clients connect          [RAMP, default 4]
  --rate BYTES          bytes per second each client reads            [RATE, default 32768]
  --nmt                 run Sluice with -XX:NativeMemoryTracking=summary and record
                        jcmd VM.native_memory summary at the plateau (costs a little RSS)
  --quick               smoke test: clients "100 200", hold 10 s
  --jar PATH            the Sluice jar     [SLUICE_JAR, default <repo>/lib/cli/target/sluice.jar]
  --build               build it first if missing (mvn -q -B -DskipTests install at the root)
  --out DIR             results directory  [OUT_DIR, default benchmarks/load/results/mem-<timestamp>]
  -h, --help            this text

Contenders (each with one worker, logging off, proxy_buffering on):
  nginx           nginx's defaults: proxy_buffers 8 4k, proxy_buffer_size 4k, and
                  proxy_max_temp_file_size 1024m, so a response the client is slow to take is
                  written to a temporary file while the upstream is read at full speed
  nginx-notemp    the same with proxy_max_temp_file_size 0: reading from the upstream pauses
                  when the buffers are full, which is what Sluice does (it has no response
                  temporary file)
  sluice          java $SLUICE_MEM_JVM_OPTS -jar sluice.jar ... (default buffers '8 4k')
  sluice-bigheap  the same with $SLUICE_BIG_JVM_OPTS, the throughput harness's JVM flags

Other environment knobs:
  SLUICE_MEM_JVM_OPTS  default "-XX:+UseSerialGC -Xms64m -Xmx64m -XX:+AlwaysPreTouch
                       -XX:MaxDirectMemorySize=512m" (why: README.md, "Memory run")
  SLUICE_BIG_JVM_OPTS  default "-XX:+UseParallelGC -Xms512m -Xmx512m" (run.sh's default)
  SLUICE_EXTRA_ARGS    extra Sluice flags, split at spaces (so no quoted values)
  CHUNK, RCVBUF        bytes per client read (16384) and the clients' SO_RCVBUF (16384)
  LOAD_CPU / PROXY_CPU cores for clients+upstream and for the proxy (default 0 and 1)
  KEEP_TMP=1           keep the temporary configs and logs directory

Exit status: 0 all good; 2 a contender failed to start, failed its sanity check or died;
3 some clients failed (stalled, got an error, or too few bytes: see runs.tsv); 1 other failures.
EOF
}

die() { echo "memory.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*"; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

QUICK=0 BUILD=0 NMT=0
o_clients="" o_hold=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) o_clients="${2:?--clients needs a value}"; shift ;;
    --contenders) MEM_CONTENDERS="${2:?--contenders needs a value}"; shift ;;
    --hold) o_hold="${2:?--hold needs a value}"; shift ;;
    --ramp) RAMP="${2:?--ramp needs a value}"; shift ;;
    --rate) RATE="${2:?--rate needs a value}"; shift ;;
    --nmt) NMT=1 ;;
    --quick) QUICK=1 ;;
    --jar) SLUICE_JAR="${2:?--jar needs a value}"; shift ;;
    --build) BUILD=1 ;;
    --out) OUT_DIR="${2:?--out needs a value}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done

if [[ $QUICK == 1 ]]; then q_clients="100 200" q_hold=10; else q_clients="500 1000 2000" q_hold=25; fi
MEM_CLIENTS="${o_clients:-${MEM_CLIENTS:-$q_clients}}"
HOLD="${o_hold:-${HOLD:-$q_hold}}"
RAMP="${RAMP:-4}"
RATE="${RATE:-32768}"
CHUNK="${CHUNK:-16384}"
RCVBUF="${RCVBUF:-16384}"
MEM_CONTENDERS="${MEM_CONTENDERS:-nginx nginx-notemp sluice}"
SLUICE_JAR="${SLUICE_JAR:-$REPO_ROOT/lib/cli/target/sluice.jar}"
SLUICE_MEM_JVM_OPTS="${SLUICE_MEM_JVM_OPTS:--XX:+UseSerialGC -Xms64m -Xmx64m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=512m}"
SLUICE_BIG_JVM_OPTS="${SLUICE_BIG_JVM_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m}"
SLUICE_EXTRA_ARGS="${SLUICE_EXTRA_ARGS:-}"
LOAD_CPU="${LOAD_CPU:-0}"
PROXY_CPU="${PROXY_CPU:-1}"
BODY_BYTES=$(( 10 * 1024 * 1024 ))

for v in HOLD RAMP RATE CHUNK RCVBUF LOAD_CPU PROXY_CPU; do is_uint "${!v}" || die "$v must be a whole number, got '${!v}'"; done
(( HOLD >= 1 && RATE >= 1 && CHUNK >= 1 )) || die "hold, rate and chunk must be >= 1"
for n in $MEM_CLIENTS; do is_uint "$n" && (( n >= 1 )) || die "client counts must be >= 1, got '$n'"; done
for p in $MEM_CONTENDERS; do [[ $p =~ ^(nginx|nginx-notemp|sluice|sluice-bigheap)$ ]] || die "unknown contender '$p'"; done
[[ "$SLUICE_JAR" = /* ]] || SLUICE_JAR="$PWD/$SLUICE_JAR"
(( RATE * HOLD < BODY_BYTES / 2 )) || die "rate x hold must stay well under 10 MiB, so every client is still slow at the end"
NCPU="$(nproc --all 2>/dev/null || getconf _NPROCESSORS_ONLN)"
(( LOAD_CPU < NCPU && PROXY_CPU < NCPU )) || die "needs cores $LOAD_CPU and $PROXY_CPU, this machine has $NCPU"
for t in nginx curl python3 taskset timeout cmp; do command -v "$t" >/dev/null || die "$t is missing (apt-get install -y nginx curl python3 util-linux coreutils diffutils)"; done

# ---------------------------------------------------------------------------- cleanup
TMP="$(mktemp -d /tmp/sluice-mem.XXXXXX)"
PIDS=()

stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  # Recorded pids only: the processes started here (nginx workers are recorded when seen).
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "memory.sh: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "memory.sh: interrupted" >&2; exit 130' INT
trap 'echo "memory.sh: terminated" >&2; exit 143' TERM

LAST_PID=""
start_bg() { # LOGFILE CMD...
  local logf="$1"; shift
  "$@" >"$logf" 2>&1 </dev/null &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
forget_pid() {
  local pid="$1" p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_http() { # URL PID SECS
  local url="$1" pid="$2" end=$((SECONDS + $3))
  while (( SECONDS < end )); do
    kill -0 "$pid" 2>/dev/null || return 1
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null)" == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}
# RSS in KiB of PID and its direct children (nginx's worker), summed.
tree_rss() {
  local p t=0 v
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    v="$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" || continue
    t=$(( t + ${v:-0} ))
  done
  echo "$t"
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

# ---------------------------------------------------------------------------- setup
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max_n=0; for n in $MEM_CLIENTS; do (( n > max_n )) && max_n=$n; done
(( $(ulimit -n) >= 2 * max_n + 256 )) || die "needs $(( 2 * max_n + 256 )) file descriptors, ulimit -n allows $(ulimit -n)"

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT_DIR="${OUT_DIR:-$SCRIPT_DIR/results/mem-$STAMP}"
mkdir -p "$OUT_DIR/logs" "$OUT_DIR/samples"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
RUNS="$OUT_DIR/runs.tsv"
printf 'clients\tcontender\tidle_kib\tafter_one_kib\tpeak_kib\tpeak_before_probe_kib\tplateau_kib\thwm_kib\tconnected\tok\terrors\tmean_body_kib\theap_used_kib\theap_committed_kib\tdirect_kib\ttemp_file_warnings\tproxy_cpu_pct\tload_start\tload_end\tsamples\n' >"$RUNS"
EXIT_CODE=0

want_sluice=0
for p in $MEM_CONTENDERS; do [[ $p == sluice* ]] && want_sluice=1; done
if [[ $want_sluice == 1 ]]; then
  if [[ ! -f "$SLUICE_JAR" && $BUILD == 1 ]]; then
    log "building Sluice: (cd $REPO_ROOT && mvn -q -B -DskipTests install)"
    (cd "$REPO_ROOT" && timeout 1800 mvn -q -B -DskipTests install) >"$OUT_DIR/logs/build.log" 2>&1 \
      || { tail -30 "$OUT_DIR/logs/build.log" >&2; die "Sluice build failed (log: $OUT_DIR/logs/build.log)"; }
  fi
  [[ -f "$SLUICE_JAR" ]] || die "$SLUICE_JAR not found (mvn -q -B -DskipTests install at the root, or --build, or --jar PATH)"
  command -v java >/dev/null || die "no java on PATH"
  command -v jcmd >/dev/null || echo "memory.sh: warning: no jcmd; Sluice's heap use will not be recorded" >&2
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo) ($NCPU cores; clients+upstream on core $LOAD_CPU, proxy on core $PROXY_CPU)"
  echo "kernel: $(uname -srm)"
  echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); page size $(getconf PAGESIZE)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
  if command -v java >/dev/null; then echo "java: $(java -version 2>&1 | head -2 | paste -sd';' | sed 's/;/; /')"; fi
  echo "sluice: $SLUICE_JAR ($(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "sluice JVM flags: $SLUICE_MEM_JVM_OPTS$([[ $NMT == 1 ]] && echo ' -XX:NativeMemoryTracking=summary')"
  [[ " $MEM_CONTENDERS " == *" sluice-bigheap "* ]] && echo "sluice-bigheap JVM flags: $SLUICE_BIG_JVM_OPTS"
  echo "settings: clients {$MEM_CLIENTS}, contenders {$MEM_CONTENDERS}, 10 MiB body, each client reads $RATE B/s in reads of $CHUNK B (SO_RCVBUF $RCVBUF) for ${HOLD}s then closes, connecting over ${RAMP}s; RSS sampled every 0.5 s"
} >"$OUT_DIR/machine.txt"
cat "$OUT_DIR/machine.txt"

ROOT_USER=""
[[ $(id -u) == 0 ]] && ROOT_USER="user root;"
nginx_temp_paths() { # prefix dir
  printf '  client_body_temp_path %s/tmp/body;\n  proxy_temp_path %s/tmp/proxy;\n  fastcgi_temp_path %s/tmp/fastcgi;\n  uwsgi_temp_path %s/tmp/uwsgi;\n  scgi_temp_path %s/tmp/scgi;\n' "$1" "$1" "$1" "$1" "$1"
}

# ---------------------------------------------------------------------------- upstream
UP_DIR="$TMP/upstream"
mkdir -p "$UP_DIR/www" "$UP_DIR/tmp"
yes 'sluice load body 0123456789abcdefghijklmnopqrstuvwxyz' | head -c "$BODY_BYTES" >"$UP_DIR/www/10m" || true
UPORT="$(free_port)"
cat >"$UP_DIR/nginx.conf" <<EOF
# Static upstream: one worker, sends the file as fast as each proxy connection takes it.
$ROOT_USER
worker_processes 1;
pid $UP_DIR/nginx.pid;
error_log $UP_DIR/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush off;
  tcp_nodelay on;
  open_file_cache max=16 inactive=1h;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  # The proxies' reads pause for as long as their slow clients: never time that out.
  send_timeout 300s;
$(nginx_temp_paths "$UP_DIR")
  server {
    listen 127.0.0.1:$UPORT backlog=8192;
    root $UP_DIR/www;
    location / { }
  }
}
EOF
log "starting upstream nginx on 127.0.0.1:$UPORT (core $LOAD_CPU)"
start_bg "$OUT_DIR/logs/upstream.log" taskset -c "$LOAD_CPU" nginx -p "$UP_DIR/" -c "$UP_DIR/nginx.conf" -e "$UP_DIR/error.log" -g 'daemon off;'
UP_PID=$LAST_PID
wait_http "http://127.0.0.1:$UPORT/10m" "$UP_PID" 15 \
  || { cat "$OUT_DIR/logs/upstream.log" "$UP_DIR/error.log" >&2 2>/dev/null; die "upstream nginx did not start"; }
for p in $(pgrep -P "$UP_PID" || true); do PIDS+=("$p"); done

# ---------------------------------------------------------------------------- contenders
PX_PID="" PX_PORT="" PX_DIR="" PX_LOG="" PX_KIDS=()

start_nginx() { # "" or "notemp"
  PX_DIR="$TMP/nginx-$PX_PORT"; mkdir -p "$PX_DIR/tmp"
  local extra=""
  [[ $1 == notemp ]] && extra="proxy_max_temp_file_size 0;"
  cat >"$PX_DIR/nginx.conf" <<EOF
$ROOT_USER
worker_processes 1;
pid $PX_DIR/nginx.pid;
error_log $PX_DIR/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
$(nginx_temp_paths "$PX_DIR")
  upstream backend {
    server 127.0.0.1:$UPORT;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$PX_PORT backlog=8192;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # proxy_buffering on, proxy_buffers 8 4k, proxy_buffer_size 4k: the defaults.
      $extra
    }
  }
}
EOF
  start_bg "$PX_LOG" taskset -c "$PROXY_CPU" nginx -p "$PX_DIR/" -c "$PX_DIR/nginx.conf" -e "$PX_DIR/error.log" -g 'daemon off;'
  PX_PID=$LAST_PID
}

start_sluice() { # JVM options
  local -a jvm extra
  read -r -a jvm <<<"$1"
  [[ $NMT == 1 ]] && jvm+=(-XX:NativeMemoryTracking=summary)
  read -r -a extra <<<"$SLUICE_EXTRA_ARGS"
  start_bg "$PX_LOG" taskset -c "$PROXY_CPU" java "${jvm[@]}" -jar "$SLUICE_JAR" \
    --listen "127.0.0.1:$PX_PORT" --worker-processes 1 --server "127.0.0.1:$UPORT" \
    --access-log off "${extra[@]}"
  PX_PID=$LAST_PID
}

start_contender() { # name N
  local name="$1" end
  PX_PORT="$(free_port)"
  PX_LOG="$OUT_DIR/logs/$name-n$2.log"
  PX_DIR=""
  PX_KIDS=()
  case "$name" in
    nginx) start_nginx "" ;;
    nginx-notemp) start_nginx notemp ;;
    sluice) start_sluice "$SLUICE_MEM_JVM_OPTS" ;;
    sluice-bigheap) start_sluice "$SLUICE_BIG_JVM_OPTS" ;;
  esac
  if [[ $name == sluice* ]]; then
    end=$((SECONDS + 60))
    until grep -q "listening on" "$PX_LOG" 2>/dev/null; do
      if ! kill -0 "$PX_PID" 2>/dev/null || (( SECONDS >= end )); then
        echo "!!! $name did not report 'listening on' (log $PX_LOG):" >&2; tail -20 "$PX_LOG" >&2
        return 1
      fi
      sleep 0.2
    done
  else
    end=$((SECONDS + 15))
    until [[ -n "$(pgrep -P "$PX_PID" || true)" ]]; do
      if ! kill -0 "$PX_PID" 2>/dev/null || (( SECONDS >= end )); then
        echo "!!! $name did not start its worker (log $PX_LOG):" >&2; tail -20 "$PX_LOG" "$PX_DIR/error.log" >&2
        return 1
      fi
      sleep 0.2
    done
    PX_KIDS=($(pgrep -P "$PX_PID"))
    PIDS+=("${PX_KIDS[@]}")
  fi
}

stop_contender() {
  local p
  [[ -n $PX_PID ]] || return 0
  stop_pid "$PX_PID"
  forget_pid "$PX_PID"
  for p in "${PX_KIDS[@]}"; do
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
    forget_pid "$p"
  done
  PX_PID=""
  PX_KIDS=()
}

# One full download through the proxy, compared byte for byte with the upstream's file.
sanity_check() { # name
  local got="$TMP/sanity" code
  code="$(curl -s -o "$got" -w '%{http_code}' --max-time 30 "http://127.0.0.1:$PX_PORT/10m" || echo 000)"
  if [[ $code != 200 ]] || ! cmp -s "$got" "$UP_DIR/www/10m"; then
    echo "!!! SANITY FAILED: $1 returned HTTP $code and $(wc -c <"$got" 2>/dev/null || echo 0) bytes (expected 200 and 10 MiB identical to the upstream's)" >&2
    return 1
  fi
  rm -f "$got"
}

json_get() { # FILE KEY
  python3 -c 'import json, sys; v = json.load(open(sys.argv[1])).get(sys.argv[2]); print("NA" if v is None else (json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list)) else v))' "$1" "$2"
}

# Heap used and committed (KiB) from jcmd GC.heap_info: the sum over the generations.
heap_from() { # FILE -> "used committed"
  awk '/(generation|PSYoungGen|ParOldGen|garbage-first heap)/ && /total/ {
         for (i = 1; i <= NF; i++) { if ($i == "total") { c += $(i + 1) + 0 } if ($i == "used") { u += $(i + 1) + 0 } }
       } END { if (c > 0) printf "%d %d", u, c; else printf "NA NA" }' "$1" 2>/dev/null || echo "NA NA"
}
# Direct buffers' memory (KiB) from VM.native_memory summary: category Other (NIO direct buffers in JDK 17).
direct_from() { # FILE
  awk '/^-[ ]+Other \(/ { if (match($0, /committed=[0-9]+KB/)) { print substr($0, RSTART + 10, RLENGTH - 12) + 0; f = 1 } } END { if (!f) print "NA" }' "$1" 2>/dev/null || echo NA
}

n_runs=$(( $(wc -w <<<"$MEM_CLIENTS") * $(wc -w <<<"$MEM_CONTENDERS") ))
log "$n_runs runs of about $(( RAMP + HOLD + 15 ))s each (about $(( n_runs * (RAMP + HOLD + 20) / 60 + 1 )) min); results in $OUT_DIR"

read -r -a CONT_ARR <<<"$MEM_CONTENDERS"
run_no=0
for n in $MEM_CLIENTS; do
  # Rotate which contender goes first at each N.
  c_count=${#CONT_ARR[@]}
  for i in $(seq 0 $(( c_count - 1 ))); do
    name="${CONT_ARR[$(( (i + run_no / c_count) % c_count ))]}"
    run_no=$(( run_no + 1 ))
    log "[$run_no/$n_runs] N=$n: $name"
    if ! start_contender "$name" "$n"; then
      EXIT_CODE=2; stop_contender; continue
    fi
    sleep 2
    idle="$(tree_rss "$PX_PID")"
    if ! wait_http "http://127.0.0.1:$PX_PORT/10m" "$PX_PID" 30 || ! sanity_check "$name"; then
      echo "!!! $name failed to proxy /10m (log $PX_LOG)" >&2
      EXIT_CODE=2; stop_contender; continue
    fi
    sleep 1
    after_one="$(tree_rss "$PX_PID")"
    probe=()
    if [[ $name == sluice* ]] && command -v jcmd >/dev/null; then
      pc="jcmd $PX_PID GC.heap_info"
      [[ $NMT == 1 ]] && pc="sh -c 'jcmd $PX_PID GC.heap_info; jcmd $PX_PID VM.native_memory summary'"
      # Near the end of the plateau, after every client connected and filled the buffers.
      probe=(--probe-at "$(( RAMP + HOLD - 4 ))" --probe-cmd "$pc" --probe-out "$OUT_DIR/logs/$name-n$n-jcmd.txt")
    fi
    load0="$(cut -d' ' -f1 /proc/loadavg)"
    ticks0="$(proc_ticks "$PX_PID")" t0=$SECONDS
    vmstat 1 $(( RAMP + HOLD + 5 )) >"$OUT_DIR/logs/$name-n$n-vmstat.txt" 2>&1 &
    VM_PID=$!; PIDS+=("$VM_PID")
    crc=0
    timeout -k 5 $(( RAMP + HOLD + 90 )) taskset -c "$LOAD_CPU" python3 "$SCRIPT_DIR/slowclients.py" \
      --port "$PX_PORT" --path /10m --clients "$n" --pid "$PX_PID" --ramp "$RAMP" --hold "$HOLD" \
      --rate "$RATE" --chunk "$CHUNK" --rcvbuf "$RCVBUF" --expect-file "$UP_DIR/www/10m" \
      --samples "$OUT_DIR/samples/$name-n$n.tsv" --summary "$OUT_DIR/samples/$name-n$n.json" "${probe[@]}" \
      </dev/null & 
    CL_PID=$!; PIDS+=("$CL_PID")
    wait "$CL_PID" || crc=$?
    forget_pid "$CL_PID"
    stop_pid "$VM_PID"; forget_pid "$VM_PID"
    load1="$(cut -d' ' -f1 /proc/loadavg)"
    cpu_pct="$(awk -v d=$(( $(proc_ticks "$PX_PID") - ticks0 )) -v hz="$CLK_TCK" -v w=$(( SECONDS - t0 )) 'BEGIN { printf "%.0f", (w > 0) ? 100 * d / hz / w : 0 }')"
    sj="$OUT_DIR/samples/$name-n$n.json"
    if [[ ! -s $sj ]]; then
      echo "!!! $name N=$n: the clients wrote no summary (exit $crc)" >&2
      EXIT_CODE=2; stop_contender; continue
    fi
    (( crc == 3 )) && { echo "!!! $name N=$n: some clients failed: $(json_get "$sj" errors) e.g. $(json_get "$sj" first_error)" >&2; (( EXIT_CODE == 0 )) && EXIT_CODE=3; }
    (( crc != 0 && crc != 3 )) && { echo "!!! $name N=$n: slowclients.py exited $crc" >&2; EXIT_CODE=2; }
    heap="NA NA" direct="NA" warnings="NA"
    if [[ -f "$OUT_DIR/logs/$name-n$n-jcmd.txt" ]]; then
      heap="$(heap_from "$OUT_DIR/logs/$name-n$n-jcmd.txt")"
      direct="$(direct_from "$OUT_DIR/logs/$name-n$n-jcmd.txt")"
    fi
    if [[ -n $PX_DIR && -f "$PX_DIR/error.log" ]]; then
      warnings="$(grep -c 'buffered to a temporary file' "$PX_DIR/error.log" || true)"
      cp "$PX_DIR/error.log" "$OUT_DIR/logs/$name-n$n-error.log"
    fi
    alive=1; kill -0 "$PX_PID" 2>/dev/null || alive=0
    read -r hu hc <<<"$heap"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$name" "$idle" "$after_one" \
      "$(json_get "$sj" peak_rss_kib)" "$(json_get "$sj" peak_rss_before_probe_kib)" "$(json_get "$sj" plateau_median_rss_kib)" \
      "$(json_get "$sj" hwm_total_kib)" "$(json_get "$sj" connected)" "$(json_get "$sj" ok)" "$(json_get "$sj" errors)" \
      "$(( $(json_get "$sj" mean_body_bytes_per_client) / 1024 ))" "$hu" "$hc" "$direct" "$warnings" "$cpu_pct" "$load0" "$load1" \
      "$(json_get "$sj" samples)" >>"$RUNS"
    log "    idle $idle KiB, after one download $after_one KiB, peak $(json_get "$sj" peak_rss_kib) KiB, plateau $(json_get "$sj" plateau_median_rss_kib) KiB; heap used/committed $hu/$hc KiB; proxy CPU $cpu_pct% of a core; load $load0 -> $load1"
    if [[ $alive == 0 ]]; then
      echo "!!! $name died during N=$n (log $PX_LOG)" >&2; tail -5 "$PX_LOG" >&2; EXIT_CODE=2
    fi
    stop_contender
    sleep 3   # let the closed connections' sockets go before the next contender
  done
done

echo
python3 "$SCRIPT_DIR/memreport.py" "$RUNS" "$OUT_DIR" --meta "$OUT_DIR/machine.txt" || EXIT_CODE=1
echo
log "results: $OUT_DIR/{summary.md,runs.tsv,machine.txt} (RSS samples in samples/, logs in logs/)"
exit "$EXIT_CODE"
