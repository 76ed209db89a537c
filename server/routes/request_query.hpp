#pragma once
// The inputs of the staff requests API, read and checked: the list's query string
// (filters, sort, limit, cursor) and a PATCH body. Pure: values in, values or a message out.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "storage/service_requests.hpp"

namespace civicline::server {

/// Why an input is refused: the HTTP status (400 or 422) and a message for the caller.
struct input_problem {
  int status = 400;
  std::string message;
};

/// Page sizes of GET /api/v1/requests.
inline constexpr std::size_t default_page_size = 50;
inline constexpr std::size_t max_page_size = 200;
/// The longest free-text search accepted.
inline constexpr std::size_t max_search_chars = 200;

struct request_list_query {
  storage::request_filter filter;  ///< with the cursor (filter.after) when one was given
  std::size_t limit = default_page_size;
  bool matches_nothing = false;  ///< the filters contradict each other (overdue and resolved)
  /// A staff user's name, "me" or "none" (unassigned): resolved to filter.assignee_id by the
  /// route, which can look the name up.
  std::optional<std::string> assignee{};
};

/// Reads the query string of GET /api/v1/requests: status (comma list), category, channel,
/// overdue (true/false), q, created_after, created_before, updated_after, updated_before
/// (ISO 8601 times or YYYY-MM-DD dates, UTC), team ("" = none), assignee (name, me, none),
/// priority (comma list), sort (created_at, -created_at, updated_at, -updated_at, due_at,
/// -due_at, -priority; default -created_at), limit (1..200, default 50), cursor
/// (from a previous page's next_cursor). Unknown parameters are refused, so a typo does not
/// silently widen the list. `now` decides what is overdue.
std::variant<request_list_query, input_problem> parse_request_list_query(
    std::string_view query, std::chrono::system_clock::time_point now);

/// The opaque cursor that continues after `last` in `order`.
std::string encode_request_cursor(const storage::request_record& last,
                                  storage::request_order order);

}  // namespace civicline::server
