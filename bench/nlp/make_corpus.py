#!/usr/bin/env python3
"""Writes the corpus that bench/nlp/same_output.sh replays through two versions of nlp/.

Every line is "EXPECT LANG HEX" (see bench/nlp/replay.cpp). The texts come from what the
checkout holds at the time of the run, so nothing is stored: the rule packs' examples, terms,
rewrites and address words; every string literal of tests/nlp/*.cpp and the benchmark; the
files under tests/nlp/data/ (when present); the fuzz corpus; and the real 311 texts when the
shared data is there; what libFuzzer found, when scripts/fuzz has run. To them it adds seeded random mutations, synthetic addresses,
messages of 1 KB and more (one past the 64 KiB cut), and invalid UTF-8. Same checkout, same
seed: same corpus.

Usage: make_corpus.py REPO_ROOT [--real CSV] [--seed N] [--mutations N] > corpus
"""

import argparse
import csv
import io
import json
import os
import random
import re
import sys

EXPECTATIONS = ["none", "location", "yes_no", "choice", "description"]
LANGS = ["-", "en", "es"]

# Characters a mutation may insert: ASCII, accents, typographic marks, emoji (with skin tone
# and variation selector), other scripts' digits, combining marks, and bytes that are never
# valid UTF-8 on their own.
INSERTS = (
    [c.encode() for c in "abcdefghijklmnopqrstuvwxyzAEIOUXZ0123456789 .,;:!?'\"-_/&@#()+*%"]
    + [c.encode() for c in "áéíóúñÑüÁÉ¿¡’‘“”´ʼ…–—"]
    + [c.encode() for c in ["👍", "👍🏽", "😡", "❤️", "🕳", "🚧", "🇺🇸", "\u200d", "\ufe0f", "\u0301"]]
    + [c.encode() for c in ["٣", "५", "１", "Ａ", "ﬁ", "ß", "İ", "Σ", "\t", "\n", "\r", "\x00"]]
    + [b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\x80"]
)


def cpp_string_literals(path):
    """The byte values of the string literals in a C++ file (escapes decoded, roughly)."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        source = f.read()
    out = []
    for m in re.finditer(r'(?<![\w\'])(?:u8)?"((?:[^"\\\n]|\\.)*)"', source):
        raw = m.group(1)
        value = bytearray()
        i = 0
        while i < len(raw):
            c = raw[i]
            if c != "\\":
                value += c.encode("utf-8", errors="surrogateescape")
                i += 1
                continue
            nxt = raw[i + 1] if i + 1 < len(raw) else ""
            simple = {"n": b"\n", "t": b"\t", "r": b"\r", '"': b'"', "\\": b"\\", "'": b"'"}
            if nxt in simple:
                value += simple[nxt]
                i += 2
            elif nxt == "x":
                j = i + 2
                while j < len(raw) and raw[j] in "0123456789abcdefABCDEF":
                    j += 1
                value.append(int(raw[i + 2 : j] or "0", 16) & 0xFF)
                i = j
            elif nxt.isdigit():
                j = i + 1
                while j < len(raw) and j < i + 4 and raw[j] in "01234567":
                    j += 1
                value.append(int(raw[i + 1 : j], 8) & 0xFF)
                i = j
            else:
                value += nxt.encode()
                i += 2
        if len(value) >= 1:
            out.append(bytes(value))
    return out


def pack_texts(path):
    with open(path, encoding="utf-8") as f:
        pack = json.load(f)
    texts = []
    words = []
    for group in ("intents", "categories"):
        for body in pack.get(group, {}).values():
            texts += body.get("examples", [])
            words += list(body.get("terms", {}).keys())
    texts += pack.get("negation", {}).get("words", [])
    for k, v in pack.get("rewrites", {}).items():
        words += [k, v]
    for key in ("markers", "opt_out_keywords", "tracking_cues", "not_typos", "unstemmed"):
        words += pack.get(key, [])
    address = {k: v for k, v in pack.get("address", {}).items() if isinstance(v, list)}
    return texts, words, address


def synthetic_places(rng, address, names, count):
    """Street addresses, intersections and landmarks built from a pack's address words."""
    def pick(key, default=""):
        values = address.get(key) or [default]
        return rng.choice(values)

    out = []
    for _ in range(count):
        name = rng.choice(names)
        if rng.random() < 0.5:
            name = name.capitalize()
        form = rng.randrange(7)
        if form == 0:
            parts = [str(rng.choice([5, 55, 123, 1400, 99999, 1234567])), pick("directionals"),
                     name, pick("street_suffixes")]
            if rng.random() < 0.4:
                parts += [pick("unit_markers", "apt"), str(rng.randrange(1, 3000))]
            text = " ".join(p for p in parts if p)
        elif form == 1:
            text = f"{name} {pick('street_suffixes')} {pick('connectors', '&')} {rng.randrange(1, 40)}th"
        elif form == 2:
            text = f"{pick('corner_cues', 'corner of')} {name} {pick('connectors', 'and')} {rng.choice(names)}"
        elif form == 3:
            text = f"{pick('street_types_before', 'calle')} {name} {pick('number_markers', 'no')} {rng.randrange(1, 999)}"
        elif form == 4:
            text = f"the {pick('landmark_names', 'walmart')} {pick('landmark_links', 'on')} {name}"
        elif form == 5:
            text = f"{name.capitalize()} {pick('landmark_types', 'park')} {pick('states', 'az')} {rng.randrange(10000, 99999)}"
        else:
            text = f"{pick('location_cues', 'on')} {rng.randrange(1, 30)}{rng.choice(['st', 'nd', 'rd', 'th', 'ra', 'o'])} {pick('street_suffixes')}"
        lead = rng.choice(["", "pothole at ", "hay un bache en ", "light out near ", "", "THE LIGHT AT "])
        out.append((lead + text).encode())
    return out


def mutate(rng, text, pool):
    data = bytearray(text)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(9)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            del data[min(pos, len(data) - 1)]
        elif op == 1:
            data[pos:pos] = rng.choice(INSERTS)
        elif op == 2 and len(data) >= 2:
            p = min(pos, len(data) - 2)
            data[p], data[p + 1] = data[p + 1], data[p]
        elif op == 3:
            data = bytearray(data.upper())
        elif op == 4:
            data = bytearray(b" ".join(w.capitalize() for w in bytes(data).split(b" ")))
        elif op == 5:
            data[pos:pos] = b" " + rng.choice(pool) + b" "
        elif op == 6:
            data[pos:pos] = rng.choice([b" 311-004512 ", b" #4512", b" 480-555-1234 ", b" 33.41,-111.83 ",
                                        b" a@b.co ", b" https://x.gov/p ", b" 85201", b" 5th", b" 2"])
        elif op == 7:
            data = bytearray(bytes(data) + b" " + rng.choice(pool))
        elif op == 8 and data:
            cut = rng.randrange(len(data))
            data = data[:cut]  # may split a UTF-8 sequence
    return bytes(data)


def long_message(rng, pool, size):
    parts = []
    total = 0
    while total < size:
        p = rng.choice(pool)
        parts.append(p)
        total += len(p) + 1
    return b" ".join(parts)[: size + rng.randrange(0, 64)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--real", default=None, help="real 311 CSV (default: ../shared/data/311/...)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--mutations", type=int, default=4, help="mutated copies per text")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    root = args.root

    base = []
    words = []
    addresses = []
    for lang in ("en", "es"):
        path = os.path.join(root, "config", "nlp", f"{lang}.json")
        if os.path.exists(path):
            t, w, a = pack_texts(path)
            base += [x.encode() for x in t]
            words += [x.encode() for x in w]
            addresses.append(a)
    for folder in ("tests/nlp", "bench/nlp"):
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if name.endswith(".cpp") or name.endswith(".hpp"):
                base += cpp_string_literals(os.path.join(root, folder, name))
    data_dir = os.path.join(root, "tests", "nlp", "data")
    if os.path.isdir(data_dir):
        for dirpath, _, files in sorted(os.walk(data_dir)):
            for name in sorted(files):
                with open(os.path.join(dirpath, name), "rb") as f:
                    for line in f.read().split(b"\n"):
                        try:
                            obj = json.loads(line)
                            if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                                base.append(obj["text"].encode())
                                continue
                        except ValueError:
                            pass
                        if line.strip():
                            base.append(line)
    fuzz = []
    # The seed corpus, the regressions and, after `scripts/fuzz nlp_understand`, what
    # libFuzzer found (build/fuzz/corpus/): odd bytes that reach many branches.
    for d in (os.path.join(root, "tests", "fuzz", "corpus", "nlp_understand"),
              os.path.join(root, "tests", "fuzz", "regressions", "nlp_understand"),
              os.path.join(root, "build", "fuzz", "corpus", "nlp_understand")):
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                with open(os.path.join(d, name), "rb") as f:
                    fuzz.append(f.read()[1:])  # the fuzz target's first byte is its context
    real = args.real or os.path.join(root, "..", "shared", "data", "311", "real_311_normalised.csv")
    real_texts = []
    if os.path.exists(real):
        with open(real, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                real_texts.append(row["text"].encode())
    print(f"corpus: {len(base)} rule-pack and test texts, {len(words)} words, "
          f"{len(real_texts)} real 311 texts, {len(fuzz)} fuzz inputs", file=sys.stderr)

    texts = base + words + real_texts + fuzz
    names = [w.decode() for w in words if re.fullmatch(rb"[a-z]{3,12}", w)] or ["main"]
    for a in addresses:
        texts += synthetic_places(rng, a, names, 600)
    pool = [t for t in texts if t]
    mutated = [mutate(rng, rng.choice(pool), pool) for _ in range(len(pool) * args.mutations)]
    texts += mutated
    texts += [long_message(rng, pool, rng.choice([1024, 1500, 3000, 8000])) for _ in range(300)]
    texts += [long_message(rng, pool, 70 * 1024) for _ in range(3)]
    texts += [b"a" * 70000, b"1" * 5000, b"\xff" * 3000, b"\xe2\x80\x99" * 2000, "👍".encode() * 1000,
              b"", b" ", b"\x00\x00", b"5th & 6th & 7th & 8th " * 100, b"@" * 500, b"-1.00 " * 400]
    texts += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(500)]
    texts += [bytes(rng.choice(b"ab1 .,-#&/@\xc3\xa1\xff") for _ in range(rng.randrange(1, 200)))
              for _ in range(500)]

    out = io.StringIO()
    lines = 0
    for t in texts:
        contexts = [("none", "-"), (rng.choice(EXPECTATIONS), rng.choice(LANGS))]
        if len(t) <= 40:
            contexts.append((rng.choice(EXPECTATIONS[1:]), rng.choice(LANGS)))
        for expect, lang in contexts:
            out.write(f"{expect} {lang} {t.hex()}\n")
            lines += 1
    sys.stdout.write(out.getvalue())
    print(f"corpus: {lines} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
