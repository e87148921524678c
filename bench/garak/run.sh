#!/usr/bin/env bash
# garak closed-loop benchmark: how often garak's prompt-injection probes succeed against a model that obeys
# every instruction (bench/garak/obedient_upstream.py),
#   a. directly, and
#   b. behind `rampart serve` with its LLM guards on (bench/garak/rampart.yaml),
# with the same probes, prompts (fixed seed and prompt cap) and settings in both runs. The difference is what
# the guards are worth.
#
# Probes: the active classes of garak's encoding, promptinject, latentinjection and web_injection modules whose
# detectors are string/regex based (latentinjection.LatentJailbreak is skipped: its primary detector,
# unsafe_content.ToxicCommentModel, needs a model download). A hit = the probe's primary detector fired.
#
# Usage: bench/garak/run.sh
#   RAMPART_BIN=path     rampart binary (default: swift build -c release --product rampart)
#   GARAK_VENV=dir       garak's virtualenv (default /work/venv-garak; created with `pip install garak` if missing)
#   PROMPT_CAP=n         garak's soft_probe_prompt_cap: at most n prompts per probe, a seeded subsample (default
#                        256, garak's own default; latentinjection.LatentWhois ignores the cap and sends all 168)
#   SEED=n               garak's run seed (default 20261127)
#   PARALLEL_ATTEMPTS=n  garak's parallel_attempts (default 4)
#   PROBES=a.B,c.D       override the probe list
# Writes bench/results/garak-<time>.json and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
GARAK_VENV=${GARAK_VENV:-/work/venv-garak}
PROMPT_CAP=${PROMPT_CAP:-256}
SEED=${SEED:-20261127}
PARALLEL_ATTEMPTS=${PARALLEL_ATTEMPTS:-4}
GENERATIONS=1
P_UP=${P_UP:-18201} P_RAMPART=${P_RAMPART:-18203} P_ADMIN=${P_ADMIN:-18204}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# PYTHONHASHSEED: some probes build their contexts in a set, so without it the seeded subsample would differ
# from one garak process to the next.
export PYTHONUNBUFFERED=1 PYTHONHASHSEED=0

command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

if ! "$GARAK_VENV/bin/python" -c 'import garak' 2>/dev/null; then
    echo "creating $GARAK_VENV with garak…" >&2
    python3 -m venv "$GARAK_VENV"
    "$GARAK_VENV/bin/pip" install -q garak >&2
fi
PY=$GARAK_VENV/bin/python

if [ -z "${RAMPART_BIN:-}" ]; then
    echo "building rampart (release)…" >&2
    swift build -c release --product rampart >&2
    RAMPART_BIN=$(swift build -c release --show-bin-path)/rampart
fi

WORK=$(mktemp -d /tmp/rampart-garak.XXXXXX)
echo "work dir: $WORK" >&2
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

wait_for() { # url
    for _ in $(seq 200); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done
    echo "timed out waiting for $1" >&2
    return 1
}

# The victim: garak's Python has the optional base2048/ecoji modules the upstream uses if present.
"$PY" bench/garak/obedient_upstream.py --port "$P_UP" --log "$WORK/upstream-requests.jsonl" \
    2> "$WORK/upstream.log" &
PIDS+=($!)
wait_for "http://127.0.0.1:$P_UP/v1/models"

sed -e "s/127\.0\.0\.1:18201/127.0.0.1:$P_UP/; s/127\.0\.0\.1:18203/127.0.0.1:$P_RAMPART/; s/127\.0\.0\.1:18204/127.0.0.1:$P_ADMIN/" \
    bench/garak/rampart.yaml > "$WORK/rampart.yaml"
"$RAMPART_BIN" config check --config "$WORK/rampart.yaml" >&2
KEY=$("$RAMPART_BIN" keys create --config "$WORK/rampart.yaml" --tenant garak --routes chat --format json \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
"$RAMPART_BIN" serve --config "$WORK/rampart.yaml" 2> "$WORK/rampart.log" &
PIDS+=($!)
wait_for "http://127.0.0.1:$P_ADMIN/healthz"

: > "$WORK/skipped.txt"
PROBES=${PROBES:-$("$PY" bench/garak/report.py probes 2> "$WORK/skipped.txt")}
cat "$WORK/skipped.txt" >&2

# Same garak settings for both runs; only the generator's uri and key differ. garak's OpenAICompatible
# defaults send stop=["#", ";"] and max_tokens=150 (completion-era defaults that would cut many payloads,
# e.g. every `alert(1);`); both are suppressed so the answers are whole. The upstream honours them if sent.
cat > "$WORK/garak.yaml" <<CONF
run:
  seed: $SEED
  generations: $GENERATIONS
  soft_probe_prompt_cap: $PROMPT_CAP
system:
  parallel_attempts: $PARALLEL_ATTEMPTS
  lite: true
reporting:
  report_dir: $WORK
CONF
gen_options() { # uri key
    "$PY" -c 'import json,sys; print(json.dumps({"openai": {"OpenAICompatible": {"uri": sys.argv[1], "api_key": sys.argv[2], "suppressed_params": ["stop", "max_tokens"]}}}))' "$1" "$2"
}
gen_options "http://127.0.0.1:$P_UP/v1" "sk-direct-unused" > "$WORK/gen-direct.json"
gen_options "http://127.0.0.1:$P_RAMPART/v1" "$KEY" > "$WORK/gen-rampart.json"
chmod 600 "$WORK/gen-rampart.json"

run_garak() { # name option-file
    echo "garak run '$1'…" >&2
    local t0=$SECONDS
    "$PY" -m garak --config "$WORK/garak.yaml" --model_type openai.OpenAICompatible --model_name obedient \
        --generator_option_file "$2" --probes "$PROBES" --report_prefix "$WORK/$1" \
        > "$WORK/garak-$1.out" 2> "$WORK/garak-$1.err"
    echo "  done in $((SECONDS - t0))s" >&2
    echo $((SECONDS - t0)) > "$WORK/seconds-$1"
}

T0=$SECONDS
run_garak direct "$WORK/gen-direct.json"
curl -sf "http://127.0.0.1:$P_UP/stats?reset=1" > "$WORK/upstream-stats-direct.json"
run_garak rampart "$WORK/gen-rampart.json"
curl -sf "http://127.0.0.1:$P_UP/stats?reset=1" > "$WORK/upstream-stats-rampart.json"

"$RAMPART_BIN" decisions list --config "$WORK/rampart.yaml" --limit 100000 --format json > "$WORK/decisions.json"
# Anything Rampart logged above info level (errors, upstream failures) is worth a look.
grep -v '"level":"info"\|"level":"notice"' "$WORK/rampart.log" > "$WORK/rampart-warnings.log" || true

mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="bench/results/garak-$STAMP.json"
"$PY" bench/garak/report.py report --direct "$WORK/direct.report.jsonl" --rampart "$WORK/rampart.report.jsonl" \
    --decisions "$WORK/decisions.json" \
    --upstream-stats-direct "$WORK/upstream-stats-direct.json" \
    --upstream-stats-rampart "$WORK/upstream-stats-rampart.json" \
    --upstream-log "$WORK/upstream-requests.jsonl" \
    --meta "garak_version=$("$PY" -c 'import garak; print(garak.__version__)')" \
           "prompt_cap=$PROMPT_CAP" "seed=$SEED" "generations=$GENERATIONS" "parallel_attempts=$PARALLEL_ATTEMPTS" \
           "seconds_direct=$(cat "$WORK/seconds-direct")" "seconds_rampart=$(cat "$WORK/seconds-rampart")" \
           "rampart_bin=$RAMPART_BIN" "skipped=$(tr '\n' ';' < "$WORK/skipped.txt")" \
           "rampart_log_warnings=$(wc -l < "$WORK/rampart-warnings.log")" \
    --out "$OUT"
echo >&2
echo "wrote $OUT (garak runs took $((SECONDS - T0))s; reports, logs and decisions in $WORK)" >&2
