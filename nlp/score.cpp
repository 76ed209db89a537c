#include "nlp/score.hpp"

#include <algorithm>

namespace civicline::nlp {
namespace {

struct match {
  std::uint32_t begin;  ///< token index
  std::uint32_t end;
  std::uint32_t term;
};

bool sentence_break(const word_token& t) {
  if (t.kind != token_kind::punct)
    return false;
  const auto s = t.norm;
  return s == "." || s == "!" || s == "?" || s == "," || s == ";" || s == ":";
}

// The token after a match of `words` starting at `begin`, or 0 if it does not match.
// Articles, fillers and numbers between the words are stepped over: "hole in the road",
// "sitting for 3 weeks".
std::uint32_t match_at(std::span<const word_token> t, std::uint32_t begin,
                       const std::vector<std::uint32_t>& words) {
  std::uint32_t k = begin + 1;
  for (std::size_t w = 1; w < words.size(); ++w) {
    while (k < t.size() && (t[k].skip || t[k].kind == token_kind::number) && t[k].word != words[w])
      ++k;
    if (k >= t.size() || t[k].taken || t[k].word != words[w])
      return 0;
    ++k;
  }
  return k;
}

}  // namespace

evidence score_terms(const language_pack& pack, std::span<const word_token> t,
                     std::size_t category_count) {
  evidence out;
  out.categories.assign(category_count, 0.0f);

  // Scratch space kept per thread: a message costs no allocation here once the buffers have
  // grown. Buffers grown by a very long message are released afterwards.
  struct keyed {
    std::uint64_t key;  ///< longer first, then earlier
    std::uint32_t index;
  };
  struct scratch_space {
    std::vector<match> matches;
    std::vector<match> by_length;
    std::vector<keyed> keys;
    std::vector<std::uint32_t> first_of;
    std::vector<std::uint32_t> owner;  ///< by token: 1 + index in by_length of the match on it
    std::vector<std::uint32_t> counted;
  };
  thread_local scratch_space scratch;
  struct release_large {
    scratch_space& s;
    ~release_large() {
      constexpr std::size_t keep = 4096;
      if (s.owner.capacity() > keep || s.matches.capacity() > keep)
        s = scratch_space{};
    }
  } release{scratch};
  std::vector<match>& matches = scratch.matches;
  matches.clear();
  for (std::uint32_t i = 0; i < t.size(); ++i) {
    if (t[i].taken || !t[i].keyword)  // keyword: the word starts at least one term
      continue;
    for (std::uint32_t term_index : pack.terms_by_first_word[t[i].word]) {
      const std::uint32_t end = match_at(t, i, pack.terms[term_index].words);
      if (end != 0)
        matches.push_back(match{i, end, term_index});
    }
  }
  if (matches.empty())
    return out;

  // Longest first, so "traffic light" claims "light" before the streetlight keyword can.
  // Two terms over the same words tie, and std::sort's order then decides which one counts;
  // that order is kept as it was. For up to 16 elements std::sort is an insertion sort,
  // which keeps tied matches in the order they were found; so is the counting sort by
  // length below, which is used whenever the order cannot differ.
  constexpr std::size_t insertion_sort_limit = 16;  // libstdc++'s _S_threshold
  bool ties = false;
  if (matches.size() > insertion_sort_limit) {
    for (std::size_t k = 1; k < matches.size() && !ties; ++k) {
      for (std::size_t j = k; j-- > 0 && matches[j].begin == matches[k].begin;)
        ties = ties || matches[j].end == matches[k].end;
    }
  }
  std::vector<match>& by_length = scratch.by_length;
  by_length.resize(matches.size());
  if (ties) {
    // The same comparisons as before, on compact keys: the same permutation, at less cost.
    std::vector<keyed>& keys = scratch.keys;
    keys.resize(matches.size());
    for (std::size_t k = 0; k < matches.size(); ++k) {
      const match& m = matches[k];
      keys[k] = keyed{(static_cast<std::uint64_t>(UINT32_MAX - (m.end - m.begin)) << 32) | m.begin,
                      static_cast<std::uint32_t>(k)};
    }
    std::sort(keys.begin(), keys.end(),
              [](const keyed& a, const keyed& b) { return a.key < b.key; });
    for (std::size_t k = 0; k < keys.size(); ++k)
      by_length[k] = matches[keys[k].index];
  } else {
    std::uint32_t longest = 0;
    for (const match& m : matches)
      longest = std::max(longest, m.end - m.begin);
    std::vector<std::uint32_t>& first_of = scratch.first_of;  // by length, longest first
    first_of.assign(longest + 2, 0);
    for (const match& m : matches)
      ++first_of[longest - (m.end - m.begin) + 1];
    for (std::size_t k = 1; k < first_of.size(); ++k)
      first_of[k] += first_of[k - 1];
    for (const match& m : matches)
      by_length[first_of[longest - (m.end - m.begin)]++] = m;
  }
  // Each match takes its tokens unless a longer (or earlier) one has one of them.
  std::vector<std::uint32_t>& owner = scratch.owner;
  owner.assign(t.size(), 0);
  for (std::uint32_t k = 0; k < by_length.size(); ++k) {
    const match& m = by_length[k];
    bool free = true;
    for (auto j = m.begin; j < m.end && free; ++j)
      free = owner[j] == 0;
    if (!free)
      continue;
    for (auto j = m.begin; j < m.end; ++j)
      owner[j] = k + 1;
  }

  // Walk in text order: a negator opens a scope of a few words that ends at punctuation
  // or a word like "but"; each term counts once.
  std::vector<std::uint32_t>& counted = scratch.counted;
  counted.clear();
  int scope = 0;
  for (std::uint32_t i = 0; i < t.size(); ++i) {
    if (scope > 0 && (sentence_break(t[i]) || (t[i].roles & role::scope_break) != 0))
      scope = 0;
    if (owner[i] != 0 && by_length[owner[i] - 1].begin == i) {
      const match& m = by_length[owner[i] - 1];
      const term& tm = pack.terms[m.term];
      if (tm.kind == target_kind::negator) {
        scope = pack.scoring.negation_window + static_cast<int>(m.end - m.begin);
      } else if (std::find(counted.begin(), counted.end(), m.term) == counted.end()) {
        counted.push_back(m.term);
        const float w = scope > 0 ? -tm.weight : tm.weight;
        if (tm.kind == target_kind::intent) {
          out.intents[tm.target] += w;
        } else {
          out.categories[tm.target] += w;
        }
      }
    }
    if (scope > 0 && t[i].kind != token_kind::punct)
      --scope;
  }
  return out;
}

}  // namespace civicline::nlp
