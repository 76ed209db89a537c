#include "channels/sms_outbound.hpp"

#include <algorithm>
#include <charconv>

namespace civicline::channels {
namespace {

constexpr std::size_t max_detail_bytes = 300;
constexpr int min_phone_digits = 7;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_number_separator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::optional<std::string_view> header) {
  if (!header) {
    return std::nullopt;
  }
  std::string_view text = *header;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (text.empty() || !std::ranges::all_of(text, is_digit)) {
    return std::nullopt;
  }
  if (text.size() > 9) {
    return max_retry_after;
  }
  long long seconds = 0;
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  return std::min(std::chrono::seconds(seconds), max_retry_after);
}

std::string redact_phone_numbers(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!is_digit(text[pos]) &&
        !(text[pos] == '+' && pos + 1 < text.size() && is_digit(text[pos + 1]))) {
      out += text[pos++];
      continue;
    }
    // Extend over digits and separators; the run ends at its last digit.
    std::size_t end = pos + 1;
    std::size_t last_digit = is_digit(text[pos]) ? pos : pos + 1;
    int digits = is_digit(text[pos]) ? 1 : 0;
    while (end < text.size() && (is_digit(text[end]) || is_number_separator(text[end]))) {
      if (is_digit(text[end])) {
        ++digits;
        last_digit = end;
      }
      ++end;
    }
    if (digits >= min_phone_digits) {
      out += "[number]";
    } else {
      out += text.substr(pos, last_digit + 1 - pos);
    }
    pos = last_digit + 1;
  }
  if (out.size() > max_detail_bytes) {
    out.resize(max_detail_bytes);
    // Do not leave half a UTF-8 character at the end.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
      out.pop_back();
    }
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) {
      out.pop_back();
    }
    out += "...";
  }
  return out;
}

}  // namespace civicline::channels
