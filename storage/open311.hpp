#pragma once
// The rows behind the FixMyStreet updates extension of Open311 (GET servicerequestupdates):
// the public side of request history — status changes and public notes — across requests.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct public_update_record {
  std::int64_t id = 0;      ///< request_history.id: the update_id
  std::string tracking_id;  ///< the request's
  std::string at;
  std::string field;        ///< "status" or "note"
  std::string status;       ///< the request's status right after this entry
  std::string public_note;  ///< "" when the change had none
};

/// Status changes and entries with a public note made at or after `from` and before `to`,
/// oldest first, at most `limit`. Internal notes and who made the change are never read.
std::vector<public_update_record> public_updates(SQLite::Database& db, std::string_view from,
                                                 std::string_view to, std::size_t limit);

}  // namespace civicline::storage
