#pragma once
// The web chat's JSON protocol: a visitor's message in, the bot's replies out.
//   POST /chat/api/messages  {"text": "...", "lat": 33.4, "long": -111.8, "lang": "es",
//                             "attachments": ["att_..."]}
//   200 {"replies": [{"text": "..."}], "tracking_id": "311-000123"}

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/inbox.hpp"

namespace civicline::channels {

/// Messages longer than this are refused. Long ones below it still get a helpful reply from
/// the bot (which keeps the first part); this only stops pasting whole documents.
inline constexpr std::size_t max_chat_text_bytes = 16 * 1024;

/// At most this many photos in one message.
inline constexpr std::size_t max_chat_attachments = 5;

struct chat_message {
  std::string text;
  std::optional<double> lat;
  std::optional<double> lon;
  std::optional<nlp::language> language;   ///< the widget's language switch ("lang")
  std::vector<std::string> attachments{};  ///< ids from POST /chat/api/attachments
};

/// Why a chat request body is unusable, for a 400 (not JSON) or 422 (wrong shape) reply.
struct chat_input_error {
  int status = 422;
  std::string message;
};

/// Reads the JSON body of POST /chat/api/messages.
std::variant<chat_message, chat_input_error> parse_chat_message(std::string_view body);

/// The chat's "please wait" when a visitor sends faster than the rate limits allow.
std::string chat_rate_limited_text(std::optional<nlp::language> language);

/// The JSON answer for one turn.
std::string render_chat_reply(const core::turn_result& turn);

/// A new visitor session token: 32 random bytes, base64url without padding (43 characters).
std::string new_chat_session_token();

/// True when `token` has the form new_chat_session_token() makes.
bool is_chat_session_token(std::string_view token);

/// The resident address stored for a session: a hash, so the database never holds a token
/// that would let someone take over the conversation.
std::string chat_resident_address(std::string_view token);

}  // namespace civicline::channels
