#pragma once
// Duplicate reports: one rule for every channel. A report of a category at a place where an
// open request of that category was reported within the category's duplicate window (the
// same normalised location key, or coordinates within city.duplicate_radius_m) is the same
// problem: the reporter follows the existing request instead of opening a second one. The
// chat dialog asks through world_view::find_duplicate; Open311 calls report_or_follow.

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string_view>

#include "config/settings.hpp"
#include "core/conversation.hpp"
#include "core/service_request.hpp"

namespace civicline::core {

/// The open request `where` duplicates in `category`, reported within the category's
/// duplicate window before `now`; nullopt when none (or the window is 0 days).
std::optional<service_request> find_open_duplicate(SQLite::Database& db,
                                                   const config::settings& settings,
                                                   std::string_view category, const location& where,
                                                   time_point now);

/// What report_or_follow did.
struct report_outcome {
  service_request request;  ///< the new request, or the existing one the reporter now follows
  bool duplicate = false;   ///< true: nothing was created; the reporter follows `request`
};

/// Creates the request from the draft unless it duplicates an open one; then the reporter
/// becomes a follower of that one (history, a request.updated event), as in the chat dialog.
/// Runs inside a write job.
report_outcome report_or_follow(SQLite::Database& db, const draft& from, channel source,
                                std::string_view language, std::int64_t reporter_id,
                                const config::settings& settings, time_point now);

}  // namespace civicline::core
