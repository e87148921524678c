#!/usr/bin/env bash
# Gateway benchmark: in ONE run on this machine, wrk against
#   1. the upstream directly (nginx returning a fixed OpenAI chat completion),
#   2. nginx proxy_pass in front of it,
#   3. a do-nothing SwiftNIO pass-through proxy (bench/gateway/passthrough): the floor of the Swift stack,
#      i.e. the most any gateway built on SwiftNIO can reach on this machine,
#   4. rampart serve in front of it (auth, throttling, JSON validation, SHA-256 digests,
#      strict decision records in SQLite),
#   5. the same with every LLM guard on (injection, PII, secrets, invisible on input; PII, secrets, canary on
#      output — docs/guards.md),
#   6. the same with purpose and consent enforced (a consent-based purpose; every request carries a subject whose
#      consent is in the ledger — docs/ledger.md),
# then the SSE case: time to first byte and to last byte, direct vs through Rampart.
#
# Usage: bench/gateway/run.sh            (DURATION=10s CONNECTIONS=64 THREADS=2 SSE_RUNS=40 RECORD_DECISIONS=true)
# Writes bench/results/gateway-<time>.json and prints a Markdown table for the README.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SSE_RUNS=${SSE_RUNS:-40}
P_UP=18101 P_NGINX=18102 P_RAMPART=18103 P_ADMIN=18104 P_SSE=18105 P_FLOOR=18106

need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need nginx nginx; need wrk wrk; need curl curl

echo "building release binaries…" >&2
swift build -c release --product rampart >&2
swift build -c release --product rampart-mock-upstream >&2
BIN=$(swift build -c release --show-bin-path)
swift build -c release --package-path bench/gateway/passthrough >&2
FLOOR_BIN=$(swift build -c release --package-path bench/gateway/passthrough --show-bin-path)/passthrough

WORK=$(mktemp -d /tmp/rampart-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    nginx -p "$WORK" -c "$WORK/up.conf" -s stop 2>/dev/null || true
    nginx -p "$WORK" -c "$WORK/proxy.conf" -s stop 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

COMPLETION='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":9,"total_tokens":23}}'
cat > "$WORK/up.conf" <<CONF
worker_processes 1;
pid $WORK/up.pid;
error_log $WORK/up-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_buffer_size 64k;
    server {
        listen 127.0.0.1:$P_UP;
        location / { default_type application/json; return 200 '$COMPLETION'; }
    }
}
CONF
cat > "$WORK/proxy.conf" <<CONF
worker_processes auto;
pid $WORK/proxy.pid;
error_log $WORK/proxy-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_buffer_size 64k;
    upstream llm { server 127.0.0.1:$P_UP; keepalive 256; }
    server {
        listen 127.0.0.1:$P_NGINX;
        location / {
            proxy_pass http://llm;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
CONF
nginx -p "$WORK" -c "$WORK/up.conf"
nginx -p "$WORK" -c "$WORK/proxy.conf"
"$FLOOR_BIN" $P_FLOOR $P_UP > "$WORK/passthrough.out" 2>&1 &
PIDS+=($!)

"$BIN/rampart-mock-upstream" $P_SSE > "$WORK/mock.out" 2>&1 &
PIDS+=($!)

cat > "$WORK/rampart.yaml" <<CONF
server:
  listen: "127.0.0.1:$P_RAMPART"
  admin_listen: "127.0.0.1:$P_ADMIN"
store:
  sqlite: "rampart.db"
  durability: strict
ledger:
  record_decisions: ${RECORD_DECISIONS:-true}
purposes:
  - { id: support, lawful_basis: consent }
routes:
  - name: consented
    upstream: "http://127.0.0.1:$P_UP/v1"
    models: ["consented"]
    purpose: support
    limits: { rate_per_second: 1000000, burst: 1000000, requests_per_day: 1000000000, tokens_per_day: 100000000000 }
  - name: sse
    upstream: "http://127.0.0.1:$P_SSE/v1"
    models: ["sse-*"]
  - name: guarded
    upstream: "http://127.0.0.1:$P_UP/v1"
    models: ["guarded"]
    limits: { rate_per_second: 1000000, burst: 1000000, requests_per_day: 1000000000, tokens_per_day: 100000000000 }
    guards:
      input:  { injection: block, pii: redact, secrets: block, invisible: strip }
      output: { pii: redact, secrets: redact, canary: block, exfiltration: redact }
  - name: chat
    upstream: "http://127.0.0.1:$P_UP/v1"
    limits: { rate_per_second: 1000000, burst: 1000000, requests_per_day: 1000000000, tokens_per_day: 100000000000 }
CONF
KEY=$("$BIN/rampart" keys create --config "$WORK/rampart.yaml" --tenant bench --routes chat,sse,guarded,consented --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
"$BIN/rampart" ledger consent give --config "$WORK/rampart.yaml" --subject bench-subject --purpose support --notice bench@1 >/dev/null
"$BIN/rampart" serve --config "$WORK/rampart.yaml" 2> "$WORK/rampart.log" &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P_RAMPART/healthz" >/dev/null && break; sleep 0.1; done

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello in one short sentence."}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("RAMPART_KEY")
LUA
sed 's/"model":"bench"/"model":"guarded"/' "$WORK/post.lua" > "$WORK/post-guarded.lua"
sed 's/"model":"bench"/"model":"consented"/' "$WORK/post.lua" > "$WORK/post-consent.lua"
echo 'wrk.headers["Rampart-Subject"] = "bench-subject"' >> "$WORK/post-consent.lua"

run_wrk() { # name url [script]
    echo "wrk $1…" >&2
    # Warm up connections and caches, then measure.
    RAMPART_KEY=$KEY wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "${3:-$WORK/post.lua}" "$2" >/dev/null
    RAMPART_KEY=$KEY wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "${3:-$WORK/post.lua}" "$2" > "$WORK/wrk-$1.txt"
}
run_wrk direct "http://127.0.0.1:$P_UP/v1/chat/completions"
run_wrk nginx "http://127.0.0.1:$P_NGINX/v1/chat/completions"
run_wrk passthrough "http://127.0.0.1:$P_FLOOR/v1/chat/completions"
run_wrk rampart "http://127.0.0.1:$P_RAMPART/v1/chat/completions"
run_wrk guards "http://127.0.0.1:$P_RAMPART/v1/chat/completions" "$WORK/post-guarded.lua"
run_wrk consent "http://127.0.0.1:$P_RAMPART/v1/chat/completions" "$WORK/post-consent.lua"

# One connection: the latency each hop adds to a single request, without queueing behind others.
run_single() { # name url [script]
    echo "wrk $1, one connection…" >&2
    RAMPART_KEY=$KEY wrk -t1 -c1 -d"$DURATION" --latency -s "${3:-$WORK/post.lua}" "$2" > "$WORK/wrk1-$1.txt"
}
run_single direct "http://127.0.0.1:$P_UP/v1/chat/completions"
run_single nginx "http://127.0.0.1:$P_NGINX/v1/chat/completions"
run_single passthrough "http://127.0.0.1:$P_FLOOR/v1/chat/completions"
run_single rampart "http://127.0.0.1:$P_RAMPART/v1/chat/completions"
run_single guards "http://127.0.0.1:$P_RAMPART/v1/chat/completions" "$WORK/post-guarded.lua"
run_single consent "http://127.0.0.1:$P_RAMPART/v1/chat/completions" "$WORK/post-consent.lua"

echo "SSE time to first byte…" >&2
SSE_BODY='{"model":"sse-mock","stream":true,"messages":[{"role":"user","content":"stream"}]}'
sse() { # url auth
    for _ in $(seq "$SSE_RUNS"); do
        curl -sN -o /dev/null -w '%{time_starttransfer} %{time_total}\n' "$1" -H "Content-Type: application/json" \
            -H "Authorization: Bearer $KEY" -H "X-Mock-Chunks: 20" -H "X-Mock-Chunk-Delay-Ms: 10" -d "$SSE_BODY"
    done
}
sse "http://127.0.0.1:$P_SSE/v1/chat/completions" > "$WORK/sse-direct.txt"
sse "http://127.0.0.1:$P_RAMPART/v1/chat/completions" > "$WORK/sse-rampart.txt"

RECORDS=$("$BIN/rampart" decisions list --config "$WORK/rampart.yaml" --limit 100000 --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
mkdir -p bench/results
python3 bench/gateway/report.py "$WORK" "$RECORDS" "$CONNECTIONS" "$DURATION" > "bench/results/gateway-$(date -u +%Y%m%dT%H%M%SZ).json"
