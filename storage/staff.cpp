// Staff users, sessions, API keys and failed logins (storage/staff.hpp).

#include "storage/staff.hpp"

#include <SQLiteCpp/Statement.h>

#include <string>

#include "storage/database.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

using detail::bind_text;

constexpr const char* user_columns =
    "SELECT id, name, role, password_hash, created_at, disabled_at FROM staff_users ";

staff_user_record read_user(const SQLite::Statement& row) {
  return staff_user_record{row.getColumn(0).getInt64(),  row.getColumn(1).getString(),
                           row.getColumn(2).getString(), row.getColumn(3).getString(),
                           row.getColumn(4).getString(), detail::optional_text(row.getColumn(5))};
}

constexpr const char* key_columns =
    "SELECT id, name, role, key_hash, prefix, created_at, last_used_at, revoked_at "
    "FROM api_keys ";

api_key_record read_key(const SQLite::Statement& row) {
  return api_key_record{row.getColumn(0).getInt64(),
                        row.getColumn(1).getString(),
                        row.getColumn(2).getString(),
                        row.getColumn(3).getString(),
                        row.getColumn(4).getString(),
                        row.getColumn(5).getString(),
                        detail::optional_text(row.getColumn(6)),
                        detail::optional_text(row.getColumn(7))};
}

}  // namespace

std::optional<staff_user_record> insert_staff_user(SQLite::Database& db,
                                                   const staff_user_record& user) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO staff_users (name, role, password_hash, created_at, "
      "disabled_at) VALUES (:name, :role, :password_hash, :created_at, "
      ":disabled_at) ON CONFLICT (name) DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  bind_text(insert, ":name", user.name);
  bind_text(insert, ":role", user.role);
  bind_text(insert, ":password_hash", user.password_hash);
  bind_text(insert, ":created_at", user.created_at);
  detail::bind_optional_text(
      insert, ":disabled_at",
      user.disabled_at ? std::optional<std::string_view>(*user.disabled_at) : std::nullopt);
  if (insert.exec() == 0) {
    return std::nullopt;
  }
  auto stored = user;
  stored.id = db.getLastInsertRowid();
  return stored;
}

std::optional<staff_user_record> find_staff_user(SQLite::Database& db, std::string_view name) {
  detail::statement_lease select_lease(db, std::string(user_columns) + "WHERE name = :name");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":name", name);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_user(select);
}

std::vector<staff_user_record> list_staff_users(SQLite::Database& db) {
  detail::statement_lease select_lease(db, std::string(user_columns) + "ORDER BY name");
  SQLite::Statement& select = select_lease.get();
  std::vector<staff_user_record> users;
  while (select.executeStep()) {
    users.push_back(read_user(select));
  }
  return users;
}

void disable_staff_user(SQLite::Database& db, std::int64_t user_id, std::string_view now) {
  detail::statement_lease update_lease(
      db,
      "UPDATE staff_users SET disabled_at = COALESCE(disabled_at, :now) "
      "WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":now", now);
  update.bind(":id", user_id);
  detail::require_one_change(update.exec(), "staff user", user_id);
}

void enable_staff_user(SQLite::Database& db, std::int64_t user_id) {
  detail::statement_lease update_lease(db,
                                       "UPDATE staff_users SET disabled_at = NULL WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  update.bind(":id", user_id);
  detail::require_one_change(update.exec(), "staff user", user_id);
}

void set_staff_user_role(SQLite::Database& db, std::int64_t user_id, std::string_view role) {
  detail::statement_lease update_lease(db, "UPDATE staff_users SET role = :role WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":role", role);
  update.bind(":id", user_id);
  detail::require_one_change(update.exec(), "staff user", user_id);
}

int delete_staff_sessions_of(SQLite::Database& db, std::int64_t user_id) {
  detail::statement_lease delete_lease(db, "DELETE FROM staff_sessions WHERE user_id = :id");
  SQLite::Statement& remove = delete_lease.get();
  remove.bind(":id", user_id);
  return remove.exec();
}

std::int64_t insert_staff_session(SQLite::Database& db, const staff_session_record& session) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, "
      "expires_at) VALUES (:token_hash, :user_id, :csrf_token, :created_at, :last_seen_at, "
      ":expires_at)");
  SQLite::Statement& insert = insert_lease.get();
  bind_text(insert, ":token_hash", session.token_hash);
  insert.bind(":user_id", session.user_id);
  bind_text(insert, ":csrf_token", session.csrf_token);
  bind_text(insert, ":created_at", session.created_at);
  bind_text(insert, ":last_seen_at", session.last_seen_at);
  bind_text(insert, ":expires_at", session.expires_at);
  insert.exec();
  return db.getLastInsertRowid();
}

std::optional<staff_session_view> find_staff_session(SQLite::Database& db,
                                                     std::string_view token_hash) {
  detail::statement_lease select_lease(
      db,
      "SELECT s.id, s.token_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, "
      "s.expires_at, u.name, u.role FROM staff_sessions s "
      "JOIN staff_users u ON u.id = s.user_id "
      "WHERE s.token_hash = :token_hash AND u.disabled_at IS NULL");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":token_hash", token_hash);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return staff_session_view{
      staff_session_record{select.getColumn(0).getInt64(), select.getColumn(1).getString(),
                           select.getColumn(2).getInt64(), select.getColumn(3).getString(),
                           select.getColumn(4).getString(), select.getColumn(5).getString(),
                           select.getColumn(6).getString()},
      select.getColumn(7).getString(), select.getColumn(8).getString()};
}

void touch_staff_session(SQLite::Database& db, std::int64_t session_id, std::string_view now) {
  detail::statement_lease update_lease(db,
                                       "UPDATE staff_sessions SET last_seen_at = :now "
                                       "WHERE id = :id AND last_seen_at < :now");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":now", now);
  update.bind(":id", session_id);
  update.exec();
}

bool delete_staff_session(SQLite::Database& db, std::string_view token_hash) {
  detail::statement_lease remove_lease(db,
                                       "DELETE FROM staff_sessions WHERE token_hash = :token_hash");
  SQLite::Statement& remove = remove_lease.get();
  bind_text(remove, ":token_hash", token_hash);
  return remove.exec() > 0;
}

int delete_stale_staff_sessions(SQLite::Database& db, std::string_view now,
                                std::string_view idle_since) {
  detail::statement_lease remove_lease(db,
                                       "DELETE FROM staff_sessions "
                                       "WHERE expires_at <= :now OR last_seen_at < :idle_since");
  SQLite::Statement& remove = remove_lease.get();
  bind_text(remove, ":now", now);
  bind_text(remove, ":idle_since", idle_since);
  return remove.exec();
}

std::int64_t insert_api_key(SQLite::Database& db, const api_key_record& key) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO api_keys (name, role, key_hash, prefix, created_at, "
      "last_used_at, revoked_at) VALUES (:name, :role, :key_hash, :prefix, "
      ":created_at, :last_used_at, :revoked_at)");
  SQLite::Statement& insert = insert_lease.get();
  bind_text(insert, ":name", key.name);
  bind_text(insert, ":role", key.role);
  bind_text(insert, ":key_hash", key.key_hash);
  bind_text(insert, ":prefix", key.prefix);
  bind_text(insert, ":created_at", key.created_at);
  detail::bind_optional_text(
      insert, ":last_used_at",
      key.last_used_at ? std::optional<std::string_view>(*key.last_used_at) : std::nullopt);
  detail::bind_optional_text(
      insert, ":revoked_at",
      key.revoked_at ? std::optional<std::string_view>(*key.revoked_at) : std::nullopt);
  insert.exec();
  return db.getLastInsertRowid();
}

std::optional<api_key_record> find_api_key(SQLite::Database& db, std::string_view key_hash) {
  detail::statement_lease select_lease(db, std::string(key_columns) + "WHERE key_hash = :key_hash");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":key_hash", key_hash);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_key(select);
}

std::optional<api_key_record> find_api_key_by_id(SQLite::Database& db, std::int64_t id) {
  detail::statement_lease select_lease(db, std::string(key_columns) + "WHERE id = :id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", id);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_key(select);
}

std::vector<api_key_record> list_api_keys(SQLite::Database& db) {
  detail::statement_lease select_lease(
      db, std::string(key_columns) + "ORDER BY created_at DESC, id DESC");
  SQLite::Statement& select = select_lease.get();
  std::vector<api_key_record> keys;
  while (select.executeStep()) {
    keys.push_back(read_key(select));
  }
  return keys;
}

void touch_api_key(SQLite::Database& db, std::int64_t key_id, std::string_view now) {
  detail::statement_lease update_lease(db,
                                       "UPDATE api_keys SET last_used_at = :now WHERE id = :id "
                                       "AND (last_used_at IS NULL OR last_used_at < :now)");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":now", now);
  update.bind(":id", key_id);
  update.exec();
}

void revoke_api_key(SQLite::Database& db, std::int64_t key_id, std::string_view now) {
  detail::statement_lease update_lease(
      db, "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, :now) WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":now", now);
  update.bind(":id", key_id);
  detail::require_one_change(update.exec(), "API key", key_id);
}

std::optional<login_failure_record> find_login_failure(SQLite::Database& db,
                                                       std::string_view name) {
  detail::statement_lease select_lease(db,
                                       "SELECT name, failures, last_failure_at, locked_until "
                                       "FROM login_failures WHERE name = :name");
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":name", name);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return login_failure_record{select.getColumn(0).getString(), select.getColumn(1).getInt(),
                              select.getColumn(2).getString(),
                              detail::optional_text(select.getColumn(3))};
}

void save_login_failure(SQLite::Database& db, const login_failure_record& record) {
  detail::statement_lease upsert_lease(
      db,
      "INSERT INTO login_failures (name, failures, last_failure_at, locked_until) "
      "VALUES (:name, :failures, :last_failure_at, :locked_until) "
      "ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, "
      "last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until");
  SQLite::Statement& upsert = upsert_lease.get();
  bind_text(upsert, ":name", record.name);
  upsert.bind(":failures", record.failures);
  bind_text(upsert, ":last_failure_at", record.last_failure_at);
  detail::bind_optional_text(
      upsert, ":locked_until",
      record.locked_until ? std::optional<std::string_view>(*record.locked_until) : std::nullopt);
  upsert.exec();
}

void clear_login_failure(SQLite::Database& db, std::string_view name) {
  detail::statement_lease remove_lease(db, "DELETE FROM login_failures WHERE name = :name");
  SQLite::Statement& remove = remove_lease.get();
  bind_text(remove, ":name", name);
  remove.exec();
}

int delete_login_failures_before(SQLite::Database& db, std::string_view before) {
  detail::statement_lease remove_lease(db,
                                       "DELETE FROM login_failures WHERE last_failure_at < :before "
                                       "AND (locked_until IS NULL OR locked_until < :before)");
  SQLite::Statement& remove = remove_lease.get();
  bind_text(remove, ":before", before);
  return remove.exec();
}

std::int64_t insert_audit(SQLite::Database& db, const audit_record& entry) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO audit_log (at, actor_kind, actor_id, action, target, detail_json) "
      "VALUES (:at, :actor_kind, :actor_id, :action, :target, :detail_json)");
  SQLite::Statement& insert = insert_lease.get();
  bind_text(insert, ":at", entry.at);
  bind_text(insert, ":actor_kind", entry.actor_kind);
  bind_text(insert, ":actor_id", entry.actor_id);
  bind_text(insert, ":action", entry.action);
  bind_text(insert, ":target", entry.target);
  bind_text(insert, ":detail_json", entry.detail_json);
  insert.exec();
  return db.getLastInsertRowid();
}

std::vector<audit_record> list_audit(SQLite::Database& db, std::size_t limit,
                                     std::optional<std::int64_t> before_id) {
  detail::statement_lease select_lease(
      db,
      "SELECT id, at, actor_kind, actor_id, action, target, detail_json FROM audit_log "
      "WHERE (:before_id IS NULL OR id < :before_id) ORDER BY id DESC LIMIT :limit");
  SQLite::Statement& select = select_lease.get();
  if (before_id) {
    select.bind(":before_id", *before_id);
  } else {
    select.bind(":before_id");
  }
  detail::bind_limit(select, ":limit", limit);
  std::vector<audit_record> entries;
  while (select.executeStep()) {
    entries.push_back(audit_record{select.getColumn(0).getInt64(), select.getColumn(1).getString(),
                                   select.getColumn(2).getString(), select.getColumn(3).getString(),
                                   select.getColumn(4).getString(), select.getColumn(5).getString(),
                                   select.getColumn(6).getString()});
  }
  return entries;
}

}  // namespace civicline::storage
