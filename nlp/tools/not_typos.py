#!/usr/bin/python3
"""Regenerates a rule pack's "not_typos" list: real dictionary words that are within typo
distance of a keyword, so that "dark" is never corrected to "park" nor "heat" to "heave".

Usage: nlp/tools/not_typos.py config/nlp/en.json /usr/share/dict/american-english english
       nlp/tools/not_typos.py config/nlp/es.json /usr/share/dict/spanish spanish
Needs python3-snowballstemmer (Debian) and a word list (Debian wamerican, wspanish).
The rule (1 edit from 4 letters, 2 from 8) and the folding mirror nlp/typo_index and
nlp/normalize; regenerate after adding keywords.
"""
import json
import re
import sys
import unicodedata

import snowballstemmer


def fold(word):
    word = unicodedata.normalize("NFKC", word).casefold()
    word = unicodedata.normalize("NFD", word)
    return "".join(c for c in word if unicodedata.category(c) != "Mn").replace("\u2019", "'")


def allowed(word):
    return 2 if len(word) >= 8 else 1 if len(word) >= 4 else 0


def deletions(word, depth):
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def osa(a, b):
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def main():
    pack_path, dict_path, algorithm = sys.argv[1:4]
    stemmer = snowballstemmer.stemmer(algorithm)
    text = open(pack_path, encoding="utf-8").read()
    pack = json.loads(text)
    phrases = []
    for group in ("intents", "categories"):
        for body in pack[group].values():
            phrases.extend(body["terms"].keys())
    phrases.extend(pack.get("negation", {}).get("words", []))
    vocab = set()
    for phrase in phrases:
        for w in re.findall(r"[\w']+", fold(phrase)):
            vocab.add(w)
    rewrites = {fold(k) for k in pack.get("rewrites", {})}
    keys = vocab | {stemmer.stemWord(w) for w in vocab}
    keys = {k for k in keys if len(k) >= 3}
    index = {}
    for k in keys:
        for d in deletions(k, 2 if len(k) >= 6 else 1):
            index.setdefault(d, set()).add(k)
    vocab_stems = {stemmer.stemWord(w) for w in vocab}
    result = set()
    for line in open(dict_path, encoding="utf-8", errors="replace"):
        word = fold(line.strip())
        if not word.isalpha() or word in vocab or word in rewrites:
            continue
        limit = allowed(word)
        if limit == 0 or stemmer.stemWord(word) in vocab_stems:
            continue
        candidates = set()
        for d in deletions(word, limit):
            candidates |= index.get(d, set())
        if any(osa(word, c) <= limit for c in candidates):
            result.add(word)
    line = '  "not_typos": ' + json.dumps(sorted(result), ensure_ascii=False) + ",\n"
    lines = text.splitlines(keepends=True)
    lines = [l for l in lines if not l.startswith('  "not_typos":')]
    at = next(i for i, l in enumerate(lines) if l.startswith('  "skip_words":')) + 1
    lines.insert(at, line)
    open(pack_path, "w", encoding="utf-8").write("".join(lines))
    print(f"{pack_path}: {len(result)} real words kept from typo correction")


if __name__ == "__main__":
    main()
