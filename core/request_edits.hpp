#pragma once
// What staff change on a request besides its status: category, location, team, assignee and
// priority; and merging a duplicate into its original. Each function runs inside a write job
// and writes the history and outbox events of the change with it.

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "core/reply_templates.hpp"
#include "core/service_request.hpp"

namespace civicline::core {

/// "low", "normal", "high", "urgent": the priorities a request may have, lowest first.
const std::vector<std::string>& request_priorities();

/// The fields to change; unset members stay as they are.
struct request_edit {
  std::optional<std::string> category;  ///< a configured service code
  std::optional<core::location> where;  ///< replaces text, key and coordinates
  std::optional<std::string> team;      ///< a configured team code; "" = no team
  /// A staff user's login name; "" = unassign.
  std::optional<std::string> assignee;
  std::optional<std::string> priority;  ///< one of request_priorities()
  actor by;
  std::string internal_note;  ///< staff only, kept with the first changed field
};

struct edit_result {
  bool found = false;                ///< false: no request has the id
  std::string refusal;               ///< why nothing changed (an unknown team, a disabled user...)
  std::vector<std::string> changed;  ///< the fields that changed ("category", "team", ...)
};

/// Checks and applies `edit` to the request. A new category moves the SLA due time (from the
/// creation time) and, unless the edit names a team, the request to that category's team.
/// A field set to its current value is not a change. Nothing is written when anything is
/// refused.
edit_result edit_request(SQLite::Database& db, std::string_view tracking_id,
                         const request_edit& edit, const config::settings& settings,
                         time_point now);

struct merge_result {
  bool found = false;       ///< false: the duplicate does not exist
  std::string refusal;      ///< why not merged
  bool conflict = false;    ///< refused by the duplicate's state (its status), not the input
  int moved_followers = 0;  ///< residents who now follow the original
  int notified = 0;         ///< of them, told by a queued message
};

/// Marks `duplicate_id` a duplicate of `original_id`; its reporter and followers become
/// followers of the original and are told its tracking id in their language. Refused when
/// either is unknown, they are the same, the original is itself a duplicate, or the
/// duplicate's status may not become `duplicate`.
merge_result merge_requests(SQLite::Database& db, std::string_view duplicate_id,
                            std::string_view original_id, const actor& by,
                            std::string_view internal_note, const config::settings& settings,
                            const reply_templates& templates, time_point now);

}  // namespace civicline::core
