"""Throughput of each text scanner, MB/s on one core (`taskset -c 0`), through `rampart scan text --jsonl`.

Usage: python3 bench/text/scanners.py RAMPART_BINARY PII_CORPUS.jsonl INJECTION_EVAL.jsonl [--runs 3]
Each scanner (`--kinds`) runs over each corpus `--runs` times; the fastest run counts. The `invisible` run does
the work every scan shares (reading JSONL, NFKC and look-alike normalization, writing JSONL) and almost nothing
else, so "scanner only" = that scanner's time minus it. `all` is the full input + output guard set (every kind,
with a canary token).
"""
import argparse
import json
import subprocess
import tempfile
import time


def prepare(path, folder, name):
    """The corpus as {"id", "text"} lines (what `--jsonl` reads), and its size in MB."""
    out = f"{folder}/{name}.jsonl"
    size = 0
    with open(path, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            size += len(row["text"].encode("utf-8"))
            dst.write(json.dumps({"id": row["id"], "text": row["text"]}, ensure_ascii=False) + "\n")
    return out, size / 1e6


def run(binary, corpus, kinds, runs):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(["taskset", "-c", "0", binary, "scan", "text", "--jsonl", corpus, "--kinds", kinds,
                              "--canary", "cnyk7qz2m4xa5b6c3d2e"], capture_output=True)
        seconds = time.perf_counter() - start
        if out.returncode not in (0, 1):
            raise SystemExit(f"rampart failed: {out.stderr.decode()}")
        best = seconds if best is None else min(best, seconds)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("pii_corpus")
    parser.add_argument("injection_corpus")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    kinds = ["invisible", "pii", "secret", "injection", "canary", "pii,secret,injection,invisible,canary"]
    result = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, path in (("pii_corpus", args.pii_corpus), ("injection_eval", args.injection_corpus)):
            corpus, mb = prepare(path, folder, name)
            times = {k: run(args.binary, corpus, k, args.runs) for k in kinds}
            base = times["invisible"]
            rows = {}
            for k, seconds in times.items():
                label = "all" if "," in k else k
                scanner = max(seconds - base, 1e-9)
                rows[label] = {"seconds": round(seconds, 4), "mb_per_s": round(mb / seconds, 2),
                               "us_per_kb": round(seconds * 1e6 / (mb * 1000), 1),
                               "scanner_only_us_per_kb": None if k == "invisible" else round(scanner * 1e6 / (mb * 1000), 1)}
            result[name] = {"megabytes": round(mb, 3), "scanners": rows}
    print(json.dumps(result, indent=2))
    lines = ["| corpus | scanner | MB/s (one core, whole process) | µs/KB | µs/KB, scanner only |", "|---|---|---:|---:|---:|"]
    for name, data in result.items():
        for label, r in data["scanners"].items():
            only = "—" if r["scanner_only_us_per_kb"] is None else f"{r['scanner_only_us_per_kb']:.1f}"
            lines.append(f"| {name} ({data['megabytes']:.2f} MB) | {label} | {r['mb_per_s']:.2f} | {r['us_per_kb']:.1f} | {only} |")
    import sys
    print("\n".join(lines), file=sys.stderr)


if __name__ == "__main__":
    main()
