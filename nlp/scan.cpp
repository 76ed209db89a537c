#include "nlp/scan.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

namespace civicline::nlp {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
bool is_email_local(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_domain(char c) {
  return is_alnum(c) || c == '.' || c == '-';
}

bool overlaps(const scan_result& r, std::size_t b, std::size_t e) {
  for (const auto& [mb, me] : r.masked) {
    if (b < me && mb < e)
      return true;
  }
  return false;
}

void find_emails(std::string_view t, scan_result& out) {
  for (std::size_t at = t.find('@'); at != std::string_view::npos; at = t.find('@', at + 1)) {
    std::size_t b = at;
    while (b > 0 && is_email_local(t[b - 1]))
      --b;
    std::size_t e = at + 1;
    while (e < t.size() && is_domain(t[e]))
      ++e;
    while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-'))
      --e;  // sentence full stop
    while (b < at && t[b] == '.')
      ++b;
    const std::string_view domain = t.substr(at + 1, e - at - 1);
    const std::size_t dot = domain.rfind('.');
    if (b == at || dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2)
      continue;
    bool tld_alpha = true;
    for (char c : domain.substr(dot + 1))
      tld_alpha = tld_alpha && is_alpha(c);
    if (!tld_alpha)
      continue;
    std::string value(t.substr(b, e - b));
    for (char& c : value)
      c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    out.entities.push_back(entity{entity_kind::email, address_form::none, b, e, std::move(value)});
    out.masked.emplace_back(b, e);
  }
}

// t.find(needle, from), stopping only where the needle's rarest character is: at ':' for
// "http://" and "https://" (their "://"), at '.' for "www.". A plain find stops at every 'h'
// or 'w' of the text.
std::size_t find_from(std::string_view t, std::string_view needle, std::size_t from) {
  const std::size_t anchor = needle.find_first_of(":.");
  for (std::size_t at = from + anchor; at < t.size(); ++at) {
    const void* hit = std::memchr(t.data() + at, needle[anchor], t.size() - at);
    if (hit == nullptr)
      return std::string_view::npos;
    at = static_cast<std::size_t>(static_cast<const char*>(hit) - t.data());
    if (t.substr(at - anchor, needle.size()) == needle)
      return at - anchor;
  }
  return std::string_view::npos;
}

void find_links(std::string_view t, scan_result& out) {
  for (std::string_view start : {"http://", "https://", "www."}) {
    for (std::size_t p = find_from(t, start, 0); p != std::string_view::npos;
         p = find_from(t, start, p + 1)) {
      if (p > 0 && is_alnum(t[p - 1]))
        continue;
      std::size_t e = p;
      while (e < t.size() && static_cast<unsigned char>(t[e]) > ' ')
        ++e;
      if (!overlaps(out, p, e))
        out.masked.emplace_back(p, e);
    }
  }
}

// A decimal with at least two decimals, e.g. "-111.8315"; returns its end or npos.
std::size_t parse_decimal(std::string_view t, std::size_t p, double& value) {
  std::size_t e = p;
  if (e < t.size() && (t[e] == '-' || t[e] == '+'))
    ++e;
  const std::size_t int_begin = e;
  while (e < t.size() && is_digit(t[e]))
    ++e;
  if (e == int_begin || e - int_begin > 3 || e >= t.size() || t[e] != '.')
    return std::string_view::npos;
  const std::size_t frac_begin = ++e;
  while (e < t.size() && is_digit(t[e]))
    ++e;
  if (e - frac_begin < 2)
    return std::string_view::npos;
  if (e < t.size() && (is_alnum(t[e]) || t[e] == '.'))
    return std::string_view::npos;
  std::string number(t.substr(t[p] == '+' ? p + 1 : p, e - (t[p] == '+' ? p + 1 : p)));
  value = std::strtod(number.c_str(), nullptr);
  return e;
}

void find_lat_longs(std::string_view t, std::span<const std::uint32_t> starts, scan_result& out) {
  std::size_t p = 0;
  for (const std::uint32_t start : starts) {
    if (start < p)
      continue;  // inside the pair found last
    p = start;
    if (!(is_digit(t[p]) || t[p] == '-' || t[p] == '+'))
      continue;
    if (p > 0 && (is_alnum(t[p - 1]) || t[p - 1] == '.' || t[p - 1] == '-'))
      continue;
    double lat = 0;
    double lng = 0;
    const std::size_t e1 = parse_decimal(t, p, lat);
    if (e1 == std::string_view::npos)
      continue;
    std::size_t q = e1;
    while (q < t.size() && t[q] == ' ')
      ++q;
    if (q < t.size() && (t[q] == ',' || t[q] == ';' || t[q] == '/'))
      ++q;
    while (q < t.size() && t[q] == ' ')
      ++q;
    if (q == e1)
      continue;  // "33.41-111.83" is too ambiguous without a separator
    const std::size_t e2 = parse_decimal(t, q, lng);
    if (e2 == std::string_view::npos || std::abs(lat) > 90 || std::abs(lng) > 180)
      continue;
    char buf[64];
    const int len = std::snprintf(buf, sizeof buf, "%.6f,%.6f", lat, lng);
    out.entities.push_back(entity{entity_kind::lat_long, address_form::none, p, e2,
                                  std::string(buf, static_cast<std::size_t>(len))});
    out.masked.emplace_back(p, e2);
    p = e2 + 1;
  }
}

void find_phones(std::string_view t, std::span<const std::uint32_t> starts, scan_result& out) {
  std::size_t p = 0;
  for (const std::uint32_t start : starts) {
    if (start < p)
      continue;  // inside the number found last
    p = start;
    const char c = t[p];
    if (!(is_digit(c) || c == '+' || c == '('))
      continue;
    if (p > 0 && (is_alnum(t[p - 1]) || t[p - 1] == '-' || t[p - 1] == '.' || t[p - 1] == '#' ||
                  t[p - 1] == '/')) {
      continue;
    }
    std::string digits;
    std::size_t e = p;
    std::size_t last_digit_end = p;
    const bool plus = c == '+';
    if (plus)
      ++e;
    char previous = '\0';
    while (e < t.size() && digits.size() <= 15) {
      const char d = t[e];
      if (is_digit(d)) {
        digits.push_back(d);
        last_digit_end = e + 1;
      } else if (d == ' ' || d == '-' || d == '.' || d == '(' || d == ')') {
        // One separator between groups ("(480) 555" allows ") "), never two spaces or "- -".
        if (!is_digit(previous) && !(previous == ')' && d == ' ') &&
            !(previous == '\0' && d == '(') && !(previous == ' ' && d == '(')) {
          break;
        }
      } else {
        break;
      }
      previous = d;
      ++e;
    }
    if (last_digit_end < t.size() && (is_alnum(t[last_digit_end])))
      continue;
    const std::size_t n = digits.size();
    std::string value;
    if (plus && n >= 8 && n <= 15) {
      value = "+" + digits;
    } else if (!plus && n == 10) {
      value = "+1" + digits;
    } else if (!plus && n == 11 && digits[0] == '1') {
      value = "+" + digits;
    } else {  // 7-digit local numbers are left out: "311-4512" is a tracking id
      continue;
    }
    if (overlaps(out, p, last_digit_end))
      continue;
    out.entities.push_back(
        entity{entity_kind::phone, address_form::none, p, last_digit_end, value});
    out.masked.emplace_back(p, last_digit_end);
    p = last_digit_end + 1;
  }
}

}  // namespace

scan_result scan_shaped_entities(std::string_view text) {
  scan_result out;
  if (text.find('@') != std::string_view::npos)
    find_emails(text, out);
  find_links(text, out);
  // Where a coordinate or a phone number may start: a digit, sign or '(' that does not
  // continue a word or number. Both finders look only there (and check the rest themselves).
  static constexpr auto may_start = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c)
      table[static_cast<std::size_t>(c)] = true;
    table['-'] = table['+'] = table['('] = true;
    return table;
  }();
  std::vector<std::uint32_t> starts;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  auto check = [&](std::size_t p) {
    if (may_start[s[p]] && (p == 0 || !is_alnum(text[p - 1])))
      starts.push_back(static_cast<std::uint32_t>(p));
  };
  // Eight bytes at a time: most hold no byte from '(' to '9' (all the start characters).
  // The test is "has a byte strictly between m and n" from Bit Twiddling Hacks.
  constexpr std::uint64_t ones = ~std::uint64_t{0} / 255;
  constexpr std::uint64_t m = '(' - 1;
  constexpr std::uint64_t n = '9' + 1;
  std::size_t p = 0;
  for (; p + 8 <= text.size(); p += 8) {
    std::uint64_t x;
    std::memcpy(&x, s + p, 8);
    const std::uint64_t low = x & ones * 127;
    if (((ones * (127 + n) - low) & ~x & (low + ones * (127 - m)) & ones * 128) == 0)
      continue;
    for (std::size_t k = p; k < p + 8; ++k)
      check(k);
  }
  for (; p < text.size(); ++p)
    check(p);
  if (!starts.empty()) {
    find_lat_longs(text, starts, out);
    find_phones(text, starts, out);
  }
  return out;
}

}  // namespace civicline::nlp
