#!/usr/bin/env bash
# Interleaved A/B of two rampart binaries on one connection (no queueing): the same config and upstream, the two
# binaries alternating for ROUNDS rounds, so drift on this shared machine hits both alike. Prints p50 and req/s per
# run. Usage: bench/gateway/ab.sh OLD_BIN NEW_BIN   (ROUNDS=3 SECONDS_PER_RUN=5; builds rampart-mock-upstream)
set -euo pipefail
cd "$(dirname "$0")/../.."
OLD=$(realpath "$1") NEW=$(realpath "$2")
ROUNDS=${ROUNDS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product rampart-mock-upstream >&2
MOCK=$(swift build -c release --show-bin-path)/rampart-mock-upstream
WORK=$(mktemp -d /tmp/rampart-ab.XXXXXX)
"$MOCK" 18201 > "$WORK/mock.out" 2>&1 & MOCK_PID=$!
trap 'kill $MOCK_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("RAMPART_KEY")
LUA
for round in $(seq "$ROUNDS"); do
    for name in old new; do
        bin=$OLD; [ "$name" = new ] && bin=$NEW
        dir="$WORK/$name-$round"; mkdir -p "$dir"
        printf 'server: { listen: "127.0.0.1:18203", admin_listen: "127.0.0.1:18204" }\nroutes:\n  - { name: chat, upstream: "http://127.0.0.1:18201/v1" }\n' > "$dir/rampart.yaml"
        key=$("$bin" keys create --config "$dir/rampart.yaml" --tenant ab --routes chat --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
        "$bin" serve --config "$dir/rampart.yaml" 2> "$dir/serve.log" & pid=$!
        for _ in $(seq 100); do curl -sf http://127.0.0.1:18203/healthz >/dev/null && break; sleep 0.1; done
        RAMPART_KEY=$key wrk -t1 -c1 -d2s -s "$WORK/post.lua" http://127.0.0.1:18203/v1/chat/completions >/dev/null
        result=$(RAMPART_KEY=$key wrk -t1 -c1 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/post.lua" http://127.0.0.1:18203/v1/chat/completions)
        echo "round $round $name: p50 $(echo "$result" | awk '$1 == "50%" {print $2}'), $(echo "$result" | awk '/Requests\/sec/ {print $2}') req/s"
        kill "$pid"; wait "$pid" 2>/dev/null || true
    done
done
