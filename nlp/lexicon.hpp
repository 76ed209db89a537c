#pragma once
// The compiled, immutable form of the rule packs (config/nlp/*.json). Built once at load
// (and again on reload), then shared read-only by every thread.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nlp/typo_index.hpp"
#include "nlp/understanding.hpp"
#include "nlp/word_table.hpp"

namespace civicline::nlp {

/// A rule pack's JSON text and a label (normally its file path) for error messages.
struct rule_pack_source {
  std::string label;
  std::string json;
};

/// Settings that come from the city config rather than from the rule packs.
struct lexicon_options {
  std::string tracking_id_prefix = "311-";
  int tracking_id_digits = 6;
};

/// A rule pack that cannot be compiled; says which file, where in it, and what is wrong.
class lexicon_error : public std::runtime_error {
 public:
  lexicon_error(std::string file, std::string json_path, std::string problem);
  const std::string& file() const { return file_; }
  const std::string& json_path() const { return json_path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string json_path_;
  std::string problem_;
};

struct string_hash {
  using is_transparent = void;
  // FNV-1a, inlined: keys are short words, where std::hash's out-of-line call dominates.
  std::size_t operator()(std::string_view s) const noexcept {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
};
using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;
template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

inline constexpr std::uint32_t no_word = UINT32_MAX;
/// A word id not worked out at load (the word is no keyword surface): the caller stems it and
/// looks for typos itself (language_pack::resolve).
inline constexpr std::uint32_t unresolved_word = UINT32_MAX - 1;

/// What a folded word is to the rules, as bits: one hash lookup per token answers every
/// "is this a street suffix / marker / ..." question on the hot path.
namespace role {
inline constexpr std::uint32_t marker = 1u << 0;
inline constexpr std::uint32_t skip = 1u << 1;
inline constexpr std::uint32_t not_typo = 1u << 2;
inline constexpr std::uint32_t street_suffix = 1u << 3;
inline constexpr std::uint32_t street_type_before = 1u << 4;
inline constexpr std::uint32_t directional = 1u << 5;
inline constexpr std::uint32_t unit_marker = 1u << 6;
inline constexpr std::uint32_t ordinal_word = 1u << 7;
inline constexpr std::uint32_t connector = 1u << 8;
inline constexpr std::uint32_t location_cue = 1u << 9;
inline constexpr std::uint32_t landmark_type = 1u << 10;
inline constexpr std::uint32_t landmark_type_before = 1u << 11;
inline constexpr std::uint32_t landmark_name = 1u << 12;
inline constexpr std::uint32_t landmark_link = 1u << 13;
inline constexpr std::uint32_t state = 1u << 14;
inline constexpr std::uint32_t zip_cue = 1u << 15;
inline constexpr std::uint32_t number_marker = 1u << 16;
inline constexpr std::uint32_t non_name = 1u << 17;
inline constexpr std::uint32_t opt_out = 1u << 18;
inline constexpr std::uint32_t tracking_cue = 1u << 19;
inline constexpr std::uint32_t scope_break = 1u << 20;
inline constexpr std::uint32_t vocabulary = 1u << 21;      ///< a keyword's surface or a rewrite key
inline constexpr std::uint32_t corner_cue_end = 1u << 22;  ///< the last word of a corner cue
inline constexpr std::uint32_t street_name = 1u << 23;     ///< a word of one of the city's streets
}  // namespace role

enum class target_kind : std::uint8_t { intent, category, negator };

/// A weighted keyword or phrase: a sequence of word ids (stems) and what it is evidence for.
struct term {
  std::vector<std::uint32_t> words;
  target_kind kind = target_kind::intent;
  std::uint16_t target = 0;  ///< intent or category index
  float weight = 0;
};

/// The word lists the address and landmark finder uses (all folded).
struct address_rules {
  string_set street_suffixes;                         ///< st, street, rd, ave ... (after the name)
  string_set street_types_before;                     ///< calle, avenida ... (before the name)
  string_set directionals;                            ///< n, north, ne, norte ...
  string_set unit_markers;                            ///< apt, unit, suite, depto ...
  string_set ordinal_words;                           ///< first, second, primera ...
  string_set connectors;                              ///< and, &, /, @, y
  string_set location_cues;                           ///< on, at, near, en ...
  std::vector<std::vector<std::string>> corner_cues;  ///< "corner of", "esquina de" ...
  bool empty_corner_cue = false;                     ///< a cue without words, which ends everywhere
  std::vector<std::vector<std::string>> block_cues;  ///< "block of": "300 block of E Main St"
  string_set landmark_types;                         ///< park, school, library ... (after the name)
  string_set landmark_types_before;                  ///< parque, escuela ... (before the name)
  string_set landmark_names;                         ///< walmart, city hall ...
  string_set landmark_links;                         ///< on, at, off, by: "the walmart on southern"
  string_set states;                                 ///< az, arizona, ...
  string_set zip_cues;                               ///< zip, cp ...
  string_set number_markers;                         ///< no, num, numero: "avenida juarez no 45"
  string_set non_names;     ///< words that never start or continue a street name
  string_set street_names;  ///< the words of the city's street names: dobson, alma, school
};

/// Weights that turn evidence into a decision, tunable per pack.
struct scoring_rules {
  float min_intent = 1.0f;          ///< below this the intent is unknown
  float min_category = 1.0f;        ///< below this a problem report is category "other"
  float prior = 1.0f;               ///< evidence for "none of these" in the confidence
  float category_to_report = 0.9f;  ///< category evidence counts towards report_problem
  float tracking_id_to_status = 2.5f;
  float address_to_location = 2.0f;
  float expectation_boost = 2.0f;  ///< for the answer the dialog asked for
  int negation_window = 3;         ///< words after "not" that it negates
};

/// What one language's pack makes of a folded word.
struct pack_word {
  std::uint32_t roles = 0;               ///< role bits (see role::)
  std::uint32_t word = unresolved_word;  ///< word id for a word token: surface, stem or typo fix
  std::uint32_t surface = no_word;       ///< word id for a number or emoji token: surface only
  std::uint32_t rewrite = 0;             ///< 1 + index in language_pack::rewrite_lists; 0: none
};

/// A folded word that some pack knows, with what each language's pack makes of it: one
/// lookup per token answers the language guess, the roles, the word id and the rewrite.
struct known_word {
  std::array<pack_word, 2> in;  ///< by language (static_cast<size_t>(language))
};

/// One word of a rewrite's expansion, looked up at load.
struct rewritten_word {
  std::string norm;
  std::uint32_t roles = 0;
  std::uint32_t word = no_word;
};

struct language_pack {
  language lang = language::en;
  std::string label;
  string_map<std::vector<std::string>> rewrites;  ///< SMS abbreviations and misspellings
  string_map<std::uint32_t> surfaces;             ///< folded word -> word id
  string_map<std::uint32_t> stems;                ///< Snowball stem -> word id
  std::vector<std::string> words;                 ///< word id -> its stem (for debugging)
  typo_index typos;                               ///< folded words and stems -> word id
  string_set markers;                             ///< common words that tell the language apart
  std::vector<std::string> marker_letters;        ///< letters only this language uses: "ñ", "¿"
  string_set skip_words;                          ///< articles and fillers that phrases may skip
  string_set not_typos;         ///< real words one edit from a keyword ("dark" is not "park")
  string_set opt_out_keywords;  ///< carrier keywords that alone mean opt out (STOP)
  string_set tracking_cues;     ///< ticket, case, reporte ...
  string_set scope_breaks;      ///< words that end a negation's scope ("but")
  std::vector<term> terms;
  std::vector<std::vector<std::uint32_t>> terms_by_first_word;  ///< word id -> term indexes
  std::vector<std::vector<rewritten_word>> rewrite_lists;       ///< see pack_word::rewrite
  address_rules address;
  scoring_rules scoring;

  /// The word id of a word token with this folded text and these role bits: its surface,
  /// else its Snowball stem, else the nearest keyword within the typo distance (never for
  /// words the pack marks as real or common). `scratch` is reused for the stem.
  std::uint32_t resolve(std::string_view folded, std::uint32_t roles, std::string& scratch) const;
};

class lexicon {
 public:
  /// Compiles rule packs (one per language) into a lexicon; throws lexicon_error.
  static std::shared_ptr<const lexicon> compile(std::span<const rule_pack_source> packs,
                                                const lexicon_options& options = {});

  /// The pack for a language, or nullptr if none was loaded.
  const language_pack* pack(language lang) const;
  /// The first pack loaded: the default language.
  const language_pack& default_pack() const { return packs_.front(); }
  /// What the packs make of a folded word (hash = word_hash(folded)), or nullptr if no pack
  /// knows it.
  const known_word* lookup(std::string_view folded, std::uint64_t hash) const {
    return words_.find(folded, hash);
  }
  /// Category ids in the order they were first declared.
  const std::vector<std::string>& categories() const { return categories_; }
  /// Index of a category id, or -1.
  int category_index(std::string_view id) const;
  const lexicon_options& options() const { return options_; }
  /// Approximate heap bytes held by the compiled lexicon.
  std::size_t memory_bytes() const;

 private:
  lexicon() = default;
  std::vector<language_pack> packs_;
  word_table<known_word> words_;
  std::vector<std::string> categories_;
  int other_category_ = -1;
  lexicon_options options_;
  friend struct lexicon_builder;
};

}  // namespace civicline::nlp
