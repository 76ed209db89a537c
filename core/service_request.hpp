#pragma once
// Service requests and their lifecycle: value types and pure rules.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::core {

using time_point = std::chrono::system_clock::time_point;

/// Where a message or request came from; residents are keyed by channel + address.
enum class channel : std::uint8_t { sms, web_chat, open311, staff, terminal };

std::string_view to_string(channel value);
std::optional<channel> channel_from_string(std::string_view id);

/// A resident as the channel knows them: a phone number (E.164) or a web session id. PII.
struct resident_key {
  core::channel channel = channel::sms;
  std::string address;
  friend bool operator==(const resident_key&, const resident_key&) = default;
};

enum class request_status : std::uint8_t {
  new_request,  ///< "new"
  acknowledged,
  in_progress,
  resolved,
  closed,
  duplicate,
  rejected,
  reopened,
};

/// "new", "acknowledged", "in_progress", "resolved", "closed", "duplicate", "rejected", "reopened".
std::string_view to_string(request_status value);
std::optional<request_status> status_from_string(std::string_view id);

/// True for statuses in which the city still owes work (new, acknowledged, in_progress, reopened).
bool is_open(request_status value);

/// Why a status change is refused, or nullopt when `from -> to` is allowed (one table in
/// service_request.cpp). The message is written for staff: "a closed request can only be reopened".
std::optional<std::string> check_transition(request_status from, request_status to);

/// Who changed something: shown in history, never in public output when it is a resident.
struct actor {
  enum class kind : std::uint8_t { resident, staff, partner, system } who = kind::system;
  std::string id;  ///< resident id, staff user name, API key name, or "civicline"
};

struct location {
  std::string text;  ///< as the resident wrote it: "55 N Center St"
  std::string key;   ///< normalised for duplicate detection: "55 n center st"
  std::optional<double> lat;
  std::optional<double> lon;
};

struct service_request {
  std::int64_t id = 0;
  std::string tracking_id;  ///< "311-000123"
  std::string category;     ///< the Open311 service_code
  request_status status = request_status::new_request;
  std::optional<std::string> duplicate_of;  ///< tracking id of the original
  core::location location;
  std::string description;
  std::map<std::string, std::string> attributes;  ///< answers to the category's questions
  std::vector<std::string> media_urls;
  core::channel channel = channel::sms;
  std::string language = "en";
  time_point created_at{};
  time_point updated_at{};
  time_point due_at{};
};

/// check_transition plus the rule that `duplicate` (and only it) names the original request.
std::optional<std::string> check_status_change(const service_request& request, request_status to,
                                               std::optional<std::string_view> duplicate_of);

/// The SLA due time of a request created at `created` in a category with `sla_hours`.
time_point due_time(time_point created, int sla_hours);

/// True when the request is still open after its due time.
bool is_overdue(const service_request& request, time_point now);

}  // namespace civicline::core
