"""Rampart's PII recognizers beside Presidio's on the same labeled corpus, in one run: throughput (MB/s on one
core) and per-entity precision, recall, F1 and F2.

Usage: bench/text/run.sh (builds the release binary, generates the corpus, runs this).
       python3 bench/text/compare_presidio.py CORPUS.jsonl RAMPART_BINARY
Presidio runs regex-only: its predefined recognizers for the same entities called directly, without an NLP
engine (the `nlp_artifacts=None` path; context words are not applied). Presidio's results are kept at score ≥ 0.5,
as Rampart's are, except phone numbers, which Presidio scores 0.4 by design and would otherwise all be dropped. Rampart runs `rampart scan text --jsonl
--kinds pii` pinned to one core (`taskset -c 0`), so both numbers are per core.
"""
import json
import subprocess
import sys
import time

import tldextract

# Presidio's e-mail recognizer validates TLDs with tldextract, which fetches the public suffix list on first use;
# offline, use the snapshot bundled with tldextract (once, not a failed download per call).
tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())

from presidio_analyzer.predefined_recognizers import (CreditCardRecognizer, EmailRecognizer, IbanRecognizer, IpRecognizer,
                                                      PhoneRecognizer, UkNinoRecognizer, UsSsnRecognizer)

corpus_path, binary = sys.argv[1], sys.argv[2]
rows = [json.loads(line) for line in open(corpus_path, encoding="utf-8")]
texts = [r["text"] for r in rows]
megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
ENTITIES = ["EMAIL", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN", "UK_NINO", "PERSON", "STREET_ADDRESS"]
# Presidio finds these only with an NLP engine (spaCy NER); no spaCy 3 model installs from PyPI offline, so its
# regex-only run has no recognizer for them.
NLP_ONLY = {"PERSON", "STREET_ADDRESS"}
PRESIDIO_NAMES = {"EMAIL_ADDRESS": "EMAIL"}

# Presidio, regex-only.
recognizers = [EmailRecognizer(), CreditCardRecognizer(), IbanRecognizer(), IpRecognizer(),
               PhoneRecognizer(supported_regions=("US", "UK", "DE", "FR", "IN", "AU", "FE", "IL", "CA", "BR")),
               UsSsnRecognizer(), UkNinoRecognizer()]
start = time.perf_counter()
presidio = []
for text in texts:
    found = []
    for recognizer in recognizers:
        for result in recognizer.analyze(text, entities=recognizer.supported_entities, nlp_artifacts=None) or []:
            if result.score >= 0.5 or result.entity_type == "PHONE_NUMBER":
                found.append({"type": PRESIDIO_NAMES.get(result.entity_type, result.entity_type), "start": result.start, "end": result.end})
    presidio.append(found)
presidio_seconds = time.perf_counter() - start

# Rampart, one core, the whole corpus as JSONL through the CLI (process start-up, JSON reading and writing
# included). One run takes a fraction of a second, so the fastest of three counts; Presidio's single run takes tens
# of seconds and is timed in-process, without its start-up.
rampart_seconds = None
for _ in range(3):
    start = time.perf_counter()
    out = subprocess.run(["taskset", "-c", "0", binary, "scan", "text", "--jsonl", corpus_path, "--kinds", "pii"], capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if out.returncode not in (0, 1):
        sys.exit(f"rampart failed ({out.returncode}): {out.stderr.decode()}")
    rampart_seconds = seconds if rampart_seconds is None else min(rampart_seconds, seconds)
rampart = [[{"type": f["type"], "start": f["start"], "end": f["end"]} for f in json.loads(line)["findings"]] for line in out.stdout.decode().splitlines()]
assert len(rampart) == len(rows)


def score(predictions):
    """Per entity: a prediction is a true positive when it overlaps an unmatched gold span of the same type."""
    table = {}
    for entity in ENTITIES:
        tp = fp = fn = 0
        for row, found in zip(rows, predictions):
            gold = [(g["start"], g["end"]) for g in row["entities"] if g["type"] == entity]
            matched = [False] * len(gold)
            for p in (p for p in found if p["type"] == entity):
                hit = next((i for i, (s, e) in enumerate(gold) if not matched[i] and p["start"] < e and s < p["end"]), None)
                if hit is None:
                    fp += 1
                else:
                    matched[hit] = True
                    tp += 1
            fn += matched.count(False)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f2 = 5 * precision * recall / (4 * precision + recall) if precision + recall else 0.0
        table[entity] = {"support": tp + fn, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "f2": round(f2, 4)}
    return table


result = {
    "corpus": {"texts": len(texts), "megabytes": round(megabytes, 3)},
    "presidio_regex": {"seconds": round(presidio_seconds, 3), "mb_per_s": round(megabytes / presidio_seconds, 4), "entities": score(presidio)},
    "rampart": {"seconds": round(rampart_seconds, 3), "mb_per_s": round(megabytes / rampart_seconds, 3), "entities": score(rampart)},
}
result["throughput_ratio"] = round(result["rampart"]["mb_per_s"] / result["presidio_regex"]["mb_per_s"], 1)
print(json.dumps(result, indent=2))
lines = [f"Corpus: {len(texts):,} texts, {megabytes:.2f} MB. Throughput on one core: Rampart {result['rampart']['mb_per_s']:.2f} MB/s, "
         f"Presidio (regex-only) {result['presidio_regex']['mb_per_s']:.3f} MB/s — **{result['throughput_ratio']}×**.", "",
         "| entity | support | Rampart P / R / F1 / F2 | Presidio regex P / R / F1 / F2 |", "|---|---:|---|---|"]
for entity in ENTITIES:
    r, p = result["rampart"]["entities"][entity], result["presidio_regex"]["entities"][entity]
    theirs = "— (needs spaCy NER)" if entity in NLP_ONLY else f"{p['precision']:.3f} / {p['recall']:.3f} / {p['f1']:.3f} / {p['f2']:.3f}"
    lines.append(f"| {entity} | {r['support']} | {r['precision']:.3f} / {r['recall']:.3f} / **{r['f1']:.3f}** / {r['f2']:.3f} | {theirs} |")
print("\n".join(lines), file=sys.stderr)
