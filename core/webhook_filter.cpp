#include "core/webhook_filter.hpp"

#include <algorithm>

namespace civicline::core {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/// "request.status_changed": non-empty segments of name characters separated by dots.
bool is_dotted_name(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.') {
      if (text[i - 1] == '.') {
        return false;
      }
    } else if (!is_name_char(text[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> event_pattern_problem(std::string_view pattern) {
  if (pattern == "*") {
    return std::nullopt;
  }
  std::string_view name = pattern;
  if (name.ends_with(".*")) {
    name.remove_suffix(2);
  }
  if (!is_dotted_name(name)) {
    return "\"" + std::string(pattern.substr(0, 80)) +
           "\" is not an event-type pattern: use \"*\", a type such as "
           "\"request.status_changed\" or a prefix such as \"request.*\"";
  }
  return std::nullopt;
}

bool event_type_matches(std::string_view pattern, std::string_view type) {
  if (pattern == "*") {
    return true;
  }
  if (pattern.ends_with(".*")) {
    pattern.remove_suffix(1);  // keep the dot: "request." must not match "requests.x"
    return type.size() > pattern.size() && type.starts_with(pattern);
  }
  return pattern == type;
}

bool filter_accepts(const webhook_filter& filter, std::string_view type,
                    const std::optional<std::string>& category) {
  const bool type_ok = std::ranges::any_of(
      filter.event_types, [&](const std::string& p) { return event_type_matches(p, type); });
  if (!type_ok) {
    return false;
  }
  if (filter.categories.empty()) {
    return true;
  }
  return category && std::ranges::find(filter.categories, *category) != filter.categories.end();
}

}  // namespace civicline::core
