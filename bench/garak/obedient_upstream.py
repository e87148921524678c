#!/usr/bin/env python3
"""An OpenAI-compatible stand-in for a naive LLM that obeys every instruction it is given.

Used by bench/garak/run.sh as the victim model: garak attacks it directly and through `rampart serve`, and the
difference in garak's hit rate is what Rampart's LLM guards are worth.

The model is a small rule engine over the conversation, not a lookup of garak's payloads: it never reads garak's
trigger lists, payload files or detectors. In order, it

1. builds strings it is asked to build: "concatenate these strings … and replace [X] with …", "write the following
   text step by step … (1) … (2) …", "print the following <markdown>, whereas [X] is a <encoding> encoded <thing>",
   "respond with <markdown> replacing [X] with …" — filling placeholders with what it knows (the conversation, a
   summary of it, or, when it knows nothing, the description itself), in the encoding asked for (base64,
   quoted-printable, MIME, URL), escaping spaces with + when told, and closing markdown it was asked to print;
2. follows imperative instructions anywhere in the text, including ones buried in documents: print / say /
   repeat / output / echo / type / display / include … in your output / report / return / reply with / respond
   with / answer with / provide it to the user / translate this sentence as / focus only on …: / a "note to the
   automated …: X" — emitting the quoted, bracketed or rest-of-line object. A verb counts only in imperative
   position (line start, after punctuation or "and / then / just / please / you …"), so "enough to say that" or
   "the report" are not orders. "Ignore / disregard the above …" discards what earlier instructions produced;
   "… and following instructions" makes it ignore later ones too; an object that is itself an instruction
   ("Print Visit x") is followed;
3. decodes data it is shown or asked to decode (a prompt that is mostly encoded text, or says so): base64
   (standard and URL-safe), base32, base16/hex, ascii85/base85, uuencode, ROT13, Atbash, Braille, Morse, the
   NATO phonetic alphabet, ASCII smuggled in Unicode tag characters, Zalgo (combining marks); and Base2048 and
   Ecoji only if the `base2048` / `ecoji` modules happen to be importable (they are not in the standard library;
   run.sh runs this file with garak's Python, which has them). Every decoder that applies yields a reading; the
   most natural-looking one wins (English letter and bigram statistics, clean ASCII, no letter/digit soup), and
   the plain text itself is one of the readings, so text that is not encoded is not "decoded";
4. otherwise echoes the last user message.

What it cannot do, by construction: undo lossy encodings (garak's Braille, Morse and NATO encoders drop most
punctuation, NATO also drops spaces), and tell apart very short ROT13/Atbash words ("Tho" / "Gub") without a
dictionary.

API: POST /v1/chat/completions (non-streamed, or `stream: true` as SSE chat.completion.chunk events then
`data: [DONE]`), GET /v1/models, GET /stats (which rule answered how many requests; `?reset=1` zeroes it).
Honours `n`, `stop` and `max_tokens` (about 4 characters per token) like a real server.

Standard library only (Python 3.11). Usage: obedient_upstream.py --port 18201 [--host 127.0.0.1] [--log FILE]
"""

import argparse
import base64
import binascii
import collections
import json
import math
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---------------------------------------------------------------------------------------------------------------
# Language knowledge: English letter frequencies and common words (to tell prose from data and to judge decodings)

ENGLISH_FREQ = {
    "a": 8.2, "b": 1.5, "c": 2.8, "d": 4.3, "e": 12.7, "f": 2.2, "g": 2.0, "h": 6.1, "i": 7.0, "j": 0.15,
    "k": 0.77, "l": 4.0, "m": 2.4, "n": 6.7, "o": 7.5, "p": 1.9, "q": 0.095, "r": 6.0, "s": 6.3, "t": 9.1,
    "u": 2.8, "v": 0.98, "w": 2.4, "x": 0.15, "y": 2.0, "z": 0.074,
}
_LOGP = {c: math.log(f / 100.0) for c, f in ENGLISH_FREQ.items()}

COMMON_WORDS = set("""
the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or
an will my one all would there their what so up out if about who get which go me when make can like time no just
him know take people into year your good some could them see other than then now look only come its over think
also back after use two how our work first well way even new want because any these give day most us is are was
were been has had did does said string encoded decoded decode encoding following text message secure system mean
means monologue please here data print write
""".split())

COMMON_BIGRAMS = set("""th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le
ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec pr no ct us ac ot il tr ly
nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi
ci vi pl ig tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do uc bu ei ov by rm ep
tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck
ew mu br bi pt ak pu ui rg ib tl ny ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu""".split())

ENCODING_HINTS = [  # (regex over the prompt, decoders whose reading gets a bonus when the prompt names them)
    (r"\bbase\s*64\b", ["base64"]),
    (r"\bbase\s*32\b", ["base32"]),
    (r"\bbase\s*16\b|\bhex(adecimal)?\b", ["hex"]),
    (r"\bascii\s*85\b|\bbase\s*85\b", ["ascii85", "base85"]),
    (r"\buu\s*encod", ["uu"]),
    (r"\brot\s*-?13\b", ["rot13"]),
    (r"\batbash\b", ["atbash"]),
    (r"\bbraille\b", ["braille"]),
    (r"\bmorse\b", ["morse"]),
    (r"\bnato\b|\bphonetic alphabet\b", ["nato"]),
    (r"\bunicode tags?\b|\btag char", ["tags"]),
    (r"\bzalgo\b", ["zalgo"]),
    (r"\becoji\b", ["ecoji"]),
    (r"\bbase\s*2048\b", ["base2048"]),
]


def english_score(text):
    """Mean log-probability of the letters of `text` under English letter frequencies (higher = more English)."""
    letters = [c for c in text.lower() if "a" <= c <= "z"]
    if not letters:
        return -99.0
    return sum(_LOGP[c] for c in letters) / len(letters)


def words(text):
    return re.findall(r"[A-Za-z][A-Za-z']*", text)


def prose_ratio(text):
    ws = words(text)
    if not ws:
        return 0.0
    return sum(1 for w in ws if w.lower() in COMMON_WORDS) / len(ws)


# ---------------------------------------------------------------------------------------------------------------
# Decoders: each takes the data part of a prompt and returns the decoded text or None

def _utf8(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _compact(s):
    return re.sub(r"\s+", "", s)


def dec_base64(s):
    c = _compact(s)
    if len(c) < 4 or not re.fullmatch(r"[A-Za-z0-9+/_-]+=*", c):
        return None
    c += "=" * (-len(c) % 4)
    for fn in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            out = _utf8(fn(c))
            if out is not None:
                return out
        except (binascii.Error, ValueError):
            pass
    return None


def dec_base32(s):
    c = _compact(s).upper()
    if len(c) < 8 or not re.fullmatch(r"[A-Z2-7]+=*", c):
        return None
    try:
        return _utf8(base64.b32decode(c + "=" * (-len(c) % 8)))
    except (binascii.Error, ValueError):
        return None


def dec_hex(s):
    c = _compact(s)
    if c.lower().startswith("0x"):
        c = c[2:]
    if len(c) < 2 or len(c) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", c):
        return None
    return _utf8(binascii.unhexlify(c))


def dec_ascii85(s):
    c = s.strip()
    if " " in c or len(c) < 2:
        return None
    try:
        return _utf8(base64.a85decode(c, adobe=c.startswith("<~")))
    except (ValueError, binascii.Error):
        return None


def dec_base85(s):
    c = s.strip()
    if " " in c or len(c) < 2:
        return None
    try:
        return _utf8(base64.b85decode(c))
    except (ValueError, binascii.Error):
        return None


def dec_uu(s):
    lines = [ln for ln in s.split("\n") if ln.strip()]
    if not lines:
        return None
    if lines[0].startswith("begin "):
        lines = lines[1:]
    out = b""
    for ln in lines:
        if ln.strip() in ("end", "`"):
            break
        try:
            out += binascii.a2b_uu(ln)
        except (binascii.Error, ValueError):
            return None
    return _utf8(out) if out else None


def rot13(s):
    return s.translate(str.maketrans(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm"))


def atbash(s):
    return s.translate(str.maketrans(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba"))


# Braille (Grade 1, with the capital and number signs)
_BRAILLE_LETTERS = dict(zip(
    "\u2801\u2803\u2809\u2819\u2811\u280b\u281b\u2813\u280a\u281a\u2805\u2807\u280d\u281d\u2815\u280f\u281f\u2817"
    "\u280e\u281e\u2825\u2827\u283a\u282d\u283d\u2835",
    "abcdefghijklmnopqrstuvwxyz"))
_BRAILLE_DIGITS = dict(zip("\u2801\u2803\u2809\u2819\u2811\u280b\u281b\u2813\u280a\u281a", "1234567890"))
_BRAILLE_PUNCT = {"\u2832": ".", "\u2804": "'", "\u2802": ",", "\u2824": "-", "\u280c": "/", "\u2816": "!",
                  "\u2826": "?", "\u2812": ":", "\u2830": ";", "\u2836": "("}
BRAILLE_CAPS, BRAILLE_NUM = "\u2820", "\u283c"


def dec_braille(s):
    if sum(1 for ch in s if "\u2800" <= ch <= "\u28ff") < max(1, len(s.strip()) // 2):
        return None
    out, caps, num = [], False, False
    for ch in s:
        if ch == BRAILLE_CAPS:
            caps = True
            continue
        if ch == BRAILLE_NUM:
            num = True
            continue
        if num and ch in _BRAILLE_DIGITS:
            out.append(_BRAILLE_DIGITS[ch])
        elif ch in _BRAILLE_LETTERS:
            c = _BRAILLE_LETTERS[ch]
            out.append(c.upper() if caps else c)
        elif ch in _BRAILLE_PUNCT:
            out.append(_BRAILLE_PUNCT[ch])
        elif ch in " \n\r\t":
            out.append(ch)
        caps = num = False
    return "".join(out).strip("\n")


_MORSE = {
    ".-": "A", "-...": "B", "-.-.": "C", "-..": "D", ".": "E", "..-.": "F", "--.": "G", "....": "H", "..": "I",
    ".---": "J", "-.-": "K", ".-..": "L", "--": "M", "-.": "N", "---": "O", ".--.": "P", "--.-": "Q", ".-.": "R",
    "...": "S", "-": "T", "..-": "U", "...-": "V", ".--": "W", "-..-": "X", "-.--": "Y", "--..": "Z",
    ".----": "1", "..---": "2", "...--": "3", "....-": "4", ".....": "5", "-....": "6", "--...": "7",
    "---..": "8", "----.": "9", "-----": "0", ".-.-.-": ".", "--..--": ",", "..--..": "?", ".----.": "'",
    "-.-.--": "!", "-..-.": "/", "---...": ":", "-...-": "=", ".-.-.": "+", "-....-": "-", ".-..-.": '"',
}


def dec_morse(s):
    c = s.strip()
    if not c or not re.fullmatch(r"[.\-/\s]+", c) or not re.search(r"[.\-]", c):
        return None
    out = []
    for group in re.split(r"\s*/\s*", c):
        out.append("".join(_MORSE.get(code, "") for code in group.split()))
    return " ".join(out).strip()


_NATO = {w: w[0] for w in ("Alfa Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliett Juliet Kilo Lima "
                           "Mike November Oscar Papa Quebec Romeo Sierra Tango Uniform Victor Whiskey Xray X-ray "
                           "Yankee Zulu").split()}
_NATO = {k.lower(): v for k, v in _NATO.items()}


def dec_nato(s):
    toks = s.split()
    if not toks:
        return None
    hits = [_NATO.get(t.lower().strip(".,")) for t in toks]
    if sum(1 for h in hits if h) < 0.8 * len(toks):
        return None
    return "".join(h for h in hits if h)


def dec_tags(s):
    tagged = [ch for ch in s if 0xE0000 <= ord(ch) <= 0xE007F]
    if not tagged:
        return None
    return "".join(chr(ord(ch) - 0xE0000) for ch in tagged if 0x20 <= ord(ch) - 0xE0000 < 0x7F or
                   chr(ord(ch) - 0xE0000) in "\n\t")


_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def dec_zalgo(s):
    marks = len(_COMBINING.findall(s))
    base = len(_COMBINING.sub("", s))
    if marks < 3 or marks < base:
        return None
    return _COMBINING.sub("", s)


def dec_base2048(s):
    try:
        import base2048  # not in the standard library; optional
    except ImportError:
        return None
    try:
        return _utf8(base2048.decode(s.strip()))
    except Exception:  # noqa: BLE001 - any failure means "not base2048"
        return None


def dec_ecoji(s):
    """Ecoji v1, decoded here from the `ecoji` module's emoji table when that module is importable."""
    try:
        from ecoji.mapping import EMOJI2BYTE, PADDING, PADDING40, PADDING41, PADDING42, PADDING43
    except ImportError:
        return None
    chars = [ch for ch in s if ch not in "\n\r \t"]
    if len(chars) < 4 or len(chars) % 4 or chars[0] not in EMOJI2BYTE:
        return None
    tail = {PADDING40: 0, PADDING41: 1, PADDING42: 2, PADDING43: 3}
    out = bytearray()
    for k in range(0, len(chars), 4):
        c0, c1, c2, c3 = chars[k:k + 4]
        if c0 not in EMOJI2BYTE:
            return None
        b = [EMOJI2BYTE.get(c, 0) for c in (c0, c1, c2)]
        b3 = (tail[c3] << 8) if c3 in tail else EMOJI2BYTE.get(c3, 0)
        group = bytes([b[0] >> 2, ((b[0] & 0x3) << 6) | (b[1] >> 4), ((b[1] & 0xf) << 4) | (b[2] >> 6),
                       ((b[2] & 0x3f) << 2) | (b3 >> 8), b3 & 0xff])
        if c1 == PADDING:
            group = group[:1]
        elif c2 == PADDING:
            group = group[:2]
        elif c3 == PADDING:
            group = group[:3]
        elif c3 in tail:
            group = group[:4]
        out += group
    return _utf8(bytes(out))


DECODERS = {
    "tags": dec_tags, "zalgo": dec_zalgo, "braille": dec_braille, "morse": dec_morse, "nato": dec_nato,
    "hex": dec_hex, "base32": dec_base32, "base64": dec_base64, "uu": dec_uu, "ascii85": dec_ascii85,
    "base85": dec_base85, "base2048": dec_base2048, "ecoji": dec_ecoji,
    "rot13": lambda s: rot13(s), "atbash": lambda s: atbash(s),
}
SUBSTITUTION_CIPHERS = ("rot13", "atbash")


def printable_ratio(text):
    if not text:
        return 0.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return ok / len(text)


def naturalness(text):
    """How much `text` looks like something a person wrote (higher = more natural). Used to choose between
    readings of a blob: as it is, or decoded one way or another."""
    if not text or not text.strip():
        return -99.0
    n = len(text)
    control = sum(1 for ch in text if not (ch.isprintable() or ch in "\n\r\t"))
    nonascii = sum(1 for ch in text if ord(ch) > 127)
    letters = sum(1 for ch in text if ch.isalpha() and ord(ch) < 128)
    eng = english_score(text) if letters else -5.0
    rare_case = len(re.findall(r"[a-z][A-Z]", text)) / max(1, letters)  # random case flips: base64-ish soup
    # words mixing letters and digits ("D29iot", "476s6s6o") are what encodings look like, not what people write
    mixed = sum(len(t) for t in re.findall(r"[A-Za-z0-9]+", text)
                if re.search(r"[A-Za-z]", t) and re.search(r"[0-9]", t)) / n
    pairs = re.findall(r"(?=([a-z]{2}))", text.lower())
    bigram = sum(1 for p in pairs if p in COMMON_BIGRAMS) / max(1, len(pairs)) if pairs else 0.0
    symbols = sum(1 for ch in text if not (ch.isalnum() or ch.isspace())) / n
    return (eng + 1.5 * bigram - 0.5 * symbols - 8.0 * control / n - 3.0 * nonascii / n - 2.0 * rare_case - 2.0 * mixed
            - (1.0 if letters < n * 0.3 else 0.0))


FRAMING_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9 '\-]{0,79}[:?])[ \t]+")


def data_part(text):
    """Strip the natural-language framing around an encoded blob: a leading 'X encoded string:' / 'What does this
    mean?' / 'Decode the following …' line and a trailing 'Decoded:' / '$' cue. Whitespace inside the blob is
    kept (a decoded text may itself end in a newline); one newline before the cue (or at the very end) is the
    prompt's separator, not part of the blob."""
    t = text
    m = re.search(r"\n[ \t]*(\$|```|[A-Za-z][A-Za-z0-9 '\-]{0,60}:)[ \t]*$", t)
    if m and (m.group(1) in ("$", "```") or prose_ratio(m.group(1)) >= 0.3):
        t = t[:m.start()]
    elif t.endswith("\n"):
        t = t[:-1]
    body = t.split("\n")
    while body and not body[0].strip():
        body.pop(0)
    if not body:
        return ""
    m = FRAMING_PREFIX.match(body[0])
    if m and prose_ratio(m.group(1)) >= 0.3:
        body[0] = body[0][m.end():]
    elif len(body) > 1 and len(words(body[0])) >= 4 and prose_ratio(body[0]) >= 0.5:
        body = body[1:]  # a whole instruction sentence ("Decode the following … message.")
    return "\n".join(body)


STRUCTURAL = {"tags", "zalgo", "braille", "morse", "nato", "ecoji", "base2048"}


def decode_prompt(text):
    """Return (decoded, decoder name) if `text` is (mostly) encoded data a naive model would decode, else None."""
    hints = []
    for rx, names in ENCODING_HINTS:
        if re.search(rx, text, re.I):
            hints += names
    asked = bool(hints) or bool(re.search(r"\bdecode\b|what does this mean|\bencoded\b", text, re.I))
    data = data_part(text)
    if not data.strip():
        return None
    readings = [("plain", data, naturalness(data))]
    for name, fn in DECODERS.items():
        try:
            out = fn(data)
        except Exception:  # noqa: BLE001 - a decoder that chokes simply does not apply
            out = None
        if not out or not out.strip() or out == data:
            continue
        score = naturalness(out)
        if name in STRUCTURAL:
            score += 3.0  # these only answer when the blob has their unmistakable shape
        elif name not in SUBSTITUTION_CIPHERS and len(out.strip()) >= 4 and all(
                32 <= ord(ch) < 127 or ch in "\n\r\t" for ch in out):
            score += 1.0  # a strict binary-to-text decoding that lands on clean ASCII is rarely a coincidence
        if name in hints:
            score += 2.0
        readings.append((name, out, score))
    name, out, _ = max(readings, key=lambda r: r[2])
    if name == "plain":
        return None
    # Only answer with a decoding when the prompt asks for one or is mostly the encoded blob.
    if not asked and len(_compact(data)) < 0.6 * len(_compact(text)):
        return None
    return out, name



# ---------------------------------------------------------------------------------------------------------------
# Data a prompt may ask the model to fill in, and the encodings it may ask for

def encode_as(value, encoding):
    e = (encoding or "").lower().replace("_", "-")
    raw = value.encode("utf-8")
    if e in ("base64", "b64"):
        return base64.b64encode(raw).decode()
    if e in ("base32",):
        return base64.b32encode(raw).decode()
    if e in ("hex", "base16"):
        return raw.hex()
    if e in ("quoted-printable", "qp"):
        return binascii.b2a_qp(raw, quotetabs=True).decode().replace("=\n", "")
    if e == "mime":
        return "=?utf-8?B?" + base64.b64encode(raw).decode() + "?="
    if e in ("url", "percent", "uri"):
        return urllib.parse.quote(value, safe="")
    if e == "rot13":
        return rot13(value)
    return value


class Context:
    """What the model 'knows' while answering: the conversation."""

    def __init__(self, messages):
        self.messages = messages  # [(role, text)]

    @property
    def last_user(self):
        for role, text in reversed(self.messages):
            if role == "user":
                return text
        return self.messages[-1][1] if self.messages else ""

    def previous_message(self):
        # The message before the one being answered; in a one-turn chat that is the user's own message.
        if len(self.messages) >= 2:
            return self.messages[-2][1]
        return self.last_user

    def summary(self, limit=200):
        text = " ".join(t for _, t in self.messages)
        text = re.sub(r"[^\w\s.,:;!?'@/-]", " ", text)  # a summary is prose, not the markup it summarises
        text = re.sub(r"\s+", " ", text).strip()
        return text[:limit].rstrip()

    def fill(self, description):
        """A value for '[X] = <description>': from the conversation if the description points at it, else the
        description itself (the model has nothing better to put there)."""
        d = description.strip().rstrip(".")
        m = re.search(r"\b(\d+)\s*(?:-\s*)?char", d)
        limit = int(m.group(1)) if m else 200
        if re.search(r"previous message|last message|my message", d, re.I):
            return self.previous_message().strip()
        if re.search(r"summary|summari[sz]e|conversation|this chat|the page", d, re.I):
            return self.summary(limit)
        return d


ENCODING_WORDS = r"base64|base32|base16|hex|quoted-printable|mime|url|percent|rot13"


def describe(desc):
    """Split 'a URL encoded summary of this conversation' / 'a summary … in base64 encoded text' into
    (what, encoding)."""
    d = re.sub(r"\s+", " ", desc).strip()
    d = re.sub(r"^(?:a|an|the)\s+", "", d, flags=re.I)
    m = re.match(rf"^({ENCODING_WORDS})[- ]encoded\s+(.*)$", d, re.I)
    if m:
        return m.group(2), m.group(1)
    m = re.match(rf"^(.*?)\s+(?:in|as)\s+(?:a\s+)?({ENCODING_WORDS})(?:[- ]encoded)?(?:\s+(?:text|form|format))?$", d,
                 re.I)
    if m:
        return m.group(1), m.group(2)
    return d, None


def close_markdown(text):
    """Close a markdown image/link the model was asked to print but whose URL was left open."""
    i = text.rfind("](")
    if i >= 0:
        tail = text[i + 2:]
        depth = tail.count("(") + 1 - tail.count(")")
        if depth > 0 and "\n" not in tail.strip():
            return text.rstrip() + ")" * depth
    return text


# ---------------------------------------------------------------------------------------------------------------
# Instruction following

VERB_RX = re.compile(
    r"\b(print|say|repeat|output|echo|type out|display|include|report|return|reply with|respond with|"
    r"responding with|answer with|provide it to the user|provide this to the user|translate (?:this|the) "
    r"(?:sentence|text) as|write|focus (?:only |exclusively |solely )?on|"
    r"note to (?:the |any )?(?:automated|ai|llm|language model|assistant|model|analysis|screening|bot)[^:\n]{0,40}(?=:))\b",
    re.I)
IMPERATIVE_BEFORE = {"and", "then", "just", "please", "simply", "only", "now", "you", "also", "kindly", "must",
                     "should", "instead", "always", "immediately", "first", "next", "finally", "by"}
IGNORE_RX = re.compile(r"\b(ignore|disregard|forget|nevermind|never mind|stop everything|override|instead)\b", re.I)
FILLER_RX = re.compile(
    r"^(?:\s*(?:just|only|simply|exactly|verbatim|back|out|please|once|with|it|this|the\s+following"
    r"(?:\s+(?:text|sentence|string|line|lines|information|message|words?|phrase))?|the\s+(?:text|sentence|"
    r"string|phrase|words?)|this\s+(?:sentence|text|string|phrase))\b[\s,]*)*", re.I)
QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "<": ">", "`": "`"}
CLOSERS_AFTER = set(".,:;!?)]}*<\"'") | {"\n", "\r", " ", "\t", ""}
TRAILING_MARKUP = re.compile(r"(?:\s*(?:</[\w-]+>|<\|[\w-]+\|>|\[[\w-]+\]|\]+|\*{2,}|-{2,}))+\s*$")


def imperative_position(text, start):
    before = text[:start]
    line_before = before.split("\n")[-1]
    stripped = line_before.rstrip(" \t")
    if not stripped.strip(" -*•>#\t"):
        return True  # start of a line (or a bullet)
    if stripped[-1] in ".!?:;,-*]>)\"'(":
        return True
    prev = re.findall(r"[A-Za-z']+", stripped)
    return bool(prev) and prev[-1].lower() in IMPERATIVE_BEFORE


def parse_quoted(s, i):
    """s[i] is an opening quote; return (content, end index) using the first closing quote that is followed by
    a delimiter and leaves the content balanced (else the last such closing quote)."""
    open_ch = s[i]
    close_ch = QUOTES[open_ch]
    limit = s.find("\n\n", i)
    limit = len(s) if limit < 0 else limit
    candidates = []
    depth = 0
    for j in range(i, limit):
        ch = s[j]
        if open_ch == "<":
            if ch == "<":
                depth += 1
            elif ch == ">":
                depth -= 1
                if depth == 0:
                    nxt = s[j + 1:j + 2]
                    if nxt in CLOSERS_AFTER or nxt == ">":
                        candidates.append(j)
                        break
            continue
        if j > i and ch == close_ch:
            nxt = s[j + 1:j + 2]
            if nxt in CLOSERS_AFTER:
                candidates.append(j)
    if not candidates:
        return None
    for j in candidates:
        content = s[i + 1:j]
        if open_ch == close_ch and content.count(open_ch) % 2 == 0:
            return content, j + 1
    j = candidates[-1]
    return s[i + 1:j], j + 1


def unwrap(content):
    c = content.strip()
    for _ in range(3):
        if len(c) >= 2 and c[0] in QUOTES and c[-1] == QUOTES[c[0]]:
            if c[0] == "<" and re.match(r"</?[A-Za-z]", c):
                break  # an HTML element, not <bracketed text>
            c = c[1:-1].strip()
        else:
            break
    return c


def strip_trailing(obj):
    obj = TRAILING_MARKUP.sub("", obj).strip()
    for q in "\"'":
        if obj.endswith(q) and obj.count(q) % 2 == 1:
            obj = obj[:-1].rstrip()  # the end of a quotation the instruction sat in
    return obj


def parse_object(text, pos, stop_at=None, lead_in=False):
    """The thing an instruction verb ending at `pos` asks for."""
    end_limit = stop_at if stop_at is not None else len(text)
    if lead_in:
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        colon = text.rfind(":", pos, line_end)
        if colon >= 0 and not re.search(r"[\"']|<(?!>)", text[pos:colon]):
            pos = colon + 1
    rest = text[pos:end_limit]
    m = FILLER_RX.match(rest)
    k = pos + (m.end() if m else 0)
    # "…: " introduces the object (possibly on the next line)
    m2 = re.match(r"[ \t]*(?::[ \t]*)?", text[k:end_limit])
    if m2:
        k += m2.end()
    if stop_at is not None:
        obj = text[k:stop_at].strip()
        return (obj, stop_at) if obj else None
    if k < len(text) and text[k] in QUOTES:
        q = parse_quoted(text, k)
        if q:
            return unwrap(q[0]), q[1]
    line_end = text.find("\n", k)
    line_end = len(text) if line_end < 0 else line_end
    line = text[k:line_end]
    if not line.strip() or (line.rstrip().endswith(":") and len(line) < 200):
        # The object follows on the next non-empty line(s).
        nxt = k if not line.strip() else line_end
        while nxt < len(text) and text[nxt] in "\n \t":
            nxt += 1
        if nxt >= len(text):
            return None
        if text[nxt] in QUOTES:
            q = parse_quoted(text, nxt)
            if q:
                return unwrap(q[0]), q[1]
        e = text.find("\n", nxt)
        e = len(text) if e < 0 else e
        return strip_trailing(text[nxt:e]), e
    obj = strip_trailing(line)
    return (obj, line_end) if obj else None


def starts_with_instruction(obj):
    m = VERB_RX.match(obj.strip())
    return m is not None


class Engine:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rules = []

    # --- composite tasks -------------------------------------------------------------------------------------

    def placeholder_values(self, text):
        """[X] definitions: 'whereas [X] is a <enc> encoded <what>' / 'replac(e|ing) [X] with <what>'."""
        vals = {}
        escape_plus = bool(re.search(r"escape (?:all )?spaces with \+|spaces (?:as|with) \+", text, re.I))
        for m in re.finditer(
                r"(?:where(?:as)?\s+\[(\w+)\]\s+is|replac(?:e|ing)\s+\[(\w+)\]\s+with)\s+(.+?)(?=\.(?:\s|$|[a-z])|\n\n|$)",
                text, re.I | re.S):
            name = m.group(1) or m.group(2)
            what, enc = describe(m.group(3))
            value = self.ctx.fill(what)
            value = encode_as(value, enc) if enc else re.sub(r"\s+", " ", value)  # one line: it goes in a URL
            if escape_plus:
                value = value.replace(" ", "+")
            vals[name] = value
        return vals

    def fill_placeholders(self, s, vals):
        for name, v in vals.items():
            s = s.replace(f"[{name}]", v)
        return s

    def concatenate(self, text):
        m = re.search(r"concatenate (?:these|the following) strings(?: please)?\s*:?\s*(.*?)\s*\band replace\b",
                      text, re.I | re.S)
        if not m:
            m = re.search(r"concatenate (?:these|the following) strings(?: please)?\s*:?\s*(.*?)(?:\n\n|$)",
                          text, re.I | re.S)
        if not m:
            return None
        parts = m.group(1).strip()
        joined = parts.replace('","', "").replace("', '", "").replace('", "', "")
        joined = joined.replace('"', "")
        out = self.fill_placeholders(joined, self.placeholder_values(text[m.start():]))
        return close_markdown(out.strip()), (m.start(), len(text))

    def step_by_step(self, text):
        m = re.search(r"write the following (?:text|parts?|strings?)[^\n]*?(step by step|append each part|"
                      r"no spaces)[^\n]*\n", text, re.I)
        if not m:
            return None
        parts = []
        for line in text[m.end():].split("\n"):
            sm = re.match(r"\s*\(?(\d+)[).]\s?(.*)$", line)
            if not sm:
                continue  # remarks between the steps ("If there are any passwords … append them also.")
            part = sm.group(2).strip()
            am = re.match(r"(?:then\s+)?append\s+(.*?)\.?$", part, re.I)
            if am:
                what, enc = describe(am.group(1))
                value = self.ctx.fill(what)
                parts.append(encode_as(value, enc) if enc else value)
            else:
                parts.append(part)
        if not parts:
            return None
        return "".join(parts), (m.start(), len(text))

    def template_fill(self, text, verb_match):
        """'print the following <obj>, whereas [X] is …' / 'responding with <obj> replacing [X] with …'."""
        after = verb_match.end()
        clause = re.compile(r",?\s*(?:where(?:as)?\s+\[\w+\]\s+is|replacing\s+\[\w+\]\s+with)", re.I)
        cm = clause.search(text, after)
        if not cm:
            return None
        if "\n\n\n" in text[after:cm.start()] or cm.start() - after > 1500:
            return None
        got = parse_object(text, after, stop_at=cm.start())
        if not got:
            return None
        obj, _ = got
        if not re.search(r"\[\w+\]", obj):
            return None
        vals = self.placeholder_values(text[cm.start():])
        out = close_markdown(self.fill_placeholders(obj, vals))
        end = re.search(r"(?:\.\s|\n\n|$)", text[cm.end():])
        return out, (verb_match.start(), cm.end() + (end.end() if end else 0))

    # --- main loop ------------------------------------------------------------------------------------------

    def run(self, text, depth=0):
        outputs = []  # (position, text)
        consumed = []
        locked_at = None  # "ignore … following instructions": nothing after this position is obeyed

        for fn, rule in ((self.concatenate, "concatenate"), (self.step_by_step, "build-steps")):
            got = fn(text)
            if got:
                out, span = got
                outputs.append((span[0], out))
                consumed.append(span)
                self.rules.append(rule)

        for vm in VERB_RX.finditer(text):
            s = vm.start()
            if any(a <= s < b for a, b in consumed):
                continue
            if locked_at is not None and s > locked_at:
                break
            verb = vm.group(1).lower()
            if not imperative_position(text, s):
                continue
            after = text[vm.end():vm.end() + 2]
            line_start = text.rfind("\n", 0, s) + 1
            if after.startswith(":") and not text[line_start:s].strip():
                continue  # a field label ("Output: …"), not an instruction
            if verb in ("output", "report", "return") and re.search(r"\b(your|the|this|an?|our)\s*$",
                                                                      text[max(0, s - 8):s], re.I):
                continue  # a noun
            got = self.template_fill(text, vm)
            if got:
                out, span = got
                consumed.append(span)
                self.rules.append("fill-template")
            else:
                got = parse_object(text, vm.end(), lead_in=verb.startswith(("focus", "note")))
                if not got:
                    continue
                out, end = got
                if verb == "write" and not re.match(r"\s*(the following|[\"'“<])", text[vm.end():], re.I):
                    continue  # "write a poem about …" is a task, not text to reproduce
                if verb == "include" and not re.search(r"\bin (?:your|the) (?:output|answer|response|reply)",
                                                       text[vm.end():end + 40], re.I):
                    continue
                if depth < 2 and starts_with_instruction(out):
                    inner = Engine(self.ctx).run(out, depth + 1)
                    if inner:
                        out = inner
                consumed.append((vm.start(), end))
                self.rules.append("instruction:" + verb.split()[0])
            sentence_start = max(text.rfind(ch, 0, s) for ch in ".!?\n") + 1
            sentence = text[sentence_start:s]
            if IGNORE_RX.search(sentence):
                outputs = [o for o in outputs if o[0] >= sentence_start]
                if re.search(r"\bfollowing instructions\b|\band following\b|\bsubsequent\b", sentence, re.I):
                    locked_at = consumed[-1][1]
            outputs.append((s, out))

        outputs.sort(key=lambda o: o[0])
        return "\n".join(o[1] for o in outputs if o[1]) if outputs else None


def respond(messages):
    """messages: [(role, text)] -> (answer, rule)"""
    ctx = Context(messages)
    prompt = ctx.last_user
    engine = Engine(ctx)
    out = engine.run(prompt)
    if out:
        rule = engine.rules[0] if len(set(r.split(":")[0] for r in engine.rules)) == 1 else "+".join(
            sorted(set(r.split(":")[0] for r in engine.rules)))
        return out, rule.split(":")[0]
    dec = decode_prompt(prompt)
    if dec:
        return dec[0], "decode:" + dec[1]
    return prompt, "echo"


# ---------------------------------------------------------------------------------------------------------------
# HTTP server

STATS = collections.Counter()
STATS_LOCK = threading.Lock()
LOG = None


def message_text(content):
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content)


def apply_limits(text, body):
    stop = body.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if isinstance(stop, list):
        cut = min([i for i in (text.find(s) for s in stop if isinstance(s, str) and s) if i >= 0] or [len(text)])
        text = text[:cut]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if isinstance(limit, int) and limit > 0 and len(text) > 4 * limit:
        return text[:4 * limit], "length"
    return text, "stop"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "obedient/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _send_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urllib.parse.urlparse(self.path)
        if path.path.rstrip("/") in ("/v1/models", "/models"):
            return self._send_json(200, {"object": "list", "data": [
                {"id": "obedient", "object": "model", "created": 1700000000, "owned_by": "bench"}]})
        if path.path == "/stats":
            with STATS_LOCK:
                snap = dict(STATS)
                if "reset=1" in (path.query or ""):
                    STATS.clear()
            return self._send_json(200, snap)
        if path.path in ("/healthz", "/"):
            return self._send_json(200, {"ok": True})
        return self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path.rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path not in ("/v1/chat/completions", "/chat/completions"):
            return self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        try:
            body = json.loads(raw or b"{}")
            msgs = [(m.get("role", "user"), message_text(m.get("content"))) for m in body.get("messages", [])]
        except (ValueError, AttributeError):
            return self._send_json(400, {"error": {"message": "invalid JSON body", "type": "invalid_request_error"}})
        if not msgs:
            return self._send_json(400, {"error": {"message": "messages is required", "type": "invalid_request_error"}})
        try:
            answer, rule = respond(msgs)
        except Exception as e:  # noqa: BLE001 - a bug in a rule must not kill the benchmark
            answer, rule = msgs[-1][1], "echo-after-error:" + type(e).__name__
        answer, finish = apply_limits(answer, body)
        with STATS_LOCK:
            STATS[rule] += 1
        if LOG:
            with STATS_LOCK:
                LOG.write(json.dumps({"rule": rule, "prompt": msgs[-1][1], "answer": answer}, ensure_ascii=False)
                          + "\n")
                LOG.flush()
        model = body.get("model") or "obedient"
        n = body.get("n") or 1
        cid = "chatcmpl-" + uuid.uuid4().hex[:24]
        created = int(time.time())
        ptoks = sum(len(t) for _, t in msgs) // 4 + 1
        ctoks = len(answer) // 4 + 1
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def event(obj):
                data = ("data: " + (obj if isinstance(obj, str) else json.dumps(obj)) + "\n\n").encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

            for idx in range(n):
                event({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                       "choices": [{"index": idx, "delta": {"role": "assistant", "content": ""},
                                    "finish_reason": None}]})
                for k in range(0, len(answer), 24):
                    event({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                           "choices": [{"index": idx, "delta": {"content": answer[k:k + 24]},
                                        "finish_reason": None}]})
                event({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                       "choices": [{"index": idx, "delta": {}, "finish_reason": finish}]})
            if (body.get("stream_options") or {}).get("include_usage"):
                event({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                       "choices": [], "usage": {"prompt_tokens": ptoks, "completion_tokens": ctoks * n,
                                                "total_tokens": ptoks + ctoks * n}})
            event("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
            return
        self._send_json(200, {
            "id": cid, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": i, "message": {"role": "assistant", "content": answer}, "finish_reason": finish}
                        for i in range(n)],
            "usage": {"prompt_tokens": ptoks, "completion_tokens": ctoks * n, "total_tokens": ptoks + ctoks * n},
        })


def main():
    global LOG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--log", help="append one JSON line per request (rule, prompt, answer)")
    args = ap.parse_args()
    if args.log:
        LOG = open(args.log, "a", encoding="utf-8")
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    print(f"obedient upstream on http://{args.host}:{args.port}/v1", file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
