#include "server/routes/chat_routes.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "channels/web_chat.hpp"
#include "server/inbox_await.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;

constexpr std::string_view session_cookie = "civicline_chat";

/// The visitor's session token from the Cookie header, if it has the right form.
std::optional<std::string> session_from_cookie(const http_request& request) {
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

awaitable<http_response> post_message(core::inbox& inbox, bool secure_cookies,
                                      http_request& request) {
  if (!has_content_type(request, "application/json")) {
    co_return error_response(415, "unsupported_media_type",
                             "Send the message as application/json.");
  }
  auto parsed = channels::parse_chat_message(request.body);
  if (auto* problem = std::get_if<channels::chat_input_error>(&parsed)) {
    co_return error_response(problem->status, error_code_for(problem->status), problem->message);
  }
  auto& input = std::get<channels::chat_message>(parsed);
  auto token = session_from_cookie(request);
  const bool new_session = !token;
  if (new_session) {
    token = channels::new_chat_session_token();
  }
  core::inbound_message message;
  message.from = {core::channel::web_chat, channels::chat_resident_address(*token)};
  message.text = std::move(input.text);
  message.lat = input.lat;
  message.lon = input.lon;
  message.received_at = std::chrono::system_clock::now();
  const auto turn = co_await async_receive(inbox, std::move(message), boost::asio::use_awaitable);
  auto response = json_response(200, channels::render_chat_reply(turn));
  response.headers.set("Cache-Control", "no-store");
  if (new_session) {
    response.headers.set("Set-Cookie", std::string(session_cookie) + "=" + *token +
                                           "; Path=/chat; HttpOnly; SameSite=Lax; Max-Age=2592000" +
                                           (secure_cookies ? "; Secure" : ""));
  }
  co_return response;
}

}  // namespace

void add_chat_routes(router& routes, core::inbox& inbox, bool secure_cookies) {
  routes.add("POST", "/chat/api/messages", [&inbox, secure_cookies](http_request& request) {
    return post_message(inbox, secure_cookies, request);
  });
}

}  // namespace civicline::server
