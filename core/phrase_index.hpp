#pragma once
// Word lists of the reply templates (opt-out keywords, emergency phrases, ...) compiled for
// matching: split into words once at load and indexed by their first word, so asking "does
// the message mention one of them?" costs a look-up per message word, not a pass over every
// entry with a fresh split of each.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace civicline::core {

/// Splits folded text into words: runs of ASCII letters and digits and of non-ASCII bytes.
std::vector<std::string> split_words(std::string_view folded);

class phrase_index {
 public:
  phrase_index() = default;
  /// `folded_entries`: each a phrase of one or more words (already folded).
  explicit phrase_index(const std::vector<std::string>& folded_entries);

  /// True when some entry occurs as consecutive words of `words`.
  bool occurs_in(const std::vector<std::string>& words) const;
  /// True when some entry is exactly `words`.
  bool equals(const std::vector<std::string>& words) const;

 private:
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  /// First word -> the entries starting with it (each as its words).
  std::unordered_map<std::string, std::vector<std::vector<std::string>>, text_hash, std::equal_to<>>
      by_first_word_;
};

}  // namespace civicline::core
