"""Detection on the scanner corpus (Tests/RampartSupplyTests/Corpus): Rampart, ModelScan, picklescan, fickling and
ModelAudit on every file, one file at a time; per tool and format, malicious files caught and missed, benign files
flagged (false positives), malformed files reported.

A malicious file is caught by Rampart when its verdict is `malicious`; by another tool when it flags the file (its
command fails). A benign file is a false positive when the tool flags it. A malformed file is reported when the
tool flags it or says it could not read it; `clean` or `skipped` is a miss.
"""
import collections
import json
import sys
import time

from tools import TOOLS, rampart

corpus, binary, out = sys.argv[1], sys.argv[2], sys.argv[3]
expected = json.load(open(f"{corpus}/expected.json"))
names = ["rampart"] + list(TOOLS)
rows = []
for i, (path, want) in enumerate(sorted(expected.items())):
    full = f"{corpus}/{path}"
    result = {"path": path, "class": path.split("/")[0], "format": want["format"].split("+")[0], "expected": want["verdict"]}
    for name in names:
        started = time.time()
        verdict, detail = rampart(binary, full) if name == "rampart" else TOOLS[name](full)
        result[name] = {"verdict": verdict, "detail": detail, "seconds": round(time.time() - started, 3)}
    rows.append(result)
    print(f"[{i + 1}/{len(expected)}] {path}: " + ", ".join(f"{n} {result[n]['verdict']}" for n in names), file=sys.stderr)

def score(name, row):
    v = row[name]["verdict"]
    if row["class"] == "malicious":
        hit = row[name]["detail"] == "malicious" if name == "rampart" else v == "flagged"
        return "caught" if hit else "missed"
    if row["class"] == "benign":
        return "false positive" if v == "flagged" else "ok" if v == "clean" else v
    if row["class"] == "malformed":
        return "reported" if v in ("flagged", "error") else "missed"
    return "flagged" if v == "flagged" else "not flagged"

table = collections.defaultdict(lambda: collections.Counter())
for row in rows:
    for name in names:
        table[(name, row["class"], row["format"])][score(name, row)] += 1
        table[(name, row["class"], "all")][score(name, row)] += 1
json.dump({"rows": rows}, open(out, "w"), indent=1)

print("| tool | malicious caught | malicious missed | benign flagged (false positives) | malformed reported | suspicious flagged |")
print("|---|---|---|---|---|---|")
for name in names:
    m, b, f, s = table[(name, "malicious", "all")], table[(name, "benign", "all")], table[(name, "malformed", "all")], table[(name, "suspicious", "all")]
    print(f"| {name} | {m['caught']}/{sum(m.values())} | {m['missed']} | {b['false positive']}/{sum(b.values())} | "
          f"{f['reported']}/{sum(f.values())} | {s['flagged']}/{sum(s.values())} |")
print()
formats = sorted({r["format"] for r in rows if r["class"] == "malicious"})
print("Malicious files caught, by format:\n")
print("| format | files | " + " | ".join(names) + " |")
print("|---|---|" + "---|" * len(names))
for fmt in formats:
    n = sum(1 for r in rows if r["class"] == "malicious" and r["format"] == fmt)
    print(f"| {fmt} | {n} | " + " | ".join(str(table[(name, 'malicious', fmt)]['caught']) for name in names) + " |")
print()
formats = sorted({r["format"] for r in rows if r["class"] == "benign"})
print("Benign files flagged (false positives), by format:\n")
print("| format | files | " + " | ".join(names) + " |")
print("|---|---|" + "---|" * len(names))
for fmt in formats:
    n = sum(1 for r in rows if r["class"] == "benign" and r["format"] == fmt)
    print(f"| {fmt} | {n} | " + " | ".join(str(table[(name, 'benign', fmt)]['false positive']) for name in names) + " |")
