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
// Articles and fillers between the words are stepped over: "hole in the road".
std::uint32_t match_at(std::span<const word_token> t, std::uint32_t begin,
                       const std::vector<std::uint32_t>& words) {
  std::uint32_t k = begin + 1;
  for (std::size_t w = 1; w < words.size(); ++w) {
    while (k < t.size() && t[k].skip && t[k].word != words[w])
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

  std::vector<match> matches;
  for (std::uint32_t i = 0; i < t.size(); ++i) {
    if (t[i].taken || t[i].word == no_word)
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
  std::vector<match> by_length(matches.size());
  if (ties) {
    // The same comparisons as before, on compact keys: the same permutation, at less cost.
    struct keyed {
      std::uint64_t key;  ///< longer first, then earlier
      std::uint32_t index;
    };
    std::vector<keyed> keys(matches.size());
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
    std::vector<std::uint32_t> first_of(longest + 2, 0);  // by length, longest first
    for (const match& m : matches)
      ++first_of[longest - (m.end - m.begin) + 1];
    for (std::size_t k = 1; k < first_of.size(); ++k)
      first_of[k] += first_of[k - 1];
    for (const match& m : matches)
      by_length[first_of[longest - (m.end - m.begin)]++] = m;
  }
  std::vector<bool> covered(t.size(), false);
  std::vector<match> chosen;
  for (const match& m : by_length) {
    bool free = true;
    for (auto k = m.begin; k < m.end && free; ++k)
      free = !covered[k];
    if (!free)
      continue;
    for (auto k = m.begin; k < m.end; ++k)
      covered[k] = true;
    chosen.push_back(m);
  }
  std::sort(chosen.begin(), chosen.end(),
            [](const match& a, const match& b) { return a.begin < b.begin; });

  // Walk in text order: a negator opens a scope of a few words that ends at punctuation
  // or a word like "but"; each term counts once.
  std::vector<std::uint32_t> counted;
  std::size_t next = 0;
  int scope = 0;
  for (std::uint32_t i = 0; i < t.size(); ++i) {
    if (sentence_break(t[i]) || (t[i].roles & role::scope_break) != 0)
      scope = 0;
    while (next < chosen.size() && chosen[next].begin == i) {
      const match& m = chosen[next++];
      const term& tm = pack.terms[m.term];
      if (tm.kind == target_kind::negator) {
        scope = pack.scoring.negation_window + static_cast<int>(m.end - m.begin);
        continue;
      }
      if (std::find(counted.begin(), counted.end(), m.term) != counted.end())
        continue;
      counted.push_back(m.term);
      const float w = scope > 0 ? -tm.weight : tm.weight;
      if (tm.kind == target_kind::intent) {
        out.intents[tm.target] += w;
      } else {
        out.categories[tm.target] += w;
      }
    }
    if (scope > 0 && t[i].kind != token_kind::punct)
      --scope;
  }
  return out;
}

}  // namespace civicline::nlp
