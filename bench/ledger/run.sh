#!/usr/bin/env bash
# Ledger benchmark (issue 4), whole process, one core each, in ONE run on this machine:
#   Rampart:  rampart ledger record --jsonl (append N events, batched group commits), checkpoint, verify (recompute
#             every leaf and the tree, check the checkpoint), prove + check-proof;
#   anchor:   pymerkle (PyPI), an RFC 6962 tree on SQLite: append the same N bodies, root, inclusion and consistency
#             proofs (bench/ledger/anchor.py).
# Targets (issue 4): >= 50k appends/s on SQLite; a 1M-event verify <= 3 s.
# Usage: bench/ledger/run.sh            (N=1000000)
# Writes bench/results/ledger-<time>.json and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}
command -v taskset >/dev/null || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
VENV=${VENV:-/tmp/rampart-bench-pymerkle}
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q pymerkle==7.0.0; }
swift build -c release --product rampart >&2
BIN=$(swift build -c release --show-bin-path)/rampart
WORK=$(mktemp -d /tmp/rampart-ledger-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 - "$N" "$WORK/events.jsonl" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        body = {"decision": f"dec_{i:09d}", "tenant": "acme", "route": "chat", "status": 200 if i % 17 else 429,
                "model": "gpt-4o-mini", "purpose": "support", "request_sha256": f"{i * 2654435761 % 2**64:016x}" * 4}
        f.write(json.dumps({"kind": "decision", "body": body}, separators=(",", ":")) + "\n")
PY
cat > "$WORK/rampart.yaml" <<YAML
store: { sqlite: rampart.db }
ledger: { origin: bench.example/ledger, signing_key: ledger.pem }
routes: [ { name: chat, upstream: "http://127.0.0.1:9/v1" } ]
YAML
KEY=$("$BIN" ledger keygen --out "$WORK/ledger.pem" --origin bench.example/ledger)
# Wall-clock seconds of one command (output kept in $WORK/out).
seconds() { local start end; start=$(date +%s%N); "$@" > "$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }; end=$(date +%s%N); python3 -c "print(($end - $start) / 1e9)"; }
echo "rampart: append $N…" >&2
APPEND=$(seconds taskset -c 0 "$BIN" ledger record --config "$WORK/rampart.yaml" --jsonl "$WORK/events.jsonl")
CHECKPOINT=$(seconds taskset -c 0 "$BIN" ledger checkpoint --config "$WORK/rampart.yaml")
echo "rampart: verify…" >&2
VERIFY=$(seconds taskset -c 0 "$BIN" ledger verify --config "$WORK/rampart.yaml" --format json)
python3 -c "import json,sys; r=json.load(open('$WORK/out')); assert r['intact'] and r['entries']==$N, r"
PROVE=$(seconds taskset -c 0 "$BIN" ledger prove --config "$WORK/rampart.yaml" --entry $((N / 2)))
cp "$WORK/out" "$WORK/proof.json"
CHECK=$(seconds taskset -c 0 "$BIN" ledger check-proof "$WORK/proof.json" --key "$KEY")
echo "pymerkle: append $N…" >&2
ANCHOR=$(taskset -c 0 "$VENV/bin/python" bench/ledger/anchor.py "$WORK/events.jsonl" "$WORK")
mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
python3 - "$N" "$APPEND" "$CHECKPOINT" "$VERIFY" "$PROVE" "$CHECK" "$ANCHOR" "bench/results/ledger-$STAMP.json" <<'PY'
import json, sys
n = int(sys.argv[1]); append, checkpoint, verify, prove, check = map(float, sys.argv[2:7]); anchor = json.loads(sys.argv[7])
result = {"entries": n, "rampart": {"append_seconds": append, "appends_per_second": n / append, "checkpoint_seconds": checkpoint,
          "verify_seconds": verify, "prove_process_seconds": prove, "check_proof_process_seconds": check}, "pymerkle": anchor}
json.dump(result, open(sys.argv[8], "w"), indent=2)
r, p = result["rampart"], anchor
print(f"| {n:,} events, one core | Rampart | pymerkle 7.0 (SQLite) | ratio |")
print("|---|---:|---:|---:|")
print(f"| append, events/s | {r['appends_per_second']:,.0f} | {p['appends_per_second']:,.0f} | **{r['appends_per_second'] / p['appends_per_second']:.1f}×** |")
print(f"| verify the whole log (Rampart: every leaf recomputed from its row, the tree, the checkpoint's signature and root) / root (pymerkle) | {verify:.2f} s | {p['root_seconds']:.2f} s | — |")
print(f"| inclusion proof, one process each (Rampart: prove + check-proof, whole processes) / pymerkle in-process make + check | {(prove + check) * 1000:.0f} ms | {p['inclusion_prove_ms'] + p['inclusion_verify_ms']:.2f} ms | — |")
print(f"Targets: >= 50,000 appends/s ({'met' if r['appends_per_second'] >= 50000 else 'NOT met'}); verify of {n:,} <= 3 s ({'met' if verify <= 3 else 'NOT met'}).")
PY
