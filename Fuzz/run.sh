#!/usr/bin/env bash
# Builds the libFuzzer targets with swiftc (-sanitize=fuzzer,address) and runs each one.
# Usage: Fuzz/run.sh [RUNS]   (default 200000 runs per target, fixed seed, so a CI run is repeatable;
#        RUNS=0 fuzzes until stopped). Crashes are written to Fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-200000}
OUT=.build/fuzz
mkdir -p "$OUT" Fuzz/artifacts
build() { # name harness sources…
    local name=$1; shift
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz$name" "$@" -o "$OUT/$name" 2>&1 | grep -v "Cannot export local symbol" || true
}
build json Fuzz/JSONFuzz.swift Sources/RampartCore/JSON/JSONValue.swift Sources/RampartCore/JSON/JSONParser.swift
build sse Fuzz/SSEFuzz.swift Sources/RampartGateway/OpenAI/ServerSentEventSplitter.swift
build text Fuzz/TextFuzz.swift $(find Sources/RampartText -name '*.swift')
build csv Fuzz/CSVFuzz.swift Sources/RampartProbe/Data/Dataset.swift
for target in json sse text csv; do
    mkdir -p "$OUT/corpus-$target"
    args=(-seed=1 -max_len=4096 -artifact_prefix=Fuzz/artifacts/$target- "$OUT/corpus-$target" "Fuzz/corpus/$target")
    # The text scanner does far more per input than the parsers: a fifth of the runs keeps CI's time in line.
    runs=$RUNS; [ "$target" = text ] && runs=$((RUNS / 5))
    [ "$RUNS" != 0 ] && args=(-runs="$runs" "${args[@]}")
    echo "fuzzing $target…"
    "$OUT/$target" "${args[@]}" 2>&1 | grep -E "^#[0-9]+ +DONE|Done|ERROR|SUMMARY|crash" || true
    [ -z "$(ls Fuzz/artifacts/$target-* 2>/dev/null)" ] || { echo "fuzz target $target found a crash: see Fuzz/artifacts/"; exit 1; }
done
echo "fuzz targets: no crashes"
