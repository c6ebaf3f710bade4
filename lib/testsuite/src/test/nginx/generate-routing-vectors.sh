#!/usr/bin/env bash
# Regenerates the routing vectors in lib/testsuite/src/test/resources/nginx-locations/ by asking a REAL nginx:
#   locations.tsv     which location nginx chose for each request path, for the location blocks listed on top;
#   server-names.tsv  which server nginx chose for each Host, for the server blocks listed on top (the first is
#                     the default server).
# Every location and server answers 'return 200 NAME;', or for a location in ANSWERS that text, whose variables
# are the location's captures. NginxLocationVectorsTest replays both files against Sluice's routes and virtual
# servers.
#
# Requirements: apt-get install -y nginx curl. Only 127.0.0.1:19198 and :19199 are used; nginx runs with a private
# prefix in a temporary directory and is stopped by the EXIT trap; every wait is bounded.
#
# Usage: lib/testsuite/src/test/nginx/generate-routing-vectors.sh [OUTPUT_DIR]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="${1:-$SCRIPT_DIR/../resources/nginx-locations}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[[ -x "$NGINX" ]] || { echo "nginx not found (apt-get install -y nginx curl)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl not found (apt-get install -y curl)" >&2; exit 1; }
LOCATION_PORT=19199
SERVER_PORT=19198

# name|location as nginx writes it (modifier and path or regex)
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
    "any-byte|~ ^/adm.n\$"
    "space-class|~ ^/sp\\s"
    "backup-file|~ \\.bak\$"
    "posix-digits|~ ^/d/[[:digit:]]+\$"
    "posix-upper|~ ^/u/[[:upper:]]"
    "literal-bracket|~ ^/b/[[]"
    "named|~ ^/n/(?P<first_part>[a-z]+)/(?<num>[0-9]+)(?'rest'/.*)?\$"
    "backref|~ ^/r/(?<w>[a-z]+)-(?P=w)\$"
    "comment|~ ^/c(?#note)/(x)\$"
)
# name -> the text a location answers instead of its name (single quotes: nginx evaluates the variables)
declare -A ANSWERS=(
    [named]='named:$first_part:$num:$rest:$1:$2:$3'
    [backref]='backref:$w:$1'
    [comment]='comment:$1'
)
REQUESTS=(
    / /index.html /exact /exact/ /exactly /documents /documents/ /documents/a.html /documents/a.jpg
    /documents/a.JPG /documents/deep/a.html /documents/deep/x.html /documents/deep/x.gif /documents/deep/y.gif
    /images/a.gif /images/ /img /img/a.jpg /imgs/x.jpg /a.GIF /b.php /b.PHP /c.Php /api/ /api /api/items
    /api/v1/items /api/v12/x.jpg /api/vx/items /%69mages/a.gif /documents/../images/a.gif //images//a.gif
    /documents/./deep/x /a%20b.jpg /API/v1/ /exact%2F
    /adm%0Dn /adm%09n /adm%20n /adm%7Fn /adm%85n /adm%0An /admxn /sp%20 /sp%0B /spx /x.bak /x.bak%0A /x.bak%0D
    /d/123 /d/dig /d/12a /u/ABC /u/abc /b/%5B /b/x
    /n/ab/12 /n/ab/12/x/y /n/AB/12 /n/ab/x /n/ab/1%20/z /r/ab-ab /r/ab-ac /r/ab-AB /c/x /c/y
)
# name|server_name line
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

WORK="$(mktemp -d -t sluice-nginx-routing.XXXXXX)"
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
    echo "    listen 127.0.0.1:$LOCATION_PORT;"
    for entry in "${LOCATIONS[@]}"; do
        name="${entry%%|*}"
        echo "    location ${entry#*|} { return 200 \"${ANSWERS[$name]:-$name}\"; }"
    done
    echo "  }"
    for entry in "${SERVERS[@]}"; do
        echo "  server { listen 127.0.0.1:$SERVER_PORT; server_name ${entry#*|}; return 200 \"${entry%%|*}\"; }"
    done
    echo "}"
} > "$WORK/conf/nginx.conf"

"$NGINX" -p "$WORK" -c "$WORK/conf/nginx.conf" -t -q
"$NGINX" -p "$WORK" -c "$WORK/conf/nginx.conf" &
NGINX_PID=$!
for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$LOCATION_PORT/" && break
    sleep 0.1
done

header() {
    echo "# Which $1 nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') chose for each $2, made by"
    echo "# lib/testsuite/src/test/nginx/generate-routing-vectors.sh on $(date -u +%Y-%m-%d). Each answered"
    echo "# 'return 200 NAME;' (or ANSWER). Lines: '$1 NAME ${3}' in the order of the configuration, then"
    echo "# '$4 ${2^^} NAME' (tab-separated)."
}
ask() { # the name in the answer to curl "$@", without the status
    local answer
    answer="$(curl -s --max-time 5 -w '|%{http_code}' "$@")"
    echo "${answer%|200}"
}

{
    header location path LOCATION request
    for entry in "${LOCATIONS[@]}"; do
        name="${entry%%|*}"
        printf 'location\t%s\t%s\t%s\n' "$name" "${entry#*|}" "${ANSWERS[$name]:-$name}"
    done
    for path in "${REQUESTS[@]}"; do
        printf 'request\t%s\t%s\n' "$path" "$(ask --path-as-is "http://127.0.0.1:$LOCATION_PORT$path")"
    done
} > "$OUT_DIR/locations.tsv"
{
    header server host SERVER_NAMES host
    echo "# The first server is the default; HOST '-' is an HTTP/1.0 request without a Host field."
    for entry in "${SERVERS[@]}"; do printf 'server\t%s\t%s\n' "${entry%%|*}" "${entry#*|}"; done
    for host in "${HOSTS[@]}"; do
        printf 'host\t%s\t%s\n' "$host" "$(ask -H "Host: $host" "http://127.0.0.1:$SERVER_PORT/")"
    done
    printf 'host\t-\t%s\n' "$(ask --http1.0 -H "Host:" "http://127.0.0.1:$SERVER_PORT/")"
} > "$OUT_DIR/server-names.tsv"
echo "wrote $OUT_DIR/locations.tsv ($(grep -c '^request' "$OUT_DIR/locations.tsv") requests) and" \
    "server-names.tsv ($(grep -c '^host' "$OUT_DIR/server-names.tsv") hosts)"
