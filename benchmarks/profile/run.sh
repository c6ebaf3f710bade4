#!/usr/bin/env bash
# Profiles Sluice in one cell of the load comparison: a JFR recording of the whole run (the JDK's own profiler:
# CPU samples of Java code every 10 ms, allocation samples), turned into flame graphs and tables by flame.py.
#
#   benchmarks/profile/run.sh [--conns C] [--body small|64k|1m] [--keepalive K] [--duration SECS] [--jar PATH]
#                             [--out DIR]
#
# Defaults: 64 connections, 100 B bodies, keepalive 32, 30 s measured after the load harness's warm-up, the jar
# at lib/cli/target/sluice.jar, results in benchmarks/profile/results/<timestamp>/ (time.svg, alloc.svg, top.txt,
# *.collapsed, the recording and the load run's own output). The cell runs exactly as benchmarks/load/run.sh runs
# it (Sluice alone on core 1, wrk and the upstream on core 0); the recording adds about 1-2 % of CPU.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CONNS=64 BODY=small KEEPALIVE=32 DURATION=30
JAR="$REPO_ROOT/lib/cli/target/sluice.jar"
OUT="$SCRIPT_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --conns) CONNS="${2:?}"; shift ;;
    --body) BODY="${2:?}"; shift ;;
    --keepalive) KEEPALIVE="${2:?}"; shift ;;
    --duration) DURATION="${2:?}"; shift ;;
    --jar) JAR="${2:?}"; shift ;;
    --out) OUT="${2:?}"; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
  shift
done
command -v jfr >/dev/null || { echo "run.sh: the JDK's jfr tool is not on PATH" >&2; exit 1; }
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

SLUICE_JVM_OPTS="-XX:+UseParallelGC -Xms512m -Xmx512m \
-XX:StartFlightRecording=filename=$OUT/sluice.jfr,settings=profile,dumponexit=true" \
  "$REPO_ROOT/benchmarks/load/run.sh" --contenders sluice --jar "$JAR" --conns "$CONNS" --bodies "$BODY" \
  --keepalive "$KEEPALIVE" --duration "$DURATION" --rounds 1 --warmup 10 --out "$OUT/load"

for _ in $(seq 1 20); do [[ -s $OUT/sluice.jfr ]] && break; sleep 0.5; done
[[ -s $OUT/sluice.jfr ]] || { echo "run.sh: no recording was written to $OUT/sluice.jfr" >&2; exit 1; }
python3 "$SCRIPT_DIR/flame.py" "$OUT/sluice.jfr" "$OUT"
echo "profile of $CONNS connections x $BODY, keepalive $KEEPALIVE: $OUT (time.svg, alloc.svg, top.txt)"
