#pragma once
// The web chat's transcript as JSON (GET /chat/api/messages, the WebSocket's pushes): each
// message with its id (the cursor), who sent it, the buttons it offers and the tracking ids
// in it, so the widget renders everything as text and never parses HTML.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/chat_transcript.hpp"

namespace civicline::channels {

/// One button under a bot message: `value` is what it sends, `label` what it says.
struct quick_reply {
  std::string value;
  std::string label;
};

/// The numbered (and yes/no) choices a reply offers, in order: "Reply 1 to report a problem,
/// 2 to check on a report" gives {"1", "report a problem"}, {"2", "check on a report"}.
std::vector<quick_reply> quick_replies(std::string_view text);

/// The tracking ids ("311-000123" for prefix "311-" and 6 digits) in a text, in order, once each.
std::vector<std::string> tracking_ids_in(std::string_view text, std::string_view prefix,
                                         int digits);

/// How tracking ids look in this city.
struct tracking_id_format {
  std::string prefix = "311-";
  int digits = 6;
};

/// {"type": "messages", "messages": [...], "cursor": N}: `cursor` is the last id sent, or `after` when none was.
std::string render_chat_lines(const std::vector<storage::chat_line>& lines, std::int64_t after,
                              const tracking_id_format& format);

}  // namespace civicline::channels
