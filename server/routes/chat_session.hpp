#pragma once
// The web-chat visitor's session: a random token in the HttpOnly cookie "civicline_chat",
// shared by every /chat/ route (messages, attachments) so each names the visitor the same way.

#include <optional>
#include <string>

#include "server/http/message.hpp"

namespace civicline::server {

/// The visitor's session token from the Cookie header, if it has the right form.
std::optional<std::string> chat_session_from_cookie(const http_request& request);

/// The Set-Cookie value that starts a session with `token`; `secure` when the public URL is
/// https.
std::string chat_session_cookie(const std::string& token, bool secure);

}  // namespace civicline::server
