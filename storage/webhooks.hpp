#pragma once
// Partner webhooks: subscriptions, one delivery row per (subscription, outbox event), and the
// log of every delivery attempt. Same conventions as service_requests.hpp: the caller's
// connection (writes inside a database job), ISO 8601 UTC text, nullopt for "not found".
// Which events match a subscription is decided by the caller (core/webhook_filter.hpp).

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/service_requests.hpp"

namespace civicline::storage {

struct webhook_subscription {
  std::int64_t id = 0;
  std::string url;
  std::string event_types_json = "[\"*\"]";  ///< JSON array of patterns
  std::string categories_json = "[]";        ///< JSON array of category codes; [] = all
  std::string description;
  bool include_pii = false;
  bool enabled = true;
  std::string disabled_reason;
  std::string secret;  ///< "whsec_..."
  std::optional<std::string> previous_secret{};
  std::optional<std::string> previous_secret_expires_at{};
  std::int64_t after_event = 0;  ///< only outbox events with a larger id reach it
  std::optional<std::string> failing_since{};
  std::string created_at;
  std::string updated_at;
};

/// Stores a new subscription (its after_event is set to the outbox's current end) and
/// returns it with its id.
webhook_subscription insert_webhook_subscription(SQLite::Database& db,
                                                 webhook_subscription subscription);
/// Every subscription, oldest first.
std::vector<webhook_subscription> webhook_subscriptions(SQLite::Database& db);
std::optional<webhook_subscription> find_webhook_subscription(SQLite::Database& db,
                                                              std::int64_t id);
/// Replaces the editable fields (url, filters, description, include_pii, enabled,
/// disabled_reason, failing_since, secrets) and updated_at. False when there is no such row.
bool update_webhook_subscription(SQLite::Database& db, const webhook_subscription& subscription);
/// Deletes a subscription with its deliveries and their attempts. False when not found.
bool delete_webhook_subscription(SQLite::Database& db, std::int64_t id);

/// Reads the outbox after the fan-out cursor (at most `limit` events), inserts a pending
/// delivery due at `now` for every enabled subscription that `matches` an event (and was
/// created before it), and moves the cursor past them. Returns the events read; run it in a
/// write job so the deliveries and the cursor commit together.
struct fan_out_rules {
  /// True when the subscription wants the event.
  std::function<bool(const webhook_subscription&, const outbox_event&)> matches;
  /// The key whose events keep their order (a request's tracking id; "" = none).
  std::function<std::string(const outbox_event&)> ordering_key;
};
std::size_t fan_out_webhook_events(SQLite::Database& db, const fan_out_rules& rules,
                                   std::string_view now, std::size_t limit);
/// True when the outbox holds events the fan-out has not read yet.
bool webhook_fanout_behind(SQLite::Database& db);

struct webhook_delivery {
  std::int64_t id = 0;
  std::int64_t subscription_id = 0;
  std::int64_t event_row = 0;  ///< outbox_events.id
  std::string ordering_key;
  std::string status;  ///< "pending", "delivered", "failed"
  int attempts = 0;
  std::string next_attempt_at;
  std::optional<int> last_status_code{};
  std::string last_error;
  std::string created_at;
  std::string updated_at;
  outbox_event event;  ///< the event it carries
};

/// Pending deliveries of one subscription due at `now`, by due time then id, at most `limit`.
std::vector<webhook_delivery> due_webhook_deliveries(SQLite::Database& db,
                                                     std::int64_t subscription_id,
                                                     std::string_view now, std::size_t limit);
std::optional<webhook_delivery> find_webhook_delivery(SQLite::Database& db, std::int64_t id);
/// A subscription's deliveries, newest first, optionally of one status, at most `limit`.
std::vector<webhook_delivery> deliveries_of_subscription(SQLite::Database& db,
                                                         std::int64_t subscription_id,
                                                         std::optional<std::string_view> status,
                                                         std::size_t limit);
/// Every delivery of the event with this public id ("evt_..."), by subscription.
std::vector<webhook_delivery> deliveries_of_event(SQLite::Database& db, std::string_view event_id);

struct webhook_attempt {
  std::int64_t id = 0;
  std::int64_t delivery_id = 0;
  std::string attempted_at;
  std::optional<int> status_code{};
  std::int64_t latency_ms = 0;
  std::string response_excerpt;
  std::string error;
};

/// Logs an attempt and sets the delivery's outcome: `status` ("pending" with the next
/// attempt's time, "delivered" or "failed"), the attempt count and the last code and error.
void record_webhook_attempt(SQLite::Database& db, const webhook_attempt& attempt,
                            std::string_view status, int attempts,
                            std::string_view next_attempt_at);
/// The attempts of a delivery, oldest first.
std::vector<webhook_attempt> webhook_attempts_of(SQLite::Database& db, std::int64_t delivery_id);

/// Makes deliveries of a subscription pending again, due at `now`, with a fresh attempt
/// count: the one for event `event_id`, or every failed one created at or after `since`.
/// Returns how many were reset.
std::int64_t redeliver_event(SQLite::Database& db, std::int64_t subscription_id,
                             std::string_view event_id, std::string_view now);
std::int64_t redeliver_failed_since(SQLite::Database& db, std::int64_t subscription_id,
                                    std::string_view since, std::string_view now);

/// The creation time of the oldest pending delivery of an enabled subscription, if any.
std::optional<std::string> oldest_pending_webhook_delivery(SQLite::Database& db);

}  // namespace civicline::storage
