#pragma once
// Which events a partner's webhook subscription wants: event-type patterns such as
// "request.*" or "request.status_changed" (or "*" for all), and an optional list of
// category codes. Pure: values in, values out.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::core {

/// Why `pattern` is not a valid event-type pattern, or nullopt when it is. Valid: "*", a
/// dotted name of lower-case letters, digits and '_' ("request.status_changed"), or such a
/// name followed by ".*" ("request.*").
std::optional<std::string> event_pattern_problem(std::string_view pattern);

/// True when `type` matches `pattern`: "*" matches everything, "request.*" every type that
/// starts with "request.", anything else only the same type.
bool event_type_matches(std::string_view pattern, std::string_view type);

struct webhook_filter {
  std::vector<std::string> event_types{"*"};  ///< any of them matches
  std::vector<std::string> categories;        ///< empty = every category
};

/// True when an event of `type` (about a request of `category`, if any) passes `filter`. With
/// a category list, events without a category (e.g. conversation.*) do not pass.
bool filter_accepts(const webhook_filter& filter, std::string_view type,
                    const std::optional<std::string>& category);

}  // namespace civicline::core
