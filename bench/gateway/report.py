"""Turns the wrk and curl outputs of bench/gateway/run.sh into a Markdown table (stderr) and JSON (stdout)."""
import json
import re
import statistics
import sys
from pathlib import Path

work, records, connections, duration = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]


def ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse(name, prefix="wrk"):
    text = (work / f"{prefix}-{name}.txt").read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
    p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {"requests_per_second": rps, "p50_ms": p50, "p99_ms": p99, "requests": total,
            "non_2xx": int(bad.group(1)) if bad else 0, "socket_errors": errors.group(1) if errors else None}


PATHS = ("direct", "nginx", "passthrough", "rampart", "guards", "consent")
results = {name: parse(name) for name in PATHS}
single = {name: parse(name, "wrk1") for name in PATHS}
single_added = {name: single[name]["p50_ms"] - single["direct"]["p50_ms"] for name in PATHS[1:]}
ratio = results["rampart"]["requests_per_second"] / results["nginx"]["requests_per_second"]
guards_ratio = results["guards"]["requests_per_second"] / results["nginx"]["requests_per_second"]
consent_ratio = results["consent"]["requests_per_second"] / results["nginx"]["requests_per_second"]
floor_ratio = results["passthrough"]["requests_per_second"] / results["nginx"]["requests_per_second"]
added_p50 = results["rampart"]["p50_ms"] - results["direct"]["p50_ms"]
nginx_added_p50 = results["nginx"]["p50_ms"] - results["direct"]["p50_ms"]


def sse(name):
    rows = [tuple(map(float, line.split())) for line in (work / f"sse-{name}.txt").read_text().split("\n") if line.strip()]
    return {"ttfb_ms_median": statistics.median(r[0] for r in rows) * 1000, "total_ms_median": statistics.median(r[1] for r in rows) * 1000,
            "runs": len(rows)}


stream = {"direct": sse("direct"), "rampart": sse("rampart")}
out = {
    "connections": int(connections), "duration": duration, "results": results,
    "rampart_over_nginx_throughput": ratio, "rampart_all_guards_over_nginx_throughput": guards_ratio, "rampart_consent_over_nginx_throughput": consent_ratio, "passthrough_over_nginx_throughput": floor_ratio, "rampart_added_p50_ms": added_p50, "nginx_added_p50_ms": nginx_added_p50,
    "decision_records": records, "sse": stream, "one_connection": single, "one_connection_added_p50_ms": single_added,
}
lines = [
    f"| path (wrk, {connections} connections, {duration}) | requests/s | p50 | p99 |",
    "|---|---:|---:|---:|",
]
for name, label in (("direct", "direct to upstream"), ("nginx", "nginx proxy_pass"),
                    ("passthrough", "SwiftNIO pass-through (no work: the stack's floor)"), ("rampart", "Rampart (strict records)"),
                    ("guards", "Rampart with every LLM guard on"), ("consent", "Rampart with purpose and consent enforced")):
    r = results[name]
    lines.append(f"| {label} | {r['requests_per_second']:,.0f} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms |")
lines.append("")
lines.append(f"Rampart/nginx throughput: **{ratio:.2f}×**, with every guard on **{guards_ratio:.2f}×**, with consent enforced **{consent_ratio:.2f}×** (SwiftNIO pass-through/nginx: {floor_ratio:.2f}×); added p50 vs direct: Rampart **{added_p50:.2f} ms**, nginx {nginx_added_p50:.2f} ms.")
lines.append(f"One connection (no queueing): p50 direct {single['direct']['p50_ms']:.3f} ms, nginx {single['nginx']['p50_ms']:.3f} ms, "
             f"pass-through {single['passthrough']['p50_ms']:.3f} ms, Rampart {single['rampart']['p50_ms']:.3f} ms — added p50: "
             f"nginx {single_added['nginx']:.3f} ms, pass-through {single_added['passthrough']:.3f} ms, "
             f"**Rampart {single_added['rampart']:.3f} ms**, with every guard on {single_added['guards']:.3f} ms, with consent enforced {single_added['consent']:.3f} ms; Rampart {single['rampart']['requests_per_second']:,.0f} req/s on one connection.")
lines.append(f"Decision records written: {records:,} (every request that wrk sent through Rampart, warm-up included).")
lines.append(f"SSE (20 chunks, 10 ms apart, median of {stream['direct']['runs']}): time to first byte direct "
             f"{stream['direct']['ttfb_ms_median']:.2f} ms, through Rampart {stream['rampart']['ttfb_ms_median']:.2f} ms; "
             f"last byte {stream['direct']['total_ms_median']:.1f} ms vs {stream['rampart']['total_ms_median']:.1f} ms.")
bad = {k: v for k, v in results.items() if v["non_2xx"] or v["socket_errors"]}
if bad:
    lines.append(f"WARNING: errors during the run: {bad}")
print("\n".join(lines), file=sys.stderr)
print(json.dumps(out, indent=2))
