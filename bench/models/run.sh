#!/usr/bin/env bash
# Model benchmark, in ONE run on this machine:
#   1. inference throughput of Rampart's native ONNX runtime (`rampart model bench`) against onnxruntime from Python
#      (the anchor, one intra-op thread as Rampart's one OpenBLAS thread) on the bundled models, batch 1, 8 and 64,
#      on the same rows (the models' test sets);
#   2. `rampart serve`'s POST /v2/models/{route}/infer under wrk: the digits MLP bare (label only), with both
#      monitors (action: flag, so every request reaches the model), and with smoothing (100 samples);
#   3. the monitors' cost per query (`rampart model bench` cannot see it; Benchmarks/ measures it with ordo-one:
#      `cd Benchmarks && swift package benchmark --target Models`).
#
# Usage: bench/models/run.sh            (SECONDS_PER=3 DURATION=10s CONNECTIONS=16 THREADS=2)
# Writes bench/results/models-<time>.json and prints Markdown tables for docs/models.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SECONDS_PER=${SECONDS_PER:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
P_PUBLIC=18201 P_ADMIN=18202

need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk; need curl curl
python3 -c "import onnxruntime" 2>/dev/null || python3 -m pip install -q onnxruntime numpy

echo "building the release binary…" >&2
swift build -c release --product rampart >&2
BIN=$(swift build -c release --show-bin-path)/rampart
WORK=$(mktemp -d /tmp/rampart-bench-models.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- 1. native runtime vs onnxruntime -------------------------------------------------------------------------
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
for name in ("digits_mlp", "breast_cancer_logreg"):
    rows = json.load(open(f"examples/models/{name}.test.json"))["inputs"]
    json.dump({"X": rows}, open(f"{work}/{name}.rows.json", "w"))
PY
for model in digits_mlp breast_cancer_logreg; do
    echo "native runtime: $model" >&2
    OPENBLAS_NUM_THREADS=1 "$BIN" model bench "examples/models/$model.onnx" --batch 1,8,64 --seconds "$SECONDS_PER" \
        --input "$WORK/$model.rows.json" --format json > "$WORK/native-$model.json"
    echo "onnxruntime: $model" >&2
    python3 - "$model" "$WORK" "$SECONDS_PER" > "$WORK/ort-$model.json" <<'PY'
import json, sys, time
import numpy as np
import onnxruntime as ort
name, work, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(f"examples/models/{name}.onnx", options, providers=["CPUExecutionProvider"])
pool = np.array(json.load(open(f"{work}/{name}.rows.json"))["X"], dtype=np.float32)
results = []
for size in (1, 8, 64):
    batches = [pool[np.arange(k * size, (k + 1) * size) % len(pool)] for k in range(8)]
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for batch in batches:
            session.run(None, {"X": batch})
        runs += len(batches)
    elapsed = time.perf_counter() - start
    results.append({"batch": size, "runs": runs, "seconds": elapsed, "runsPerSecond": runs / elapsed, "rowsPerSecond": runs * size / elapsed,
                    "microsecondsPerRun": elapsed / runs * 1e6})
print(json.dumps(results))
PY
done

# --- 2. the gateway's /infer ---------------------------------------------------------------------------------
cp examples/models/digits_mlp.onnx "$WORK/"
cat > "$WORK/rampart.yaml" <<CONF
server:
  listen: "127.0.0.1:$P_PUBLIC"
  admin_listen: "127.0.0.1:$P_ADMIN"
store:
  sqlite: "rampart.db"
  durability: relaxed
ledger:
  record_decisions: false
routes:
  - name: bare
    kind: model
    model: digits_mlp.onnx
    inputs: { X: { min: 0, max: 1 } }
    output: { confidence: label }
  - name: monitored
    kind: model
    model: digits_mlp.onnx
    inputs: { X: { min: 0, max: 1 } }
    output: { confidence: label }
    monitor:
      evasion: { detector: stateful, action: flag }
      extraction: { detector: prada, action: flag }
  - name: smoothed
    kind: model
    model: digits_mlp.onnx
    inputs: { X: { min: 0, max: 1 } }
    output: { confidence: label }
    smoothing: { sigma: 0.25, samples: 100, alpha: 0.001 }
CONF
KEY=$("$BIN" keys create --config "$WORK/rampart.yaml" --tenant bench --routes '*' --format json | python3 -c "import json,sys; print(json.load(sys.stdin)['key'])")
OPENBLAS_NUM_THREADS=1 "$BIN" serve --config "$WORK/rampart.yaml" --log-level warning 2> "$WORK/serve.log" &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$P_PUBLIC/v2/models/bare/ready" && break; sleep 0.1; done
# One test digit per request, cycling through the test set (so the monitors see varied traffic).
python3 - "$WORK" <<'PY'
import json, sys
rows = json.load(open("examples/models/digits_mlp.test.json"))["inputs"]
bodies = [json.dumps({"inputs": [{"name": "X", "shape": [1, 64], "datatype": "FP32", "data": r}]}) for r in rows]
lua = "local bodies = {" + ",".join("[[" + b + "]]" for b in bodies) + "}\n"
lua += """local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("KEY")}, bodies[(n % #bodies) + 1])
end
"""
open(f"{sys.argv[1]}/infer.lua", "w").write(lua)
PY
for route in bare monitored smoothed; do
    echo "wrk: $route" >&2
    KEY=$KEY wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$WORK/infer.lua" "http://127.0.0.1:$P_PUBLIC/v2/models/$route/infer" > "$WORK/wrk-$route.txt"
done

# --- report --------------------------------------------------------------------------------------------------
mkdir -p bench/results
OUT="bench/results/models-$(date -u +%Y%m%dT%H%M%SZ).json"
python3 - "$WORK" "$OUT" <<'PY'
import json, re, sys
work, out = sys.argv[1], sys.argv[2]
report = {"runtime": {}, "gateway": {}}
print("| model | batch | Rampart rows/s | onnxruntime rows/s | × onnxruntime |")
print("|---|---:|---:|---:|---:|")
for name in ("digits_mlp", "breast_cancer_logreg"):
    native = json.load(open(f"{work}/native-{name}.json"))
    ort = json.load(open(f"{work}/ort-{name}.json"))
    report["runtime"][name] = {"rampart": native, "onnxruntime": ort}
    for a, b in zip(native, ort):
        print(f"| {name} | {a['batch']} | {a['rowsPerSecond']:,.0f} | {b['rowsPerSecond']:,.0f} | {a['rowsPerSecond'] / b['rowsPerSecond']:.2f}× |")
print()
print("| /v2/models/…/infer | req/s | p50 | p99 | non-2xx |")
print("|---|---:|---:|---:|---:|")
for route in ("bare", "monitored", "smoothed"):
    text = open(f"{work}/wrk-{route}.txt").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    report["gateway"][route] = {"requests_per_second": rps, "p50": p50, "p99": p99, "non_2xx": int(errors.group(1)) if errors else 0}
    print(f"| {route} | {rps:,.0f} | {p50} | {p99} | {report['gateway'][route]['non_2xx']} |")
json.dump(report, open(out, "w"), indent=2)
print(f"\nwritten to {out}")
PY
