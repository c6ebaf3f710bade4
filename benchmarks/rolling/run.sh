#!/usr/bin/env bash
# Rolling deploys under load: failed requests while every upstream behind a proxy is replaced one by one.
#
# N upstreams (Upstream.java) serve a steady load of GET and POST requests (Load.java, keep-alive) through the
# proxy under test; then each upstream in turn is replaced by a new one, gracefully (the old one is taken out of
# membership, then stops accepting, finishes its requests and exits on SIGTERM) or abruptly (kill -9, taken out of
# membership only afterwards, as a crashed instance is). Membership comes from DNS (a private dnsmasq on loopback)
# or from the proxy's runtime API. The same script measures Sluice, nginx and HAProxy.
# See benchmarks/rolling/README.md, or run with --help.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

usage() {
  cat <<'EOF'
Usage: benchmarks/rolling/run.sh [options]

Replaces every upstream behind a proxy one by one under steady load and counts the requests that failed.

Options (each also settable by the environment variable in brackets):
  --jar PATH            the Sluice jar       [SLUICE_JAR, default <repo>/lib/cli/target/sluice.jar]
  --contenders "P..."   any of sluice nginx haproxy            [CONTENDERS, default "sluice nginx haproxy"]
  --modes "M..."        membership: dns (a private dnsmasq), api (runtime API; nginx: reload)
                                                                [MODES, default "dns api"]
  --kinds "K..."        graceful (out of membership, then SIGTERM), abrupt (kill -9, then out of membership)
                                                                [KINDS, default "graceful abrupt"]
  --upstreams N         upstreams behind the proxy, each replaced once          [UPSTREAMS, default 3]
  --rate R              requests per second, half GET half POST                 [RATE, default 2000]
  --conns C             client keep-alive connections                           [CONNS, default 32]
  --interval SECS       pause between two replacements                          [INTERVAL, default 2]
  --settle SECS         after a new upstream joins, before the old one leaves; in abrupt runs also the
                        time between the kill and the removal from membership   [SETTLE, default 1]
  --grace SECS          graceful runs: between removing the old upstream from membership and its SIGTERM
                        (a preStop sleep; 0 = at once, as an orchestrator does)  [GRACE, default 0]
  --steady SECS         load before the first and after the last replacement    [STEADY, default 5]
  --delay-ms MS         each request's service time in the upstream             [DELAY_MS, default 5]
  --out DIR             results directory  [OUT_DIR, default benchmarks/rolling/results/<timestamp>]
  --no-install          never run apt-get; fail if a tool is missing
  -h, --help            this text

Other environment knobs:
  SLUICE_JVM_OPTS    JVM flags for Sluice (default "-XX:+UseParallelGC -Xms256m -Xmx256m")
  SLUICE_EXTRA_ARGS  extra Sluice flags appended after the fixed ones (default empty)
  PIN=1              pin the proxy to PROXY_CPU (default 1) and the client, upstreams and dnsmasq to LOAD_CPU
                     (default 0); off by default: on 2 cores the load side then starves while a new upstream's
                     JVM starts, and the rate dips just when the replacements happen
  CLIENT_TIMEOUT_MS  the client's per-request timeout (default 10000)

Exit status: 0 every run completed (whatever it counted); 1 a setup failure; 2 some run could not be completed.
EOF
}

die() { echo "run.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*"; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# ---------------------------------------------------------------------------- options
INSTALL=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) SLUICE_JAR="${2:?--jar needs a value}"; shift ;;
    --contenders) CONTENDERS="${2:?--contenders needs a value}"; shift ;;
    --modes) MODES="${2:?--modes needs a value}"; shift ;;
    --kinds) KINDS="${2:?--kinds needs a value}"; shift ;;
    --upstreams) UPSTREAMS="${2:?--upstreams needs a value}"; shift ;;
    --rate) RATE="${2:?--rate needs a value}"; shift ;;
    --conns) CONNS="${2:?--conns needs a value}"; shift ;;
    --interval) INTERVAL="${2:?--interval needs a value}"; shift ;;
    --settle) SETTLE="${2:?--settle needs a value}"; shift ;;
    --grace) GRACE="${2:?--grace needs a value}"; shift ;;
    --steady) STEADY="${2:?--steady needs a value}"; shift ;;
    --delay-ms) DELAY_MS="${2:?--delay-ms needs a value}"; shift ;;
    --out) OUT_DIR="${2:?--out needs a value}"; shift ;;
    --no-install) INSTALL=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done

SLUICE_JAR="${SLUICE_JAR:-$REPO_ROOT/lib/cli/target/sluice.jar}"
CONTENDERS="${CONTENDERS:-sluice nginx haproxy}"
MODES="${MODES:-dns api}"
KINDS="${KINDS:-graceful abrupt}"
UPSTREAMS="${UPSTREAMS:-3}"
RATE="${RATE:-2000}"
CONNS="${CONNS:-32}"
INTERVAL="${INTERVAL:-2}"
SETTLE="${SETTLE:-1}"
GRACE="${GRACE:-0}"
STEADY="${STEADY:-5}"
DELAY_MS="${DELAY_MS:-5}"
SLUICE_JVM_OPTS="${SLUICE_JVM_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m}"
SLUICE_EXTRA_ARGS="${SLUICE_EXTRA_ARGS:-}"
PROXY_CPU="${PROXY_CPU:-1}"
LOAD_CPU="${LOAD_CPU:-0}"
PIN="${PIN:-0}"
CLIENT_TIMEOUT_MS="${CLIENT_TIMEOUT_MS:-10000}"

for v in UPSTREAMS RATE CONNS INTERVAL SETTLE GRACE STEADY DELAY_MS PROXY_CPU LOAD_CPU CLIENT_TIMEOUT_MS; do
  is_uint "${!v}" || die "$v must be a whole number, got '${!v}'"
done
(( UPSTREAMS >= 1 && UPSTREAMS <= 100 )) || die "--upstreams must be 1 to 100"
(( RATE >= 1 && CONNS >= 1 )) || die "--rate and --conns must be >= 1"
for p in $CONTENDERS; do [[ $p =~ ^(sluice|nginx|haproxy)$ ]] || die "unknown contender '$p'"; done
for m in $MODES; do [[ $m =~ ^(dns|api)$ ]] || die "unknown membership mode '$m' (dns, api)"; done
for k in $KINDS; do [[ $k =~ ^(graceful|abrupt)$ ]] || die "unknown kind '$k' (graceful, abrupt)"; done
[[ "$SLUICE_JAR" = /* ]] || SLUICE_JAR="$PWD/$SLUICE_JAR"
if [[ " $CONTENDERS " == *" sluice "* ]]; then
  [[ -f $SLUICE_JAR ]] || die "no Sluice jar at $SLUICE_JAR (build it: mvn -B -o -q package -DskipTests -Djazzer.skip=true -pl lib/cli -am; or pass --jar PATH)"
fi
# Pinning: the proxy on a core of its own, the client, upstreams and dnsmasq on the other.
if [[ $PIN == 1 && $(nproc) -ge 2 ]]; then
  ON_PROXY_CPU=(taskset -c "$PROXY_CPU") ON_LOAD_CPU=(taskset -c "$LOAD_CPU")
else
  ON_PROXY_CPU=() ON_LOAD_CPU=()
fi

# ---------------------------------------------------------------------------- cleanup
TMP="$(mktemp -d /tmp/sluice-rolling.XXXXXX)"
chmod 755 "$TMP" # nginx's workers read their files as nobody
# shellcheck source=../processes.sh
source "$SCRIPT_DIR/../processes.sh"

# ---------------------------------------------------------------------------- tools
ensure_tools() {
  local missing=() t
  [[ " $CONTENDERS " == *" nginx "* ]] && { command -v nginx >/dev/null || missing+=(nginx); }
  [[ " $CONTENDERS " == *" haproxy "* ]] && { command -v haproxy >/dev/null || missing+=(haproxy); }
  # dnsmasq-base is the binary alone: no system service that would take port 53.
  [[ " $MODES " == *" dns "* ]] && { command -v dnsmasq >/dev/null || missing+=(dnsmasq-base); }
  command -v curl >/dev/null || missing+=(curl)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v python3 >/dev/null || missing+=(python3)
  command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
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
  for t in curl taskset python3 javac; do command -v "$t" >/dev/null || die "$t still missing after install"; done
}

free_udp_port() {
  "$PY" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Wait until FILE holds PATTERN (or PID dies, or SECS pass).
wait_log() { # file pattern pid secs
  local end=$((SECONDS + $4))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || return 1
    (( SECONDS < end )) || return 1
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------- setup
ensure_tools
# The interpreter itself, not a version manager's shim: a shim can take a second to start on a busy machine, and
# the wait for a DNS change to be served would count it.
PY="$(python3 -c 'import sys; print(sys.executable)')"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT_DIR="${OUT_DIR:-$SCRIPT_DIR/results/$STAMP}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

# The client and the upstream, compiled once (a JVM per upstream starts faster from classes than from source).
CLASSES="$TMP/classes"
javac -d "$CLASSES" "$SCRIPT_DIR/Load.java" "$SCRIPT_DIR/Upstream.java" || die "javac failed"
UPSTREAM_JAVA=(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -Xmx64m -cp "$CLASSES" Upstream)

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo) ($(nproc) cores)"
  echo "pinning: $([[ ${#ON_PROXY_CPU[@]} -gt 0 ]] && echo "proxy on core $PROXY_CPU, client/upstreams/dnsmasq on core $LOAD_CPU" || echo off)"
  echo "kernel: $(uname -srm)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1)"
  [[ " $CONTENDERS " == *" sluice "* ]] && echo "sluice: $SLUICE_JAR (sha256 $(sha256sum "$SLUICE_JAR" | cut -c1-12), built $(date -u -r "$SLUICE_JAR" +%Y-%m-%dT%H:%M:%SZ)), JVM flags $SLUICE_JVM_OPTS $SLUICE_EXTRA_ARGS"
  [[ " $CONTENDERS " == *" nginx "* ]] && echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
  [[ " $CONTENDERS " == *" haproxy "* ]] && echo "haproxy: $(haproxy -v 2>&1 | head -1 | awk '{ print $3 }')"
  [[ " $MODES " == *" dns "* ]] && echo "dnsmasq: $(dnsmasq --version | head -1 | awk '{ print $3 }')"
  echo "settings: $UPSTREAMS upstreams, $RATE req/s over $CONNS connections (half GET, half POST), upstream service time ${DELAY_MS} ms, steady ${STEADY}s before and after, settle ${SETTLE}s, grace ${GRACE}s, ${INTERVAL}s between replacements, client timeout ${CLIENT_TIMEOUT_MS} ms"
} >"$OUT_DIR/machine.txt"
cat "$OUT_DIR/machine.txt"

# ---------------------------------------------------------------------------- one run's state
# Upstream g (1..2N): uG. The first N start with the proxy; N+r replaces r. In dns mode every upstream listens on the
# same port (an A record carries no port) at 127.0.0.(10+g); in api mode on 127.0.0.1 at a port of its own.
declare -A UP_PID=() UP_ADDR=() SLUICE_ID=()
MEMBERS=()          # the upstreams in membership now, by number
RUN="" MODE="" PROXY="" KIND=""
PX_PID="" PX_PORT="" API_PORT="" SOCK_PORT="" DNS_PID="" DNS_PORT="" UP_PORT=""
DNS_NAME="backend.rolling.test"

now_ms() { local us="${EPOCHREALTIME/./}"; echo "${us:0:-3}"; }

# Runs CMD... and writes DESCRIPTION to the run's events with the time it started and ended (ms), so that each failed
# request can be placed in the phase it fell in. Usage: act DESCRIPTION [CMD...]
act() {
  local what="$1" start rc=0
  shift
  start="$(now_ms)"
  (( $# == 0 )) || "$@" || rc=$?
  echo "$start $(now_ms) $what" >>"$RUN/events.log"
  log "  $what$( (( rc == 0 )) || echo " FAILED")"
  return "$rc"
}

start_upstream() { # g
  local g="$1" addr port
  if [[ $MODE == dns ]]; then addr="127.0.0.$((10 + g))" port="$UP_PORT"; else addr=127.0.0.1 port="$(free_port)"; fi
  start_bg "$RUN/upstream-u$g.log" "${ON_LOAD_CPU[@]}" "${UPSTREAM_JAVA[@]}" "$addr" "$port" "u$g" "$DELAY_MS"
  UP_PID[$g]=$LAST_PID
  UP_ADDR[$g]="$addr:$port"
  wait_log "$RUN/upstream-u$g.log" "listening on" "$LAST_PID" 20 || { cat "$RUN/upstream-u$g.log" >&2; return 1; }
}

# Waits up to 15 s for upstream g to exit by itself (its graceful stop); kill -9 after that.
await_exit() { # g
  local g="$1" pid="${UP_PID[$1]}" end=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < end )); do sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    act "u$g did not exit within 15 s of SIGTERM: kill -9" kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# ---------------------------------------------------------------------------- membership: dns
start_dnsmasq() {
  DNS_PORT="$(free_udp_port)"
  write_hosts
  # Only loopback, a high port, no /etc/hosts, no upstream servers, no system resolver touched; TTL 1 s.
  # --local: the names under rolling.test are answered here alone (AAAA: no records rather than REFUSED).
  start_bg "$RUN/dnsmasq.log" "${ON_LOAD_CPU[@]}" dnsmasq --no-daemon --conf-file=/dev/null --user=root \
    --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --local=/rolling.test/ --addn-hosts="$TMP/hosts" --local-ttl=1 --pid-file="$TMP/dnsmasq.pid" --log-queries=extra
  DNS_PID=$LAST_PID
  await_dns || { cat "$RUN/dnsmasq.log" >&2; return 1; }
}

write_hosts() {
  local g
  : >"$TMP/hosts.new"
  for g in "${MEMBERS[@]}"; do echo "${UP_ADDR[$g]%:*} $DNS_NAME" >>"$TMP/hosts.new"; done
  mv "$TMP/hosts.new" "$TMP/hosts"
}

# Until dnsmasq answers with exactly the members' addresses (5 s at most).
await_dns() {
  local want got g
  want="$(for g in "${MEMBERS[@]}"; do echo "${UP_ADDR[$g]%:*}"; done | xargs)"
  got="$("$PY" "$SCRIPT_DIR/dnsquery.py" 127.0.0.1 "$DNS_PORT" "$DNS_NAME" "$want" 5)" && return 0
  echo "dnsmasq answers '$got', expected '$want'" >&2
  return 1
}

dns_publish() { # after MEMBERS changed: rewrite the hosts file, make dnsmasq read it again (SIGHUP)
  write_hosts
  kill -HUP "$DNS_PID"
  await_dns
}

# ---------------------------------------------------------------------------- membership: per proxy
# member_add g / member_remove g change MEMBERS and tell the proxy; member_forget g runs once upstream g is gone.
member_add() {
  local g="$1"
  MEMBERS+=("$g")
  case "$PROXY-$MODE" in
    *-dns) dns_publish ;;
    nginx-api) nginx_publish ;;
    sluice-api) sluice_add "$g" ;;
    haproxy-api) haproxy_cmd "add server be/u$g ${UP_ADDR[$g]}" && haproxy_cmd "enable server be/u$g" ;;
  esac
  # nginx reads its upstream list from the hosts of the dns mode too: it has no resolver for upstream servers.
  [[ $PROXY-$MODE == nginx-dns ]] && nginx_publish
  return 0
}

member_remove() {
  local g="$1" m keep=()
  for m in "${MEMBERS[@]}"; do [[ $m == "$g" ]] || keep+=("$m"); done
  MEMBERS=("${keep[@]}")
  case "$PROXY-$MODE" in
    *-dns) dns_publish ;;
    nginx-api) nginx_publish ;;
    sluice-api) curl -fsS -X DELETE --max-time 5 "http://127.0.0.1:$API_PORT/api/9/http/upstreams/backend/servers/${SLUICE_ID[$g]}" >/dev/null ;;
    # maintenance: no new requests, those in flight finish; 'del server' once the upstream is gone
    haproxy-api) haproxy_cmd "disable server be/u$g" ;;
  esac
  [[ $PROXY-$MODE == nginx-dns ]] && nginx_publish
  return 0
}

member_forget() {
  local g="$1" i
  [[ $PROXY-$MODE == haproxy-api ]] || return 0
  # 'del server' refuses a server that still holds connections (idle ones too): try for 5 s.
  for i in $(seq 1 50); do
    haproxy_cmd "del server be/u$g" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  act "haproxy kept be/u$g: del server refused for 5 s ($(haproxy_cmd "del server be/u$g" 2>&1 | head -1))"
}

# ---------------------------------------------------------------------------- Sluice
sluice_add() { # g: POST the server, remember its id
  local out
  out="$(curl -fsS --max-time 5 -H 'Content-Type: application/json' -d "{\"server\":\"${UP_ADDR[$1]}\"}" \
    "http://127.0.0.1:$API_PORT/api/9/http/upstreams/backend/servers")" || return 1
  [[ $out =~ \"id\":([0-9]+) ]] || { echo "no id in the API's answer: $out" >&2; return 1; }
  SLUICE_ID[$1]="${BASH_REMATCH[1]}"
}

start_sluice() {
  local -a jvm extra servers=()
  local g
  read -r -a jvm <<<"$SLUICE_JVM_OPTS"
  read -r -a extra <<<"$SLUICE_EXTRA_ARGS"
  if [[ $MODE == dns ]]; then
    servers=(--server "$DNS_NAME:$UP_PORT resolve" --resolver "127.0.0.1:$DNS_PORT valid=1s" --resolver-timeout 1s)
  else
    for g in "${MEMBERS[@]}"; do servers+=(--server "${UP_ADDR[$g]}"); done
    API_PORT="$(free_port)"
    servers+=(--api-listen "127.0.0.1:$API_PORT")
  fi
  # Every request is logged with each attempt's address: two or more addresses are a retry.
  start_bg "$RUN/proxy.log" "${ON_PROXY_CPU[@]}" java "${jvm[@]}" -jar "$SLUICE_JAR" \
    --listen "127.0.0.1:$PX_PORT" --worker-processes 1 --keepalive-requests 1000000 \
    --log-format 'rolling $msec $status $request_method "$upstream_addr" "$upstream_status" $request_time "$upstream_connect_time" "$upstream_header_time" $request_uri' \
    --access-log "$RUN/access.log rolling" "${servers[@]}" "${extra[@]}"
  PX_PID=$LAST_PID
  wait_log "$RUN/proxy.log" "listening on 127.0.0.1:$PX_PORT" "$PX_PID" 60 || return 1
  if [[ $MODE == api ]]; then
    # The ids of the servers given on the command line, by address.
    local json
    json="$(curl -fsS --max-time 5 "http://127.0.0.1:$API_PORT/api/9/http/upstreams/backend/servers")" || return 1
    for g in "${MEMBERS[@]}"; do
      SLUICE_ID[$g]="$("$PY" -c 'import json, sys; print(next(s["id"] for s in json.loads(sys.argv[1]) if s["server"] == sys.argv[2]))' "$json" "${UP_ADDR[$g]}")"
    done
  fi
}

sluice_retries() { # requests with more than one attempt, from the access log
  awk -F'"' '$2 ~ /,/ { n++ } END { print n + 0 }' "$RUN/access.log"
}

# ---------------------------------------------------------------------------- nginx
ROOT_USER=""
[[ $(id -u) == 0 ]] && ROOT_USER="user root;"

nginx_publish() { # write the upstream list, reload if running
  local g
  {
    for g in "${MEMBERS[@]}"; do echo "server ${UP_ADDR[$g]};"; done
  } >"$TMP/nginx/upstreams.conf"
  if [[ -n $PX_PID ]]; then
    nginx -p "$TMP/nginx/" -c "$TMP/nginx/nginx.conf" -s reload 2>>"$RUN/proxy.log"
  fi
}

start_nginx() {
  rm -rf "$TMP/nginx"; mkdir -p "$TMP/nginx/tmp"
  nginx_publish
  cat >"$TMP/nginx/nginx.conf" <<EOF
$ROOT_USER
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $RUN/nginx-error.log notice;
events { worker_connections 8192; }
http {
  log_format rolling '\$msec \$status \$request_method "\$upstream_addr" "\$upstream_status" \$request_time "\$upstream_connect_time" "\$upstream_header_time" \$request_uri';
  access_log $RUN/access.log rolling;
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  keepalive_requests 1000000;
  upstream backend {
    include $TMP/nginx/upstreams.conf;
    keepalive 32;
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
  start_bg "$RUN/proxy.log" "${ON_PROXY_CPU[@]}" nginx -p "$TMP/nginx/" -c "$TMP/nginx/nginx.conf" -g 'daemon off;'
  PX_PID=$LAST_PID
}

nginx_retries() {
  awk -F'"' '$2 ~ /,/ { n++ } END { print n + 0 }' "$RUN/access.log"
}

# ---------------------------------------------------------------------------- HAProxy
haproxy_cmd() { # one runtime API command over the admin socket; its answer on stdout, non-zero if it refused
  local out
  out="$(timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; printf "%s\n" "$2" >&3; cat <&3' _ "$SOCK_PORT" "$1")" || return 1
  echo "$(now_ms) > $1: ${out//$'\n'/ }" >>"$RUN/haproxy-api.log"
  echo "$out"
  # Errors: "No such server", "... is not in maintenance mode", "Server deletion is not possible ...", etc.
  ! grep -qiE 'no such|not |unknown|cannot|impossible|invalid|error|require' <<<"$out"
}

start_haproxy() {
  local g servers="" resolvers=""
  SOCK_PORT="$(free_port)"
  mkdir -p "$TMP/haproxy"
  if [[ $MODE == dns ]]; then
    # Free slots filled from the A records; an address gone from the answer puts its slot in maintenance.
    servers="  server-template u 1-$((UPSTREAMS * 2)) $DNS_NAME:$UP_PORT resolvers local init-addr none resolve-prefer ipv4"
    # Answers are good for 1 s (dnsmasq's TTL); an address missing from an answer leaves at once.
    resolvers="resolvers local
  nameserver dnsmasq 127.0.0.1:$DNS_PORT
  accepted_payload_size 8192
  resolve_retries 3
  timeout resolve 1s
  timeout retry 1s
  hold valid 1s
  hold obsolete 0s
"
  else
    for g in "${MEMBERS[@]}"; do servers+="  server u$g ${UP_ADDR[$g]}"$'\n'; done
  fi
  cat >"$TMP/haproxy/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 8192
  stats socket ipv4@127.0.0.1:$SOCK_PORT level admin
  log stdout format raw local0

$resolvers
defaults
  mode http
  log global
  # accept time, status, method, retries (+ when redispatched), backend/server, termination state,
  # connect, response and total times (ms), URI
  log-format "%Ts.%ms %ST %HM %rc %b/%s %tsc %Tc %Tr %Ta %HU"
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 60s
  # Retries as nginx's proxy_next_upstream 'error timeout': a failed connection always, a request sent
  # but not answered only when idempotent; each retry may go to another server.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout

frontend fe
  bind 127.0.0.1:$PX_PORT
  default_backend be

backend be
  balance roundrobin
  http-request disable-l7-retry if METH_POST
$servers
EOF
  haproxy -c -q -f "$TMP/haproxy/haproxy.cfg" >"$RUN/haproxy-check.log" 2>&1 \
    || { cat "$RUN/haproxy-check.log" >&2; return 1; }
  # The access log goes to stdout (one line per request); the proxy's own messages to stderr.
  "${ON_PROXY_CPU[@]}" haproxy -db -f "$TMP/haproxy/haproxy.cfg" >"$RUN/access.log" 2>"$RUN/proxy.log" </dev/null &
  PX_PID=$!
  PIDS+=("$PX_PID")
}

haproxy_retries() { # requests with a retry: %rc above 0 (a leading + marks a redispatch); not the server messages
  awk '$2 ~ /^[0-9]+$/ && ($4 ~ /^\+/ || $4 > 0) { n++ } END { print n + 0 }' "$RUN/access.log"
}

# ---------------------------------------------------------------------------- one run
EXIT_CODE=0
RESULTS="$OUT_DIR/results.tsv"
printf 'proxy\tmembership\tkind\tsent_get\tsent_post\tfailed_get\tfailed_post\tretried\trun_dir\n' >"$RESULTS"

# Runs PROXY x MODE x KIND; returns non-zero when the run could not be completed.
one_run() {
  local g r old new LOAD_PID retried
  RUN="$OUT_DIR/$PROXY-$MODE-$KIND"
  rm -rf "$RUN"; mkdir -p "$RUN"
  : >"$RUN/events.log"
  UP_PID=() UP_ADDR=() SLUICE_ID=() MEMBERS=()
  PX_PID="" DNS_PID="" DNS_PORT="" API_PORT="" SOCK_PORT=""
  PX_PORT="$(free_port)"
  UP_PORT="$(free_port)" # dns mode: the port every upstream listens on, at its own 127.0.0.x

  for g in $(seq 1 "$UPSTREAMS"); do
    start_upstream "$g" || { echo "!!! upstream u$g did not start" >&2; return 1; }
    MEMBERS+=("$g")
  done
  if [[ $MODE == dns ]]; then start_dnsmasq || { echo "!!! dnsmasq did not start" >&2; return 1; }; fi
  "start_$PROXY" || { echo "!!! $PROXY did not start (log $RUN/proxy.log)" >&2; tail -20 "$RUN/proxy.log" >&2; return 1; }
  # Every member must be serving before the load starts (a resolver's first look-up, a server-template's slots).
  local seen end=$((SECONDS + 30))
  wait_http "http://127.0.0.1:$PX_PORT/item" "$PX_PID" 30 || { echo "!!! $PROXY does not answer 200" >&2; tail -20 "$RUN/proxy.log" >&2; return 1; }
  while :; do
    seen="$(for _ in $(seq 1 $((UPSTREAMS * 3))); do curl -s --max-time 1 -D - -o /dev/null "http://127.0.0.1:$PX_PORT/item" | tr -d '\r' | awk 'tolower($1) == "x-upstream:" { print $2 }'; done | sort -u | wc -l)"
    (( seen >= UPSTREAMS )) && break
    (( SECONDS < end )) || { echo "!!! $PROXY reached only $seen of $UPSTREAMS upstreams" >&2; return 1; }
    sleep 0.5
  done

  act "load starts: $RATE req/s over $CONNS connections"
  start_bg "$RUN/load.out" "${ON_LOAD_CPU[@]}" java -Xmx256m -cp "$CLASSES" Load "127.0.0.1:$PX_PORT" "$RATE" "$CONNS" \
    "$RUN/stop" $((STEADY * 2 + UPSTREAMS * (INTERVAL + SETTLE + GRACE + 20) + 30)) "$CLIENT_TIMEOUT_MS" "$RUN/load"
  LOAD_PID=$LAST_PID
  sleep "$STEADY"

  for r in $(seq 1 "$UPSTREAMS"); do
    old="$r" new=$((UPSTREAMS + r))
    act "started u$new" start_upstream "$new" || return 1
    act "added u$new" member_add "$new" || return 1
    sleep "$SETTLE"
    if [[ $KIND == graceful ]]; then
      act "removed u$old" member_remove "$old" || return 1
      sleep "$GRACE"
      act "SIGTERM u$old" kill -TERM "${UP_PID[$old]}"
      act "u$old exited" await_exit "$old"
    else
      # A crash: the instance dies while still a member; the orchestrator notices SETTLE seconds later.
      act "kill -9 u$old" kill -KILL "${UP_PID[$old]}"
      act "u$old gone" await_exit "$old"
      sleep "$SETTLE"
      act "removed u$old" member_remove "$old" || return 1
    fi
    member_forget "$old"
    sleep "$INTERVAL"
  done

  sleep "$STEADY"
  act "load stops" touch "$RUN/stop"
  local end=$((SECONDS + CLIENT_TIMEOUT_MS / 1000 + 20))
  while kill -0 "$LOAD_PID" 2>/dev/null && (( SECONDS < end )); do sleep 0.1; done
  kill -0 "$LOAD_PID" 2>/dev/null && { echo "!!! the client did not stop" >&2; return 1; }
  wait "$LOAD_PID" || { echo "!!! the client failed (log $RUN/load.out)" >&2; return 1; }
  forget_pid "$LOAD_PID"
  kill -0 "$PX_PID" 2>/dev/null || { echo "!!! $PROXY died during the run" >&2; return 1; }

  [[ $PROXY == haproxy ]] && haproxy_cmd "show stat" >"$RUN/haproxy-stat.csv" 2>&1 || true
  stop_pid "$PX_PID"; forget_pid "$PX_PID"
  for g in "${!UP_PID[@]}"; do stop_pid "${UP_PID[$g]}"; forget_pid "${UP_PID[$g]}"; done
  [[ -n $DNS_PID ]] && { stop_pid "$DNS_PID"; forget_pid "$DNS_PID"; }

  retried="$("${PROXY}_retries")"
  get() { awk -F= -v k="$1" '$1 == k { print $2 }' "$RUN/load.out"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$PROXY" "$MODE" "$KIND" "$(get sent_get)" "$(get sent_post)" \
    "$(get failed_get)" "$(get failed_post)" "$retried" "$(basename "$RUN")" >>"$RESULTS"
  log "  sent $(( $(get sent_get) + $(get sent_post) )), failed GET $(get failed_get) POST $(get failed_post), retried $retried"
}

# Stops whatever a run that gave up left behind.
abandon_run() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
}

n_runs=$(( $(wc -w <<<"$CONTENDERS") * $(wc -w <<<"$MODES") * $(wc -w <<<"$KINDS") ))
log "$n_runs runs: contenders {$CONTENDERS} x membership {$MODES} x {$KINDS}; about $(( n_runs * (STEADY * 2 + UPSTREAMS * (INTERVAL + SETTLE + GRACE + 2) + 10) / 60 + 1 )) min"
log "results in $OUT_DIR"
for PROXY in $CONTENDERS; do
  for MODE in $MODES; do
    for KIND in $KINDS; do
      log "$PROXY, membership $MODE, $KIND replacements"
      if ! one_run; then
        echo "!!! $PROXY $MODE $KIND: run not completed" >&2
        printf '%s\t%s\t%s\t\t\t\t\t\t%s\n' "$PROXY" "$MODE" "$KIND" "$(basename "$RUN")" >>"$RESULTS"
        EXIT_CODE=2
        abandon_run
      fi
    done
  done
done

"$PY" "$SCRIPT_DIR/report.py" "$OUT_DIR" >"$OUT_DIR/summary.md"
echo
cat "$OUT_DIR/summary.md"
log "results: $OUT_DIR (summary.md, results.tsv, machine.txt; each run's logs in its own folder)"
exit "$EXIT_CODE"
