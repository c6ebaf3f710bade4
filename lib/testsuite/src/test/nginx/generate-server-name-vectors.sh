#!/usr/bin/env bash
# Regenerates lib/testsuite/src/test/resources/nginx-locations/server-names.tsv: which server a REAL nginx chose
# for each Host, for the server blocks listed at the top of that file (the first is the default server).
# NginxLocationVectorsTest replays it against Sluice's virtual servers.
#
# Requirements: apt-get install -y nginx curl. Only 127.0.0.1:19198 is used; nginx runs with a private prefix in
# a temporary directory and is stopped by the EXIT trap; every wait is bounded.
#
# Usage: lib/testsuite/src/test/nginx/generate-server-name-vectors.sh [OUTPUT_FILE]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/../resources/nginx-locations/server-names.tsv}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[[ -x "$NGINX" ]] || { echo "nginx not found (apt-get install -y nginx curl)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found (apt-get install -y curl)" >&2; exit 1; }
PORT=19198

# name, then the server_name line
SERVERS=(
    "default|default.test"
    "exact|example.com www.example.com"
    "wild-front|*.example.com"
    "wild-front-longer|*.b.example.com"
    "dot-org|.example.org"
    "exact-org|www.example.org"
    "wild-back|mail.*"
    "wild-back-longer|mail.example.*"
    "regex-digits|~^www\\d+\\.example\\.net\$"
    "regex-any|~^(?<sub>.+)\\.example\\.net\$"
)
HOSTS=(
    example.com www.example.com EXAMPLE.com example.com. example.com:8080 a.example.com a.b.example.com
    x.a.b.example.com b.example.com example.org www.example.org a.example.org mail.example.org mail.example.com
    mail.foo mail www12.example.net www.example.net example.net unknown.test default.test 127.0.0.1 "[::1]:8080"
)

WORK="$(mktemp -d -t sluice-nginx-servers.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/conf" "$WORK/logs" "$WORK/tmp"
NGINX_PID=""
cleanup() {
    if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$NGINX_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

{
    echo "worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/logs/error.log;"
    echo "events { worker_connections 64; }"
    echo "http {"
    echo "  access_log off; default_type text/plain;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $WORK/tmp/$t;"; done
    for entry in "${SERVERS[@]}"; do
        echo "  server { listen 127.0.0.1:$PORT; server_name ${entry#*|}; return 200 \"${entry%%|*}\"; }"
    done
    echo "}"
} > "$WORK/conf/nginx.conf"

"$NGINX" -p "$WORK" -c "$WORK/conf/nginx.conf" -t -q
"$NGINX" -p "$WORK" -c "$WORK/conf/nginx.conf" &
NGINX_PID=$!
for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
    sleep 0.1
done

{
    echo "# Which server nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') chose for each Host, made by"
    echo "# lib/testsuite/src/test/nginx/generate-server-name-vectors.sh on $(date -u +%Y-%m-%d). Each server answered"
    echo "# 'return 200 NAME;'; the first is the default. Lines: 'server NAME SERVER_NAMES' in the order of the"
    echo "# configuration, then 'host HOST NAME' (tab-separated; HOST '-' is a request without a Host field)."
    for entry in "${SERVERS[@]}"; do
        printf 'server\t%s\t%s\n' "${entry%%|*}" "${entry#*|}"
    done
    for host in "${HOSTS[@]}"; do
        answer="$(curl -s --max-time 5 -H "Host: $host" -w '|%{http_code}' "http://127.0.0.1:$PORT/")"
        printf 'host\t%s\t%s\n' "$host" "${answer%|200}"
    done
    answer="$(curl -s --max-time 5 --http1.0 -H "Host:" -w '|%{http_code}' "http://127.0.0.1:$PORT/")"
    printf 'host\t-\t%s\n' "${answer%|200}"
} > "$OUT"
echo "wrote $OUT ($(grep -c '^host' "$OUT") hosts)"
