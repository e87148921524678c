#!/usr/bin/env bash
# Text-scanner benchmark: Rampart's PII recognizers beside Presidio's on one generated, labeled corpus,
# then the throughput of every scanner on one core (bench/text/scanners.py).
# Usage: bench/text/run.sh   (installs presidio-analyzer from PyPI if missing; release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import presidio_analyzer" 2>/dev/null || pip install -q presidio-analyzer
python3 -c "import faker" 2>/dev/null || pip install -q Faker==40.63.0
command -v taskset >/dev/null || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
swift build -c release --product rampart >&2
BIN=$(swift build -c release --show-bin-path)/rampart
WORK=$(mktemp -d /tmp/rampart-text-bench.XXXXXX)
python3 bench/text/corpus.py "$WORK/corpus.jsonl" --seed 7
mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
python3 bench/text/compare_presidio.py "$WORK/corpus.jsonl" "$BIN" > "bench/results/text-$STAMP.json"
# Every scanner alone and the full guard set, on the PII corpus and on the injection evaluation set.
python3 bench/text/scanners.py "$BIN" "$WORK/corpus.jsonl" data/injection/eval.jsonl > "bench/results/text-scanners-$STAMP.json"
rm -rf "$WORK"
