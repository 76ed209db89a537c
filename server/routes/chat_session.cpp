#include "server/routes/chat_session.hpp"

#include <algorithm>

#include "channels/web_chat.hpp"

namespace civicline::server {
namespace {

constexpr std::string_view session_cookie = "civicline_chat";

}  // namespace

std::optional<std::string> chat_session_from_cookie(const http_request& request) {
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

std::string chat_session_cookie(const std::string& token, bool secure) {
  return std::string(session_cookie) + "=" + token +
         "; Path=/chat; HttpOnly; SameSite=Lax; Max-Age=2592000" + (secure ? "; Secure" : "");
}

}  // namespace civicline::server
