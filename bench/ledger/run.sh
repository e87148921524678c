#!/usr/bin/env bash
# Ledger benchmark, whole process, one core each, in ONE run on this machine:
#   Rampart:  rampart ledger record --jsonl (append N events, batched group commits), checkpoint, verify (recompute
#             every leaf and the tree, check the checkpoint), prove + check-proof;
#   anchor:   pymerkle (PyPI), an RFC 6962 tree on SQLite: append the same N bodies, root, inclusion and consistency
#             proofs (bench/ledger/anchor.py).
#   and the same Rampart commands on PostgreSQL (a server on loopback with fsync on, started and stopped here).
# Targets: >= 50k appends/s on SQLite; a 1M-event verify <= 3 s.
# Usage: bench/ledger/run.sh            (N=1000000; BACKENDS="sqlite postgres")
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
KEY=$("$BIN" ledger keygen --out "$WORK/ledger.pem" --origin bench.example/ledger)
# Wall-clock seconds of one command (output kept in $WORK/out).
seconds() { local start end; start=$(date +%s%N); "$@" > "$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }; end=$(date +%s%N); python3 -c "print(($end - $start) / 1e9)"; }
# One backend: append, checkpoint, verify, prove, check-proof. Prints a JSON object.
run_backend() {
    local name=$1 store=$2 config="$WORK/rampart-$1.yaml"
    printf 'store: %s\nledger: { origin: bench.example/ledger, signing_key: ledger.pem }\nroutes: [ { name: chat, upstream: "http://127.0.0.1:9/v1" } ]\n' "$store" > "$config"
    echo "rampart ($name): append $N…" >&2
    local append checkpoint verify prove check
    append=$(seconds taskset -c 0 "$BIN" ledger record --config "$config" --jsonl "$WORK/events.jsonl")
    checkpoint=$(seconds taskset -c 0 "$BIN" ledger checkpoint --config "$config")
    echo "rampart ($name): verify…" >&2
    verify=$(seconds taskset -c 0 "$BIN" ledger verify --config "$config" --format json)
    python3 -c "import json,sys; r=json.load(open('$WORK/out')); assert r['intact'] and r['entries']==$N, r"
    # The same verify free to use both cores (it reads the next page while hashing this one).
    verify2=$(seconds "$BIN" ledger verify --config "$config" --format json)
    prove=$(seconds taskset -c 0 "$BIN" ledger prove --config "$config" --entry $((N / 2)))
    cp "$WORK/out" "$WORK/proof.json"
    check=$(seconds taskset -c 0 "$BIN" ledger check-proof "$WORK/proof.json" --key "$KEY")
    echo "{\"append_seconds\": $append, \"appends_per_second\": $(python3 -c "print($N / $append)"), \"checkpoint_seconds\": $checkpoint, \"verify_seconds\": $verify, \"verify_seconds_two_cores\": $verify2, \"prove_process_seconds\": $prove, \"check_proof_process_seconds\": $check}"
}
RESULTS="{}"
for backend in ${BACKENDS:-sqlite postgres}; do
    case $backend in
    sqlite) R=$(run_backend sqlite '{ sqlite: rampart.db }') ;;
    postgres)
        export RAMPART_PG_STATE=/tmp/rampart-bench-postgres RAMPART_PG_FSYNC=on
        trap 'bash scripts/postgres.sh stop; rm -rf "$WORK"' EXIT
        URL=$(bash scripts/postgres.sh start)
        R=$(run_backend postgres "{ postgres: \"$URL\" }")
        bash scripts/postgres.sh stop ;;
    esac
    RESULTS=$(python3 -c "import json,sys; r=json.loads(sys.argv[1]); r[sys.argv[2]]=json.loads(sys.argv[3]); print(json.dumps(r))" "$RESULTS" "$backend" "$R")
done
echo "pymerkle: append $N…" >&2
ANCHOR=$(taskset -c 0 "$VENV/bin/python" bench/ledger/anchor.py "$WORK/events.jsonl" "$WORK")
mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
python3 - "$N" "$RESULTS" "$ANCHOR" "bench/results/ledger-$STAMP.json" <<'PY'
import json, sys
n = int(sys.argv[1]); backends = json.loads(sys.argv[2]); anchor = json.loads(sys.argv[3])
result = {"entries": n, "rampart": backends, "pymerkle": anchor}
json.dump(result, open(sys.argv[4], "w"), indent=2)
p = anchor
names = list(backends)
print(f"| {n:,} events, one core | " + " | ".join(f"Rampart ({b})" for b in names) + " | pymerkle 7.0 (SQLite) | ratio (SQLite) |")
print("|---|" + "---:|" * (len(names) + 2))
def row(label, values, anchor_value, ratio):
    print(f"| {label} | " + " | ".join(values) + f" | {anchor_value} | {ratio} |")
r = backends.get("sqlite", next(iter(backends.values())))
row("append, events/s", [f"{backends[b]['appends_per_second']:,.0f}" for b in names], f"{p['appends_per_second']:,.0f}",
    f"**{r['appends_per_second'] / p['appends_per_second']:.1f}×**")
row("verify the whole log (Rampart: every leaf recomputed from its row, the tree, the checkpoint's signature and root) / root (pymerkle)",
    [f"{backends[b]['verify_seconds']:.2f} s" for b in names], f"{p['root_seconds']:.2f} s", "—")
row("the same verify, free to use both cores", [f"{backends[b]['verify_seconds_two_cores']:.2f} s" for b in names], "—", "—")
row("inclusion proof, one process each (Rampart: prove + check-proof, whole processes) / pymerkle in-process make + check",
    [f"{(backends[b]['prove_process_seconds'] + backends[b]['check_proof_process_seconds']) * 1000:.0f} ms" for b in names],
    f"{p['inclusion_prove_ms'] + p['inclusion_verify_ms']:.2f} ms", "—")
for b in names:
    v = backends[b]
    print(f"Targets ({b}): >= 50,000 appends/s ({'met' if v['appends_per_second'] >= 50000 else 'NOT met'}); "
          f"verify of {n:,} <= 3 s ({'met' if v['verify_seconds'] <= 3 else 'NOT met'} on one core, "
          f"{'met' if v['verify_seconds_two_cores'] <= 3 else 'NOT met'} on two).")
PY
