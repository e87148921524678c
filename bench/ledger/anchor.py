"""The anchor for the ledger benchmark: pymerkle (PyPI), an RFC 6962 Merkle tree on SQLite, doing the same work as
Rampart's ledger in the same run — append N entries of the same bodies, give the root, make and check an inclusion
proof, make and check a consistency proof. Prints JSON timings.

Usage: python3 bench/ledger/anchor.py EVENTS.jsonl WORKDIR
"""
import json
import os
import sys
import time

from pymerkle import SqliteTree, verify_consistency, verify_inclusion


def main():
    events, work = sys.argv[1], sys.argv[2]
    entries = []
    with open(events, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            entries.append(json.dumps(row["body"], separators=(",", ":")).encode())
    n = len(entries)
    path = os.path.join(work, "pymerkle.db")
    tree = SqliteTree(path)
    out = {"entries": n}
    start = time.perf_counter()
    tree.append_entries(entries)
    out["append_seconds"] = time.perf_counter() - start
    out["appends_per_second"] = n / out["append_seconds"]
    start = time.perf_counter()
    root = tree.get_root()
    out["root_seconds"] = time.perf_counter() - start
    # Inclusion proofs for 100 entries spread over the log (pymerkle counts from 1), made and checked.
    indices = [1 + (i * 7919) % n for i in range(100)]
    start = time.perf_counter()
    proofs = [tree.prove_inclusion(i) for i in indices]
    out["inclusion_prove_ms"] = (time.perf_counter() - start) * 1000 / len(indices)
    leaves = [tree.get_leaf(i) for i in indices]
    start = time.perf_counter()
    for leaf, proof in zip(leaves, proofs):
        verify_inclusion(leaf, root, proof)
    out["inclusion_verify_ms"] = (time.perf_counter() - start) * 1000 / len(indices)
    old = n // 2 + 1
    start = time.perf_counter()
    proof = tree.prove_consistency(old, n)
    verify_consistency(tree.get_root(old), root, proof)
    out["consistency_ms"] = (time.perf_counter() - start) * 1000
    tree.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
