#!/usr/bin/env bash
# The long fuzzing run: every fuzz target of the library for N executions (default 10,000,000) through Jazzer's
# own entry point, starting from the committed seed inputs. Reports executions, seconds, coverage and findings per
# target in results/<timestamp>/summary.tsv. A finding is written as crash-* beside the target's seed inputs, where
# the test phase of `mvn verify` then replays it (and fails until it is fixed). FUZZ_ONLY="SimpleName ..." runs
# only those targets.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
RUNS="${1:-10000000}"
[[ $RUNS =~ ^[0-9]+$ ]] || { echo "usage: benchmarks/fuzz/run.sh [EXECUTIONS_PER_TARGET]" >&2; exit 2; }
OUT="$SCRIPT_DIR/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"

# Each target: its module, the class with fuzzerTestOneInput, and the @FuzzTest method whose seed inputs it starts
# from.
TARGETS=(
  "lib/core dev.sluice.internal.http.RequestHeadFuzzer requestHead"
  "lib/core dev.sluice.internal.http.ResponseHeadFuzzer responseHead"
  "lib/core dev.sluice.internal.http.ChunkedBodyFuzzer chunkedBody"
  "lib/core dev.sluice.internal.http.LengthBodyFuzzer lengthBody"
  "lib/core dev.sluice.internal.http.PathNormaliserFuzzer normalisedPath"
  "lib/core dev.sluice.internal.discovery.DnsResponseFuzzer dnsResponse"
  "lib/core dev.sluice.ValueTemplateFuzzer valueTemplate"
  "lib/cli dev.sluice.cli.NginxConfFuzzer nginxConf"
  "lib/kubernetes dev.sluice.kubernetes.JsonFuzzer json"
)

# FUZZ_ONLY="DnsResponseFuzzer ...": only the targets of those simple class names.
if [[ -n "${FUZZ_ONLY:-}" ]]; then
  chosen=()
  for t in "${TARGETS[@]}"; do
    read -r _ class _ <<<"$t"
    [[ " $FUZZ_ONLY " == *" ${class##*.} "* ]] && chosen+=("$t")
  done
  (( ${#chosen[@]} )) || { echo "FUZZ_ONLY names no target: $FUZZ_ONLY" >&2; exit 2; }
  TARGETS=("${chosen[@]}")
fi

cd "$REPO_ROOT"
echo "building the library and its tests"
mvn -q -B -pl lib/core,lib/cli,lib/kubernetes -am -DskipTests install >"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log"; exit 1; }
# The test classpath of a module: its own classes and tests, and its dependencies (the library from the build above).
classpath() {
  local file="$OUT/classpath-${1//\//-}.txt"
  if [[ ! -f $file ]]; then
    mvn -q -B -pl "$1" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$file" \
      >>"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log"; exit 1; }
  fi
  echo "$1/target/test-classes:$1/target/classes:$(cat "$file")"
}

printf 'target\texecutions\tseconds\texec_per_s\tcoverage\tfindings\n' >"$OUT/summary.tsv"
status=0
for t in "${TARGETS[@]}"; do
  read -r module class method <<<"$t"
  CP="$(classpath "$module")"
  simple="${class##*.}"
  seeds="$module/src/test/resources/$(dirname "${class//.//}")/${simple%er}TestInputs/$method"
  corpus="$OUT/corpus/$simple"
  mkdir -p "$corpus"
  cp "$seeds"/* "$corpus"/ 2>/dev/null || true
  echo "fuzzing $simple for $RUNS executions"
  log="$OUT/$simple.log"
  set +e
  # The heap is bounded well under libFuzzer's RSS limit: left to the JVM's default (a quarter of the memory), it grows
  # past 2 GB between collections and libFuzzer calls that an out-of-memory finding; bounded, an input that really
  # takes too much memory still fails, with an OutOfMemoryError.
  java -Xmx1g -cp "$CP" com.code_intelligence.jazzer.Jazzer --target_class="$class" -runs="$RUNS" \
    -artifact_prefix="$seeds/" -timeout=10 -rss_limit_mb=2048 "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  done_line="$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
  runs="$(sed -E 's/^Done ([0-9]+) runs.*/\1/' <<<"$done_line")"
  secs="$(sed -E 's/.* in ([0-9]+) second.*/\1/' <<<"$done_line")"
  cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')"
  findings=$(( rc == 0 ? 0 : 1 ))
  (( findings )) && status=3
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$simple" "${runs:-?}" "${secs:-?}" \
    "$( [[ -n ${runs:-} && ${secs:-0} -gt 0 ]] && echo $(( runs / secs )) || echo '?')" "${cov:-?}" "$findings" \
    >>"$OUT/summary.tsv"
done
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); cpu: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo) ($(nproc) cores)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?'); java: $(java -version 2>&1 | head -1)"
  column -t -s $'\t' "$OUT/summary.tsv"
} | tee "$OUT/summary.txt"
exit "$status"
