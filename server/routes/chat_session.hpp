#pragma once
// Who a web-chat request comes from and whether its page may talk to us: the session token
// (the HttpOnly cookie for pages on this server, a header or query parameter for pages on an
// allow-listed other site), the Origin check and the CORS headers for those sites. Shared by
// the chat routes (chat_routes.cpp, chat_feed_routes.cpp).

#include <atomic>
#include <optional>
#include <string>

#include "config/settings.hpp"
#include "core/inbox.hpp"
#include "server/http/message.hpp"
#include "server/rate_limiter.hpp"
#include "storage/database.hpp"

namespace civicline::server {

/// The session token's header for cross-site embeds (and where a new one is returned).
inline constexpr std::string_view chat_session_header = "X-Civicline-Chat-Session";

/// What the chat routes share, built once in `serve`.
struct chat_context {
  chat_context(const config::settings& s, storage::database& d, core::inbox& i)
      : settings(s),
        db(d),
        inbox(i),
        secure_cookies(s.server.public_base_url.starts_with("https://")),
        per_session(s.chat.max_messages_per_minute_per_session),
        per_ip(s.chat.max_messages_per_minute_per_ip) {}

  const config::settings& settings;
  storage::database& db;
  core::inbox& inbox;
  bool secure_cookies;  ///< the cookie is marked Secure when the public URL is https
  rate_limiter per_session;
  rate_limiter per_ip;
  /// Set when the server shuts down: long-polls answer at once instead of waiting.
  std::atomic<bool> stopping{false};
};

/// Where the page that sent a request lives, as far as the chat is concerned.
enum class chat_origin {
  none,     ///< no Origin header: not a browser page (curl, an app, a test)
  same,     ///< a page served by civicline itself
  allowed,  ///< a site in chat.allowed_origins: gets CORS headers and header sessions
  refused,  ///< any other site
};

/// Classifies the request's Origin against its Host, server.public_base_url and
/// chat.allowed_origins.
chat_origin check_chat_origin(const http_request& request, const config::settings& settings);

/// The visitor's session token: the cookie, or (for allowed origins and non-browser clients)
/// the X-Civicline-Chat-Session header or the `session` query parameter (WebSockets cannot
/// send headers). nullopt when there is none of the right form.
std::optional<std::string> chat_session_token(const http_request& request, chat_origin origin);

/// The Set-Cookie value that starts a session.
std::string chat_session_cookie(const std::string& token, bool secure);

/// Adds Access-Control-Allow-Origin and friends when the origin is allow-listed.
void add_chat_cors(http_response& response, const http_request& request, chat_origin origin);

/// The 403 for a page on a site that is not allowed to embed the chat.
http_response chat_origin_refused();

}  // namespace civicline::server
