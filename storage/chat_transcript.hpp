#pragma once
// A web-chat visitor's transcript read after a cursor (the message id), so a reloaded or
// reconnected widget gets exactly the messages it has not shown yet.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct chat_line {
  std::int64_t id = 0;    ///< messages.id: the cursor
  std::string direction;  ///< "in" (the visitor) or "out" (the bot, staff, a status change)
  std::string body;
  std::optional<std::string> tracking_id;  ///< the request the message is about, if any
  std::string created_at;
};

/// The resident's messages with id > `after_id`, oldest first, at most `limit`. Ids grow in
/// commit order (one writer), so a reader never later sees a message below a cursor it got.
std::vector<chat_line> chat_lines_after(SQLite::Database& db, std::int64_t resident_id,
                                        std::int64_t after_id, std::size_t limit);

/// Moves up to `limit` pending notifications of web-chat residents (status changes, staff
/// replies) into their transcripts as outbound messages and marks them sent: for the web
/// chat, being in the transcript is delivery. Runs in the caller's write transaction; returns
/// how many moved.
std::size_t deliver_chat_notifications(SQLite::Database& db, std::string_view now,
                                       std::size_t limit);

}  // namespace civicline::storage
