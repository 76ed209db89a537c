#pragma once
// Staff answering conversations the bot handed off: a reply goes to the resident on their own
// channel (queued like a status update) and keeps the bot quiet; closing gives the
// conversation back to the bot.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/service_request.hpp"

namespace civicline::core {

struct handoff_outcome {
  bool found = false;
  std::string refusal;      ///< why nothing was done, for staff; empty when done
  bool suppressed = false;  ///< a reply to a resident who sent STOP: stored, never sent
};

/// Queues `text` for the resident of the handoff, marks it answered and keeps the bot quiet
/// for another handoff timeout. Refused when the handoff is closed.
handoff_outcome reply_to_handoff(SQLite::Database& db, std::int64_t handoff_id, const actor& by,
                                 std::string_view text, time_point now);

/// Closes the handoff; the resident's next message is the bot's again. Refused when closed.
handoff_outcome close_handoff(SQLite::Database& db, std::int64_t handoff_id, const actor& by,
                              time_point now);

}  // namespace civicline::core
