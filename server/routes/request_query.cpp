#include "server/routes/request_query.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "channels/form_body.hpp"
#include "core/clock_text.hpp"
#include "core/request_edits.hpp"
#include "core/service_request.hpp"

namespace civicline::server {

namespace {

using json = nlohmann::json;
using storage::request_order;

constexpr std::array<std::pair<std::string_view, request_order>, 7> sort_names{{
    {"created_at", request_order::created_asc},
    {"-created_at", request_order::created_desc},
    {"updated_at", request_order::updated_asc},
    {"-updated_at", request_order::updated_desc},
    {"due_at", request_order::due_asc},
    {"-due_at", request_order::due_desc},
    {"-priority", request_order::priority_desc},
}};

constexpr std::array<std::string_view, 15> known_parameters{
    "status",        "category",       "channel",       "overdue",        "q",
    "created_after", "created_before", "updated_after", "updated_before", "team",
    "assignee",      "priority",       "sort",          "limit",          "cursor"};

std::string_view sort_name(request_order order) {
  for (const auto& [name, value] : sort_names) {
    if (value == order) {
      return name;
    }
  }
  return "-created_at";
}

input_problem bad(std::string message) {
  return input_problem{400, std::move(message)};
}

std::string base64url(std::string_view bytes) {
  std::string text(
      sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  return text;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

/// A time bound: ISO 8601 as stored, or a bare date (midnight UTC); stored form out.
std::optional<std::string> time_bound(std::string_view text) {
  std::string full(text);
  if (full.size() == 10) {
    full += "T00:00:00Z";
  }
  const auto when = core::from_iso8601(full);
  if (!when) {
    return std::nullopt;
  }
  // The date must survive the round trip: no February 31st, no year past the clock's range.
  auto stored = core::to_iso8601(*when);
  if (stored.compare(0, 10, full, 0, 10) != 0) {
    return std::nullopt;
  }
  return stored;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts;
  while (true) {
    const auto comma = text.find(',');
    const auto part = text.substr(0, comma);
    if (!part.empty()) {
      parts.emplace_back(part);
    }
    if (comma == std::string_view::npos) {
      return parts;
    }
    text.remove_prefix(comma + 1);
  }
}

std::optional<request_order> order_from(std::string_view name) {
  for (const auto& [known, value] : sort_names) {
    if (known == name) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<request_list_query, input_problem> parse_request_list_query(
    std::string_view query, std::chrono::system_clock::time_point now) {
  const auto params = channels::parse_form_body(query);
  if (!params) {
    return bad("The query string is malformed: a '%' must be followed by two hex digits.");
  }
  for (const auto& [name, value] : *params) {
    if (std::ranges::find(known_parameters, name) == known_parameters.end()) {
      return bad("Unknown parameter \"" + name.substr(0, 40) +
                 "\"; use status, category, channel, overdue, q, created_after, created_before, "
                 "updated_after, updated_before, team, assignee, priority, sort, limit or "
                 "cursor.");
    }
  }
  auto get = [&](std::string_view name) { return channels::form_value(*params, name); };
  request_list_query result;
  auto& filter = result.filter;

  if (const auto* statuses = get("status")) {
    for (auto& status : split_commas(*statuses)) {
      if (!core::status_from_string(status)) {
        return bad("Unknown status \"" + status.substr(0, 40) +
                   "\"; use new, acknowledged, in_progress, resolved, closed, duplicate, "
                   "rejected or reopened.");
      }
      filter.statuses.push_back(std::move(status));
    }
  }
  if (const auto* category = get("category"); category != nullptr && !category->empty()) {
    filter.category = *category;
  }
  if (const auto* channel = get("channel"); channel != nullptr && !channel->empty()) {
    if (!core::channel_from_string(*channel)) {
      return bad("Unknown channel \"" + channel->substr(0, 40) +
                 "\"; use sms, web_chat, open311, staff or terminal.");
    }
    filter.channel = *channel;
  }
  if (const auto* overdue = get("overdue")) {
    if (*overdue == "true" || *overdue == "1") {
      // Overdue means still open past the due time: keep only the open statuses asked for.
      std::vector<std::string> open;
      for (const auto status :
           {core::request_status::new_request, core::request_status::acknowledged,
            core::request_status::in_progress, core::request_status::reopened}) {
        const std::string name(core::to_string(status));
        if (filter.statuses.empty() ||
            std::ranges::find(filter.statuses, name) != filter.statuses.end()) {
          open.push_back(name);
        }
      }
      result.matches_nothing = open.empty();
      filter.statuses = std::move(open);
      filter.due_before = core::to_iso8601(now);
    } else if (*overdue != "false" && *overdue != "0") {
      return bad("overdue is true or false.");
    }
  }
  if (const auto* team = get("team")) {
    filter.team = *team;  // "" = requests in no team's queue
  }
  if (const auto* assignee = get("assignee"); assignee != nullptr && !assignee->empty()) {
    result.assignee = *assignee;
  }
  if (const auto* priorities = get("priority")) {
    for (auto& priority : split_commas(*priorities)) {
      if (std::ranges::find(core::request_priorities(), priority) ==
          core::request_priorities().end()) {
        return bad("Unknown priority \"" + priority.substr(0, 40) +
                   "\"; use low, normal, high or urgent.");
      }
      filter.priorities.push_back(std::move(priority));
    }
  }
  if (const auto* text = get("q"); text != nullptr && !text->empty()) {
    if (text->size() > max_search_chars) {
      return bad("q has at most " + std::to_string(max_search_chars) + " characters.");
    }
    filter.text = *text;
  }
  const std::pair<const char*, std::optional<std::string> storage::request_filter::*> bounds[] = {
      {"created_after", &storage::request_filter::created_after},
      {"created_before", &storage::request_filter::created_before},
      {"updated_after", &storage::request_filter::updated_after},
      {"updated_before", &storage::request_filter::updated_before},
  };
  for (const auto& [name, member] : bounds) {
    if (const auto* value = get(name); value != nullptr && !value->empty()) {
      auto bound = time_bound(*value);
      if (!bound) {
        return bad(std::string(name) +
                   " is an ISO 8601 UTC time (2026-11-28T13:45:00Z) or a date (2026-11-28).");
      }
      filter.*member = std::move(bound);
    }
  }
  filter.order = request_order::created_desc;
  if (const auto* sort = get("sort"); sort != nullptr && !sort->empty()) {
    const auto order = order_from(*sort);
    if (!order) {
      return bad(
          "sort is created_at, -created_at, updated_at, -updated_at, due_at, -due_at or "
          "-priority.");
    }
    filter.order = *order;
  }
  if (const auto* limit = get("limit"); limit != nullptr && !limit->empty()) {
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (error != std::errc() || end != limit->data() + limit->size() || value < 1 ||
        value > max_page_size) {
      return bad("limit is a whole number from 1 to " + std::to_string(max_page_size) + ".");
    }
    result.limit = value;
  }
  if (const auto* cursor = get("cursor"); cursor != nullptr && !cursor->empty()) {
    const auto bytes = from_base64url(*cursor);
    const auto parsed = bytes ? json::parse(*bytes, nullptr, false) : json();
    if (!parsed.is_array() || parsed.size() != 3 || !parsed[0].is_string() ||
        !parsed[1].is_string() || !parsed[2].is_number_integer()) {
      return bad("cursor is not one this API gave out; start again without it.");
    }
    if (parsed[0].get<std::string>() != sort_name(filter.order)) {
      return bad("This cursor belongs to another sort; keep the sort of the first page.");
    }
    filter.after =
        storage::request_cursor{parsed[1].get<std::string>(), parsed[2].get<std::int64_t>()};
  }
  return result;
}

std::string encode_request_cursor(const storage::request_record& last, request_order order) {
  const json cursor =
      json::array({std::string(sort_name(order)), storage::order_key(last, order), last.id});
  return base64url(cursor.dump());
}

}  // namespace civicline::server
