#!/usr/bin/env bash
# The supply-chain benchmark, side by side with the scanners people run today, in ONE run on this machine:
# detection on the scanner corpus (Tests/RampartSupplyTests/Corpus) by Rampart, ModelScan, picklescan, fickling and
# ModelAudit; time and peak memory on a 100 MB+ pickle of arrays and a 1 GB safetensors file; sign and verify
# throughput on a 1 GiB model folder against OpenSSF's model_signing, with sha256sum as the floor.
#
# Usage: bench/supply/run.sh [detect|perf]      (default: both; RUNS=3 timed runs per measurement)
# Each tool gets its own virtual environment under $BENCH_VENVS (default /tmp/rampart-bench-venvs; created once).
# Writes bench/results/supply-*-<time>.json and prints the Markdown tables for docs/supply-chain.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT=${1:-all}
export BENCH_VENVS=${BENCH_VENVS:-/tmp/rampart-bench-venvs}
venv() {   # venv NAME PACKAGES…
    local name=$1; shift
    [ -x "$BENCH_VENVS/$name/bin/python" ] && return
    python3 -m venv "$BENCH_VENVS/$name"
    "$BENCH_VENVS/$name/bin/pip" install -q "$@" >&2
}
# Versions measured in docs/supply-chain.md. fickling needs typing_extensions and picklescan numpy, undeclared;
# modelscan 0.8.8 calls a NumPy 1 function; model_signing 1.1.1 imports pyopenssl without declaring it.
venv picklescan picklescan==1.0.5 numpy
venv modelscan "modelscan[h5py]==0.8.8" "numpy<2"
venv fickling fickling==0.1.12 typing_extensions
venv modelaudit "modelaudit[h5,onnx,safetensors]==0.2.54"
venv model-signing model-signing==1.1.1 pyopenssl
python3 -c "import numpy, safetensors" 2>/dev/null || python3 -m pip install -q numpy safetensors

# A release build of its own, so the test suite's build (-enable-testing) is left alone; RAMPART_BIN=path skips it.
if [ -n "${RAMPART_BIN:-}" ]; then
    BIN=$RAMPART_BIN
else
    echo "building the release binary…" >&2
    swift build -c release --scratch-path .build/bench --product rampart >&2
    BIN=$(swift build -c release --scratch-path .build/bench --show-bin-path)/rampart
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
if [ "$WHAT" = all ] || [ "$WHAT" = detect ]; then
    (cd bench/supply && python3 detect.py ../../Tests/RampartSupplyTests/Corpus "$BIN" "../results/supply-detect-$STAMP.json")
fi
if [ "$WHAT" = all ] || [ "$WHAT" = perf ]; then
    WORK=${BENCH_WORK:-/tmp/rampart-bench-supply}
    mkdir -p "$WORK"
    (cd bench/supply && python3 perf.py "$WORK" "$BIN" "../results/supply-perf-$STAMP.json")
fi
