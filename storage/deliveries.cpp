// Replies to provider messages, per-sender counts, notification delivery outcomes and
// multipart SMS parts (storage/deliveries.hpp).

#include "storage/deliveries.hpp"

#include <SQLiteCpp/Statement.h>

#include "storage/database.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {
namespace {

using detail::bind_text;

constexpr const char* notification_columns =
    "SELECT n.id, n.resident_id, n.request_id, n.body, n.status, n.attempts, n.created_at, "
    "n.next_attempt_at, p.channel, p.address, n.via, n.provider_message_id, n.delivery_status, "
    "n.last_error FROM notifications n JOIN residents p ON p.id = n.resident_id ";

std::optional<notification_record> first_notification(SQLite::Statement& select) {
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return notification_record{select.getColumn(0).getInt64(),
                             select.getColumn(1).getInt64(),
                             detail::optional_int64(select.getColumn(2)),
                             select.getColumn(3).getString(),
                             select.getColumn(4).getString(),
                             select.getColumn(5).getInt(),
                             select.getColumn(6).getString(),
                             select.getColumn(7).getString(),
                             select.getColumn(8).getString(),
                             select.getColumn(9).getString(),
                             select.getColumn(10).getString(),
                             detail::optional_text(select.getColumn(11)),
                             detail::optional_text(select.getColumn(12)),
                             select.getColumn(13).getString()};
}

}  // namespace

std::optional<std::int64_t> find_inbound_message(SQLite::Database& db, std::int64_t resident_id,
                                                 std::string_view external_id) {
  detail::statement_lease select_lease(
      db,
      "SELECT id FROM messages WHERE resident_id = :resident_id AND "
      "direction = 'in' AND external_id = :external_id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":resident_id", resident_id);
  bind_text(select, ":external_id", external_id);
  if (external_id.empty() || !select.executeStep()) {
    return std::nullopt;
  }
  return select.getColumn(0).getInt64();
}

std::vector<std::string> replies_to(SQLite::Database& db, std::int64_t inbound_message_id) {
  detail::statement_lease select_lease(
      db, "SELECT body FROM messages WHERE in_reply_to = :id AND direction = 'out' ORDER BY id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", inbound_message_id);
  std::vector<std::string> replies;
  while (select.executeStep()) {
    replies.push_back(select.getColumn(0).getString());
  }
  return replies;
}

std::int64_t count_inbound_since(SQLite::Database& db, std::int64_t resident_id,
                                 std::string_view since) {
  detail::statement_lease select_lease(
      db,
      "SELECT count(*) FROM messages WHERE resident_id = :resident_id AND "
      "created_at >= :since AND direction = 'in'");
  SQLite::Statement& select = select_lease.get();
  select.bind(":resident_id", resident_id);
  bind_text(select, ":since", since);
  select.executeStep();
  return select.getColumn(0).getInt64();
}

std::optional<notification_record> find_notification(SQLite::Database& db, std::int64_t id) {
  detail::statement_lease select_lease(db, std::string(notification_columns) + "WHERE n.id = :id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", id);
  return first_notification(select);
}

void record_notification_sent(SQLite::Database& db, const notification_record& notification,
                              int attempts, std::string_view provider_message_id,
                              std::string_view delivery_status, std::string_view now) {
  detail::statement_lease update_lease(
      db,
      "UPDATE notifications SET status = 'sent', attempts = :attempts, next_attempt_at = :now, "
      "provider_message_id = :provider_message_id, delivery_status = :delivery_status, "
      "last_error = '' WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  update.bind(":attempts", attempts);
  bind_text(update, ":now", now);
  // A provider that gives no id (or the same id twice) still counts as sent.
  detail::bind_optional_text(update, ":provider_message_id",
                             provider_message_id.empty()
                                 ? std::nullopt
                                 : std::optional<std::string_view>(provider_message_id));
  bind_text(update, ":delivery_status", delivery_status);
  update.bind(":id", notification.id);
  detail::require_one_change(update.exec(), "notification", notification.id);
  insert_message(db, {0, notification.resident_id, "out", notification.body,
                      std::string(provider_message_id), notification.request_id, std::string(now)});
}

void record_notification_retry(SQLite::Database& db, std::int64_t id, int attempts,
                               std::string_view next_attempt_at, std::string_view error) {
  detail::statement_lease update_lease(
      db,
      "UPDATE notifications SET attempts = :attempts, next_attempt_at = "
      ":next_attempt_at, last_error = :error WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  update.bind(":attempts", attempts);
  bind_text(update, ":next_attempt_at", next_attempt_at);
  bind_text(update, ":error", error);
  update.bind(":id", id);
  detail::require_one_change(update.exec(), "notification", id);
}

void record_notification_dropped(SQLite::Database& db, std::int64_t id, std::string_view status,
                                 int attempts, std::string_view error) {
  detail::statement_lease update_lease(
      db,
      "UPDATE notifications SET status = :status, attempts = :attempts, "
      "last_error = :error WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":status", status);
  update.bind(":attempts", attempts);
  bind_text(update, ":error", error);
  update.bind(":id", id);
  detail::require_one_change(update.exec(), "notification", id);
}

std::optional<notification_record> find_notification_by_provider_message(
    SQLite::Database& db, std::string_view provider_message_id) {
  detail::statement_lease select_lease(
      db, std::string(notification_columns) + "WHERE n.provider_message_id = :provider_message_id");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":provider_message_id", provider_message_id);
  return first_notification(select);
}

void set_delivery_status(SQLite::Database& db, std::int64_t id, std::string_view delivery_status,
                         std::string_view error) {
  detail::statement_lease update_lease(
      db,
      "UPDATE notifications SET delivery_status = :delivery_status, "
      "last_error = CASE WHEN :error = '' THEN last_error ELSE :error END "
      "WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":delivery_status", delivery_status);
  bind_text(update, ":error", error);
  update.bind(":id", id);
  detail::require_one_change(update.exec(), "notification", id);
}

std::vector<std::pair<std::string, std::int64_t>> count_notifications_by_status(
    SQLite::Database& db) {
  detail::statement_lease select_lease(
      db, "SELECT status, count(*) FROM notifications GROUP BY status ORDER BY status");
  SQLite::Statement& select = select_lease.get();
  std::vector<std::pair<std::string, std::int64_t>> counts;
  while (select.executeStep()) {
    counts.emplace_back(select.getColumn(0).getString(), select.getColumn(1).getInt64());
  }
  return counts;
}

void store_sms_part(SQLite::Database& db, const sms_part& part) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO sms_parts (provider, sender, reference, total, part, body, received_at) "
      "VALUES (:provider, :sender, :reference, :total, :part, :body, :received_at) "
      "ON CONFLICT DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  bind_text(insert, ":provider", part.provider);
  bind_text(insert, ":sender", part.sender);
  bind_text(insert, ":reference", part.reference);
  insert.bind(":total", part.total);
  insert.bind(":part", part.part);
  bind_text(insert, ":body", part.body);
  bind_text(insert, ":received_at", part.received_at);
  insert.exec();
}

std::vector<std::pair<int, std::string>> sms_parts_of(SQLite::Database& db,
                                                      std::string_view provider,
                                                      std::string_view sender,
                                                      std::string_view reference) {
  detail::statement_lease select_lease(
      db,
      "SELECT part, body FROM sms_parts WHERE provider = :provider AND "
      "sender = :sender AND reference = :reference ORDER BY part");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":provider", provider);
  bind_text(select, ":sender", sender);
  bind_text(select, ":reference", reference);
  std::vector<std::pair<int, std::string>> parts;
  while (select.executeStep()) {
    parts.emplace_back(select.getColumn(0).getInt(), select.getColumn(1).getString());
  }
  return parts;
}

void delete_sms_parts_before(SQLite::Database& db, std::string_view before) {
  detail::statement_lease remove_lease(db, "DELETE FROM sms_parts WHERE received_at < :before");
  SQLite::Statement& remove = remove_lease.get();
  bind_text(remove, ":before", before);
  remove.exec();
}

}  // namespace civicline::storage
