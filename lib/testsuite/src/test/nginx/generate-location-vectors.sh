#!/usr/bin/env bash
# Regenerates lib/testsuite/src/test/resources/nginx-locations/locations.tsv: which location a REAL nginx chose for
# each request path, for the location blocks listed at the top of that file. NginxLocationVectorsTest replays it
# against Sluice's routes.
#
# Requirements: apt-get install -y nginx curl. Only 127.0.0.1:19199 is used; nginx runs with a private prefix in
# a temporary directory and is stopped by the EXIT trap; every wait is bounded.
#
# Usage: lib/testsuite/src/test/nginx/generate-location-vectors.sh [OUTPUT_FILE]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SCRIPT_DIR/../resources/nginx-locations/locations.tsv}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[[ -x "$NGINX" ]] || { echo "nginx not found (apt-get install -y nginx curl)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found (apt-get install -y curl)" >&2; exit 1; }
PORT=19199

# name, then the location as nginx writes it (modifier and path or regex)
LOCATIONS=(
    "exact-root|= /"
    "root|/"
    "documents|/documents/"
    "documents-deep|/documents/deep/"
    "images|^~ /images/"
    "img|^~ /img"
    "pictures|~* \\.(gif|jpg|jpeg)\$"
    "php-upper|~ \\.PHP\$"
    "deep-x|~ ^/documents/deep/x"
    "api-version|~ /api/v[0-9]+/"
    "api|/api/"
    "api-exact|= /api/"
    "exact-file|= /exact"
    "exact-prefix|/exact"
)
REQUESTS=(
    / /index.html /exact /exact/ /exactly /documents /documents/ /documents/a.html /documents/a.jpg
    /documents/a.JPG /documents/deep/a.html /documents/deep/x.html /documents/deep/x.gif /documents/deep/y.gif
    /images/a.gif /images/ /img /img/a.jpg /imgs/x.jpg /a.GIF /b.php /b.PHP /c.Php /api/ /api /api/items
    /api/v1/items /api/v12/x.jpg /api/vx/items /%69mages/a.gif /documents/../images/a.gif //images//a.gif
    /documents/./deep/x /a%20b.jpg /API/v1/ /exact%2F
)

WORK="$(mktemp -d -t sluice-nginx-locations.XXXXXX)"
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
    echo "  server {"
    echo "    listen 127.0.0.1:$PORT;"
    for entry in "${LOCATIONS[@]}"; do
        echo "    location ${entry#*|} { return 200 \"${entry%%|*}\"; }"
    done
    echo "  }"
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
    echo "# Which location nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') chose for each path, made by"
    echo "# lib/testsuite/src/test/nginx/generate-location-vectors.sh on $(date -u +%Y-%m-%d). Each location answered"
    echo "# 'return 200 NAME;'. Lines: 'location NAME LOCATION' in the order of the configuration, then"
    echo "# 'request PATH NAME' (tab-separated)."
    for entry in "${LOCATIONS[@]}"; do
        printf 'location\t%s\t%s\n' "${entry%%|*}" "${entry#*|}"
    done
    for path in "${REQUESTS[@]}"; do
        answer="$(curl -s --max-time 5 --path-as-is -w '|%{http_code}' "http://127.0.0.1:$PORT$path")"
        printf 'request\t%s\t%s\n' "$path" "${answer%|200}"
    done
} > "$OUT"
echo "wrote $OUT ($(grep -c '^request' "$OUT") requests)"
