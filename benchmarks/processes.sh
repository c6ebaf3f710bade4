# Process bookkeeping shared by the benchmark scripts: every process a script starts is remembered and stopped on
# exit, Ctrl-C and SIGTERM included, and anything still running from the script's private directory is swept; and
# the two helpers every script starts its servers with, free_port and wait_http.
# Source it after setting TMP (the script's private directory, removed on exit unless KEEP_TMP=1).

PIDS=()
LAST_PID=""
POLICY_RC_CREATED=0 # set to 1 when the script wrote /usr/sbin/policy-rc.d to keep apt from starting services
SCRIPT_NAME="$(basename "$0")"

# SIGTERM, then SIGKILL after 5 s; reaps the process.
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
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  # Anything left that runs from the private directory (nginx workers, an upstream): gone too.
  if command -v pgrep >/dev/null; then
    for pid in $(pgrep -f -- "$TMP/" 2>/dev/null || true); do
      [[ $pid != $$ ]] && kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  [[ $POLICY_RC_CREATED == 1 ]] && rm -f /usr/sbin/policy-rc.d
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "$SCRIPT_NAME: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "$SCRIPT_NAME: interrupted" >&2; exit 130' INT
trap 'echo "$SCRIPT_NAME: terminated" >&2; exit 143' TERM

# Start a background process, remember its pid for cleanup. Usage: start_bg LOGFILE CMD...
start_bg() {
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

# A TCP port free on ADDRESS (default 127.0.0.1) when asked.
free_port() { # [ADDRESS]
  python3 -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1]); s.close()' \
    "${1:-127.0.0.1}"
}

# Wait until URL answers 200 (or PID dies, or SECS pass); an https URL's certificate is not checked.
wait_http() { # url pid secs
  local end=$((SECONDS + $3))
  while (( SECONDS < end )); do
    kill -0 "$2" 2>/dev/null || return 1
    [[ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$1" 2>/dev/null)" == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}
