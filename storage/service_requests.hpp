#pragma once
// Residents, conversations, messages, service requests, their followers and
// history, and the outbox: the rows behind the dialog and the request lifecycle.
// Plain records in, plain records out; the domain rules live in core/.
// Times are ISO 8601 UTC text with milliseconds ("2026-11-28T13:45:00.000Z").
//
// Every function takes the connection it runs on: writes belong inside a
// database::submit/write job (one transaction per group of jobs), reads inside
// database::read. Functions that write several rows wrap them in a savepoint of
// their own, so each is all-or-nothing even when called outside a job.
// Errors throw: SQLite::Exception for what SQLite refuses (a CHECK or foreign key
// violated, I/O), storage_error (storage/database.hpp) when an update names a row that
// does not exist. Expected "not found" outcomes are std::nullopt.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct resident_record {
  std::int64_t id = 0;
  std::string channel;   ///< "sms", "web_chat", ...
  std::string address;   ///< phone number or session id (PII)
  std::string language;  ///< "en" / "es"
  std::optional<std::string> opted_out_at;
  std::string created_at;
};

/// The resident with this channel and address, created (language `language`) if new.
resident_record find_or_create_resident(SQLite::Database& db, std::string_view channel,
                                        std::string_view address, std::string_view language,
                                        std::string_view now);
/// The resident with this id, if any.
std::optional<resident_record> find_resident(SQLite::Database& db, std::int64_t id);
/// The resident with this channel and address, if any (never creates one).
std::optional<resident_record> find_resident_by_address(SQLite::Database& db,
                                                        std::string_view channel,
                                                        std::string_view address);
/// Changes the sticky reply language.
void set_resident_language(SQLite::Database& db, std::int64_t resident_id,
                           std::string_view language);
/// Sets (a time) or clears (nullopt) the opt-out. Setting it also marks every pending
/// notification of the resident "suppressed", so nothing queued before STOP goes out later
/// (not even after a re-subscribe).
void set_resident_opt_out(SQLite::Database& db, std::int64_t resident_id,
                          std::optional<std::string_view> at);

/// The conversation state JSON of a resident, if one was saved.
std::optional<std::string> load_conversation(SQLite::Database& db, std::int64_t resident_id);
/// Stores (or replaces) the conversation state JSON of a resident.
void save_conversation(SQLite::Database& db, std::int64_t resident_id, std::string_view state_json,
                       std::string_view now);

struct message_record {
  std::int64_t id = 0;
  std::int64_t resident_id = 0;
  std::string direction;  ///< "in" or "out"
  std::string body;
  std::string external_id;  ///< provider message id; "" when none
  std::optional<std::int64_t> request_id;
  std::string created_at;
  std::optional<std::int64_t> in_reply_to{};  ///< the inbound message an "out" one answers
};
/// Stores a message and returns its id; nullopt (and nothing stored) when a message with the
/// same resident, direction and non-empty external_id was stored before (a provider retry).
std::optional<std::int64_t> insert_message(SQLite::Database& db, const message_record& message);
/// A resident's messages, oldest first, at most `limit` (the newest ones).
std::vector<message_record> conversation_messages(SQLite::Database& db, std::int64_t resident_id,
                                                  std::size_t limit);

struct request_record {
  std::int64_t id = 0;
  std::string tracking_id;
  std::string category;
  std::string status;                       ///< core::request_status as text
  std::optional<std::string> duplicate_of;  ///< tracking id of the original
  std::string location_text;
  std::string location_key;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string description;
  std::string attributes_json = "{}";
  std::string media_urls_json = "[]";
  std::string channel;
  std::string language;
  std::string created_at;
  std::string updated_at;
  std::string due_at;  ///< SLA due time; "" when the category has none (stored as NULL)
  std::string team{};  ///< the queue it is in; "" = none
  std::optional<std::int64_t> assignee_id{};  ///< staff_users.id; nullopt = unassigned
  std::string assignee{};                     ///< that user's name (read only; from the join)
  std::string priority = "normal";            ///< "low", "normal", "high", "urgent"
};
/// Inserts the request and gives it the next tracking id: `prefix` + the row id zero-padded
/// to `digits` ("311-000123"; more digits once the id outgrows them). Returns the stored
/// record (id and tracking_id set). Because the number is the row id, core can also parse a
/// typed "000123"/"311123" and call find_request_by_id.
request_record insert_request(SQLite::Database& db, request_record request,
                              std::string_view tracking_prefix, int digits);
/// The request with exactly this tracking id (core normalises case and dashes first).
std::optional<request_record> find_request(SQLite::Database& db, std::string_view tracking_id);
/// The request with this row id.
std::optional<request_record> find_request_by_id(SQLite::Database& db, std::int64_t id);
/// Requests the resident reported or follows, newest first.
std::vector<request_record> requests_followed_by(SQLite::Database& db, std::int64_t resident_id,
                                                 std::size_t limit);
/// The newest request in `category` with this location_key, in one of `open_statuses`,
/// created at or after `since`. nullopt when `open_statuses` is empty.
std::optional<request_record> find_open_duplicate(SQLite::Database& db, std::string_view category,
                                                  std::string_view location_key,
                                                  const std::vector<std::string>& open_statuses,
                                                  std::string_view since);
/// The open request in `category` nearest to (`lat`, `lon`) and at most `radius_m` metres from it
/// (great-circle distance), in one of `open_statuses`, created at or after `since`; of two
/// equally near, the newer. Requests without coordinates never match. nullopt when
/// `open_statuses` is empty, `radius_m` is not positive or the point is not a valid coordinate.
std::optional<request_record> find_open_duplicate_near(
    SQLite::Database& db, std::string_view category, double lat, double lon, double radius_m,
    const std::vector<std::string>& open_statuses, std::string_view since);
/// Great-circle (haversine) distance in metres between two points given in degrees.
double distance_m(double lat1, double lon1, double lat2, double lon2);
/// Sets status (and duplicate_of) and updated_at.
/// Throws when the request does not exist.
void update_request_status(SQLite::Database& db, std::int64_t request_id, std::string_view status,
                           std::optional<std::string_view> duplicate_of, std::string_view now);

/// Writes the fields staff edit — category, location (text, key, lat, lon), due_at, team,
/// assignee_id, priority — and updated_at from `request`. Throws when the request does not exist.
void save_request_fields(SQLite::Database& db, const request_record& request);

/// The order list_requests returns; ties (same time) are broken by id in the same direction.
enum class request_order : std::uint8_t {
  id_desc,  ///< newest row first (the default)
  created_asc,
  created_desc,
  updated_asc,
  updated_desc,
  due_asc,        ///< soonest due first; requests without a due time last
  due_desc,       ///< latest due first; requests without a due time last
  priority_desc,  ///< urgent first, then high, normal, low; newest first within one
};

/// Where a page ended: the last row's sort key (order_key) and id. list_requests continues
/// strictly after it.
struct request_cursor {
  std::string key;
  std::int64_t id = 0;
};

/// Which requests list_requests/count_requests return; empty/unset members match everything.
struct request_filter {
  std::vector<std::string> statuses{};      ///< any of these
  std::optional<std::string> category{};    ///< exactly this service code
  std::optional<std::string> due_before{};  ///< overdue as of this time (due_at < it)
  std::optional<std::int64_t> before_id{};  ///< paging: only ids below this one
  std::optional<std::string> channel{};     ///< exactly this channel ("sms", "web_chat", ...)
  /// Appears in the description or the location text (case-insensitive for ASCII letters;
  /// '%' and '_' match themselves).
  std::optional<std::string> text{};
  std::optional<std::string> created_after{};   ///< created_at >= it
  std::optional<std::string> created_before{};  ///< created_at < it
  std::optional<std::string> updated_after{};   ///< updated_at >= it
  std::optional<std::string> updated_before{};  ///< updated_at < it
  std::optional<std::string> team{};            ///< exactly this team ("" = no team)
  /// Assigned to this staff user id; 0 = unassigned.
  std::optional<std::int64_t> assignee_id{};
  std::vector<std::string> priorities{};  ///< any of these
  request_order order = request_order::id_desc;
  std::optional<request_cursor> after{};  ///< paging: only rows after this one in `order`
};
/// Requests matching `filter` in `filter.order`, at most `limit`.
std::vector<request_record> list_requests(SQLite::Database& db, const request_filter& filter,
                                          std::size_t limit);
/// How many requests match `filter` (the paging members `before_id` and `after` included).
std::int64_t count_requests(SQLite::Database& db, const request_filter& filter);
/// The sort key of `request` in `order`, for a request_cursor ("" for id_desc).
std::string order_key(const request_record& request, request_order order);

struct follower_record {
  std::int64_t resident_id = 0;
  std::string role;  ///< "reporter" or "follower"
  std::string channel;
  std::string address;
  std::string language;
  bool opted_out = false;
};
/// Adds the follower; a second call for the same pair changes nothing (the first role stays).
/// Throws when the request or the resident does not exist.
void add_follower(SQLite::Database& db, std::int64_t request_id, std::int64_t resident_id,
                  std::string_view role, std::string_view now);
/// True when the resident reported or follows the request.
bool is_follower(SQLite::Database& db, std::int64_t request_id, std::int64_t resident_id);
/// Everyone following the request with their channel, address and language: reporter first,
/// then in the order they joined.
std::vector<follower_record> followers_of(SQLite::Database& db, std::int64_t request_id);

struct history_record {
  std::int64_t id = 0;
  std::int64_t request_id = 0;
  std::string at;
  std::string actor_kind;  ///< "resident", "staff", "partner", "system"
  std::string actor_id;
  std::string field;  ///< "created", "status", "category", "location", "note", ...
  std::string old_value;
  std::string new_value;
  std::string public_note;
  std::string internal_note;
};
/// Appends a change to a request's history; returns its id.
std::int64_t insert_history(SQLite::Database& db, const history_record& entry);
/// Every change of a request, oldest first.
std::vector<history_record> request_history(SQLite::Database& db, std::int64_t request_id);

struct outbox_event {
  std::int64_t id = 0;
  std::string event_id;  ///< "evt_..." stable across deliveries; "" on insert = "evt_<id>"
  std::string type;      ///< "request.created", ...
  std::string payload_json;
  std::string created_at;
};
/// Appends an event to the outbox (in the caller's transaction); returns its id.
std::int64_t insert_outbox_event(SQLite::Database& db, const outbox_event& event);
/// Events after `after_id`, oldest first, at most `limit`.
std::vector<outbox_event> outbox_events_after(SQLite::Database& db, std::int64_t after_id,
                                              std::size_t limit);
/// The id of the newest event (0 when there is none): where a live feed of new events starts.
std::int64_t last_outbox_event_id(SQLite::Database& db);

struct notification_record {
  std::int64_t id = 0;
  std::int64_t resident_id = 0;
  std::optional<std::int64_t> request_id;
  std::string body;
  std::string status;  ///< "pending", "sent", "failed", "suppressed" (opted out)
  int attempts = 0;
  std::string created_at;
  std::string next_attempt_at;
  std::string channel;  ///< the resident's; filled by due_notifications, ignored on insert
  std::string address;  ///< the resident's (PII); filled by due_notifications, ignored on insert
  std::string via{};    ///< provider to send through; "" = the configured one
  std::optional<std::string> provider_message_id{};
  std::optional<std::string> delivery_status{};  ///< the provider's last word on delivery
  std::string last_error{};
};
/// Queues a message to a resident (in the caller's transaction); delivered by the channel.
/// Stored as "suppressed" whatever its status when the resident has opted out.
std::int64_t insert_notification(SQLite::Database& db, const notification_record& notification);
/// Pending notifications for a channel whose next attempt is due (next_attempt_at <= now),
/// oldest first; never one to an opted-out resident.
std::vector<notification_record> due_notifications(SQLite::Database& db, std::string_view channel,
                                                   std::string_view now, std::size_t limit);
/// Records a delivery attempt's outcome. Throws when the notification does not exist.
void mark_notification(SQLite::Database& db, std::int64_t id, std::string_view status, int attempts,
                       std::string_view next_attempt_at);

struct handoff_record {
  std::int64_t id = 0;
  std::int64_t resident_id = 0;
  std::string reason;  ///< "asked", "not_understood", "emergency"
  std::string status;  ///< "waiting", "answered", "closed"
  std::string created_at;
  std::string updated_at;
};
/// Opens a handoff unless one is waiting for this resident; returns its id.
std::int64_t open_handoff(SQLite::Database& db, std::int64_t resident_id, std::string_view reason,
                          std::string_view now);
/// The handoff of this resident that waits for staff, if any.
std::optional<handoff_record> waiting_handoff(SQLite::Database& db, std::int64_t resident_id);
/// Handoffs waiting for staff, oldest first, at most `limit` (the staff queue).
std::vector<handoff_record> waiting_handoffs(SQLite::Database& db, std::size_t limit);
/// Handoffs staff still hold (waiting or answered, not closed), oldest first, at most `limit`.
std::vector<handoff_record> open_handoffs(SQLite::Database& db, std::size_t limit);
/// The handoff with this id, if any.
std::optional<handoff_record> find_handoff(SQLite::Database& db, std::int64_t id);
/// Staff answered ("answered") or closed ("closed") the handoff; the bot may reply again.
/// Throws when the handoff does not exist.
void update_handoff_status(SQLite::Database& db, std::int64_t handoff_id, std::string_view status,
                           std::string_view now);

}  // namespace civicline::storage
