#include "server/routes/chat_session.hpp"

#include <algorithm>

#include "channels/form_body.hpp"
#include "channels/web_chat.hpp"

namespace civicline::server {
namespace {

constexpr std::string_view session_cookie = "civicline_chat";

/// "https://city.example:8443" -> "city.example:8443".
std::string_view authority_of(std::string_view origin) {
  const auto scheme_end = origin.find("://");
  return scheme_end == std::string_view::npos ? std::string_view{} : origin.substr(scheme_end + 3);
}

std::optional<std::string> from_cookie(const http_request& request) {
  const auto header = request.headers.get("Cookie");
  if (!header) {
    return std::nullopt;
  }
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto pair = rest.substr(0, rest.find(';'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    while (pair.starts_with(' ')) {
      pair.remove_prefix(1);
    }
    if (pair.starts_with(session_cookie) && pair.size() > session_cookie.size() &&
        pair[session_cookie.size()] == '=') {
      const auto value = pair.substr(session_cookie.size() + 1);
      if (channels::is_chat_session_token(value)) {
        return std::string(value);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> from_header_or_query(const http_request& request) {
  if (const auto header = request.headers.get(chat_session_header)) {
    if (channels::is_chat_session_token(*header)) {
      return std::string(*header);
    }
  }
  if (const auto params = channels::parse_form_body(request.query)) {
    if (const auto* value = channels::form_value(*params, "session");
        value && channels::is_chat_session_token(*value)) {
      return *value;
    }
  }
  return std::nullopt;
}

}  // namespace

chat_origin check_chat_origin(const http_request& request, const config::settings& settings) {
  const auto origin = request.headers.get("Origin");
  if (!origin) {
    return chat_origin::none;
  }
  const auto host = request.headers.get("Host");
  if ((host && !authority_of(*origin).empty() && authority_of(*origin) == *host) ||
      (!settings.server.public_base_url.empty() && *origin == settings.server.public_base_url)) {
    return chat_origin::same;
  }
  const auto& allowed = settings.chat.allowed_origins;
  return std::ranges::find(allowed, *origin) != allowed.end() ? chat_origin::allowed
                                                              : chat_origin::refused;
}

std::optional<std::string> chat_session_token(const http_request& request, chat_origin origin) {
  if (auto cookie = from_cookie(request)) {
    return cookie;
  }
  // A page on a foreign site must not ride on a token it read elsewhere: only the sites the
  // city allowed (and clients that are not browsers) may name a session outright.
  if (origin == chat_origin::allowed || origin == chat_origin::none) {
    return from_header_or_query(request);
  }
  return std::nullopt;
}

std::string chat_session_cookie(const std::string& token, bool secure) {
  return std::string(session_cookie) + "=" + token +
         "; Path=/chat; HttpOnly; SameSite=Lax; Max-Age=2592000" + (secure ? "; Secure" : "");
}

void add_chat_cors(http_response& response, const http_request& request, chat_origin origin) {
  response.headers.add("Vary", "Origin");
  if (origin != chat_origin::allowed) {
    return;
  }
  response.headers.set("Access-Control-Allow-Origin", std::string(*request.headers.get("Origin")));
  response.headers.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  response.headers.set("Access-Control-Allow-Headers",
                       "Content-Type, " + std::string(chat_session_header));
  response.headers.set("Access-Control-Expose-Headers", std::string(chat_session_header));
  response.headers.set("Access-Control-Max-Age", "600");
}

http_response chat_origin_refused() {
  return error_response(403, "forbidden",
                        "This site may not embed the chat; the city can add its origin to "
                        "chat.allowed_origins.");
}

}  // namespace civicline::server
