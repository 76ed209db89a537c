#include "nlp/understand.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <numeric>
#include <span>
#include <vector>

#include "nlp/address.hpp"
#include "nlp/scan.hpp"
#include "nlp/score.hpp"
#include "nlp/tokenize.hpp"
#include "nlp/tracking_id.hpp"

namespace civicline::nlp {
namespace {

// How far an intent's evidence must go before it can win: commands and actionable requests
// beat social talk ("thanks! also there's a dead raccoon on 5th" is a report).
enum class tier { social = 0, actionable = 1 };

tier tier_of(intent i) {
  switch (i) {
    case intent::report_problem:
    case intent::check_status:
    case intent::provide_location:
    case intent::opt_out:
    case intent::human_agent:
    case intent::cancel:
      return tier::actionable;
    default:
      return tier::social;
  }
}

constexpr float social_damping = 0.3f;  // social evidence left once an actionable intent wins

// A token's entry in the lexicon's word table (nullptr: no pack knows it) and its hash.
struct token_lookup {
  const known_word* known;
  std::uint64_t hash;
};

// How many of `letters` occur in the text. Marker letters share few first bytes ("ñ", "á",
// "¿" start with 0xC3 or 0xC2), so the text is searched once per distinct first byte and
// every letter starting with it is compared where that byte occurs.
int letters_found(std::string_view text, const std::vector<std::string>& letters) {
  int found = 0;
  std::array<bool, 64> seen{};
  for (std::size_t k = 0; k < letters.size(); ++k) {
    if (k >= seen.size() || letters[k].empty()) {  // plain search: a long list, or ""
      found += text.find(letters[k]) != std::string_view::npos ? 1 : 0;
      continue;
    }
    if (seen[k])
      continue;
    const char lead = letters[k][0];
    bool first_of_lead = true;
    for (std::size_t j = 0; j < k && first_of_lead; ++j)
      first_of_lead = letters[j].empty() || letters[j][0] != lead;
    if (!first_of_lead)
      continue;  // searched for with an earlier letter
    for (const char* at = static_cast<const char*>(std::memchr(text.data(), lead, text.size()));
         at != nullptr;) {
      const std::string_view here = text.substr(static_cast<std::size_t>(at - text.data()));
      for (std::size_t j = k; j < letters.size() && j < seen.size(); ++j) {
        if (!seen[j] && !letters[j].empty() && here.starts_with(letters[j])) {
          seen[j] = true;
          ++found;
        }
      }
      const std::size_t rest = text.size() - here.size() + 1;
      at = rest < text.size()
               ? static_cast<const char*>(std::memchr(text.data() + rest, lead, text.size() - rest))
               : nullptr;
    }
  }
  return found;
}

// Looks every token up once in the lexicon's word table (what both languages' packs make of
// it), then picks the language with more marker and keyword words.
const language_pack& detect_language(const lexicon& lex, std::string_view text,
                                     const token_stream& ts, const context& ctx,
                                     std::vector<token_lookup>& known) {
  known.resize(ts.tokens.size());
  std::array<float, 2> scores{};
  for (std::size_t i = 0; i < ts.tokens.size(); ++i) {
    const std::string_view norm = ts.norm(ts.tokens[i]);
    const std::uint64_t hash = word_hash(norm);
    const known_word* k = lex.lookup(norm, hash);
    known[i] = token_lookup{k, hash};
    if (k != nullptr) {
      for (std::size_t lang = 0; lang < 2; ++lang) {
        if ((k->in[lang].roles & (role::marker | role::vocabulary)) != 0)
          scores[lang] += 1.0f;
      }
    }
  }
  const language_pack* best = &lex.default_pack();
  float best_score = -1;
  bool tie = false;
  for (language lang : {language::en, language::es}) {
    const language_pack* p = lex.pack(lang);
    if (p == nullptr)
      continue;
    // "ñ", "¿": letters only one language has
    float score = scores[static_cast<std::size_t>(lang)] +
                  static_cast<float>(letters_found(text, p->marker_letters));
    if (score > best_score) {
      best = p;
      best_score = score;
      tie = false;
    } else if (score == best_score) {
      tie = true;
    }
  }
  if (tie && ctx.language_hint) {
    if (const language_pack* hinted = lex.pack(*ctx.language_hint))
      return *hinted;
  }
  if (best_score <= 0 && ctx.language_hint) {
    if (const language_pack* hinted = lex.pack(*ctx.language_hint))
      return *hinted;
  }
  return *best;
}

// "5th", "22nd", "1ra", "3er": a number with an ordinal ending (English and Spanish).
bool looks_ordinal(std::string_view s) {
  std::size_t d = 0;
  while (d < s.size() && s[d] >= '0' && s[d] <= '9')
    ++d;
  if (d == 0 || d > 3 || d == s.size())
    return false;
  const std::string_view rest = s.substr(d);
  return rest == "st" || rest == "nd" || rest == "rd" || rest == "th" || rest == "o" ||
         rest == "a" || rest == "ra" || rest == "er" || rest == "da" || rest == "ta" ||
         rest == "va" || rest == "na";
}

// The word id of a word token that is no keyword surface, remembered per thread: such words
// cost a stem and a typo lookup, and messages repeat them (within a long message and across a
// thread's messages). The result depends only on the pack and the word; a reloaded lexicon
// has a new serial.
std::uint32_t resolve_unknown(const language_pack& p, std::string_view norm, std::uint64_t hash,
                              std::uint32_t roles, std::string& scratch) {
  struct resolved_words {
    std::uint64_t serial = 0;
    word_table<std::uint32_t> words;
  };
  constexpr std::size_t max_resolved = 8192;
  thread_local std::array<resolved_words, 2> resolved;
  resolved_words& memo = resolved[static_cast<std::size_t>(p.lang) & 1];
  if (memo.serial != p.typos.serial()) {
    memo.words.clear();
    memo.serial = p.typos.serial();
  }
  if (const std::uint32_t* hit = memo.words.find(norm, hash))
    return *hit;
  const std::uint32_t word = p.resolve(norm, roles, scratch);
  if (memo.words.size() >= max_resolved)
    memo.words.clear();
  memo.words.insert(norm, hash, word);
  return word;
}

void words_for(const language_pack& p, const token_stream& ts, std::span<const token_lookup> known,
               const scan_result& scan, std::vector<word_token>& out) {
  out.clear();
  out.reserve(ts.tokens.size() + 4);
  std::string scratch;
  const auto lang = static_cast<std::size_t>(p.lang);
  auto masked = [&](const token& t) {
    for (const auto& [b, e] : scan.masked) {
      if (t.begin < e && b < t.end)
        return true;
    }
    return false;
  };
  auto push = [&](const token& t, std::string_view norm, std::uint32_t roles, std::uint32_t word) {
    word_token w;
    w.begin = t.begin;
    w.end = t.end;
    w.norm = norm;
    w.kind = t.kind;
    w.capitalized = t.capitalized;
    w.taken = !scan.masked.empty() && masked(t);
    w.roles = roles;
    if (t.kind == token_kind::word && !norm.empty() && norm[0] >= '0' && norm[0] <= '9' &&
        looks_ordinal(norm))
      w.roles |= role::ordinal_word;  // "5th", "1ra": computed once, asked often
    w.skip = t.kind == token_kind::word && (w.roles & role::skip) != 0;
    w.word = word;
    w.keyword = w.word != no_word && !p.terms_by_first_word[w.word].empty();
    out.push_back(w);
  };
  for (std::size_t i = 0; i < ts.tokens.size(); ++i) {
    const token& t = ts.tokens[i];
    const std::string_view norm = ts.norm(t);
    const pack_word* pw = known[i].known != nullptr ? &known[i].known->in[lang] : nullptr;
    const std::uint32_t roles = pw != nullptr ? pw->roles : 0;
    if (t.kind == token_kind::word && pw != nullptr && pw->rewrite != 0) {
      for (const rewritten_word& w : p.rewrite_lists[pw->rewrite - 1])
        push(t, w.norm, w.roles, w.word);
      continue;
    }
    std::uint32_t word = no_word;
    if (t.kind == token_kind::word) {
      word = pw != nullptr && pw->word != unresolved_word
                 ? pw->word
                 : resolve_unknown(p, norm, known[i].hash, roles, scratch);
    } else if (t.kind != token_kind::punct && (roles & role::vocabulary) != 0) {
      word = pw->surface;  // numbers and emoji match their surface only
    }
    push(t, norm, roles, word);
  }
}

// The number in a menu answer: the message's only number, with at most two other words that
// are not keywords (or are common words such as "please"). Null when it is not such an answer.
const word_token* menu_number(std::span<const word_token> words) {
  const word_token* number = nullptr;
  int others = 0;
  for (const word_token& w : words) {
    if (w.kind == token_kind::punct)
      continue;
    if (w.kind == token_kind::number) {
      if (number != nullptr)
        return nullptr;
      number = &w;
      continue;
    }
    constexpr std::uint32_t plain = role::marker | role::skip | role::number_marker;
    if (++others > 2 || (w.keyword && (w.roles & plain) == 0))
      return nullptr;
  }
  return number;
}

// "311-000120": a choice that is a tracking id (the dialog's pick list of reports).
bool is_tracking_id(const lexicon_options& options, std::string_view id) {
  const std::string_view prefix = options.tracking_id_prefix;
  if (id.size() != prefix.size() + static_cast<std::size_t>(options.tracking_id_digits) ||
      id.substr(0, prefix.size()) != prefix) {
    return false;
  }
  const std::string_view digits = id.substr(prefix.size());
  return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Probability-like share of the evidence, with `prior` standing for "none of these".
double share(float score, float total, float prior) {
  return score <= 0 ? 0.0 : static_cast<double>(score) / static_cast<double>(total + prior);
}

}  // namespace

understanding understand(std::string_view text, const lexicon& lex, const context& ctx) {
  understanding u;
  // The tokens and words of a message live in buffers kept per thread, so that a message
  // allocates only its result once they have grown; a very long message's are released.
  struct workspace {
    token_stream ts;
    std::vector<token_lookup> known;
    std::vector<word_token> words;
  };
  thread_local workspace space;
  struct release_large {
    workspace& w;
    ~release_large() {
      constexpr std::size_t keep = 16 * 1024;
      if (w.ts.folded.capacity() > keep)
        w = workspace{};
    }
  } release{space};
  token_stream& ts = space.ts;
  tokenize_into(text, ts);
  if (text.size() > max_text_bytes)
    text = text.substr(0, max_text_bytes);
  const scan_result scan = scan_shaped_entities(text);
  std::vector<token_lookup>& known = space.known;
  const language_pack& pack = detect_language(lex, text, ts, ctx, known);
  const scoring_rules& sc = pack.scoring;
  u.lang = pack.lang;

  std::vector<word_token>& words = space.words;
  words_for(pack, ts, known, scan, words);
  const bool expecting_location = ctx.expecting == expectation::location;
  find_addresses({text, pack, !ts.all_caps, expecting_location}, words, u.entities);
  find_tracking_ids(lex, words, u.entities);
  u.entities.insert(u.entities.end(), scan.entities.begin(), scan.entities.end());
  std::sort(u.entities.begin(), u.entities.end(),
            [](const entity& a, const entity& b) { return a.begin < b.begin; });

  std::size_t content_tokens = 0;
  const word_token* only = nullptr;
  for (const word_token& w : words) {
    if (w.kind != token_kind::punct) {
      ++content_tokens;
      only = &w;
    }
  }

  // A bare carrier keyword is an opt-out whatever else the rules say (STOP, UNSUBSCRIBE).
  // Carriers honour these in any language, so every pack's list counts.
  if (content_tokens == 1 && only->kind == token_kind::word) {
    for (language lang : {language::en, language::es}) {
      const language_pack* p = lex.pack(lang);
      if (p != nullptr && p->opt_out_keywords.contains(only->norm)) {
        u.intent = intent::opt_out;
        u.intent_confidence = 1.0;
        return u;
      }
    }
  }

  const evidence ev = score_terms(pack, words, lex.categories().size());
  std::array<float, intent_count> s{};
  for (std::size_t i = 0; i < intent_count; ++i)
    s[i] = ev.intents[i];

  std::vector<float> cats(ev.categories.size());
  std::transform(ev.categories.begin(), ev.categories.end(), cats.begin(),
                 [](float v) { return std::max(0.0f, v); });
  const auto best_cat_it = std::max_element(cats.begin(), cats.end());
  const float best_cat = best_cat_it == cats.end() ? 0.0f : *best_cat_it;
  const bool has_problem = best_cat >= sc.min_category;

  auto at = [&](intent i) -> float& { return s[static_cast<std::size_t>(i)]; };
  // Negative evidence ("got fixed") may cancel the category's push towards a report.
  at(intent::report_problem) += best_cat * sc.category_to_report;
  for (float& v : s)
    v = std::max(0.0f, v);
  bool has_tracking = false;
  bool has_address = false;
  for (const entity& e : u.entities) {
    has_tracking = has_tracking || e.kind == entity_kind::tracking_id;
    has_address = has_address || e.kind == entity_kind::address || e.kind == entity_kind::lat_long;
  }
  if (has_tracking)
    at(intent::check_status) += sc.tracking_id_to_status;
  if (has_address) {
    // A place alone answers "where?"; a place with a problem is a report.
    if (has_problem) {
      at(intent::report_problem) += sc.address_to_location * 0.5f;
    } else {
      at(intent::provide_location) += sc.address_to_location;
      if (expecting_location)
        at(intent::provide_location) += sc.expectation_boost;
    }
  }
  if (ctx.expecting == expectation::yes_no) {
    if (at(intent::affirm) > 0)
      at(intent::affirm) += sc.expectation_boost;
    if (at(intent::deny) > 0)
      at(intent::deny) += sc.expectation_boost;
  }

  // A number answering a numbered menu, alone or with a word or two that say nothing else
  // ("2 please", "option 2").
  // (A number token may hold digits of other scripts or a replaced invalid byte: only ASCII
  // digits make a choice; found by fuzzing, tests/fuzz/regressions/nlp_understand/.)
  const word_token* number = ctx.expecting == expectation::choice ? menu_number(words) : nullptr;
  int n = 0;
  if (number != nullptr && number->norm.size() <= 2 &&
      std::from_chars(number->norm.data(), number->norm.data() + number->norm.size(), n).ptr ==
          number->norm.data() + number->norm.size()) {
    u.choice = n;
    if (n >= 1 && static_cast<std::size_t>(n) <= ctx.choices.size()) {
      const std::string& id = ctx.choices[static_cast<std::size_t>(n) - 1];
      if (auto chosen = intent_from_string(id)) {
        at(*chosen) += sc.expectation_boost * 2;
      } else if (int c = lex.category_index(id); c >= 0) {
        cats[static_cast<std::size_t>(c)] += sc.expectation_boost * 2;
        at(intent::report_problem) += sc.expectation_boost * 2;
      } else if (is_tracking_id(lex.options(), id)) {
        at(intent::check_status) += sc.expectation_boost * 2;  // a pick from "which report?"
      }
    }
  }

  // The dialog asked what the problem looks like: a reply of a few words that the rules
  // cannot clearly read as anything else describes the problem ("about 2 feet wide, cars
  // swerve", "right in the middle of the lane": a lone "right" is no answer).
  // It names no kind of problem of its own, so it claims no category either (the draft
  // keeps the one it has).
  bool describes_only = false;
  if (ctx.expecting == expectation::description && content_tokens >= 3 &&
      *std::max_element(s.begin(), s.end()) < 2 * sc.min_intent) {
    at(intent::report_problem) += sc.expectation_boost;
    describes_only = !has_problem;
  }

  // Precedence: the best actionable intent with enough evidence beats social talk.
  int best_actionable = -1;
  for (std::size_t i = 0; i < intent_count; ++i) {
    if (tier_of(static_cast<intent>(i)) == tier::actionable && s[i] >= sc.min_intent &&
        (best_actionable < 0 || s[i] > s[static_cast<std::size_t>(best_actionable)])) {
      best_actionable = static_cast<int>(i);
    }
  }
  if (best_actionable >= 0) {
    for (std::size_t i = 0; i < intent_count; ++i) {
      // A yes or no is the answer the dialog asked for, not social talk: "yes, it's
      // blocking the lane" answers the question. A new place still corrects the old one
      // ("no, it's on 1st Ave").
      const bool asked =
          ctx.expecting == expectation::yes_no &&
          static_cast<intent>(best_actionable) != intent::provide_location &&
          (static_cast<intent>(i) == intent::affirm || static_cast<intent>(i) == intent::deny);
      if (tier_of(static_cast<intent>(i)) == tier::social && !asked)
        s[i] *= social_damping;
    }
  }
  std::array<std::size_t, intent_count> order{};
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return s[a] > s[b]; });
  const float total = std::accumulate(s.begin(), s.end(), 0.0f);
  const std::size_t first = order[0];
  const std::size_t second = order[1];
  if (s[first] >= sc.min_intent) {
    u.intent = static_cast<intent>(first);
    u.intent_confidence = share(s[first], total, sc.prior);
    if (s[second] > 0) {
      u.runner_up = static_cast<intent>(second);
      u.runner_up_confidence = share(s[second], total, sc.prior);
    }
  } else {
    u.intent = intent::unknown;
    u.intent_confidence = 1.0 - share(s[first], total, sc.prior);
    if (s[first] > 0) {
      u.runner_up = static_cast<intent>(first);
      u.runner_up_confidence = share(s[first], total, sc.prior);
    }
  }

  // Category: for reports, and for status checks that name the problem.
  const bool wants_category = (u.intent == intent::report_problem && !describes_only) ||
                              (u.intent == intent::check_status && has_problem);
  if (wants_category) {
    const float cat_total = std::accumulate(cats.begin(), cats.end(), 0.0f);
    std::vector<std::size_t> cat_order(cats.size());
    std::iota(cat_order.begin(), cat_order.end(), 0);
    std::partial_sort(cat_order.begin(), cat_order.begin() + std::min<std::size_t>(4, cats.size()),
                      cat_order.end(), [&](auto a, auto b) { return cats[a] > cats[b]; });
    const auto& ids = lex.categories();
    std::size_t next = 0;
    const float top = cats.empty() ? 0.0f : cats[cat_order[0]];
    if (top >= sc.min_category) {
      u.category = ids[cat_order[0]];
      u.category_confidence = share(top, cat_total, sc.prior);
      next = 1;
    } else {
      u.category = "other";
      u.category_confidence = 1.0 - share(top, cat_total, sc.prior);
    }
    for (std::size_t k = next; k < std::min<std::size_t>(next + 3, cat_order.size()); ++k) {
      const float v = cats[cat_order[k]];
      if (v <= 0)
        break;
      u.category_alternatives.push_back(
          scored_id{ids[cat_order[k]], share(v, cat_total, sc.prior)});
    }
  }
  return u;
}

}  // namespace civicline::nlp
