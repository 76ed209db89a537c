#include "channels/open311_query.hpp"

#include <charconv>

#include "core/clock_text.hpp"

namespace civicline::channels {

namespace {

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) {
    return std::nullopt;
  }
  return value;
}

const std::string* value_of(const form_params& params, std::string_view name) {
  const auto* value = form_value(params, name);
  return value != nullptr && !value->empty() ? value : nullptr;
}

}  // namespace

std::optional<time_point> parse_w3c_datetime(std::string_view text) {
  // Date and time are 19 characters ("2026-11-28T13:45:00"), then fractions, then the zone.
  if (text.size() < 20 || text[10] != 'T') {
    return std::nullopt;
  }
  auto zone_at = text.size();
  std::chrono::minutes offset{0};
  if (text.back() == 'Z' || text.back() == 'z') {
    zone_at = text.size() - 1;
  } else {
    const auto sign = text.find_last_of("+-");
    if (sign == std::string_view::npos || sign < 19) {
      return std::nullopt;
    }
    auto zone = std::string(text.substr(sign + 1));
    if (zone.size() == 5 && zone[2] == ':') {
      zone.erase(2, 1);
    }
    if (zone.size() != 4) {
      return std::nullopt;
    }
    const auto hours = parse_int(std::string_view(zone).substr(0, 2));
    const auto minutes = parse_int(std::string_view(zone).substr(2, 2));
    if (!hours || !minutes || *hours > 14 || *minutes > 59) {
      return std::nullopt;
    }
    offset = std::chrono::minutes(*hours * 60 + *minutes);
    if (text[sign] == '-') {
      offset = -offset;
    }
    zone_at = sign;
  }
  auto local = std::string(text.substr(0, zone_at));
  // from_iso8601 reads milliseconds only: cut finer fractions.
  if (const auto dot = local.find('.'); dot != std::string::npos && local.size() > dot + 4) {
    local.resize(dot + 4);
  }
  const auto parsed = core::from_iso8601(local + "Z");
  if (!parsed) {
    return std::nullopt;
  }
  return *parsed - offset;
}

std::vector<std::string> split_comma_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    auto piece = text.substr(0, comma);
    while (!piece.empty() && piece.front() == ' ') {
      piece.remove_prefix(1);
    }
    while (!piece.empty() && piece.back() == ' ') {
      piece.remove_suffix(1);
    }
    if (!piece.empty()) {
      out.emplace_back(piece);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::variant<open311_requests_query, std::string> parse_requests_query(const form_params& params,
                                                                       time_point now) {
  open311_requests_query query;
  if (const auto* ids = value_of(params, "service_request_id")) {
    query.ids = split_comma_list(*ids);
  }
  if (const auto* codes = value_of(params, "service_code")) {
    query.codes = split_comma_list(*codes);
  }
  std::optional<time_point> start;
  std::optional<time_point> end;
  for (const auto& [name, target] :
       {std::pair{"start_date", &start}, std::pair{"end_date", &end}}) {
    if (const auto* given = value_of(params, name)) {
      *target = parse_w3c_datetime(*given);
      if (!*target) {
        return std::string(name) +
               " must be a W3C datetime with a zone, e.g. 2026-11-28T13:45:00-07:00.";
      }
    }
  }
  query.end = end ? *end : (start ? *start + max_request_span : now);
  query.start = start ? *start : query.end - max_request_span;
  if (query.end <= query.start) {
    return std::string("end_date must be after start_date.");
  }
  if (query.end - query.start > max_request_span) {
    return std::string("start_date and end_date may be at most 90 days apart.");
  }
  if (const auto* status = value_of(params, "status")) {
    if (*status == "open") {
      query.open = true;
    } else if (*status == "closed") {
      query.open = false;
    } else {
      return std::string("status must be open or closed.");
    }
  }
  if (const auto* page = value_of(params, "page")) {
    const auto parsed = parse_int(*page);
    if (!parsed || *parsed < 1 || *parsed > max_page) {
      return std::string("page must be a whole number from 1 to 1000.");
    }
    query.page = *parsed;
  }
  if (const auto* size = value_of(params, "page_size")) {
    const auto parsed = parse_int(*size);
    if (!parsed || *parsed < 1 || *parsed > max_page_size) {
      return std::string("page_size must be a whole number from 1 to 1000.");
    }
    query.page_size = *parsed;
  }
  if (const auto* extensions = value_of(params, "extensions")) {
    query.extensions = *extensions == "true" || *extensions == "1";
  }
  return query;
}

std::map<std::string, std::vector<std::string>> form_attributes(const form_params& params) {
  constexpr std::string_view prefix = "attribute[";
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, value] : params) {
    std::string_view key = name;
    if (!key.starts_with(prefix)) {
      continue;
    }
    key.remove_prefix(prefix.size());
    if (key.ends_with("][]")) {
      key.remove_suffix(3);
    } else if (key.ends_with(']')) {
      key.remove_suffix(1);
    } else {
      continue;
    }
    if (key.empty() || key.find_first_of("[]") != std::string_view::npos) {
      continue;
    }
    if (!value.empty()) {
      out[std::string(key)].push_back(value);
    }
  }
  return out;
}

std::optional<std::string> international_phone(std::string_view text) {
  std::string digits;
  bool international = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && digits.empty() && !international) {
      international = true;
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  if (!international && digits.starts_with("00")) {
    international = true;
    digits.erase(0, 2);
  }
  if (!international || digits.size() < 8 || digits.size() > 15 || digits.front() == '0') {
    return std::nullopt;
  }
  return "+" + digits;
}

std::string_view fixmystreet_status(std::string_view status) {
  if (status == "new" || status == "reopened")
    return "OPEN";
  if (status == "acknowledged")
    return "INVESTIGATING";
  if (status == "in_progress")
    return "IN_PROGRESS";
  if (status == "resolved")
    return "FIXED";
  if (status == "duplicate")
    return "DUPLICATE";
  if (status == "rejected")
    return "NO_FURTHER_ACTION";
  return "CLOSED";
}

}  // namespace civicline::channels
