#include "nlp/normalize.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <stdexcept>

namespace civicline::nlp {
namespace {

struct normalizers {
  const icu::Normalizer2* nfkc_casefold;
  const icu::Normalizer2* nfd;
};

const normalizers& icu_normalizers() {
  // ICU's singleton instances are immutable and thread-safe; look them up once.
  static const normalizers instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    normalizers n{icu::Normalizer2::getNFKCCasefoldInstance(status),
                  icu::Normalizer2::getNFDInstance(status)};
    if (U_FAILURE(status))
      throw std::runtime_error("ICU normalizer data is missing");
    return n;
  }();
  return instance;
}

void append_utf8(char32_t c, std::string& out) {
  char buf[4];
  std::int32_t len = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<std::uint8_t*>(buf), len, 4, static_cast<UChar32>(c), error);
  if (!error)
    out.append(buf, static_cast<std::size_t>(len));
}

bool dropped(UChar32 c) {
  if (c == 0xFE0E || c == 0xFE0F)
    return true;  // emoji/text presentation selectors
  if (c >= 0x1F3FB && c <= 0x1F3FF)
    return true;                               // skin tones: 👍🏽 means 👍
  return u_charType(c) == U_NON_SPACING_MARK;  // accents after NFD: está = esta
}

}  // namespace

void fold_utf16_append(const char16_t* text, std::int32_t length, std::string& out) {
  bool ascii = true;
  for (std::int32_t i = 0; i < length && ascii; ++i)
    ascii = text[i] < 0x80;
  if (ascii) {  // the common case, without ICU's allocations
    for (std::int32_t i = 0; i < length; ++i) {
      char c = static_cast<char>(text[i]);
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return;
  }
  const auto& n = icu_normalizers();
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString source(false, text, length);
  icu::UnicodeString folded = n.nfkc_casefold->normalize(source, status);
  icu::UnicodeString decomposed = n.nfd->normalize(folded, status);
  if (U_FAILURE(status))
    return;
  for (std::int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (dropped(c))
      continue;
    if (c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x00B4)
      c = '\'';
    append_utf8(static_cast<char32_t>(c), out);
  }
}

std::string fold(std::string_view utf8) {
  std::u16string units;
  units.reserve(utf8.size());
  const auto* s = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto n = static_cast<std::int32_t>(std::min<std::size_t>(utf8.size(), INT32_MAX / 2));
  for (std::int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0)
      c = 0xFFFD;
    if (c <= 0xFFFF) {
      units.push_back(static_cast<char16_t>(c));
    } else {
      units.push_back(static_cast<char16_t>(U16_LEAD(c)));
      units.push_back(static_cast<char16_t>(U16_TRAIL(c)));
    }
  }
  std::string out;
  out.reserve(utf8.size());
  fold_utf16_append(units.data(), static_cast<std::int32_t>(units.size()), out);
  return out;
}

}  // namespace civicline::nlp
