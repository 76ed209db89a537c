#pragma once
// The bot's replies, per language, from config/templates/<lang>.json; a city
// rewrites them without rebuilding. Rendering fills {placeholders}.

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/phrase_index.hpp"
#include "nlp/understanding.hpp"

namespace civicline::core {

/// A template file that cannot be used; names the file, the key and the problem.
class template_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class reply_templates {
 public:
  /// Compiles {label, json text} per language; checks every language has every key that
  /// the dialog uses, and that placeholders are known. Throws template_error.
  static reply_templates compile(const std::vector<std::pair<std::string, std::string>>& sources);

  /// The template `key` in `lang` with {name} placeholders replaced by `values`.
  std::string render(nlp::language lang, std::string_view key,
                     const std::map<std::string, std::string>& values = {}) const;

  /// Every (language, key, raw text), for the segment-count test and docs.
  std::vector<std::tuple<nlp::language, std::string, std::string>> all() const;

  /// A word list from the "words" section (folded): opt-out keywords, emergency phrases, ...
  const std::vector<std::string>& words(nlp::language lang, std::string_view list) const;
  /// The same list compiled for matching against a message's words.
  const phrase_index& phrases(nlp::language lang, std::string_view list) const;

  /// The languages that were compiled, in source order (the first is the default).
  const std::vector<nlp::language>& languages() const { return languages_; }

  /// The keys and word lists the dialog needs in every language.
  static const std::vector<std::string_view>& required_keys();
  static const std::vector<std::string_view>& required_word_lists();

 private:
  std::map<std::pair<nlp::language, std::string>, std::string, std::less<>> texts_;
  std::map<std::pair<nlp::language, std::string>, std::vector<std::string>, std::less<>> words_;
  std::map<std::pair<nlp::language, std::string>, phrase_index, std::less<>> phrases_;
  std::vector<nlp::language> languages_;
};

/// How many SMS segments `text` takes: GSM-7 (160, or 153 per part) when every character is
/// in the GSM 03.38 alphabet, otherwise UCS-2 (70, or 67 per part).
int sms_segments(std::string_view utf8_text);

}  // namespace civicline::core
