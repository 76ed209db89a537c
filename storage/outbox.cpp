// The outbox of events, notifications to residents and handoffs to staff
// (storage/service_requests.hpp).

#include <SQLiteCpp/Statement.h>

#include <string>

#include "storage/database.hpp"
#include "storage/service_requests.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

using detail::bind_text;

handoff_record read_handoff(const SQLite::Statement& row) {
  return handoff_record{row.getColumn(0).getInt64(),  row.getColumn(1).getInt64(),
                        row.getColumn(2).getString(), row.getColumn(3).getString(),
                        row.getColumn(4).getString(), row.getColumn(5).getString()};
}

/// Handoffs whose status matches `condition` (a constant SQL text), oldest first.
std::vector<handoff_record> handoffs_in(SQLite::Database& db, const char* condition,
                                        std::size_t limit) {
  detail::statement_lease select_lease(
      db, std::string("SELECT id, resident_id, reason, status, created_at, updated_at "
                      "FROM handoffs WHERE ") +
              condition + " ORDER BY created_at, id LIMIT :limit");
  SQLite::Statement& select = select_lease.get();
  detail::bind_limit(select, ":limit", limit);
  std::vector<handoff_record> handoffs;
  while (select.executeStep()) {
    handoffs.push_back(read_handoff(select));
  }
  return handoffs;
}

}  // namespace

std::int64_t insert_outbox_event(SQLite::Database& db, const outbox_event& event) {
  detail::savepoint all_or_nothing(db);
  // Without an event id from the caller, the row id gives one; the placeholder is unique
  // on its own so it can never collide, and is replaced before the savepoint ends.
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO outbox_events (event_id, type, payload_json, created_at) "
      "VALUES (:event_id, :type, :payload_json, :created_at)");
  SQLite::Statement& insert = insert_lease.get();
  const bool generated = event.event_id.empty();
  bind_text(insert, ":event_id", generated ? "evt_pending" : event.event_id);
  bind_text(insert, ":type", event.type);
  bind_text(insert, ":payload_json", event.payload_json);
  bind_text(insert, ":created_at", event.created_at);
  insert.exec();
  const std::int64_t id = db.getLastInsertRowid();
  if (generated) {
    detail::statement_lease name_lease(
        db, "UPDATE outbox_events SET event_id = :event_id WHERE id = :id");
    SQLite::Statement& name = name_lease.get();
    bind_text(name, ":event_id", "evt_" + std::to_string(id));
    name.bind(":id", id);
    name.exec();
  }
  all_or_nothing.release();
  return id;
}

std::vector<outbox_event> outbox_events_after(SQLite::Database& db, std::int64_t after_id,
                                              std::size_t limit) {
  detail::statement_lease select_lease(
      db,
      "SELECT id, event_id, type, payload_json, created_at FROM outbox_events "
      "WHERE id > :after_id ORDER BY id LIMIT :limit");
  SQLite::Statement& select = select_lease.get();
  select.bind(":after_id", after_id);
  detail::bind_limit(select, ":limit", limit);
  std::vector<outbox_event> events;
  while (select.executeStep()) {
    events.push_back(outbox_event{select.getColumn(0).getInt64(), select.getColumn(1).getString(),
                                  select.getColumn(2).getString(), select.getColumn(3).getString(),
                                  select.getColumn(4).getString()});
  }
  return events;
}

std::int64_t last_outbox_event_id(SQLite::Database& db) {
  detail::statement_lease select_lease(db, "SELECT COALESCE(MAX(id), 0) FROM outbox_events");
  SQLite::Statement& select = select_lease.get();
  select.executeStep();
  return select.getColumn(0).getInt64();
}

std::int64_t insert_notification(SQLite::Database& db, const notification_record& notification) {
  // The opt-out is checked in the same statement, so no STOP can slip in between.
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO notifications (resident_id, request_id, body, status, attempts, created_at, "
      "next_attempt_at, via) SELECT p.id, :request_id, :body, "
      "CASE WHEN p.opted_out_at IS NULL THEN :status ELSE 'suppressed' END, :attempts, "
      ":created_at, :next_attempt_at, :via FROM residents p WHERE p.id = :resident_id");
  SQLite::Statement& insert = insert_lease.get();
  insert.bind(":resident_id", notification.resident_id);
  detail::bind_optional_int64(insert, ":request_id", notification.request_id);
  bind_text(insert, ":body", notification.body);
  bind_text(insert, ":status", notification.status);
  insert.bind(":attempts", notification.attempts);
  bind_text(insert, ":created_at", notification.created_at);
  bind_text(insert, ":next_attempt_at", notification.next_attempt_at);
  bind_text(insert, ":via", notification.via);
  // No row selected means no such resident: the same failure a foreign key would report.
  detail::require_one_change(insert.exec(), "resident", notification.resident_id);
  return db.getLastInsertRowid();
}

std::vector<notification_record> due_notifications(SQLite::Database& db, std::string_view channel,
                                                   std::string_view now, std::size_t limit) {
  detail::statement_lease select_lease(
      db,
      "SELECT n.id, n.resident_id, n.request_id, n.body, n.status, n.attempts, n.created_at, "
      "n.next_attempt_at, p.channel, p.address, n.via, n.provider_message_id, "
      "n.delivery_status, n.last_error FROM notifications n "
      "JOIN residents p ON p.id = n.resident_id "
      "WHERE n.status = 'pending' AND n.next_attempt_at <= :now AND p.channel = :channel "
      "AND p.opted_out_at IS NULL ORDER BY n.next_attempt_at, n.id LIMIT :limit");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":now", now);
  bind_text(select, ":channel", channel);
  detail::bind_limit(select, ":limit", limit);
  std::vector<notification_record> due;
  while (select.executeStep()) {
    due.push_back(notification_record{
        select.getColumn(0).getInt64(), select.getColumn(1).getInt64(),
        detail::optional_int64(select.getColumn(2)), select.getColumn(3).getString(),
        select.getColumn(4).getString(), select.getColumn(5).getInt(),
        select.getColumn(6).getString(), select.getColumn(7).getString(),
        select.getColumn(8).getString(), select.getColumn(9).getString(),
        select.getColumn(10).getString(), detail::optional_text(select.getColumn(11)),
        detail::optional_text(select.getColumn(12)), select.getColumn(13).getString()});
  }
  return due;
}

void mark_notification(SQLite::Database& db, std::int64_t id, std::string_view status, int attempts,
                       std::string_view next_attempt_at) {
  detail::statement_lease update_lease(
      db,
      "UPDATE notifications SET status = :status, attempts = :attempts, "
      "next_attempt_at = :next_attempt_at WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":status", status);
  update.bind(":attempts", attempts);
  bind_text(update, ":next_attempt_at", next_attempt_at);
  update.bind(":id", id);
  detail::require_one_change(update.exec(), "notification", id);
}

std::int64_t open_handoff(SQLite::Database& db, std::int64_t resident_id, std::string_view reason,
                          std::string_view now) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO handoffs (resident_id, reason, status, created_at, "
      "updated_at) VALUES (:resident_id, :reason, 'waiting', :now, :now) "
      "ON CONFLICT (resident_id) WHERE status = 'waiting' DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  insert.bind(":resident_id", resident_id);
  bind_text(insert, ":reason", reason);
  bind_text(insert, ":now", now);
  if (insert.exec() == 1) {
    return db.getLastInsertRowid();
  }
  std::optional<handoff_record> waiting = waiting_handoff(db, resident_id);
  if (!waiting) {
    throw storage_error("handoff for resident " + std::to_string(resident_id) +
                        " was neither opened nor found waiting");
  }
  return waiting->id;
}

std::optional<handoff_record> waiting_handoff(SQLite::Database& db, std::int64_t resident_id) {
  detail::statement_lease select_lease(
      db,
      "SELECT id, resident_id, reason, status, created_at, updated_at "
      "FROM handoffs WHERE resident_id = :resident_id AND status = 'waiting'");
  SQLite::Statement& select = select_lease.get();
  select.bind(":resident_id", resident_id);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_handoff(select);
}

std::vector<handoff_record> waiting_handoffs(SQLite::Database& db, std::size_t limit) {
  return handoffs_in(db, "status = 'waiting'", limit);
}

std::vector<handoff_record> open_handoffs(SQLite::Database& db, std::size_t limit) {
  return handoffs_in(db, "status IN ('waiting', 'answered')", limit);
}

std::optional<handoff_record> find_handoff(SQLite::Database& db, std::int64_t id) {
  detail::statement_lease select_lease(
      db,
      "SELECT id, resident_id, reason, status, created_at, updated_at FROM handoffs "
      "WHERE id = :id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", id);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_handoff(select);
}

void update_handoff_status(SQLite::Database& db, std::int64_t handoff_id, std::string_view status,
                           std::string_view now) {
  detail::statement_lease update_lease(
      db, "UPDATE handoffs SET status = :status, updated_at = :now WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":status", status);
  bind_text(update, ":now", now);
  update.bind(":id", handoff_id);
  detail::require_one_change(update.exec(), "handoff", handoff_id);
}

}  // namespace civicline::storage
