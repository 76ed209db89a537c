#pragma once
// Splitting a message into tokens that remember where they came from in the original bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::nlp {

enum class token_kind : std::uint8_t { word, number, emoji, punct };

struct token {
  std::uint32_t begin = 0;  ///< byte span in the original text
  std::uint32_t end = 0;
  std::uint32_t norm_begin = 0;  ///< folded form, inside token_stream::folded
  std::uint32_t norm_length = 0;
  token_kind kind = token_kind::word;
  bool capitalized = false;  ///< first letter upper case in the original
};

struct token_stream {
  std::string folded;  ///< all folded token texts, back to back
  std::vector<token> tokens;
  bool all_caps = false;  ///< every word upper case, so capitals carry no meaning

  std::string_view norm(const token& t) const {
    return std::string_view(folded).substr(t.norm_begin, t.norm_length);
  }
};

/// The longest text looked at; longer input is cut (messages are SMS- or chat-sized).
inline constexpr std::size_t max_text_bytes = 64 * 1024;

/// Splits UTF-8 text into words, numbers, emoji and punctuation at the boundaries of ICU's
/// word BreakIterator; whitespace is dropped and invalid UTF-8 is read as U+FFFD. Runs of
/// ASCII between spaces take a faster path with the same result; the rest goes to ICU.
token_stream tokenize(std::string_view text);

/// tokenize() into `out`, reusing its buffers (a caller that keeps one allocates nothing once
/// they have grown).
void tokenize_into(std::string_view text, token_stream& out);

/// tokenize() with every byte through ICU: the reference the ASCII fast path must equal.
token_stream tokenize_with_icu(std::string_view text);

}  // namespace civicline::nlp
