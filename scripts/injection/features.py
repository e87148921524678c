"""Reference implementation of Rampart's learned prompt-injection model features and scoring.

This file is the specification the Swift inference code (`Sources/RampartText/Injection/`) mirrors
byte for byte:

1. s = NFKC(text); drop every character whose Unicode category is Cf, Co or Cn; UTF-8 encode -> b.
2. Lower-case ASCII only (0x41-0x5A -> +0x20).
3. Tokens: maximal runs of bytes that are [a-z0-9] or >= 0x80; anything else separates.
   A token longer than 40 bytes keeps its first 40 bytes.
4. Windows: with n tokens, windows are [i, i+48) for i = 0, 24, 48, ... while i < max(1, n-24).
   (<= 48 tokens -> exactly one window [0, n); empty text -> one empty window.)
5. Window features: FNV-1a-32 of b"u"+t for every token t, FNV-1a-32 of b"b"+t1+b" "+t2 for every
   adjacent pair inside the window; bucket = h mod D; the window's features are the SET of buckets.
6. z = bias + scale * (sum of int8 q[bucket] over the set) / sqrt(max(1, n_f)); p = 1/(1+exp(-z)).
   Text score = max over windows of p.
"""
from __future__ import annotations

import math
import unicodedata

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
MASK32 = 0xFFFFFFFF

WINDOW_TOKENS = 48
WINDOW_STRIDE = 24
MAX_TOKEN_BYTES = 40
DROP_CATEGORIES = frozenset(("Cf", "Co", "Cn"))

# byte -> is token byte ([a-z0-9] after lower-casing, or >= 0x80)
_TOKEN_BYTE = bytearray(256)
for _c in range(256):
    if (0x30 <= _c <= 0x39) or (0x61 <= _c <= 0x7A) or (0x41 <= _c <= 0x5A) or _c >= 0x80:
        _TOKEN_BYTE[_c] = 1
_LOWER = bytes((c + 0x20) if 0x41 <= c <= 0x5A else c for c in range(256))


def normalize_bytes(text: str) -> bytes:
    """Steps 1-2: NFKC, drop Cf/Co/Cn, UTF-8, ASCII lower-case."""
    s = unicodedata.normalize("NFKC", text)
    s = "".join(ch for ch in s if unicodedata.category(ch) not in DROP_CATEGORIES)
    # Lone surrogates (Cs) cannot come from valid UTF-8 input; replace them so encoding never fails.
    b = s.encode("utf-8", errors="replace")
    return b.translate(_LOWER)


def tokens(text: str) -> list[bytes]:
    """Step 3."""
    b = normalize_bytes(text)
    out: list[bytes] = []
    start = -1
    for i, c in enumerate(b):
        if _TOKEN_BYTE[c]:
            if start < 0:
                start = i
        elif start >= 0:
            out.append(b[start:min(i, start + MAX_TOKEN_BYTES)])
            start = -1
    if start >= 0:
        out.append(b[start:min(len(b), start + MAX_TOKEN_BYTES)])
    return out


def window_starts(n: int) -> list[int]:
    """Step 4: start indices; each window is toks[i:i+48]."""
    starts = []
    i = 0
    limit = max(1, n - WINDOW_STRIDE)
    while i < limit:
        starts.append(i)
        i += WINDOW_STRIDE
    return starts


def fnv1a32(data: bytes, h: int = FNV_OFFSET) -> int:
    for c in data:
        h = ((h ^ c) * FNV_PRIME) & MASK32
    return h


class Hasher:
    """Caches per-token hashes (unigram hash, and FNV state after b"b"+t+b" ") to speed up featurization."""

    def __init__(self) -> None:
        self._uni: dict[bytes, int] = {}
        self._bpre: dict[bytes, int] = {}
        self._bi: dict[tuple[bytes, bytes], int] = {}
        self._b_state = fnv1a32(b"b")
        self._u_state = fnv1a32(b"u")

    def uni(self, t: bytes) -> int:
        h = self._uni.get(t)
        if h is None:
            h = fnv1a32(t, self._u_state)
            self._uni[t] = h
        return h

    def bi(self, t1: bytes, t2: bytes) -> int:
        key = (t1, t2)
        h = self._bi.get(key)
        if h is None:
            pre = self._bpre.get(t1)
            if pre is None:
                pre = fnv1a32(t1 + b" ", self._b_state)
                self._bpre[t1] = pre
            h = fnv1a32(t2, pre)
            if len(self._bi) < 4_000_000:
                self._bi[key] = h
        return h

    def window_hashes(self, toks: list[bytes]) -> list[list[int]]:
        """Raw 32-bit hashes (unigrams then bigrams) of every window of a token list."""
        out = []
        for i in window_starts(len(toks)):
            w = toks[i:i + WINDOW_TOKENS]
            hs = [self.uni(t) for t in w]
            hs.extend(self.bi(w[j], w[j + 1]) for j in range(len(w) - 1))
            out.append(hs)
        return out


_DEFAULT_HASHER = Hasher()


def window_buckets(text: str, dim: int, hasher: Hasher | None = None) -> list[list[int]]:
    """Sorted distinct buckets for every window of `text`."""
    hasher = hasher or _DEFAULT_HASHER
    return [sorted({h % dim for h in hs}) for hs in hasher.window_hashes(tokens(text))]


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class QuantizedModel:
    """The exact scoring the Swift side implements."""

    def __init__(self, q: list[int] | bytes, bias: float, scale: float, dim: int) -> None:
        if isinstance(q, (bytes, bytearray)):
            q = [x - 256 if x >= 128 else x for x in q]
        assert len(q) == dim
        self.q = list(q)
        self.bias = float(bias)
        self.scale = float(scale)
        self.dim = dim
        self.hasher = Hasher()

    def window_z(self, buckets: list[int]) -> float:
        s = 0
        q = self.q
        for b in buckets:
            s += q[b]
        return self.bias + self.scale * s / math.sqrt(max(1, len(buckets)))

    def score(self, text: str) -> float:
        best = 0.0
        for bs in window_buckets(text, self.dim, self.hasher):
            p = sigmoid(self.window_z(bs))
            if p > best:
                best = p
        return best

    @classmethod
    def from_swift(cls, path: str) -> "QuantizedModel":
        """Parse the generated InjectionModel+weights.swift."""
        import base64
        import re

        src = open(path, encoding="utf-8").read()
        dim = int(re.search(r"static let dimension = (\d+)", src).group(1))
        bias = float(re.search(r"static let bias: Double = ([-0-9.eE+]+)", src).group(1))
        scale = float(re.search(r"static let scale: Double = ([-0-9.eE+]+)", src).group(1))
        b64 = re.search(r'static let weightsBase64 = "([A-Za-z0-9+/=]+)"', src).group(1)
        assert int(re.search(r"static let windowTokens = (\d+)", src).group(1)) == WINDOW_TOKENS
        assert int(re.search(r"static let windowStride = (\d+)", src).group(1)) == WINDOW_STRIDE
        return cls(base64.b64decode(b64), bias, scale, dim)
