#include "channels/form_body.hpp"

#include <algorithm>

namespace civicline::channels {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::optional<std::string> decode_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Runs of plain characters go in with one append.
    const std::size_t special = std::min(text.find_first_of("+%", i), text.size());
    out.append(text.substr(i, special - i));
    i = special;
    if (i == text.size()) {
      break;
    }
    if (text[i] == '+') {
      out += ' ';
    } else {  // '%'
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int high = hex_digit(text[i + 1]);
      const int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}

void encode_component(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' ||
        c == '-' || c == '.' || c == '_') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0x0F];
    }
  }
}

}  // namespace

std::optional<form_params> parse_form_body(std::string_view body) {
  form_params params;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view piece = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (piece.empty()) {
      continue;
    }
    const std::size_t eq = piece.find('=');
    auto name = decode_component(piece.substr(0, eq));
    auto value =
        decode_component(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!name || !value) {
      return std::nullopt;
    }
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

std::string encode_form_body(const form_params& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) {
      out += '&';
    }
    encode_component(out, name);
    out += '=';
    encode_component(out, value);
  }
  return out;
}

const std::string* form_value(const form_params& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

}  // namespace civicline::channels
