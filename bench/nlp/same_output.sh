#!/usr/bin/env bash
# Does nlp/ in this checkout read every message exactly as nlp/ at REV does?
#
#   bench/nlp/same_output.sh [REV]      (default REV: main)
#
# Builds bench/nlp/replay.cpp twice (Release -O2): against nlp/ as committed at REV, and against
# nlp/ as it is in the working tree, uncommitted changes included. Both read the working
# tree's rule packs (config/nlp), so only the code differs. Then it replays the corpus of
# bench/nlp/make_corpus.py (rule-pack examples, test tables, real 311 texts when present,
# seeded mutations, long messages, invalid UTF-8; every line with a dialog context) through
# both and compares the understandings line by line. Exit status 0 when they are identical;
# otherwise 1, and the first differences are printed with their input.
# Work files go to $SAME_OUTPUT_DIR (default /tmp/nlp-same-output).
set -euo pipefail

rev="${1:-main}"
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
work="${SAME_OUTPUT_DIR:-/tmp/nlp-same-output}"
mkdir -p "$work"
cxx="${CXX:-g++}"
if command -v ccache >/dev/null; then
  cxx="ccache $cxx"
fi
flags=(-std=c++20 -O2 -DNDEBUG -w)
libs=($(pkg-config --libs icu-uc icu-i18n) -lstemmer)

# build NAME SOURCE_ROOT: compiles SOURCE_ROOT/nlp/*.cpp with replay.cpp into $work/NAME.
build() {
  local name="$1" src="$2" objs=()
  mkdir -p "$work/obj-$name"
  for f in "$src"/nlp/*.cpp "$root/bench/nlp/replay.cpp"; do
    local o="$work/obj-$name/$(basename "$f" .cpp).o"
    $cxx "${flags[@]}" -I"$src" -c "$f" -o "$o"
    objs+=("$o")
  done
  $cxx -o "$work/$name" "${objs[@]}" "${libs[@]}"
}

echo "same_output: building nlp/ at $rev and nlp/ in $root" >&2
rm -rf "$work/ref-src" "$work"/obj-*
mkdir -p "$work/ref-src"
git -C "$root" archive "$rev" nlp | tar -x -C "$work/ref-src"
build reference "$work/ref-src"
build candidate "$root"

python3 "$root/bench/nlp/make_corpus.py" "$root" >"$work/corpus"
"$work/reference" "$root/config/nlp" <"$work/corpus" >"$work/reference.jsonl"
"$work/candidate" "$root/config/nlp" <"$work/corpus" >"$work/candidate.jsonl"

lines=$(wc -l <"$work/corpus")
if cmp -s "$work/reference.jsonl" "$work/candidate.jsonl"; then
  echo "same_output: identical on all $lines inputs (nlp/ at $rev vs working tree)"
  exit 0
fi
python3 - "$work" <<'EOF'
import sys
work = sys.argv[1]
corpus = open(f"{work}/corpus").read().split("\n")
ref = open(f"{work}/reference.jsonl", encoding="utf-8", errors="replace").read().split("\n")
cand = open(f"{work}/candidate.jsonl", encoding="utf-8", errors="replace").read().split("\n")
diffs = [i for i in range(max(len(ref), len(cand)))
         if (ref[i] if i < len(ref) else None) != (cand[i] if i < len(cand) else None)]
print(f"same_output: {len(diffs)} of {len(corpus) - 1} inputs differ; the first ones:")
for i in diffs[:10]:
    expect, lang, hexed = (corpus[i].split(" ") + ["", "", ""])[:3]
    text = bytes.fromhex(hexed).decode("utf-8", errors="backslashreplace")
    print(f"--- line {i + 1}: expect={expect} lang={lang} text={text[:300]!r}")
    print(f"  reference: {ref[i] if i < len(ref) else '(missing)'}")
    print(f"  candidate: {cand[i] if i < len(cand) else '(missing)'}")
EOF
exit 1
