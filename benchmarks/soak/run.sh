#!/usr/bin/env bash
# The faulted soak: REQUESTS requests (default 1,000,000: GET and POST with bodies, kept alive or not, some
# pipelined) through Sluice to three upstreams that inject faults at random (resets before and after reading a
# request, silent closes, bodies cut short, slow drips, 503s, idle closes just after a response), one of them
# killed with kill -9 and restarted every 10 s. The client checks every answer against its request id; the
# report gives sent, correct, each error status with the fault that explains it, wrong, lost, POSTs delivered
# twice, and Sluice's open file descriptors and heap after a full GC at the start and the end.
#
# Usage: benchmarks/soak/run.sh [REQUESTS]     env: CONNS (16), SEED (42), MAX_SECONDS (1200), PROXY (sluice|nginx),
#        SOAK_FAULTS=off (no injected faults and no kills: a baseline) or =NAME (only that fault, in 5 % of requests,
#        and no kills; see FaultyUpstream.java); SLUICE_FLAGS (more flags for Sluice, e.g. --upstream-keepalive 32)
# Needs only a JDK 17 and Maven (it builds lib/cli/target/sluice.jar if missing); PROXY=nginx runs the same soak
# against nginx (apt-get install -y nginx) configured alike, for figures side by side (its workers' open fds and
# RSS in place of the heap). Loopback ports 19300-19303.
# Every process it starts is stopped on exit; the whole run is capped by MAX_SECONDS.
set -euo pipefail

REQUESTS="${1:-1000000}"
CONNS="${CONNS:-16}"
SEED="${SEED:-42}"
MAX_SECONDS="${MAX_SECONDS:-1200}"
PROXY="${PROXY:-sluice}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/lib/cli/target/sluice.jar"
PROXY_PORT=19300
UPSTREAM_PORTS=(19301 19302 19303)

if [[ "$PROXY" == sluice && ! -f "$JAR" ]]; then
    (cd "$ROOT" && mvn -q -B -pl lib/cli -am package -DskipTests -Djazzer.skip=true)
fi

WORK="$(mktemp -d -t sluice-soak.XXXXXX)"
PIDS=()
UPSTREAM_PIDS=()
cleanup() {
    if [[ -n "${SERVER:-}" && "$PROXY" == nginx ]]; then
        kill -TERM "$SERVER" 2>/dev/null || true # nginx's fast shutdown stops its workers too; kill -9 would not
        for ((i = 0; i < 50; i++)); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
    fi
    for pid in "${UPSTREAM_PIDS[@]}" "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

wait_port() { # wait until something listens on $1, at most 20 s
    for ((i = 0; i < 200; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

start_upstream() { # $1: index
    java -Xmx128m "$HERE/FaultyUpstream.java" "${UPSTREAM_PORTS[$1]}" "$((SEED + $1))" "$WORK/upstream-$1.log" \
        >>"$WORK/upstream-$1.out" 2>&1 &
    UPSTREAM_PIDS[$1]=$!
}

for i in 0 1 2; do start_upstream "$i"; done
for port in "${UPSTREAM_PORTS[@]}"; do wait_port "$port"; done

# max_fails=0: the faults come every few dozen requests, and with nginx's max_fails=1 every peer would be marked
# unavailable at once and most requests answered "no live upstreams"; the soak is about what each request gets.
if [[ "$PROXY" == nginx ]]; then
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
    chmod 755 "$WORK"
    mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
    {
        echo "worker_processes 1; daemon off; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/logs/error.log;"
        echo "events { worker_connections 4096; }"
        echo "http {"
        echo "  access_log off;"
        for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $WORK/nginx/tmp/$t;"; done
        echo "  upstream backend {"
        for port in "${UPSTREAM_PORTS[@]}"; do echo "    server 127.0.0.1:$port max_fails=0;"; done
        echo "    keepalive 32;"
        echo "  }"
        echo "  server { listen 127.0.0.1:$PROXY_PORT; keepalive_requests 1000000;"
        echo "    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; }"
        echo "  }"
        echo "}"
    } >"$WORK/nginx/nginx.conf"
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.out" 2>&1 &
    SERVER=$!
else
    java -Xms256m -Xmx256m -XX:+UseParallelGC -jar "$JAR" --listen "127.0.0.1:$PROXY_PORT" --worker-processes 1 \
        --server "127.0.0.1:${UPSTREAM_PORTS[0]} max_fails=0" --server "127.0.0.1:${UPSTREAM_PORTS[1]} max_fails=0" \
        --server "127.0.0.1:${UPSTREAM_PORTS[2]} max_fails=0" ${SLUICE_FLAGS:-} >"$WORK/sluice.out" 2>&1 &
    SERVER=$!
fi
PIDS+=("$SERVER")
wait_port "$PROXY_PORT"

# The connections process $1 holds open to the upstreams (its keepalive pool, and any request in flight).
upstream_connections() {
    local filter="" port
    for port in "${UPSTREAM_PORTS[@]}"; do filter+="${filter:+ or }dport = :$port"; done
    ss -Htnp state established "( $filter )" 2>/dev/null | grep -c "pid=$1," || true
}

measure() { # $1: label
    if [[ "$PROXY" == nginx ]]; then
        local worker
        worker="$(pgrep -P "$SERVER" | head -1)"
        echo "$1: nginx worker open fds $(ls "/proc/$worker/fd" | wc -l) ($(upstream_connections "$worker") of them" \
            "connections to the upstreams), RSS $(awk '/VmRSS/ {print $2 "K"}' "/proc/$worker/status")"
        return
    fi
    jcmd "$SERVER" GC.run >/dev/null
    local heap fds
    heap="$(jcmd "$SERVER" GC.heap_info | grep -Eo 'used [0-9]+K' | awk '{s += $2} END {print s "K"}')"
    fds="$(ls "/proc/$SERVER/fd" | wc -l)"
    echo "$1: sluice open fds $fds ($(upstream_connections "$SERVER") of them connections to the upstreams)," \
        "heap used after a full GC $heap"
}

measure "start"
java -Xmx512m "$HERE/Soak.java" "127.0.0.1:$PROXY_PORT" "$REQUESTS" "$CONNS" "$SEED" \
    "$WORK"/upstream-0.log "$WORK"/upstream-1.log "$WORK"/upstream-2.log >"$WORK/soak.out" 2>&1 &
CLIENT=$!
PIDS+=("$CLIENT")

started=$SECONDS
kills=0
victim=0
while kill -0 "$CLIENT" 2>/dev/null; do
    if ((SECONDS - started > MAX_SECONDS)); then
        echo "the soak ran past ${MAX_SECONDS}s: stopped" >&2
        exit 1
    fi
    sleep 10
    kill -0 "$CLIENT" 2>/dev/null || break
    [[ "${SOAK_FAULTS:-all}" != all ]] && continue
    kill -9 "${UPSTREAM_PIDS[$victim]}" 2>/dev/null || true
    wait "${UPSTREAM_PIDS[$victim]}" 2>/dev/null || true
    kills=$((kills + 1))
    sleep 1
    start_upstream "$victim"
    wait_port "${UPSTREAM_PORTS[$victim]}"
    victim=$(((victim + 1) % 3))
done
status=0
wait "$CLIENT" || status=$?
measure "end"
echo "upstreams killed with kill -9 and restarted: $kills"
echo "connections the upstreams accepted: $(cat "$WORK"/upstream-*.log | grep -c '^connection ')"
cat "$WORK/soak.out"
exit "$status"
