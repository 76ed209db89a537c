#pragma once
// The request lifecycle carried out on the database: create, follow, add a
// note, change status. Each function runs inside a write job (one transaction)
// and writes the history and outbox events that belong to the change, so a
// change and its announcements commit together or not at all.

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>

#include "config/settings.hpp"
#include "core/conversation.hpp"
#include "core/reply_templates.hpp"
#include "core/service_request.hpp"
#include "storage/service_requests.hpp"

namespace civicline::core {

/// The configured category with this code, or nullptr.
const config::category* find_category(const config::settings& settings, std::string_view code);
/// The category's name in `language` (its code when unknown).
std::string category_name(const config::settings& settings, std::string_view code,
                          std::string_view language);

/// Appends one change to a request's history (see storage::history_record).
void record_history(SQLite::Database& db, std::int64_t request_id, const actor& by,
                    std::string field, std::string old_value, std::string new_value,
                    std::string public_note, std::string internal_note, time_point now);

/// The domain value of a stored request.
service_request to_domain(const storage::request_record& record);

/// The request as partners and the public may see it: no resident data.
std::string public_json(const service_request& request);

/// Appends an event with a fresh id to the outbox.
void record_event(SQLite::Database& db, std::string_view type, std::string payload_json,
                  time_point now);

/// Creates a request from a finished draft, with the resident as its reporter.
service_request create_service_request(SQLite::Database& db, const draft& from, channel source,
                                       std::string_view language, std::int64_t reporter_id,
                                       const config::settings& settings, time_point now);

/// Makes the resident a follower of the request (a repeated report of the same problem).
void follow_service_request(SQLite::Database& db, const service_request& request,
                            std::int64_t resident_id, time_point now);

/// Adds a note from a resident (public) or staff (public and/or internal) to the history.
void add_request_note(SQLite::Database& db, const service_request& request, const actor& by,
                      std::string_view public_note, std::string_view internal_note, time_point now);

struct status_change {
  request_status to = request_status::acknowledged;
  core::actor by;
  std::string public_note;                  ///< told to followers and shown publicly
  std::string internal_note;                ///< staff only
  std::optional<std::string> duplicate_of;  ///< tracking id of the original, for `duplicate`
  bool notify_followers = true;             ///< false when the caller tells them itself (a merge)
};

struct status_change_result {
  std::optional<service_request> updated;  ///< set when the change was made
  std::string refusal;                     ///< why not, written for staff
  int notified = 0;                        ///< followers queued a message
};

/// Changes the status if the lifecycle allows it; records history, a
/// request.status_changed event and one notification per follower who has not opted out
/// (in their language). Unknown ids and refused transitions come back as a refusal.
status_change_result change_request_status(SQLite::Database& db, std::string_view tracking_id,
                                           const status_change& change,
                                           const config::settings& settings,
                                           const reply_templates& templates, time_point now);

}  // namespace civicline::core
