#pragma once
// Reading Open311 GeoReport v2 parameters: W3C datetimes with a zone, the GET requests
// filters (with the page/page_size and extensions extensions), `attribute[code]` form fields,
// and the status vocabularies (open/closed, FixMyStreet's upper-case words). Pure.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "channels/form_body.hpp"

namespace civicline::channels {

using time_point = std::chrono::system_clock::time_point;

/// "2026-11-28T13:45:00-07:00", "...Z", "...+0100", with optional fractions; nullopt without a
/// zone or for anything else.
std::optional<time_point> parse_w3c_datetime(std::string_view text);

/// The longest span GET requests accepts, and its default when no start is given.
inline constexpr auto max_request_span = std::chrono::days{90};
/// The most requests one GET requests returns.
inline constexpr int max_page_size = 1000;
/// The deepest page one may ask for (page * page_size rows are read).
inline constexpr int max_page = 1000;

struct open311_requests_query {
  std::vector<std::string> ids;    ///< service_request_id: when set, the rest is ignored
  std::vector<std::string> codes;  ///< service_code
  time_point start{};              ///< requested at or after
  time_point end{};                ///< requested before
  std::optional<bool> open;        ///< status=open (true) / closed (false)
  int page = 1;
  int page_size = max_page_size;
  bool extensions = false;
};

/// The query of GET requests, or why it is refused (for a 400). Without dates, the last 90
/// days up to `now`; with one, 90 days from/to it; a longer span is refused.
std::variant<open311_requests_query, std::string> parse_requests_query(const form_params& params,
                                                                       time_point now);

/// "a, b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_comma_list(std::string_view text);

/// `attribute[code]=v` and `attribute[code][]=v` (repeated for several values) by code.
std::map<std::string, std::vector<std::string>> form_attributes(const form_params& params);

/// A client's `phone` as E.164 ("+16025550177") when it is an international number: '+' (or
/// "00") then 8 to 15 digits, spaces, dots, dashes and parentheses allowed between; nullopt
/// for national numbers, whose country the client did not say.
std::optional<std::string> international_phone(std::string_view text);

/// civicline's status as FixMyStreet's Open311 update vocabulary: "new" -> "OPEN",
/// "in_progress" -> "IN_PROGRESS", "resolved" -> "FIXED", "duplicate" -> "DUPLICATE", ...
std::string_view fixmystreet_status(std::string_view status);

}  // namespace civicline::channels
