#pragma once
// The public progress summary: which period a visitor asked for, and the figures of
// /public/api/summary.json built from storage::public_stats_rows. Pure: time comes in as a
// parameter. Field meanings are documented in docs/PUBLIC_DATA.md.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/settings.hpp"
#include "storage/public_stats.hpp"

namespace civicline::core {

using time_point = std::chrono::system_clock::time_point;

/// [from, to): the last N days up to now, or whole UTC days from a custom range.
struct summary_period {
  std::string name;  ///< "30d", "90d", "365d" or "custom"
  time_point from{};
  time_point to{};
};

/// The longest custom range, in days.
inline constexpr int max_period_days = 3660;

/// Reads `period=30|90|365` or `from=YYYY-MM-DD&to=YYYY-MM-DD` (to inclusive) from the query
/// parameters (already decoded); 30 days when neither is given. A message for the visitor
/// when they are invalid.
std::variant<summary_period, std::string> parse_summary_period(
    const std::map<std::string, std::string, std::less<>>& params, time_point now);

/// The storage query for a period: its bounds and the backlog age bounds at `now`.
storage::public_stats_query stats_query_for(const summary_period& period, time_point now);

/// Median (the mean of the two middle values for an even count) and 90th percentile (nearest
/// rank: the smallest value with at least 90% of the values at or below it) of `values`;
/// nullopt when empty. Reorders `values`.
std::optional<double> median_of(std::vector<std::int64_t>& values);
std::optional<double> percentile_90_of(std::vector<std::int64_t>& values);

/// The notes shown under "What we changed", per language: the stored ones over the config's.
std::map<std::string, std::string> public_notes_for(
    const config::settings& settings, const std::vector<storage::public_note_record>& stored);

/// summary.json: every figure of the period (see docs/PUBLIC_DATA.md).
std::string summary_json(const summary_period& period, storage::public_stats_rows rows,
                         const config::settings& settings,
                         const std::map<std::string, std::string>& notes, time_point now);

}  // namespace civicline::core
