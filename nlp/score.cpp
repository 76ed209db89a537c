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
  std::sort(matches.begin(), matches.end(), [](const match& a, const match& b) {
    const auto la = a.end - a.begin;
    const auto lb = b.end - b.begin;
    return la != lb ? la > lb : a.begin < b.begin;
  });
  std::vector<bool> covered(t.size(), false);
  std::vector<match> chosen;
  for (const match& m : matches) {
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
