#!/usr/bin/env bash
# The probe benchmark, side by side with IBM's Adversarial Robustness Toolbox in ONE run on this machine:
# scikit-learn's digits (50/50 split, random_state=0), a logistic regression, a 64-unit MLP and gradient boosting
# exported to ONNX and served by one KServe v2 server on loopback (bench/probe/kserve_server.py, onnxruntime) to
# both tools. Per model: HopSkipJump L2 (labels only; median best L2 within 1 000 and 10 000 queries), Square L∞
# ε = 0.1 and SimBA ε = 0.2 (probabilities; success), surrogate extraction at 50/100/250/450 queries (Rampart also at
# half of each: 25/50/125/225), and on the MLP membership inference (Rampart's LiRA, against one model and pooled over
# 17 trained on random halves; ART has no LiRA) and model inversion (ART's MIFace), with wall times.
#
# Usage: bench/probe/run.sh [--quick]      (SAMPLES=10)
# Writes bench/results/probe-<time>.json and prints the Markdown tables for docs/probe.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
SAMPLES=${SAMPLES:-10}
QUICK=${1:-}
export OMP_NUM_THREADS=1
python3 -c "import art, onnxruntime, skl2onnx, packaging" 2>/dev/null \
    || python3 -m pip install -q adversarial-robustness-toolbox packaging onnxruntime skl2onnx scikit-learn numpy

echo "building the release binary…" >&2
swift build -c release --product rampart >&2
BIN=$(swift build -c release --show-bin-path)/rampart
WORK=$(mktemp -d /tmp/rampart-bench-probe.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

python3 bench/probe/make_models.py "$WORK" >&2
python3 -u bench/probe/kserve_server.py --models "$WORK" --port 0 > "$WORK/server.out" &
SERVER=$!
for _ in $(seq 50); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.2; done
PORT=$(awk '/listening/ {print $NF}' "$WORK/server.out")
URL=http://127.0.0.1:$PORT

echo "ART…" >&2
python3 -W ignore bench/probe/art_side.py --url "$URL" --models "$WORK" --out "$WORK/art.json" --samples "$SAMPLES" \
    ${QUICK:+--quick} >&2

echo "Rampart…" >&2
HSJ_BUDGET=10000; [ -n "$QUICK" ] && HSJ_BUDGET=3000
for model in lr mlp gb; do
    target=(--target "$URL/v2/models/$model" --seed 0 --format json)
    "$BIN" probe evasion "${target[@]}" --data "$WORK/test.csv" --attack hopskipjump --samples "$SAMPLES" --budget "$HSJ_BUDGET" \
        > "$WORK/rampart-$model-hsj.json"
    "$BIN" probe evasion "${target[@]}" --data "$WORK/test.csv" --attack square --epsilon 0.1 --samples "$SAMPLES" --budget 2000 \
        > "$WORK/rampart-$model-square.json"
    "$BIN" probe evasion "${target[@]}" --data "$WORK/test.csv" --attack simba --epsilon 0.2 --samples "$SAMPLES" --budget 2000 \
        > "$WORK/rampart-$model-simba.json"
    # ART's four budgets (the same work, for the wall-time ratio), then half of each (fidelity at half the queries).
    "$BIN" probe extraction "${target[@]}" --data "$WORK/test.csv" --budgets 50,100,250,450 > "$WORK/rampart-$model-extraction.json"
    "$BIN" probe extraction "${target[@]}" --data "$WORK/test.csv" --budgets 25,50,125,225 > "$WORK/rampart-$model-extraction-half.json"
done
"$BIN" probe membership --target "$URL/v2/models/mlp" --seed 0 --format json --members "$WORK/train.csv" \
    --non-members "$WORK/test.csv" --shadows 16 > "$WORK/rampart-mlp-membership.json"

# Model inversion: white-box on the lr file, black-box on the mlp endpoint (2 000 queries per class, as ART's run).
"$BIN" probe inversion --target "$WORK/lr.onnx" --data "$WORK/test.csv" --members "$WORK/train.csv" --seed 0 --format json \
    > "$WORK/rampart-lr-inversion.json"
"$BIN" probe inversion --target "$URL/v2/models/mlp" --access black-box --budget 2000 --data "$WORK/test.csv" \
    --members "$WORK/train.csv" --seed 0 --format json > "$WORK/rampart-mlp-inversion.json"
# LiRA pooled over the 17 pool models (the LiRA paper's protocol): each attacked with the other 16 as shadows.
sed "s#URL#$URL#" "$WORK/pool.yaml" > "$WORK/pool-campaign.yaml"
"$BIN" probe campaign --config "$WORK/pool-campaign.yaml" --format json > "$WORK/rampart-pool-membership.json"

mkdir -p bench/results
OUT=bench/results/probe-$(date -u +%Y%m%dT%H%M%SZ).json
python3 bench/probe/summarize.py "$WORK" "$OUT"
