#include "storage/chat_transcript.hpp"

#include "storage/service_requests.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

std::vector<chat_line> chat_lines_after(SQLite::Database& db, std::int64_t resident_id,
                                        std::int64_t after_id, std::size_t limit) {
  detail::statement_lease select_lease(
      db,
      "SELECT m.id, m.direction, m.body, r.tracking_id, m.created_at FROM messages m "
      "LEFT JOIN service_requests r ON r.id = m.request_id "
      "WHERE m.resident_id = :resident_id AND m.id > :after ORDER BY m.id LIMIT :limit");
  SQLite::Statement& select = select_lease.get();
  select.bind(":resident_id", resident_id);
  select.bind(":after", after_id);
  detail::bind_limit(select, ":limit", limit);
  std::vector<chat_line> lines;
  while (select.executeStep()) {
    lines.push_back(chat_line{select.getColumn(0).getInt64(), select.getColumn(1).getString(),
                              select.getColumn(2).getString(),
                              detail::optional_text(select.getColumn(3)),
                              select.getColumn(4).getString()});
  }
  return lines;
}

std::size_t deliver_chat_notifications(SQLite::Database& db, std::string_view now,
                                       std::size_t limit) {
  const auto due = due_notifications(db, "web_chat", now, limit);
  for (const auto& notification : due) {
    insert_message(db, {0, notification.resident_id, "out", notification.body, "",
                        notification.request_id, std::string(now)});
    mark_notification(db, notification.id, "sent", notification.attempts + 1, now);
  }
  return due.size();
}

}  // namespace civicline::storage
