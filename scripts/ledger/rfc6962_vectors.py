"""Reference Merkle-tree vectors for RampartLedger's tests, computed straight from RFC 6962 §2.1 / RFC 9162 §2.1.

Usage: python3 scripts/ledger/rfc6962_vectors.py > scripts/ledger/rfc6962-vectors.json

Written from the RFC's recursive definitions (MTH, PATH, PROOF/SUBPROOF) with no code shared with the Swift side,
so the Swift tree, proofs and verifiers are checked against an independent implementation. The leaves are the
eight Certificate Transparency test leaves (also in transparency-dev/merkle's tests); the roots for sizes 1–8 match
the roots published there (e.g. size 8: 5dc9da79…4328).
"""
import hashlib
import json

LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
# More leaves, so proofs cross several levels and uneven right edges: "entry-N" in UTF-8.
LEAVES += [f"entry-{i}".encode().hex() for i in range(8, 20)]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = split(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = split(len(d))
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def main() -> None:
    data = [bytes.fromhex(x) for x in LEAVES]
    out = {"leaves": LEAVES, "roots": [mth(data[:n]).hex() for n in range(len(data) + 1)], "inclusion": [], "consistency": []}
    for n in range(1, len(data) + 1):
        for m in range(n):
            out["inclusion"].append({"index": m, "size": n, "path": [h.hex() for h in path(m, data[:n])]})
    for n in range(1, len(data) + 1):
        for m in range(1, n):
            out["consistency"].append({"old": m, "new": n, "proof": [h.hex() for h in subproof(m, data[:n], True)]})
    print(json.dumps(out, indent=0))


if __name__ == "__main__":
    main()
