// Residents, their conversation state and their messages (storage/service_requests.hpp).

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <string>

#include "storage/database.hpp"
#include "storage/service_requests.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace detail {

void require_one_change(int changes, std::string_view what, std::int64_t id) {
  if (changes != 1) {
    throw storage_error(std::string(what) + " " + std::to_string(id) + " does not exist");
  }
}

std::string placeholders(std::string_view prefix, std::size_t count) {
  std::string list;
  for (std::size_t i = 0; i < count; ++i) {
    list += (i == 0 ? ":" : ", :");
    list += prefix;
    list += "_" + std::to_string(i);
  }
  return list;
}

}  // namespace detail

namespace {

using detail::bind_text;

constexpr const char* resident_columns =
    "SELECT id, channel, address, language, opted_out_at, created_at FROM residents ";

resident_record read_resident(const SQLite::Statement& row) {
  return resident_record{row.getColumn(0).getInt64(),
                         row.getColumn(1).getString(),
                         row.getColumn(2).getString(),
                         row.getColumn(3).getString(),
                         detail::optional_text(row.getColumn(4)),
                         row.getColumn(5).getString()};
}

std::optional<resident_record> first_resident(SQLite::Statement& select) {
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_resident(select);
}

}  // namespace

resident_record find_or_create_resident(SQLite::Database& db, std::string_view channel,
                                        std::string_view address, std::string_view language,
                                        std::string_view now) {
  // Nearly every message comes from someone who wrote before: look first, insert only when
  // missing (an insert that hits the unique index costs a probe and a conflict).
  if (auto existing = find_resident_by_address(db, channel, address)) {
    return *std::move(existing);
  }
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO residents (channel, address, language, created_at) "
      "VALUES (:channel, :address, :language, :now) "
      "ON CONFLICT (channel, address) DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  bind_text(insert, ":channel", channel);
  bind_text(insert, ":address", address);
  bind_text(insert, ":language", language);
  bind_text(insert, ":now", now);
  insert.exec();
  // Read back in both cases: an existing resident keeps their language and opt-out.
  std::optional<resident_record> resident = find_resident_by_address(db, channel, address);
  if (!resident) {
    throw storage_error("resident just inserted on channel '" + std::string(channel) +
                        "' cannot be read back");
  }
  return *std::move(resident);
}

std::optional<resident_record> find_resident(SQLite::Database& db, std::int64_t id) {
  detail::statement_lease select_lease(db, std::string(resident_columns) + "WHERE id = :id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", id);
  return first_resident(select);
}

std::optional<resident_record> find_resident_by_address(SQLite::Database& db,
                                                        std::string_view channel,
                                                        std::string_view address) {
  detail::statement_lease select_lease(
      db, std::string(resident_columns) + "WHERE channel = :channel AND address = :address");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":channel", channel);
  bind_text(select, ":address", address);
  return first_resident(select);
}

void set_resident_language(SQLite::Database& db, std::int64_t resident_id,
                           std::string_view language) {
  detail::statement_lease update_lease(db,
                                       "UPDATE residents SET language = :language WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":language", language);
  update.bind(":id", resident_id);
  detail::require_one_change(update.exec(), "resident", resident_id);
}

void set_resident_opt_out(SQLite::Database& db, std::int64_t resident_id,
                          std::optional<std::string_view> at) {
  detail::savepoint all_or_nothing(db);
  detail::statement_lease update_lease(db,
                                       "UPDATE residents SET opted_out_at = :at WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  detail::bind_optional_text(update, ":at", at);
  update.bind(":id", resident_id);
  detail::require_one_change(update.exec(), "resident", resident_id);
  if (at) {
    // STOP means nothing more goes out, including what was queued before it.
    detail::statement_lease suppress_lease(db,
                                           "UPDATE notifications SET status = 'suppressed' "
                                           "WHERE resident_id = :id AND status = 'pending'");
    SQLite::Statement& suppress = suppress_lease.get();
    suppress.bind(":id", resident_id);
    suppress.exec();
  }
  all_or_nothing.release();
}

std::optional<std::string> load_conversation(SQLite::Database& db, std::int64_t resident_id) {
  detail::statement_lease select_lease(
      db, "SELECT state_json FROM conversations WHERE resident_id = :resident_id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":resident_id", resident_id);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return select.getColumn(0).getString();
}

void save_conversation(SQLite::Database& db, std::int64_t resident_id, std::string_view state_json,
                       std::string_view now) {
  detail::statement_lease upsert_lease(
      db,
      "INSERT INTO conversations (resident_id, state_json, updated_at) "
      "VALUES (:resident_id, :state_json, :now) "
      "ON CONFLICT (resident_id) DO UPDATE "
      "SET state_json = excluded.state_json, updated_at = excluded.updated_at");
  SQLite::Statement& upsert = upsert_lease.get();
  upsert.bind(":resident_id", resident_id);
  bind_text(upsert, ":state_json", state_json);
  bind_text(upsert, ":now", now);
  upsert.exec();
}

std::optional<std::int64_t> insert_message(SQLite::Database& db, const message_record& message) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO messages (resident_id, direction, body, external_id, request_id, created_at, "
      "in_reply_to) VALUES (:resident_id, :direction, :body, :external_id, :request_id, "
      ":created_at, :in_reply_to) "
      "ON CONFLICT (resident_id, direction, external_id) WHERE external_id <> '' DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  insert.bind(":resident_id", message.resident_id);
  bind_text(insert, ":direction", message.direction);
  bind_text(insert, ":body", message.body);
  bind_text(insert, ":external_id", message.external_id);
  detail::bind_optional_int64(insert, ":request_id", message.request_id);
  bind_text(insert, ":created_at", message.created_at);
  detail::bind_optional_int64(insert, ":in_reply_to", message.in_reply_to);
  if (insert.exec() == 0) {
    return std::nullopt;  // a provider retry of a message stored before
  }
  return db.getLastInsertRowid();
}

std::vector<message_record> conversation_messages(SQLite::Database& db, std::int64_t resident_id,
                                                  std::size_t limit) {
  // The newest `limit`, then turned around so the caller reads them in order.
  detail::statement_lease select_lease(
      db,
      "SELECT id, resident_id, direction, body, external_id, request_id, "
      "created_at, in_reply_to FROM messages WHERE resident_id = :resident_id "
      "ORDER BY created_at DESC, id DESC LIMIT :limit");
  SQLite::Statement& select = select_lease.get();
  select.bind(":resident_id", resident_id);
  detail::bind_limit(select, ":limit", limit);
  std::vector<message_record> messages;
  while (select.executeStep()) {
    messages.push_back(message_record{
        select.getColumn(0).getInt64(), select.getColumn(1).getInt64(),
        select.getColumn(2).getString(), select.getColumn(3).getString(),
        select.getColumn(4).getString(), detail::optional_int64(select.getColumn(5)),
        select.getColumn(6).getString(), detail::optional_int64(select.getColumn(7))});
  }
  std::reverse(messages.begin(), messages.end());
  return messages;
}

}  // namespace civicline::storage
