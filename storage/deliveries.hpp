#pragma once
// What channels need beyond the conversation rows: the replies already given to a
// provider's message (so a retried webhook gets the same answer), how many messages a
// sender sent lately (the per-sender limit), the outcome of each delivery attempt of a
// queued notification, and the parts of multipart SMS waiting for the last one.
// Same conventions as service_requests.hpp: the caller's connection, ISO 8601 UTC text.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/service_requests.hpp"

namespace civicline::storage {

/// The id of the inbound message this resident sent with this provider message id, if stored.
std::optional<std::int64_t> find_inbound_message(SQLite::Database& db, std::int64_t resident_id,
                                                 std::string_view external_id);
/// The replies stored for an inbound message, in the order they were given.
std::vector<std::string> replies_to(SQLite::Database& db, std::int64_t inbound_message_id);
/// How many messages the resident sent at or after `since`.
std::int64_t count_inbound_since(SQLite::Database& db, std::int64_t resident_id,
                                 std::string_view since);

/// The notification with this id, with its resident's channel and address.
std::optional<notification_record> find_notification(SQLite::Database& db, std::int64_t id);
/// The provider accepted the message: status "sent", its id and first delivery status kept.
/// Also stores the text as an outgoing message of the conversation, so staff see it.
void record_notification_sent(SQLite::Database& db, const notification_record& notification,
                              int attempts, std::string_view provider_message_id,
                              std::string_view delivery_status, std::string_view now);
/// The attempt failed for now: try again at `next_attempt_at`.
void record_notification_retry(SQLite::Database& db, std::int64_t id, int attempts,
                               std::string_view next_attempt_at, std::string_view error);
/// The notification will not be sent: `status` is "failed" or "suppressed" (opted out).
void record_notification_dropped(SQLite::Database& db, std::int64_t id, std::string_view status,
                                 int attempts, std::string_view error);
/// The notification a provider knows by this message id.
std::optional<notification_record> find_notification_by_provider_message(
    SQLite::Database& db, std::string_view provider_message_id);
/// Stores the provider's latest word on delivery (the caller decides whether it may replace).
void set_delivery_status(SQLite::Database& db, std::int64_t id, std::string_view delivery_status,
                         std::string_view error);
/// Notifications by status, for metrics and tests: {{"pending", 3}, {"sent", 10}, ...}.
std::vector<std::pair<std::string, std::int64_t>> count_notifications_by_status(
    SQLite::Database& db);

/// One part of a multipart SMS.
struct sms_part {
  std::string provider;
  std::string sender;  ///< PII
  std::string reference;
  int total = 1;
  int part = 1;
  std::string body;
  std::string received_at;
};
/// Keeps a part; the same part again (a provider retry) changes nothing.
void store_sms_part(SQLite::Database& db, const sms_part& part);
/// The parts received so far of one multipart message, as (part number, body) in part order.
std::vector<std::pair<int, std::string>> sms_parts_of(SQLite::Database& db,
                                                      std::string_view provider,
                                                      std::string_view sender,
                                                      std::string_view reference);
/// Forgets parts received before `before` (their message never completed, or was handled).
void delete_sms_parts_before(SQLite::Database& db, std::string_view before);

}  // namespace civicline::storage
