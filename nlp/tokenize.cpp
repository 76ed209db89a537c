#include "nlp/tokenize.hpp"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <memory>
#include <stdexcept>

#include "nlp/normalize.hpp"

namespace civicline::nlp {
namespace {

icu::BreakIterator& word_breaker() {
  // A BreakIterator is stateful and not thread-safe; creating one costs far more than a
  // message, so each thread keeps its own. This cache is invisible to callers.
  thread_local std::unique_ptr<icu::BreakIterator> breaker = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !it)
      throw std::runtime_error("ICU word break data is missing");
    return it;
  }();
  return *breaker;
}

bool is_emoji(UChar32 c) {
  return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
         u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR) ||
         u_hasBinaryProperty(c, UCHAR_EMOJI_PRESENTATION);
}

}  // namespace

token_stream tokenize(std::string_view text) {
  if (text.size() > max_text_bytes)
    text = text.substr(0, max_text_bytes);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto n = static_cast<std::int32_t>(text.size());

  // Decode by hand (not UnicodeString::fromUTF8) to keep each UTF-16 unit's byte offset.
  std::u16string units(text.size(), u'\0');
  std::vector<std::uint32_t> offsets(text.size() + 1);
  std::size_t u = 0;
  for (std::int32_t i = 0; i < n;) {
    const auto start = static_cast<std::uint32_t>(i);
    if (bytes[i] < 0x80) {  // ASCII: one byte, one unit
      units[u] = bytes[i++];
      offsets[u++] = start;
      continue;
    }
    UChar32 c;
    U8_NEXT(bytes, i, n, c);
    if (c < 0)
      c = 0xFFFD;
    if (c <= 0xFFFF) {
      units[u] = static_cast<char16_t>(c);
      offsets[u++] = start;
    } else {  // a 4-byte sequence always leaves room for its two units
      units[u] = static_cast<char16_t>(U16_LEAD(c));
      offsets[u++] = start;
      units[u] = static_cast<char16_t>(U16_TRAIL(c));
      offsets[u++] = start;
    }
  }
  units.resize(u);
  offsets.resize(u + 1);
  offsets[u] = static_cast<std::uint32_t>(n);

  token_stream out;
  out.folded.reserve(text.size() + 16);
  out.tokens.reserve(text.size() / 4 + 4);
  const icu::UnicodeString ustr(false, units.data(), static_cast<std::int32_t>(units.size()));
  icu::BreakIterator& breaker = word_breaker();
  breaker.setText(ustr);

  int words = 0;
  int upper_words = 0;
  for (std::int32_t start = breaker.first(), end = breaker.next(); end != icu::BreakIterator::DONE;
       start = end, end = breaker.next()) {
    const std::int32_t status = breaker.getRuleStatus();
    const UChar32 first = ustr.char32At(start);
    token t;
    if (status >= UBRK_WORD_NUMBER && status < UBRK_WORD_NUMBER_LIMIT) {
      t.kind = token_kind::number;
    } else if (status >= UBRK_WORD_LETTER) {
      t.kind = token_kind::word;
    } else if (u_isUWhiteSpace(first) || u_charType(first) == U_CONTROL_CHAR ||
               u_charType(first) == U_FORMAT_CHAR) {
      continue;
    } else if (is_emoji(first) && first > 0x7F) {  // '#' and digits are emoji bases too
      t.kind = token_kind::emoji;
    } else {
      t.kind = token_kind::punct;
    }
    t.begin = offsets[static_cast<std::size_t>(start)];
    t.end = offsets[static_cast<std::size_t>(end)];
    t.norm_begin = static_cast<std::uint32_t>(out.folded.size());
    fold_utf16_append(units.data() + start, end - start, out.folded);
    t.norm_length = static_cast<std::uint32_t>(out.folded.size()) - t.norm_begin;
    if (t.kind == token_kind::word) {
      t.capitalized = u_isupper(first) || u_istitle(first);
      bool has_lower = false;
      bool has_letter = false;
      for (std::int32_t i = start; i < end;) {
        const char16_t unit = units[static_cast<std::size_t>(i)];
        if (unit < 0x80) {  // ASCII without ICU's property lookups
          ++i;
          const bool lower = unit >= 'a' && unit <= 'z';
          has_letter = has_letter || lower || (unit >= 'A' && unit <= 'Z');
          has_lower = has_lower || lower;
          continue;
        }
        UChar32 c = ustr.char32At(i);
        i += U16_LENGTH(c);
        if (u_isalpha(c)) {
          has_letter = true;
          has_lower = has_lower || u_islower(c);
        }
      }
      if (has_letter) {
        ++words;
        if (!has_lower)
          ++upper_words;
      }
    }
    if (t.norm_length > 0)
      out.tokens.push_back(t);
  }
  breaker.setText(icu::UnicodeString());  // do not keep a pointer to this call's buffer
  out.all_caps = words >= 2 && upper_words == words;
  return out;
}

}  // namespace civicline::nlp
