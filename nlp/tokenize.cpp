#include "nlp/tokenize.hpp"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
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
  token_stream& out;
  /// Bytes of out.folded in use: the fast path writes past them, into room made beforehand.
  std::size_t used = 0;
  int words = 0;
  int upper_words = 0;

  void make_room(std::size_t bytes) {
    if (out.folded.size() < used + bytes)
      out.folded.resize(used + bytes);
  }

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
constexpr bool is_separator(std::uint8_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// UAX #29 word-break classes of the characters the fast path reads, as ICU's root rules use
// them: ICU leaves ':' out of MidLetter and (since ICU 72, for e-mail addresses) counts '@' as
// a letter. tokenize_test checks the fast path against the ICU in use.
enum class wb : std::uint8_t { other, letter, numeric, ext_num_let, mid_num_let, mid_num };

constexpr bool word_like(wb c) {
  return c == wb::letter || c == wb::numeric || c == wb::ext_num_let;
}

// What the fast path needs of a character while finding boundaries (small enough to travel
// in a register). length 0: a character only ICU handles (marks, joiners, CJK,
// invalid bytes...), which sends its whole run to ICU.
struct char_facts {
  std::uint8_t length = 0;  ///< UTF-8 bytes
  wb cls = wb::other;
  std::uint8_t flags = 0;  ///< fact:: bits
};
namespace fact {
constexpr std::uint8_t upper = 1;    ///< capitalizes a word it starts (u_isupper or u_istitle)
constexpr std::uint8_t lower = 2;    ///< lower case, for the all-caps count
constexpr std::uint8_t alpha = 4;    ///< a letter, for the all-caps count
constexpr std::uint8_t dropped = 8;  ///< a control character: no token, as ICU's path drops it
constexpr std::uint8_t emoji = 16;   ///< stands alone as an emoji token (else punctuation)
constexpr std::uint8_t separator = 32;
}  // namespace fact

// A non-ASCII character the fast path handles, with what ICU's path folds it to.
struct char_info {
  char_facts facts;
  std::uint8_t folded_length = 0;
  std::array<char, 4> folded{};
};

constexpr char_facts ascii_facts_of(std::uint8_t c) {
  char_facts f;
  f.length = 1;
  const bool upper = c >= 'A' && c <= 'Z';
  const bool lower = c >= 'a' && c <= 'z';
  f.flags = static_cast<std::uint8_t>(
      (upper ? fact::upper | fact::alpha : 0) | (lower ? fact::lower | fact::alpha : 0) |
      ((c < 0x20 || c == 0x7F) ? fact::dropped : 0) | (is_separator(c) ? fact::separator : 0));
  if (upper || lower || c == '@')
    f.cls = wb::letter;
  else if (c >= '0' && c <= '9')
    f.cls = wb::numeric;
  else if (c == '_')
    f.cls = wb::ext_num_let;
  else if (c == '.' || c == '\'')  // MidNumLet and Single_Quote act alike without Hebrew
    f.cls = wb::mid_num_let;
  else if (c == ',' || c == ';')
    f.cls = wb::mid_num;
  return f;
}

constexpr auto ascii_facts = [] {
  std::array<char_facts, 128> table{};
  for (std::size_t c = 0; c < table.size(); ++c)
    table[c] = ascii_facts_of(static_cast<std::uint8_t>(c));
  return table;
}();

void encode_utf8(UChar32 c, std::string& out) {
  char buf[4];
  std::int32_t len = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<std::uint8_t*>(buf), len, 4, c, error);
  if (!error)
    out.append(buf, static_cast<std::size_t>(len));
}

// Facts about a non-ASCII character from ICU's properties; handled only where the fast path
// provably gives ICU's answer. Letters are taken from below U+0590 only (Latin, Greek,
// Cyrillic, Armenian: no dictionary or ideographic rules there); the others are punctuation,
// symbols, emoji and curly apostrophes that ICU's rules leave standing alone or join like '.'.
char_info non_ascii_info(UChar32 c) {
  char_info i;
  const auto word_break = u_getIntPropertyValue(c, UCHAR_WORD_BREAK);
  const auto category = u_charType(c);
  const bool plain = !u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_NFKC_CASEFOLDED) &&
                     u_getIntPropertyValue(c, UCHAR_DECOMPOSITION_TYPE) == U_DT_NONE;
  const bool letter = category == U_UPPERCASE_LETTER || category == U_LOWERCASE_LETTER ||
                      category == U_TITLECASE_LETTER || category == U_MODIFIER_LETTER ||
                      category == U_OTHER_LETTER;
  const bool symbol = (category >= U_DASH_PUNCTUATION && category <= U_OTHER_SYMBOL) ||
                      category == U_INITIAL_PUNCTUATION || category == U_FINAL_PUNCTUATION;
  const bool pictographic = u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC);
  std::string folded;
  if (c < 0x590 && word_break == U_WB_ALETTER && letter && u_getCombiningClass(c) == 0) {
    i.facts.cls = wb::letter;
    i.facts.flags = static_cast<std::uint8_t>((u_isupper(c) || u_istitle(c) ? fact::upper : 0) |
                                              (u_isalpha(c) ? fact::alpha : 0) |
                                              (u_islower(c) ? fact::lower : 0));
    std::string utf8;
    encode_utf8(c, utf8);
    folded = fold(utf8);
  } else if (word_break == U_WB_OTHER && symbol && pictographic && plain) {
    i.facts.flags = fact::emoji;  // "😡": ICU breaks on both sides of a lone pictograph
    encode_utf8(c, folded);
  } else if (word_break == U_WB_OTHER && symbol && !is_emoji(c) && plain && !u_isUWhiteSpace(c)) {
    encode_utf8(c, folded);  // "¿", "“", "–", "€"
  } else if (word_break == U_WB_MIDNUMLET && plain && (c == 0x2018 || c == 0x2019)) {
    i.facts.cls = wb::mid_num_let;  // "can’t" joins like "can't"
    folded.push_back('\'');
  } else {
    return i;
  }
  // A fold longer than the character itself (U+0587 "եւ") is left to ICU, so that folded
  // text never outgrows the text on the fast path.
  if (folded.empty() || folded.size() > static_cast<std::size_t>(U8_LENGTH(c)))
    return char_info{};
  i.facts.length = static_cast<std::uint8_t>(U8_LENGTH(c));
  i.folded_length = static_cast<std::uint8_t>(folded.size());
  std::copy(folded.begin(), folded.end(), i.folded.begin());
  return i;
}

// The blocks messages use most, worked out once from ICU: two-byte letters and signs
// (U+0080-U+058F), general punctuation (U+2000-U+206F) and emoji (U+1F000-U+1FAFF).
template <UChar32 First, UChar32 Last>
const char_info& block_info(UChar32 c) {
  static const auto table = [] {
    std::array<char_info, Last - First> t{};
    for (UChar32 k = First; k < Last; ++k)
      t[static_cast<std::size_t>(k - First)] = non_ascii_info(k);
    return t;
  }();
  return table[static_cast<std::size_t>(c - First)];
}

char_info info_of(UChar32 c) {
  if (c >= 0x80 && c < 0x590)
    return block_info<0x80, 0x590>(c);
  if (c >= 0x2000 && c < 0x2070)
    return block_info<0x2000, 0x2070>(c);
  if (c >= 0x1F000 && c < 0x1FB00)
    return block_info<0x1F000, 0x1FB00>(c);
  return non_ascii_info(c);
}

// The non-ASCII character at s[i] (i < n), or facts.length 0 when the fast path does not
// handle it (including invalid UTF-8, which ICU's path replaces).
[[gnu::noinline]] char_info non_ascii_at(const std::uint8_t* s, std::size_t i, std::size_t n) {
  const std::uint8_t b = s[i];
  auto cont = [&](std::size_t k, std::uint8_t lo = 0x80, std::uint8_t hi = 0xBF) {
    return i + k < n && s[i + k] >= lo && s[i + k] <= hi;
  };
  if (b >= 0xC2 && b <= 0xDF && cont(1))
    return info_of(((b & 0x1F) << 6) | (s[i + 1] & 0x3F));
  if (b >= 0xE0 && b <= 0xEF && cont(1, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF) &&
      cont(2)) {
    return info_of(((b & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F));
  }
  if (b >= 0xF0 && b <= 0xF4 && cont(1, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF) &&
      cont(2) && cont(3)) {
    return info_of(((b & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) |
                   (s[i + 3] & 0x3F));
  }
  return char_info{};
}

char_facts facts_at(const std::uint8_t* s, std::size_t i, std::size_t n) {
  return s[i] < 0x80 ? ascii_facts[s[i]] : non_ascii_at(s, i, n).facts;
}

// Whether every character of the run at i (up to the next separator) is one the fast path
// handles; `end` is set to the run's end.
bool simple_run(const std::uint8_t* s, std::size_t i, std::size_t n, std::size_t& end) {
  bool simple = true;
  while (i < n && !is_separator(s[i])) {
    const char_facts c = simple ? facts_at(s, i, n) : char_facts{};
    simple = simple && c.length != 0;
    i += simple ? c.length : 1;
  }
  end = i;
  return simple;
}

// How many of the eight bytes in x (first byte lowest) are ASCII letters before the first
// byte that is not, by arithmetic on all eight at once: no carry crosses a byte, since the
// high bits are cleared first.
std::size_t leading_ascii_letters(std::uint64_t x) {
  static_assert(std::endian::native == std::endian::little);
  constexpr std::uint64_t ones = ~std::uint64_t{0} / 255;
  const std::uint64_t y = (x | ones * 0x20) & ones * 0x7F;   // lower case, high bits cleared
  const std::uint64_t from_a = y + ones * (0x80 - 'a');      // high bit: y >= 'a'
  const std::uint64_t past_z = y + ones * (0x80 - 'z' - 1);  // high bit: y > 'z'
  const std::uint64_t letters = from_a & ~past_z & ~x & ones * 0x80;
  const std::uint64_t others = ~letters & ones * 0x80;
  return others == 0 ? 8 : static_cast<std::size_t>(std::countr_zero(others)) / 8;
}

// push_back, inlined: GCC keeps the call out of line in the long loop below, and it is made
// once per token.
[[gnu::always_inline]] inline void add_token(std::vector<token>& tokens, const token& t) {
  if (tokens.size() < tokens.capacity()) [[likely]] {
    tokens.emplace_back(t);
    return;
  }
  tokens.push_back(t);
}

// Tokenizes text from `pos` exactly as ICU's word BreakIterator does, for runs (text
// between ASCII separators) that hold only characters the fast path handles: letters, digits
// and '_' join (WB5, WB8-WB10, WB13a/b); '.' and '\'' join letters (WB6-7); '.', '\'', ','
// and ';' join digits (WB11-12); everything else stands alone. A segment is a number or a
// word by the last join (ICU's rule status); a lone '_' is punctuation. Stops before the
// first run holding another character and returns false, with `pos` at the separators before
// that run; returns true at the end of the text. Folded text is written at b.used, into room
// for one byte per byte of text (no character it handles folds to more).
bool tokenize_simple_runs(std::string_view text, std::size_t& pos, stream_builder& b) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  token_stream& out = b.out;
  char* const base = out.folded.data();
  char* w = base + b.used;
  // Writes one character's folded form; returns its facts (length 0: not handled).
  auto put = [&](std::size_t k) -> char_facts {
    const std::uint8_t c = s[k];
    if (c < 0x80) {
      *w++ = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      return ascii_facts[c];
    }
    const char_info info = non_ascii_at(s, k, n);
    std::copy_n(info.folded.data(), info.folded_length, w);
    w += info.folded_length;
    return info.facts;
  };
  auto ascii_letter = [](std::uint8_t c) { return static_cast<unsigned>((c | 0x20) - 'a') < 26u; };
  std::size_t i = pos;
  for (;;) {
    const std::size_t gap = i;
    while (i < n && is_separator(s[i]))
      ++i;
    if (i == n) {
      b.used = static_cast<std::size_t>(w - base);
      pos = i;
      return true;
    }
    // Where this run started, to leave it to ICU.
    char* const run_w = w;
    const std::size_t run_tokens = out.tokens.size();
    const int run_words = b.words;
    const int run_upper = b.upper_words;
    auto give_up = [&] {
      out.tokens.resize(run_tokens);
      b.words = run_words;
      b.upper_words = run_upper;
      b.used = static_cast<std::size_t>(run_w - base);
      pos = gap;
      return false;
    };
    while (i < n && !is_separator(s[i])) {
      const std::size_t start = i;
      char* const folded_start = w;
      token t;
      std::uint8_t flags = 0;
      wb prev = wb::letter;
      int status = 200;  // ICU's rule status: 200 (word) or 100 (number) by the last join
      if (ascii_letter(s[i])) {
        // The common case first: a run of ASCII letters, folded as it is read, eight bytes
        // at a time while eight remain (the folded buffer has room for the overhang).
        std::uint64_t any = 0;  // the letters' bytes or'ed: bit 5 set if one is lower case
        for (;;) {
          if (i + 8 > n) {
            while (i < n && ascii_letter(s[i])) {
              any |= s[i];
              *w++ = static_cast<char>(s[i++] | 0x20);
            }
            break;
          }
          std::uint64_t x;
          std::memcpy(&x, s + i, 8);
          const std::size_t k = leading_ascii_letters(x);
          const std::uint64_t lower = x | 0x2020202020202020ull;
          std::memcpy(w, &lower, 8);
          any |= k == 8 ? x : x & ((std::uint64_t{1} << (8 * k)) - 1);
          w += k;
          i += k;
          if (k < 8)
            break;
        }
        flags = static_cast<std::uint8_t>(fact::alpha |
                                          ((any & 0x2020202020202020ull) != 0 ? fact::lower : 0) |
                                          ((s[start] & 0x20) == 0 ? fact::upper : 0));
      } else {
        const char_facts first = put(i);
        if (first.length == 0) {
          return give_up();
        }
        i += first.length;
        if (!word_like(first.cls)) {
          if ((first.flags & fact::dropped) != 0) {
            w = folded_start;
            continue;
          }
          t.kind = (first.flags & fact::emoji) != 0 ? token_kind::emoji : token_kind::punct;
          t.begin = static_cast<std::uint32_t>(start);
          t.end = static_cast<std::uint32_t>(i);
          t.norm_begin = static_cast<std::uint32_t>(folded_start - base);
          t.norm_length = static_cast<std::uint32_t>(w - folded_start);
          add_token(out.tokens, t);
          continue;
        }
        prev = first.cls;
        status = prev == wb::letter ? 200 : prev == wb::numeric ? 100 : 0;
        flags = first.flags;
      }
      const bool first_upper = (flags & fact::upper) != 0;
      while (i < n && !is_separator(s[i])) {
        char* const here = w;
        const char_facts next = put(i);
        if (next.length == 0)
          return give_up();
        if (word_like(next.cls)) {
          status = next.cls == wb::letter    ? 200
                   : next.cls == wb::numeric ? 100
                   : prev == wb::numeric     ? 100
                                             : 200;
          prev = next.cls;
          flags |= next.flags;
          i += next.length;
          continue;
        }
        const std::size_t after = i + next.length;
        if (after < n && !is_separator(s[after]) && (prev == wb::letter || prev == wb::numeric) &&
            (next.cls == wb::mid_num_let || (next.cls == wb::mid_num && prev == wb::numeric))) {
          const char_facts joined = put(after);
          if (joined.length == 0)
            return give_up();
          if (joined.cls == prev) {
            flags |= joined.flags;
            i = after + joined.length;
            status = prev == wb::letter ? 200 : 100;
            continue;
          }
        }
        w = here;  // the character starts the next token
        break;
      }
      t.kind = status == 100   ? token_kind::number
               : status == 200 ? token_kind::word
                               : token_kind::punct;
      if (t.kind == token_kind::word) {
        t.capitalized = first_upper;
        b.count_word((flags & fact::alpha) != 0, (flags & fact::lower) != 0);
      }
      t.begin = static_cast<std::uint32_t>(start);
      t.end = static_cast<std::uint32_t>(i);
      t.norm_begin = static_cast<std::uint32_t>(folded_start - base);
      t.norm_length = static_cast<std::uint32_t>(w - folded_start);
      add_token(out.tokens, t);
    }
  }
}

std::string_view clamp(std::string_view text) {
  return text.size() > max_text_bytes ? text.substr(0, max_text_bytes) : text;
}

void finish(stream_builder& b) {
  b.out.folded.resize(b.used);
  b.out.all_caps = b.words >= 2 && b.upper_words == b.words;
}

}  // namespace

token_stream tokenize(std::string_view text) {
  token_stream out;
  tokenize_into(text, out);
  return out;
}

void tokenize_into(std::string_view text, token_stream& out) {
  text = clamp(text);
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  out.folded.clear();
  out.tokens.clear();
  out.all_caps = false;
  stream_builder b{out};
  b.make_room(n + 8);
  b.out.tokens.reserve(n / 4 + 4);
  std::u16string units;
  std::vector<std::uint32_t> offsets;

  // Runs between ASCII separators: runs of characters the fast path knows take it; the rest
  // go to ICU.
  std::size_t i = 0;
  while (!tokenize_simple_runs(text, i, b)) {
    // ICU gets the separators before the run too (a combining mark or ZWJ after a space
    // joins the space), and every following run that the fast path cannot take either: its
    // edges are then a separator and a character that does not join one (letters, digits,
    // punctuation, lone pictographs), where ICU always breaks.
    const std::size_t gap = i;
    while (i < n && is_separator(s[i]))
      ++i;
    std::size_t end = i;
    simple_run(s, i, n, end);
    for (;;) {
      std::size_t next = end;
      while (next < n && is_separator(s[next]))
        ++next;
      if (next == n)
        break;
      std::size_t next_end = next;
      if (simple_run(s, next, n, next_end))
        break;
      end = next_end;
    }
    b.out.folded.resize(b.used);
    tokenize_icu(text, gap, end, units, offsets, b);
    b.used = b.out.folded.size();
    b.make_room(n - end + 8);
    i = end;
  }
  finish(b);
}

token_stream tokenize_with_icu(std::string_view text) {
  text = clamp(text);
  token_stream out;
  stream_builder b{out};
  b.out.folded.reserve(text.size() + 16);
  b.out.tokens.reserve(text.size() / 4 + 4);
  std::u16string units;
  std::vector<std::uint32_t> offsets;
  tokenize_icu(text, 0, text.size(), units, offsets, b);
  b.used = b.out.folded.size();
  finish(b);
  return out;
}

}  // namespace civicline::nlp
