#include "nlp/tokenize.hpp"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <array>
#include <memory>
#include <span>
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

// Builds the token_stream; counts words so that all_caps can be decided at the end.
struct stream_builder {
  token_stream out;
  int words = 0;
  int upper_words = 0;

  void count_word(bool has_letter, bool has_lower) {
    if (has_letter) {
      ++words;
      if (!has_lower)
        ++upper_words;
    }
  }
};

// Tokenizes text[begin, end) with ICU's word BreakIterator. The span must start and end on
// word boundaries of the whole text (see tokenize), so the result is the same as ICU's on it.
void tokenize_icu(std::string_view text, std::size_t begin, std::size_t end, std::u16string& units,
                  std::vector<std::uint32_t>& offsets, stream_builder& b) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data()) + begin;
  const auto n = static_cast<std::int32_t>(end - begin);
  const auto base = static_cast<std::uint32_t>(begin);

  // Decode by hand (not UnicodeString::fromUTF8) to keep each UTF-16 unit's byte offset.
  units.resize(static_cast<std::size_t>(n));
  offsets.resize(static_cast<std::size_t>(n) + 1);
  std::size_t u = 0;
  for (std::int32_t i = 0; i < n;) {
    const auto start = base + static_cast<std::uint32_t>(i);
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
  offsets[u] = base + static_cast<std::uint32_t>(n);

  token_stream& out = b.out;
  const icu::UnicodeString ustr(false, units.data(), static_cast<std::int32_t>(units.size()));
  icu::BreakIterator& breaker = word_breaker();
  breaker.setText(ustr);

  for (std::int32_t start = breaker.first(), stop = breaker.next();
       stop != icu::BreakIterator::DONE; start = stop, stop = breaker.next()) {
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
    t.end = offsets[static_cast<std::size_t>(stop)];
    t.norm_begin = static_cast<std::uint32_t>(out.folded.size());
    fold_utf16_append(units.data() + start, stop - start, out.folded);
    t.norm_length = static_cast<std::uint32_t>(out.folded.size()) - t.norm_begin;
    if (t.kind == token_kind::word) {
      t.capitalized = u_isupper(first) || u_istitle(first);
      bool has_lower = false;
      bool has_letter = false;
      for (std::int32_t i = start; i < stop;) {
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
      b.count_word(has_letter, has_lower);
    }
    if (t.norm_length > 0)
      out.tokens.push_back(t);
  }
  breaker.setText(icu::UnicodeString());  // do not keep a pointer to this call's buffer
}

// ASCII bytes that end a run: a word boundary falls on each side of them (UAX #29 joins only
// CR LF and space space, and those tokens are dropped anyway).
bool is_separator(std::uint8_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// UAX #29 word-break classes of the ASCII characters that are not separators, as ICU's
// root rules use them: ICU leaves ':' out of MidLetter and (since ICU 72, for e-mail
// addresses) counts '@' as a letter. tokenize_test checks the table against the ICU in use.
enum class wb : std::uint8_t { other, letter, numeric, ext_num_let, mid_num_let, mid_num };

constexpr wb compute_wb_class(std::uint8_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '@')
    return wb::letter;
  if (c >= '0' && c <= '9')
    return wb::numeric;
  if (c == '_')
    return wb::ext_num_let;
  if (c == '.' || c == '\'')  // MidNumLet and Single_Quote act alike without Hebrew
    return wb::mid_num_let;
  if (c == ',' || c == ';')
    return wb::mid_num;
  return wb::other;
}

constexpr auto wb_table = [] {
  std::array<wb, 128> table{};
  for (std::size_t c = 0; c < table.size(); ++c)
    table[c] = compute_wb_class(static_cast<std::uint8_t>(c));
  return table;
}();

wb wb_class(std::uint8_t c) {
  return wb_table[c & 0x7F];  // callers pass ASCII only
}

constexpr bool word_like(wb c) {
  return c == wb::letter || c == wb::numeric || c == wb::ext_num_let;
}

// Tokenizes an ASCII run without separators exactly as ICU's word BreakIterator does:
// letters, digits and '_' join (WB5, WB8-WB10, WB13a/b); '.' and '\'' join letters (WB6-7);
// '.', '\'', ',' and ';' join digits (WB11-12); everything else stands alone. A segment is a
// number or a word by the last join (ICU's rule status); a lone '_' is punctuation.
void tokenize_ascii_run(std::string_view text, std::size_t begin, std::size_t end,
                        stream_builder& b) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  token_stream& out = b.out;
  std::size_t i = begin;
  while (i < end) {
    const std::size_t start = i;
    wb prev = wb_class(s[i]);
    token t;
    if (!word_like(prev)) {
      ++i;
      if (s[start] < 0x20 || s[start] == 0x7F)
        continue;  // control characters are dropped, as ICU's path drops them
      t.kind = token_kind::punct;
    } else {
      // ICU's rule status: 200 (word) or 100 (number) by the last join; 0 for a lone '_'.
      int status = prev == wb::letter ? 200 : prev == wb::numeric ? 100 : 0;
      ++i;
      while (i < end) {
        const wb next = wb_class(s[i]);
        if (word_like(next)) {
          status = next == wb::letter    ? 200
                   : next == wb::numeric ? 100
                   : prev == wb::numeric ? 100
                                         : 200;
          prev = next;
          ++i;
          continue;
        }
        if (i + 1 < end && (prev == wb::letter || prev == wb::numeric) &&
            (next == wb::mid_num_let || (next == wb::mid_num && prev == wb::numeric)) &&
            wb_class(s[i + 1]) == prev) {
          i += 2;
          status = prev == wb::letter ? 200 : 100;
          continue;
        }
        break;
      }
      t.kind = status == 100   ? token_kind::number
               : status == 200 ? token_kind::word
                               : token_kind::punct;
    }
    t.begin = static_cast<std::uint32_t>(start);
    t.end = static_cast<std::uint32_t>(i);
    t.norm_begin = static_cast<std::uint32_t>(out.folded.size());
    t.norm_length = t.end - t.begin;
    out.folded.append(text.data() + start, i - start);
    bool has_lower = false;
    bool has_upper = false;
    for (char& c : std::span(out.folded).subspan(t.norm_begin)) {
      const bool upper = c >= 'A' && c <= 'Z';
      has_upper = has_upper || upper;
      has_lower = has_lower || (c >= 'a' && c <= 'z');
      if (upper)
        c = static_cast<char>(c - 'A' + 'a');
    }
    if (t.kind == token_kind::word) {
      t.capitalized = s[start] >= 'A' && s[start] <= 'Z';
      b.count_word(has_lower || has_upper, has_lower);
    }
    out.tokens.push_back(t);
  }
}

std::string_view clamp(std::string_view text) {
  return text.size() > max_text_bytes ? text.substr(0, max_text_bytes) : text;
}

token_stream finish(stream_builder& b) {
  b.out.all_caps = b.words >= 2 && b.upper_words == b.words;
  return std::move(b.out);
}

}  // namespace

token_stream tokenize(std::string_view text) {
  text = clamp(text);
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  stream_builder b;
  b.out.folded.reserve(n + 16);
  b.out.tokens.reserve(n / 4 + 4);
  std::u16string units;
  std::vector<std::uint32_t> offsets;

  // Runs between ASCII separators: all-ASCII runs take the fast path; the rest go to ICU.
  auto run_end = [&](std::size_t i, bool& ascii) {
    std::uint8_t any = 0;
    for (; i < n && !is_separator(s[i]); ++i)
      any |= s[i];
    ascii = any < 0x80;
    return i;
  };
  std::size_t i = 0;
  while (i < n) {
    const std::size_t gap = i;
    while (i < n && is_separator(s[i]))
      ++i;
    if (i == n)
      break;
    bool ascii = true;
    std::size_t end = run_end(i, ascii);
    if (ascii) {
      tokenize_ascii_run(text, i, end, b);
      i = end;
      continue;
    }
    // ICU gets the separators before the run too (a combining mark or ZWJ after a space
    // joins the space), and every following run that is not ASCII either: its edges are
    // then ASCII on both sides of a separator, where ICU always breaks.
    for (;;) {
      std::size_t next = end;
      while (next < n && is_separator(s[next]))
        ++next;
      if (next == n)
        break;
      const std::size_t next_end = run_end(next, ascii);
      if (ascii)
        break;
      end = next_end;
    }
    tokenize_icu(text, gap, end, units, offsets, b);
    i = end;
  }
  return finish(b);
}

token_stream tokenize_with_icu(std::string_view text) {
  text = clamp(text);
  stream_builder b;
  b.out.folded.reserve(text.size() + 16);
  b.out.tokens.reserve(text.size() / 4 + 4);
  std::u16string units;
  std::vector<std::uint32_t> offsets;
  tokenize_icu(text, 0, text.size(), units, offsets, b);
  return finish(b);
}

}  // namespace civicline::nlp
