#include "storage/public_stats.hpp"

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

using detail::bind_text;

// Weeks are counted from the period's start; julianday() is the portable-enough way to get a
// difference of ISO times in SQLite (PostgreSQL would use date_part on an interval).
constexpr const char* received_sql =
    "SELECT category, channel, "
    "CAST((julianday(created_at) - julianday(:from)) / 7 AS INTEGER) AS week, "
    "COUNT(*), SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END) "
    "FROM service_requests INDEXED BY service_requests_public_received "
    "WHERE created_at >= :from AND created_at < :to "
    "GROUP BY category, channel, week";

constexpr const char* closed_sql =
    "SELECT category, CAST((julianday(closed_at) - julianday(:from)) / 7 AS INTEGER) AS week, "
    "COUNT(*), SUM(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN due_at IS NOT NULL AND closed_at <= due_at THEN 1 ELSE 0 END) "
    "FROM service_requests INDEXED BY service_requests_public_closed "
    "WHERE closed_at IS NOT NULL AND closed_at >= :from AND closed_at < :to "
    "GROUP BY category, week";

constexpr const char* close_ms_sql =
    "SELECT category, close_ms FROM service_requests INDEXED BY service_requests_public_closed "
    "WHERE closed_at IS NOT NULL AND closed_at >= :from AND closed_at < :to "
    "AND close_ms IS NOT NULL";

constexpr const char* ack_ms_sql =
    "SELECT category, ack_ms FROM service_requests INDEXED BY service_requests_public_received "
    "WHERE created_at >= :from AND created_at < :to AND ack_ms IS NOT NULL";

constexpr const char* backlog_sql =
    "SELECT CASE WHEN created_at > :age0 THEN 0 WHEN created_at > :age1 THEN 1 "
    "WHEN created_at > :age2 THEN 2 ELSE 3 END AS bucket, COUNT(*) "
    "FROM service_requests INDEXED BY service_requests_public_backlog "
    "WHERE closed_at IS NULL GROUP BY bucket";

void bind_period(SQLite::Statement& statement, const public_stats_query& query) {
  bind_text(statement, ":from", query.from);
  bind_text(statement, ":to", query.to);
}

/// Appends each row's duration to its category's list; consecutive rows mostly share a
/// category, so the map is looked up only when it changes.
void collect_durations(SQLite::Statement& select,
                       std::map<std::string, std::vector<std::int64_t>, std::less<>>& out) {
  std::vector<std::int64_t>* current = nullptr;
  std::string current_category;
  while (select.executeStep()) {
    const auto category = select.getColumn(0);
    const std::string_view name(category.getText(), static_cast<std::size_t>(category.size()));
    if (current == nullptr || name != current_category) {
      current_category.assign(name);
      current = &out[current_category];
    }
    current->push_back(select.getColumn(1).getInt64());
  }
}

}  // namespace

public_stats_rows read_public_stats(SQLite::Database& db, const public_stats_query& query) {
  public_stats_rows rows;
  // One snapshot for every figure: the writer may commit between two statements otherwise.
  // (A savepoint also nests when the caller already has a transaction open.)
  detail::savepoint snapshot(db);
  {
    {
      detail::statement_lease lease(db, received_sql);
      auto& select = lease.get();
      bind_period(select, query);
      while (select.executeStep()) {
        rows.received.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                                 select.getColumn(2).getInt64(), select.getColumn(3).getInt64(),
                                 select.getColumn(4).getInt64()});
      }
    }
    {
      detail::statement_lease lease(db, closed_sql);
      auto& select = lease.get();
      bind_period(select, query);
      while (select.executeStep()) {
        rows.closed.push_back({select.getColumn(0).getString(), select.getColumn(1).getInt64(),
                               select.getColumn(2).getInt64(), select.getColumn(3).getInt64(),
                               select.getColumn(4).getInt64()});
      }
    }
    {
      detail::statement_lease lease(db, close_ms_sql);
      bind_period(lease.get(), query);
      collect_durations(lease.get(), rows.close_ms);
    }
    {
      detail::statement_lease lease(db, ack_ms_sql);
      bind_period(lease.get(), query);
      collect_durations(lease.get(), rows.ack_ms);
    }
    {
      detail::statement_lease lease(db, backlog_sql);
      auto& select = lease.get();
      bind_text(select, ":age0", query.backlog_after[0]);
      bind_text(select, ":age1", query.backlog_after[1]);
      bind_text(select, ":age2", query.backlog_after[2]);
      while (select.executeStep()) {
        const auto bucket = select.getColumn(0).getInt64();
        if (bucket >= 0 && bucket < static_cast<std::int64_t>(rows.backlog.size())) {
          rows.backlog[static_cast<std::size_t>(bucket)] = select.getColumn(1).getInt64();
        }
      }
    }
  }
  snapshot.release();
  return rows;
}

std::vector<public_note_record> public_notes(SQLite::Database& db) {
  detail::statement_lease lease(
      db, "SELECT language, body, updated_at, updated_by FROM public_notes ORDER BY language");
  auto& select = lease.get();
  std::vector<public_note_record> notes;
  while (select.executeStep()) {
    notes.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                     select.getColumn(2).getString(), select.getColumn(3).getString()});
  }
  return notes;
}

void save_public_note(SQLite::Database& db, const public_note_record& note) {
  detail::statement_lease lease(
      db,
      "INSERT INTO public_notes (language, body, updated_at, updated_by) "
      "VALUES (:language, :body, :updated_at, :updated_by) "
      "ON CONFLICT (language) DO UPDATE SET body = excluded.body, "
      "updated_at = excluded.updated_at, updated_by = excluded.updated_by");
  auto& insert = lease.get();
  bind_text(insert, ":language", note.language);
  bind_text(insert, ":body", note.body);
  bind_text(insert, ":updated_at", note.updated_at);
  bind_text(insert, ":updated_by", note.updated_by);
  insert.exec();
}

}  // namespace civicline::storage
