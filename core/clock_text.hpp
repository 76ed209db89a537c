#pragma once
// Time as text for storage and APIs: ISO 8601 UTC with milliseconds
// ("2026-11-28T13:45:00.000Z"), whose lexicographic order is time order.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace civicline::core {

/// "2026-11-28T13:45:00.123Z".
std::string to_iso8601(std::chrono::system_clock::time_point when);

/// Reads to_iso8601's form (the milliseconds are optional); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> from_iso8601(std::string_view text);

/// The offset of `zone` (an IANA name such as "America/Phoenix") from UTC at `when`,
/// daylight saving included; zero for an unknown zone.
std::chrono::minutes utc_offset(std::string_view zone, std::chrono::system_clock::time_point when);

}  // namespace civicline::core
