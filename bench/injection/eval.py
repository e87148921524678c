#!/usr/bin/env python3
"""Evaluate prompt-injection scorers on data/injection/eval.jsonl (never used for training).

    python3 bench/injection/eval.py --model                                  # learned model (Python reference)
    python3 bench/injection/eval.py --rampart /path/to/rampart               # Rampart's detector via the CLI
    python3 bench/injection/eval.py --model --rampart BIN --out summary.json # both + max / noisy-OR combos

--model [SWIFT_FILE] scores with the exact quantized scoring of scripts/injection/features.py, reading the
weights from the generated Swift file (default Sources/RampartText/Injection/InjectionModel+weights.swift).
--rampart BIN runs `BIN scan text --jsonl FILE --kinds injection`; a text's score is the max score over its
injection findings (0 if none).

Reported per scorer: ROC AUC; recall at the lowest threshold whose FPR <= 1% (the best recall reachable at
<= 1% FPR -- this threshold is picked on eval, so it is an oracle operating point) and that threshold;
recall/FPR at 0.5; for the model also at the threshold chosen on train (model_meta.json); per-source and
per-language recall/FPR; a few false negatives / false positives.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "injection"))
import features as F  # noqa: E402

DEFAULT_DATA = os.path.join(ROOT, "data", "injection", "eval.jsonl")
DEFAULT_SWIFT = os.path.join(ROOT, "Sources", "RampartText", "Injection", "InjectionModel+weights.swift")
META = os.path.join(ROOT, "scripts", "injection", "model_meta.json")


def roc_auc(y, s):
    """Mann-Whitney AUC with ties counted half (no sklearn needed)."""
    pairs = sorted(zip(s, y))
    n_pos = sum(y)
    n_neg = len(y) - n_pos
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2.0  # 1-based ranks i+1..j
        rank_sum += avg_rank * sum(lbl for _, lbl in pairs[i:j])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / max(1, n_pos * n_neg)


def recall_at_fpr(y, s, max_fpr=0.01):
    """Recall at the lowest threshold t (positive iff score >= t) whose FPR <= max_fpr."""
    order = sorted(range(len(s)), key=lambda k: -s[k])
    P, N = sum(y), len(y) - sum(y)
    tp = fp = 0
    best_t, best_r, best_f = float("inf"), 0.0, 0.0
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and s[order[j]] == s[order[i]]:
            tp += y[order[j]]
            fp += 1 - y[order[j]]
            j += 1
        if fp / max(1, N) <= max_fpr:
            best_t, best_r, best_f = s[order[i]], tp / max(1, P), fp / max(1, N)
        else:
            break
        i = j
    return best_r, best_t, best_f


def at(y, s, t):
    P, N = sum(y), len(y) - sum(y)
    tp = sum(1 for a, b in zip(y, s) if a == 1 and b >= t)
    fp = sum(1 for a, b in zip(y, s) if a == 0 and b >= t)
    return tp / max(1, P), fp / max(1, N)


def breakdown(rows, s, t, key):
    out = {}
    for k in sorted({r[key] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r[key] == k]
        ys = [rows[i]["label"] for i in idx]
        ss = [s[i] for i in idx]
        P = sum(ys)
        N = len(ys) - P
        rec, fpr = at(ys, ss, t)
        out[k] = {"n": len(idx), "positives": P, "negatives": N,
                  "recall": round(rec, 4) if P else None, "fpr": round(fpr, 4) if N else None}
    return out


def summarize(name, rows, s, extra_thresholds=None, n_examples=8):
    y = [r["label"] for r in rows]
    auc = roc_auc(y, s)
    r1, t1, f1 = recall_at_fpr(y, s)
    r5, f5 = at(y, s, 0.5)
    res = {"scorer": name, "n": len(rows), "positives": sum(y), "negatives": len(y) - sum(y),
           "auc": round(auc, 4),
           "recall_at_fpr_le_1pct": round(r1, 4), "threshold_at_fpr_le_1pct": t1, "fpr_at_that_threshold": round(f1, 4),
           "recall_at_0.5": round(r5, 4), "fpr_at_0.5": round(f5, 4)}
    thresholds = {"0.5": 0.5, "eval_1pct_fpr": t1}
    for k, t in (extra_thresholds or {}).items():
        rr, ff = at(y, s, t)
        res[f"recall_at_{k}"] = round(rr, 4)
        res[f"fpr_at_{k}"] = round(ff, 4)
        res[f"threshold_{k}"] = t
        thresholds[k] = t
    res["per_source_at_0.5"] = breakdown(rows, s, 0.5, "source")
    res["per_source_at_eval_1pct_fpr"] = breakdown(rows, s, t1, "source")
    res["per_lang_at_0.5"] = breakdown(rows, s, 0.5, "lang")
    fn = sorted((i for i, r in enumerate(rows) if r["label"] == 1 and s[i] < 0.5), key=lambda i: s[i])
    fp = sorted((i for i, r in enumerate(rows) if r["label"] == 0 and s[i] >= 0.5), key=lambda i: -s[i])
    ex = lambda i: {"id": rows[i]["id"], "score": round(s[i], 4), "text": rows[i]["text"][:120].replace("\n", " ")}
    res["false_negatives_at_0.5"] = {"count": len(fn), "examples": [ex(i) for i in fn[:n_examples]]}
    res["false_positives_at_0.5"] = {"count": len(fp), "examples": [ex(i) for i in fp[:n_examples]]}
    return res


def print_summary(res):
    print(f"\n=== {res['scorer']}  (n={res['n']}: {res['positives']} pos / {res['negatives']} neg)")
    print(f"  ROC AUC                         {res['auc']:.4f}")
    print(f"  recall @ FPR<=1%                {res['recall_at_fpr_le_1pct']:.4f}  (threshold {res['threshold_at_fpr_le_1pct']:.4g}, FPR {res['fpr_at_that_threshold']:.4f}; picked on eval = oracle)")
    print(f"  recall / FPR @ 0.5              {res['recall_at_0.5']:.4f} / {res['fpr_at_0.5']:.4f}")
    for k in list(res):
        if k.startswith("recall_at_") and k not in ("recall_at_fpr_le_1pct", "recall_at_0.5"):
            name = k[len("recall_at_"):]
            print(f"  recall / FPR @ {name} ({res['threshold_' + name]:.4g})  {res[k]:.4f} / {res['fpr_at_' + name]:.4f}")
    print("  per source (@0.5 | @eval-1%FPR threshold):")
    for src, a in res["per_source_at_0.5"].items():
        b = res["per_source_at_eval_1pct_fpr"][src]
        if a["positives"]:
            print(f"    {src:30s} pos {a['positives']:5d}  recall {a['recall']:.3f} | {b['recall']:.3f}")
        if a["negatives"]:
            print(f"    {src:30s} neg {a['negatives']:5d}  FPR    {a['fpr']:.3f} | {b['fpr']:.3f}")
    print("  per language @0.5: " + ", ".join(
        f"{k}: recall {v['recall']} FPR {v['fpr']} (n={v['n']})" for k, v in res["per_lang_at_0.5"].items()))
    print(f"  false negatives @0.5: {res['false_negatives_at_0.5']['count']}")
    for e in res["false_negatives_at_0.5"]["examples"]:
        print(f"    {e['score']:.3f} {e['id']}: {e['text']}")
    print(f"  false positives @0.5: {res['false_positives_at_0.5']['count']}")
    for e in res["false_positives_at_0.5"]["examples"]:
        print(f"    {e['score']:.3f} {e['id']}: {e['text']}")


def score_model(rows, swift_path):
    model = F.QuantizedModel.from_swift(swift_path)
    t0 = time.perf_counter()
    s = [model.score(r["text"]) for r in rows]
    dt = time.perf_counter() - t0
    kb = sum(len(r["text"].encode("utf-8")) for r in rows) / 1024.0
    return s, {"seconds": round(dt, 3), "kb": round(kb, 1), "us_per_kb": round(dt * 1e6 / kb, 1)}


def score_rampart(rows, binary):
    with tempfile.TemporaryDirectory() as d:
        inp = os.path.join(d, "in.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        p = subprocess.run([binary, "scan", "text", "--jsonl", inp, "--kinds", "injection"],
                           capture_output=True, text=True)
        dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"rampart exited {p.returncode}: {p.stderr[:2000]}")
    scores = {}
    for line in p.stdout.splitlines():
        if line.strip():
            o = json.loads(line)
            fs = [x.get("score", 0.0) for x in o.get("findings", []) if x.get("kind") == "injection"]
            scores[o["id"]] = max(fs) if fs else 0.0
    missing = [r["id"] for r in rows if r["id"] not in scores]
    if missing:
        raise SystemExit(f"rampart returned no line for {len(missing)} ids, e.g. {missing[:3]}")
    kb = sum(len(r["text"].encode("utf-8")) for r in rows) / 1024.0
    return [scores[r["id"]] for r in rows], {"seconds": round(dt, 3), "us_per_kb": round(dt * 1e6 / kb, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--model", nargs="?", const=DEFAULT_SWIFT, default=None, metavar="SWIFT_FILE")
    ap.add_argument("--rampart", metavar="BIN")
    ap.add_argument("--out", help="write a JSON summary here")
    ap.add_argument("--examples", type=int, default=8)
    args = ap.parse_args()
    if not args.model and not args.rampart:
        ap.error("give --model and/or --rampart BIN")
    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.strip()]
    summary = {"data": os.path.relpath(args.data, ROOT), "n": len(rows), "scorers": {}}
    scores = {}
    if args.model:
        s, perf = score_model(rows, args.model)
        extra = {}
        if os.path.exists(META):
            meta = json.load(open(META))
            extra["train_cv_threshold"] = meta["operating_threshold_1pct_fpr_cv"]
        res = summarize("learned model (Python reference, quantized)", rows, s, extra, args.examples)
        res["throughput"] = perf
        summary["scorers"]["model"] = res
        scores["model"] = s
        print_summary(res)
        print(f"  throughput (Python reference): {perf['us_per_kb']} µs/KB ({perf['kb']} KB in {perf['seconds']} s)")
    if args.rampart:
        s, perf = score_rampart(rows, args.rampart)
        res = summarize(f"rampart detector ({os.path.basename(args.rampart)})", rows, s, None, args.examples)
        res["run"] = perf
        summary["scorers"]["rampart"] = res
        scores["rampart"] = s
        print_summary(res)
        print(f"  wall time: {perf['seconds']} s ({perf['us_per_kb']} µs/KB, includes process start)")
    if "model" in scores and "rampart" in scores:
        a, b = scores["rampart"], scores["model"]
        for key, name, comb in (("max", "max(lexicon, model)", [max(x, y) for x, y in zip(a, b)]),
                                ("noisy_or", "noisy-OR 1-(1-lexicon)(1-model)", [1 - (1 - x) * (1 - y) for x, y in zip(a, b)])):
            res = summarize(name, rows, comb, None, args.examples)
            summary["scorers"][key] = res
            print_summary(res)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1, ensure_ascii=False)
        print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
