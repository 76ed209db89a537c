// Partner webhook subscriptions, deliveries and attempts (storage/webhooks.hpp).

#include "storage/webhooks.hpp"

#include <SQLiteCpp/Statement.h>

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

using detail::bind_text;
using detail::optional_text;

constexpr const char* subscription_columns =
    "id, url, event_types_json, categories_json, description, include_pii, enabled, "
    "disabled_reason, secret, previous_secret, previous_secret_expires_at, after_event, "
    "failing_since, created_at, updated_at";

webhook_subscription read_subscription(const SQLite::Statement& row) {
  webhook_subscription s;
  s.id = row.getColumn(0).getInt64();
  s.url = row.getColumn(1).getString();
  s.event_types_json = row.getColumn(2).getString();
  s.categories_json = row.getColumn(3).getString();
  s.description = row.getColumn(4).getString();
  s.include_pii = row.getColumn(5).getInt() != 0;
  s.enabled = row.getColumn(6).getInt() != 0;
  s.disabled_reason = row.getColumn(7).getString();
  s.secret = row.getColumn(8).getString();
  s.previous_secret = optional_text(row.getColumn(9));
  s.previous_secret_expires_at = optional_text(row.getColumn(10));
  s.after_event = row.getColumn(11).getInt64();
  s.failing_since = optional_text(row.getColumn(12));
  s.created_at = row.getColumn(13).getString();
  s.updated_at = row.getColumn(14).getString();
  return s;
}

constexpr const char* delivery_columns =
    "d.id, d.subscription_id, d.event_id, d.ordering_key, d.status, d.attempts, "
    "d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.updated_at, "
    "e.id, e.event_id, e.type, e.payload_json, e.created_at";

webhook_delivery read_delivery(const SQLite::Statement& row) {
  webhook_delivery d;
  d.id = row.getColumn(0).getInt64();
  d.subscription_id = row.getColumn(1).getInt64();
  d.event_row = row.getColumn(2).getInt64();
  d.ordering_key = row.getColumn(3).getString();
  d.status = row.getColumn(4).getString();
  d.attempts = row.getColumn(5).getInt();
  d.next_attempt_at = row.getColumn(6).getString();
  if (!row.getColumn(7).isNull()) {
    d.last_status_code = row.getColumn(7).getInt();
  }
  d.last_error = row.getColumn(8).getString();
  d.created_at = row.getColumn(9).getString();
  d.updated_at = row.getColumn(10).getString();
  d.event = outbox_event{row.getColumn(11).getInt64(), row.getColumn(12).getString(),
                         row.getColumn(13).getString(), row.getColumn(14).getString(),
                         row.getColumn(15).getString()};
  return d;
}

std::vector<webhook_delivery> read_deliveries(SQLite::Statement& select) {
  std::vector<webhook_delivery> out;
  while (select.executeStep()) {
    out.push_back(read_delivery(select));
  }
  return out;
}

std::string delivery_select(const std::string& where_and_order) {
  return std::string("SELECT ") + delivery_columns +
         " FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id " + where_and_order;
}

void bind_subscription_fields(SQLite::Statement& statement, const webhook_subscription& s) {
  bind_text(statement, ":url", s.url);
  bind_text(statement, ":event_types_json", s.event_types_json);
  bind_text(statement, ":categories_json", s.categories_json);
  bind_text(statement, ":description", s.description);
  statement.bind(":include_pii", s.include_pii ? 1 : 0);
  statement.bind(":enabled", s.enabled ? 1 : 0);
  bind_text(statement, ":disabled_reason", s.disabled_reason);
  bind_text(statement, ":secret", s.secret);
  detail::bind_optional_text(statement, ":previous_secret", s.previous_secret);
  detail::bind_optional_text(statement, ":previous_secret_expires_at",
                             s.previous_secret_expires_at);
  detail::bind_optional_text(statement, ":failing_since", s.failing_since);
  bind_text(statement, ":updated_at", s.updated_at);
}

}  // namespace

webhook_subscription insert_webhook_subscription(SQLite::Database& db,
                                                 webhook_subscription subscription) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO webhook_subscriptions (url, event_types_json, categories_json, description, "
      "include_pii, enabled, disabled_reason, secret, previous_secret, "
      "previous_secret_expires_at, after_event, failing_since, created_at, updated_at) "
      "VALUES (:url, :event_types_json, :categories_json, :description, :include_pii, "
      ":enabled, :disabled_reason, :secret, :previous_secret, :previous_secret_expires_at, "
      "(SELECT COALESCE(MAX(id), 0) FROM outbox_events), :failing_since, :created_at, "
      ":updated_at)");
  SQLite::Statement& insert = insert_lease.get();
  bind_subscription_fields(insert, subscription);
  bind_text(insert, ":created_at", subscription.created_at);
  insert.exec();
  return *find_webhook_subscription(db, db.getLastInsertRowid());
}

std::vector<webhook_subscription> webhook_subscriptions(SQLite::Database& db) {
  detail::statement_lease select_lease(db, std::string("SELECT ") + subscription_columns +
                                               " FROM webhook_subscriptions ORDER BY id");
  SQLite::Statement& select = select_lease.get();
  std::vector<webhook_subscription> out;
  while (select.executeStep()) {
    out.push_back(read_subscription(select));
  }
  return out;
}

std::optional<webhook_subscription> find_webhook_subscription(SQLite::Database& db,
                                                              std::int64_t id) {
  detail::statement_lease select_lease(db, std::string("SELECT ") + subscription_columns +
                                               " FROM webhook_subscriptions WHERE id = :id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", id);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_subscription(select);
}

bool update_webhook_subscription(SQLite::Database& db, const webhook_subscription& subscription) {
  detail::statement_lease update_lease(
      db,
      "UPDATE webhook_subscriptions SET url = :url, event_types_json = :event_types_json, "
      "categories_json = :categories_json, description = :description, "
      "include_pii = :include_pii, enabled = :enabled, disabled_reason = :disabled_reason, "
      "secret = :secret, previous_secret = :previous_secret, "
      "previous_secret_expires_at = :previous_secret_expires_at, "
      "failing_since = :failing_since, updated_at = :updated_at WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_subscription_fields(update, subscription);
  update.bind(":id", subscription.id);
  return update.exec() == 1;
}

bool delete_webhook_subscription(SQLite::Database& db, std::int64_t id) {
  detail::savepoint all_or_nothing(db);
  // Explicit rather than trusting ON DELETE CASCADE, which needs foreign_keys on.
  detail::statement_lease attempts_lease(
      db,
      "DELETE FROM webhook_attempts WHERE delivery_id IN "
      "(SELECT id FROM webhook_deliveries WHERE subscription_id = :id)");
  attempts_lease.get().bind(":id", id);
  attempts_lease.get().exec();
  detail::statement_lease deliveries_lease(
      db, "DELETE FROM webhook_deliveries WHERE subscription_id = :id");
  deliveries_lease.get().bind(":id", id);
  deliveries_lease.get().exec();
  detail::statement_lease subscription_lease(db,
                                             "DELETE FROM webhook_subscriptions WHERE id = :id");
  subscription_lease.get().bind(":id", id);
  const bool deleted = subscription_lease.get().exec() == 1;
  all_or_nothing.release();
  return deleted;
}

std::size_t fan_out_webhook_events(SQLite::Database& db, const fan_out_rules& rules,
                                   std::string_view now, std::size_t limit) {
  detail::savepoint all_or_nothing(db);
  std::int64_t cursor = 0;
  {
    detail::statement_lease cursor_lease(db, "SELECT last_event FROM webhook_fanout WHERE id = 1");
    if (cursor_lease.get().executeStep()) {
      cursor = cursor_lease.get().getColumn(0).getInt64();
    }
  }
  const auto events = outbox_events_after(db, cursor, limit);
  if (events.empty()) {
    all_or_nothing.release();
    return 0;
  }
  std::vector<webhook_subscription> enabled;
  for (auto& s : webhook_subscriptions(db)) {
    if (s.enabled) {
      enabled.push_back(std::move(s));
    }
  }
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO webhook_deliveries (subscription_id, event_id, ordering_key, status, "
      "attempts, next_attempt_at, created_at, updated_at) VALUES (:subscription_id, :event_id, "
      ":ordering_key, 'pending', 0, :now, :now, :now) "
      "ON CONFLICT (subscription_id, event_id) DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  for (const auto& event : events) {
    std::optional<std::string> key;
    for (const auto& subscription : enabled) {
      if (event.id <= subscription.after_event || !rules.matches(subscription, event)) {
        continue;
      }
      if (!key) {
        key = rules.ordering_key(event);
      }
      insert.bind(":subscription_id", subscription.id);
      insert.bind(":event_id", event.id);
      bind_text(insert, ":ordering_key", *key);
      bind_text(insert, ":now", now);
      insert.exec();
      insert.reset();
    }
  }
  detail::statement_lease advance_lease(
      db, "UPDATE webhook_fanout SET last_event = :last_event WHERE id = 1");
  advance_lease.get().bind(":last_event", events.back().id);
  advance_lease.get().exec();
  all_or_nothing.release();
  return events.size();
}

bool webhook_fanout_behind(SQLite::Database& db) {
  detail::statement_lease select_lease(db,
                                       "SELECT EXISTS (SELECT 1 FROM outbox_events WHERE id > "
                                       "(SELECT last_event FROM webhook_fanout WHERE id = 1))");
  SQLite::Statement& select = select_lease.get();
  return select.executeStep() && select.getColumn(0).getInt() != 0;
}

std::vector<webhook_delivery> due_webhook_deliveries(SQLite::Database& db,
                                                     std::int64_t subscription_id,
                                                     std::string_view now, std::size_t limit) {
  detail::statement_lease select_lease(
      db, delivery_select("WHERE d.subscription_id = :subscription_id AND d.status = 'pending' "
                          "AND d.next_attempt_at <= :now ORDER BY d.next_attempt_at, d.id "
                          "LIMIT :limit"));
  SQLite::Statement& select = select_lease.get();
  select.bind(":subscription_id", subscription_id);
  bind_text(select, ":now", now);
  detail::bind_limit(select, ":limit", limit);
  return read_deliveries(select);
}

std::optional<webhook_delivery> find_webhook_delivery(SQLite::Database& db, std::int64_t id) {
  detail::statement_lease select_lease(db, delivery_select("WHERE d.id = :id"));
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", id);
  auto found = read_deliveries(select);
  if (found.empty()) {
    return std::nullopt;
  }
  return std::move(found.front());
}

std::vector<webhook_delivery> deliveries_of_subscription(SQLite::Database& db,
                                                         std::int64_t subscription_id,
                                                         std::optional<std::string_view> status,
                                                         std::size_t limit) {
  detail::statement_lease select_lease(
      db, delivery_select("WHERE d.subscription_id = :subscription_id "
                          "AND (:status IS NULL OR d.status = :status) "
                          "ORDER BY d.id DESC LIMIT :limit"));
  SQLite::Statement& select = select_lease.get();
  select.bind(":subscription_id", subscription_id);
  detail::bind_optional_text(select, ":status", status);
  detail::bind_limit(select, ":limit", limit);
  return read_deliveries(select);
}

std::vector<webhook_delivery> deliveries_of_event(SQLite::Database& db, std::string_view event_id) {
  detail::statement_lease select_lease(
      db, delivery_select("WHERE e.event_id = :event_id ORDER BY d.subscription_id"));
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":event_id", event_id);
  return read_deliveries(select);
}

void record_webhook_attempt(SQLite::Database& db, const webhook_attempt& attempt,
                            std::string_view status, int attempts,
                            std::string_view next_attempt_at) {
  detail::savepoint all_or_nothing(db);
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, "
      "response_excerpt, error) VALUES (:delivery_id, :attempted_at, :status_code, "
      ":latency_ms, :response_excerpt, :error)");
  SQLite::Statement& insert = insert_lease.get();
  insert.bind(":delivery_id", attempt.delivery_id);
  bind_text(insert, ":attempted_at", attempt.attempted_at);
  if (attempt.status_code) {
    insert.bind(":status_code", *attempt.status_code);
  } else {
    insert.bind(":status_code");
  }
  insert.bind(":latency_ms", attempt.latency_ms);
  bind_text(insert, ":response_excerpt", attempt.response_excerpt);
  bind_text(insert, ":error", attempt.error);
  insert.exec();

  detail::statement_lease update_lease(
      db,
      "UPDATE webhook_deliveries SET status = :status, attempts = :attempts, "
      "next_attempt_at = :next_attempt_at, last_status_code = :status_code, "
      "last_error = :error, updated_at = :now WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":status", status);
  update.bind(":attempts", attempts);
  bind_text(update, ":next_attempt_at", next_attempt_at);
  if (attempt.status_code) {
    update.bind(":status_code", *attempt.status_code);
  } else {
    update.bind(":status_code");
  }
  bind_text(update, ":error", attempt.error);
  bind_text(update, ":now", attempt.attempted_at);
  update.bind(":id", attempt.delivery_id);
  detail::require_one_change(update.exec(), "webhook delivery", attempt.delivery_id);
  all_or_nothing.release();
}

std::vector<webhook_attempt> webhook_attempts_of(SQLite::Database& db, std::int64_t delivery_id) {
  detail::statement_lease select_lease(
      db,
      "SELECT id, delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error "
      "FROM webhook_attempts WHERE delivery_id = :delivery_id ORDER BY id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":delivery_id", delivery_id);
  std::vector<webhook_attempt> out;
  while (select.executeStep()) {
    webhook_attempt a;
    a.id = select.getColumn(0).getInt64();
    a.delivery_id = select.getColumn(1).getInt64();
    a.attempted_at = select.getColumn(2).getString();
    if (!select.getColumn(3).isNull()) {
      a.status_code = select.getColumn(3).getInt();
    }
    a.latency_ms = select.getColumn(4).getInt64();
    a.response_excerpt = select.getColumn(5).getString();
    a.error = select.getColumn(6).getString();
    out.push_back(std::move(a));
  }
  return out;
}

std::int64_t redeliver_event(SQLite::Database& db, std::int64_t subscription_id,
                             std::string_view event_id, std::string_view now) {
  detail::statement_lease update_lease(
      db,
      "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = :now, "
      "updated_at = :now WHERE subscription_id = :subscription_id AND event_id = "
      "(SELECT id FROM outbox_events WHERE event_id = :event_id)");
  SQLite::Statement& update = update_lease.get();
  update.bind(":subscription_id", subscription_id);
  bind_text(update, ":event_id", event_id);
  bind_text(update, ":now", now);
  return update.exec();
}

std::int64_t redeliver_failed_since(SQLite::Database& db, std::int64_t subscription_id,
                                    std::string_view since, std::string_view now) {
  detail::statement_lease update_lease(
      db,
      "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = :now, "
      "updated_at = :now WHERE subscription_id = :subscription_id AND status = 'failed' "
      "AND created_at >= :since");
  SQLite::Statement& update = update_lease.get();
  update.bind(":subscription_id", subscription_id);
  bind_text(update, ":since", since);
  bind_text(update, ":now", now);
  return update.exec();
}

std::optional<std::string> oldest_pending_webhook_delivery(SQLite::Database& db) {
  detail::statement_lease select_lease(
      db,
      "SELECT MIN(d.created_at) FROM webhook_deliveries d JOIN webhook_subscriptions s "
      "ON s.id = d.subscription_id WHERE d.status = 'pending' AND s.enabled = 1");
  SQLite::Statement& select = select_lease.get();
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return optional_text(select.getColumn(0));
}

}  // namespace civicline::storage
