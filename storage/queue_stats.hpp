#pragma once
// What supervisors watch in the staff queue: the open requests by category, age and team, how
// many are overdue, and requests created and closed per day. Counted in SQL; no resident data.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

/// Open requests (new, acknowledged, in_progress, reopened) of one category by age since
/// creation: 0–2 days, 3–7, 8–30, over 30; and how many are past their due time.
struct open_category_row {
  std::string category;
  std::int64_t total = 0;
  std::int64_t overdue = 0;
  std::int64_t age_0_2 = 0;
  std::int64_t age_3_7 = 0;
  std::int64_t age_8_30 = 0;
  std::int64_t age_over_30 = 0;
};
/// The times the age buckets start from, as ISO 8601 text (the caller owns the clock).
struct age_bounds {
  std::string now;
  std::string three_days_ago;       ///< created after it: 0–2 days old
  std::string eight_days_ago;       ///< created after it (and not after three_days_ago): 3–7
  std::string thirty_one_days_ago;  ///< created after it: 8–30; at or before it: over 30
};
/// Every category with open requests, by code.
std::vector<open_category_row> open_requests_by_category(SQLite::Database& db,
                                                         const age_bounds& bounds);

struct open_team_row {
  std::string team;  ///< "" = in no team's queue
  std::int64_t total = 0;
  std::int64_t overdue = 0;
  std::int64_t unassigned = 0;
};
/// Every team with open requests, by code.
std::vector<open_team_row> open_requests_by_team(SQLite::Database& db, std::string_view now);

struct day_count {
  std::string day;  ///< "2026-11-28" (UTC)
  std::int64_t count = 0;
};
/// Requests created per UTC day from `since` (an ISO 8601 time) on; days without any are left out.
std::vector<day_count> created_per_day(SQLite::Database& db, std::string_view since);
/// Requests closed per UTC day from `since` on, by their current close (closed_at).
std::vector<day_count> closed_per_day(SQLite::Database& db, std::string_view since);

}  // namespace civicline::storage
