#!/bin/bash
# What one proxied request costs the load generator, the proxy and the upstream, counted by the kernel: system
# calls, context switches and CPU time per request of wrk and the upstream nginx's worker (core 0) and of the proxy
# (core 1), over 5 s of a 6-s wrk run, after a 12-s warm-up. The harness (../run.sh) ranks proxies; this looks at
# why one run differs from another.
#
#   per-request.sh haproxy|sluice CONNS small|64k [RUNS]
#
# Environment: SLUICE_JAR (default lib/cli/target/sluice.jar), SLUICE_JVM_OPTS (extra JVM flags), PRELOAD (a
# library preloaded into HAProxy, e.g. no_msg_more.so built from no_msg_more.c beside this script), UPSTREAM_SENDFILE
# (on, the default, as the harness's upstream; off: nginx writes a small file's head and body in one segment).
# Needs nginx, haproxy, wrk and perf; the upstream is an nginx of its own on 127.0.0.1:18180 (core 0), the proxy
# listens on 127.0.0.1:18181, and every upstream connection is kept (keepalive 256, pool-max-conn 256).
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
who=$1 conns=$2 path=$3 runs=${4:-3}
root=$(cd "$(dirname "$0")/../../.." && pwd)
jar=${SLUICE_JAR:-$root/lib/cli/target/sluice.jar}
for tool in nginx haproxy wrk perf; do
  command -v $tool >/dev/null || { echo "per-request.sh: $tool is not installed" >&2; exit 1; }
done
dir=$(mktemp -d)
chmod 755 "$dir" # nginx's worker runs as an unprivileged user and serves from here
mkdir -p "$dir/www" "$dir/tmp"
yes 'sluice load body 0123456789abcdefghijklmnopqrstuvwxyz' | head -c 100 > "$dir/www/small" || true
yes 'sluice load body 0123456789abcdefghijklmnopqrstuvwxyz' | head -c 65536 > "$dir/www/64k" || true
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  sendfile ${UPSTREAM_SENDFILE:-on}; tcp_nodelay on;
  keepalive_requests 10000000; keepalive_timeout 300s;
  client_body_temp_path $dir/tmp/b; proxy_temp_path $dir/tmp/p; fastcgi_temp_path $dir/tmp/f;
  uwsgi_temp_path $dir/tmp/u; scgi_temp_path $dir/tmp/s;
  server { listen 127.0.0.1:18180 backlog=4096; root $dir/www; location / { } }
}
CONF
cat > "$dir/haproxy.cfg" <<CONF
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
  bind 127.0.0.1:18181
  default_backend be
backend be
  server up 127.0.0.1:18180 pool-max-conn 256 pool-purge-delay 60s
CONF
taskset -c 0 nginx -c "$dir/nginx.conf"
if [[ $who == sluice ]]; then
  # shellcheck disable=SC2086
  taskset -c 1 java -XX:+UseParallelGC -Xms512m -Xmx512m ${SLUICE_JVM_OPTS:-} -jar "$jar" --listen 127.0.0.1:18181 \
    --worker-processes 1 --server 127.0.0.1:18180 --upstream-keepalive 256 --access-log off > "$dir/proxy.log" 2>&1 &
else
  LD_PRELOAD=${PRELOAD:-} taskset -c 1 haproxy -f "$dir/haproxy.cfg" > "$dir/proxy.log" 2>&1 &
fi
proxy=$!
trap '{ kill $proxy; wait $proxy; nginx -c "$dir/nginx.conf" -s stop; rm -rf "$dir"; } 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fso /dev/null "http://127.0.0.1:18181/$path" && break
  sleep 0.1
done
if ! curl -fso /dev/null "http://127.0.0.1:18181/$path"; then
  echo "per-request.sh: no 200 for /$path through $who" >&2
  exit 1
fi
taskset -c 0 wrk -t1 -c"$conns" -d12s "http://127.0.0.1:18181/$path" > /dev/null
events=syscalls:sys_enter_writev,syscalls:sys_enter_readv,syscalls:sys_enter_write,syscalls:sys_enter_read
events=$events,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait
events=$events,context-switches,task-clock
for run in $(seq "$runs"); do
  taskset -c 0 wrk -t1 -c"$conns" -d6s --latency "http://127.0.0.1:18181/$path" > "$dir/wrk.txt" &
  load=$!
  sleep 0.5
  perf stat -p "$(pgrep -n -x wrk)" -e "$events" -x, -o "$dir/load.txt" -- sleep 5 &
  counted_load=$!
  perf stat -p $proxy -e "$events" -x, -o "$dir/proxy.txt" -- sleep 5 &
  counted_proxy=$!
  perf stat -p "$(pgrep -P "$(cat "$dir/nginx.pid")")" -e "$events" -x, -o "$dir/upstream.txt" -- sleep 5 &
  counted_upstream=$!
  wait $load $counted_load $counted_proxy $counted_upstream
  rps=$(awk '/requests in/{print int($1 / 6)}' "$dir/wrk.txt")
  echo "$who $conns x $path, run $run: $rps req/s, p99 $(awk '$1 == "99%" {print $2}' "$dir/wrk.txt")"
  for side in load proxy upstream; do
    awk -F, -v n=$((rps * 5)) -v side=$side 'BEGIN { printf "  %-8s", side }
      /^[0-9]/ { split($3, name, ":"); e = name[length(name)]
                 if (e == "task-clock") printf "  CPU %.2f us", $1 * 1000 / n
                 else if ($1 > 0) printf "  %s %.2f", e, $1 / n }
      END { print "  (per request)" }' "$dir/$side.txt"
  done
done
