// Supervisor figures over the request queue (storage/queue_stats.hpp).

#include "storage/queue_stats.hpp"

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

using detail::bind_text;

// Open as the staff queue means it: still owed work.
constexpr const char* open_statuses = "('new', 'acknowledged', 'in_progress', 'reopened')";

std::vector<day_count> per_day(SQLite::Database& db, const std::string& sql,
                               std::string_view since) {
  detail::statement_lease select_lease(db, sql);
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":since", since);
  std::vector<day_count> days;
  while (select.executeStep()) {
    days.push_back({select.getColumn(0).getString(), select.getColumn(1).getInt64()});
  }
  return days;
}

}  // namespace

std::vector<open_category_row> open_requests_by_category(SQLite::Database& db,
                                                         const age_bounds& bounds) {
  detail::statement_lease select_lease(db,
                                       std::string("SELECT category, COUNT(*), "
                                                   "SUM(due_at IS NOT NULL AND due_at < :now), "
                                                   "SUM(created_at > :d3), "
                                                   "SUM(created_at <= :d3 AND created_at > :d8), "
                                                   "SUM(created_at <= :d8 AND created_at > :d31), "
                                                   "SUM(created_at <= :d31) "
                                                   "FROM service_requests WHERE status IN ") +
                                           open_statuses + " GROUP BY category ORDER BY category");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":now", bounds.now);
  bind_text(select, ":d3", bounds.three_days_ago);
  bind_text(select, ":d8", bounds.eight_days_ago);
  bind_text(select, ":d31", bounds.thirty_one_days_ago);
  std::vector<open_category_row> rows;
  while (select.executeStep()) {
    rows.push_back({select.getColumn(0).getString(), select.getColumn(1).getInt64(),
                    select.getColumn(2).getInt64(), select.getColumn(3).getInt64(),
                    select.getColumn(4).getInt64(), select.getColumn(5).getInt64(),
                    select.getColumn(6).getInt64()});
  }
  return rows;
}

std::vector<open_team_row> open_requests_by_team(SQLite::Database& db, std::string_view now) {
  detail::statement_lease select_lease(
      db, std::string("SELECT team, COUNT(*), SUM(due_at IS NOT NULL AND due_at < :now), "
                      "SUM(assignee_id IS NULL) FROM service_requests WHERE status IN ") +
              open_statuses + " GROUP BY team ORDER BY team");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":now", now);
  std::vector<open_team_row> rows;
  while (select.executeStep()) {
    rows.push_back({select.getColumn(0).getString(), select.getColumn(1).getInt64(),
                    select.getColumn(2).getInt64(), select.getColumn(3).getInt64()});
  }
  return rows;
}

std::vector<day_count> created_per_day(SQLite::Database& db, std::string_view since) {
  return per_day(db,
                 "SELECT substr(created_at, 1, 10) AS day, COUNT(*) FROM service_requests "
                 "WHERE created_at >= :since GROUP BY day ORDER BY day",
                 since);
}

std::vector<day_count> closed_per_day(SQLite::Database& db, std::string_view since) {
  return per_day(db,
                 "SELECT substr(closed_at, 1, 10) AS day, COUNT(*) FROM service_requests "
                 "WHERE closed_at >= :since GROUP BY day ORDER BY day",
                 since);
}

}  // namespace civicline::storage
