#include "core/csv.hpp"

#include <algorithm>
#include <cctype>

namespace civicline::core {

namespace {

/// "-12", "+3.5", "-112.074": optional sign, digits, at most one dot, at least one digit.
bool is_plain_number(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    ++i;
  }
  bool digit = false;
  bool dot = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

}  // namespace

bool looks_like_formula(std::string_view field) {
  if (field.empty()) {
    return false;
  }
  const char first = field.front();
  const bool risky = first == '=' || first == '+' || first == '-' || first == '@' ||
                     first == '\t' || first == '\r';
  return risky && !is_plain_number(field);
}

void append_csv_field(std::string& out, std::string_view field) {
  const bool formula = looks_like_formula(field);
  const bool quote = formula || field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  if (formula) {
    out.push_back('\'');
  }
  for (const char c : field) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

void append_csv_row(std::string& out, std::span<const std::string> fields) {
  bool first = true;
  for (const auto& field : fields) {
    if (!first) {
      out.push_back(',');
    }
    first = false;
    append_csv_field(out, field);
  }
  out.append("\r\n");
}

}  // namespace civicline::core
