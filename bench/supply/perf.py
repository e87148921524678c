"""Time and peak memory of each scanner on a large benign pickle of many arrays (100 MB+) and a 1 GB safetensors
file, and sign/verify throughput on a 1 GB model folder against OpenSSF's model_signing, with sha256sum as the
floor. CPU seconds (user + system) are the steadier measure on a shared machine; wall seconds are given too. Each
measurement is the median of RUNS runs, files warm in the page cache (one untimed run first)."""
import json
import os
import pickle
import statistics
import subprocess
import sys

import numpy as np

from tools import ENV, bin

work, binary, out = sys.argv[1], sys.argv[2], sys.argv[3]
RUNS = int(os.environ.get("RUNS", "3"))


def measure(cmd, cwd=None):
    """(wall s, cpu s, peak RSS MB, exit code) medians over RUNS after one warm-up."""
    samples = []
    for i in range(RUNS + 1):
        p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *cmd], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=3600)
        wall, user, system, rss = p.stderr.strip().splitlines()[-1].split()
        if i:
            samples.append((float(wall), float(user) + float(system), int(rss) / 1024, p.returncode))
    return {"wall": statistics.median(s[0] for s in samples), "cpu": statistics.median(s[1] for s in samples),
            "peak_mb": statistics.median(s[2] for s in samples), "exit": samples[-1][3]}


results = {}
big_pickle = os.path.join(work, "arrays.pkl")
if not os.path.exists(big_pickle):
    rng = np.random.default_rng(0)
    with open(big_pickle, "wb") as f:
        pickle.dump({f"layer{i}": rng.random((1000, 130)) for i in range(100)}, f, protocol=4)
big_safetensors = os.path.join(work, "weights.safetensors")
if not os.path.exists(big_safetensors):
    from safetensors.numpy import save_file
    save_file({f"w{i}": np.zeros((1 << 20, 32), np.float32) for i in range(8)}, big_safetensors)   # 8 × 128 MiB = 1 GiB

for label, path in (("pickle", big_pickle), ("safetensors", big_safetensors)):
    size = os.path.getsize(path)
    rows = {"bytes": size}
    rows["rampart"] = measure([binary, "model", "scan", path, "--format", "json"])
    rows["picklescan"] = measure([bin("picklescan", "picklescan"), "-p", path])
    rows["modelscan"] = measure([bin("modelscan", "modelscan"), "-p", path, "-r", "json", "-o", os.path.join(work, "ms.json")])
    rows["fickling"] = measure([bin("fickling", "fickling"), "--check-safety", "--json-output", os.path.join(work, "fk.json"), path]) if label == "pickle" else None
    rows["modelaudit"] = measure([bin("modelaudit", "modelaudit"), "scan", "--no-cache", "-f", "json", "-o", os.path.join(work, "ma.json"), path])
    results[label] = rows
    print(label, json.dumps(rows), file=sys.stderr)

# A 1 GiB model folder: 8 files of 128 MiB.
folder = os.path.join(work, "model-1g")
if not os.path.isdir(folder):
    os.makedirs(folder)
    chunk = os.urandom(1 << 20)
    for i in range(8):
        with open(os.path.join(folder, f"shard-{i}.bin"), "wb") as f:
            for _ in range(128):
                f.write(chunk)
key, pub = os.path.join(work, "key.pem"), os.path.join(work, "pub.pem")
if not os.path.exists(key):
    subprocess.run([binary, "model", "keygen", "--private-key", key, "--public-key", pub], check=True, capture_output=True)
files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".bin"))
signing = {"bytes": sum(os.path.getsize(f) for f in files)}
signing["sha256sum"] = measure(["sha256sum", *files])
ours, theirs = os.path.join(work, "rampart.sig"), os.path.join(work, "model_signing.sig")
signing["rampart sign"] = measure([binary, "model", "sign", folder, "--private-key", key, "--signature", ours])
signing["rampart verify"] = measure([binary, "model", "verify", folder, "--public-key", pub, "--signature", ours])
ms = bin("model-signing", "model_signing")
signing["model_signing sign"] = measure([ms, "sign", "key", folder, "--private_key", key, "--signature", theirs])
signing["model_signing verify"] = measure([ms, "verify", "key", folder, "--signature", theirs, "--public_key", pub])
results["signing"] = signing
print("signing", json.dumps(signing), file=sys.stderr)
json.dump(results, open(out, "w"), indent=1)

def line(label, rows):
    print(f"\n{label} ({rows['bytes'] / 1e6:.0f} MB):\n")
    print("| tool | wall s | CPU s | peak MB | exit |")
    print("|---|---|---|---|---|")
    for name in ("rampart", "picklescan", "modelscan", "fickling", "modelaudit"):
        r = rows.get(name)
        if r:
            print(f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} | {r['exit']} |")
    others = [rows[n]["cpu"] for n in ("picklescan", "modelscan", "fickling", "modelaudit") if rows.get(n) and rows[n]["exit"] in (0, 1)]
    if others:
        print(f"\nRampart against the fastest of the others: {min(others) / max(rows['rampart']['cpu'], 1e-3):.1f}× less CPU time "
              f"({min(o for o in others):.2f} s against {rows['rampart']['cpu']:.2f} s).")

line("Large pickle of arrays", results["pickle"])
line("1 GB safetensors", results["safetensors"])
s = results["signing"]
gb = s["bytes"] / 1e9
print(f"\nSigning a {s['bytes'] / 2**30:.0f} GiB folder (8 files):\n")
print("| command | wall s | GB/s (wall) | CPU s |")
print("|---|---|---|---|")
for name in ("sha256sum", "rampart sign", "rampart verify", "model_signing sign", "model_signing verify"):
    r = s[name]
    print(f"| {name} | {r['wall']:.2f} | {gb / r['wall']:.2f} | {r['cpu']:.2f} |")
print(f"\nRampart against model_signing: sign {s['model_signing sign']['wall'] / s['rampart sign']['wall']:.2f}×, "
      f"verify {s['model_signing verify']['wall'] / s['rampart verify']['wall']:.2f}× (wall); "
      f"against sha256sum: {s['sha256sum']['wall'] / s['rampart sign']['wall']:.2f}×.")
