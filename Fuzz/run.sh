#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz-* products of Package.swift, each built from the target that holds the parser)
# with -sanitize=fuzzer,address in a build folder of their own, and runs each one.
# Usage: Fuzz/run.sh [RUNS]   (default 200000 runs per target, fixed seed, so a CI run is repeatable;
#        RUNS=0 fuzzes until stopped). Crashes are written to Fuzz/artifacts/; replay one with a plain build:
#        swift build --product fuzz-json && .build/debug/fuzz-json Fuzz/artifacts/json-crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-200000}
SCRATCH=.build/fuzz
mkdir -p Fuzz/artifacts
# lld: gold stops with an internal error on the sanitizer runtime's debug info.
flags=(-c release --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
for target in json sse kserve text csv pickle modelfiles; do
    swift build "${flags[@]}" --product "fuzz-$target" 2>&1 | grep -vE "Cannot export local symbol|^\[" || true
done
BIN=$(swift build "${flags[@]}" --show-bin-path)
for target in json sse kserve text csv pickle modelfiles; do
    [ -x "$BIN/fuzz-$target" ] || { echo "fuzz target fuzz-$target did not build"; exit 1; }
    mkdir -p "$SCRATCH/corpus-$target"
    # Model files are larger than requests: the model-file parsers get 16 KiB inputs.
    len=4096; [ "$target" = modelfiles ] || [ "$target" = pickle ] && len=16384
    args=(-seed=1 -max_len=$len -rss_limit_mb=1024 -artifact_prefix=Fuzz/artifacts/$target- "$SCRATCH/corpus-$target" "Fuzz/corpus/$target")
    # The text scanner does far more per input than the parsers: a fifth of the runs keeps CI's time in line.
    runs=$RUNS; [ "$target" = text ] && runs=$((RUNS / 5))
    [ "$RUNS" != 0 ] && args=(-runs="$runs" "${args[@]}")
    echo "fuzzing $target…"
    "$BIN/fuzz-$target" "${args[@]}" 2>&1 | grep -E "^#[0-9]+ +DONE|Done|ERROR|SUMMARY|crash" || true
    [ -z "$(ls Fuzz/artifacts/$target-* 2>/dev/null)" ] || { echo "fuzz target $target found a crash: see Fuzz/artifacts/"; exit 1; }
done
echo "fuzz targets: no crashes"
