#include "server/routes/chat_routes.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "channels/web_chat.hpp"
#include "server/inbox_await.hpp"
#include "server/routes/chat_session.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;

awaitable<http_response> post_message(core::inbox& inbox, bool secure_cookies,
                                      const attachment_store& attachments, http_request& request) {
  if (!has_content_type(request, "application/json")) {
    co_return error_response(415, "unsupported_media_type",
                             "Send the message as application/json.");
  }
  auto parsed = channels::parse_chat_message(request.body);
  if (auto* problem = std::get_if<channels::chat_input_error>(&parsed)) {
    co_return error_response(problem->status, error_code_for(problem->status), problem->message);
  }
  auto& input = std::get<channels::chat_message>(parsed);
  auto token = chat_session_from_cookie(request);
  const bool new_session = !token;
  if (new_session) {
    token = channels::new_chat_session_token();
  }
  core::inbound_message message;
  // Photos go through the dialog like MMS media and end up on the request it files.
  auto media = attachments.media_urls_for(*token, input.attachments);
  if (const auto* refused = std::get_if<attachment_refusal>(&media)) {
    co_return error_response(refused->status, refused->code, refused->message);
  }
  message.media_urls = std::move(std::get<std::vector<std::string>>(media));
  message.from = {core::channel::web_chat, channels::chat_resident_address(*token)};
  message.text = std::move(input.text);
  message.lat = input.lat;
  message.lon = input.lon;
  message.received_at = std::chrono::system_clock::now();
  const auto turn = co_await async_receive(inbox, std::move(message), boost::asio::use_awaitable);
  auto response = json_response(200, channels::render_chat_reply(turn));
  response.headers.set("Cache-Control", "no-store");
  if (new_session) {
    response.headers.set("Set-Cookie", chat_session_cookie(*token, secure_cookies));
  }
  co_return response;
}

}  // namespace

void add_chat_routes(router& routes, core::inbox& inbox, bool secure_cookies,
                     const attachment_store& attachments) {
  routes.add("POST", "/chat/api/messages",
             [&inbox, secure_cookies, &attachments](http_request& request) {
               return post_message(inbox, secure_cookies, attachments, request);
             });
}

}  // namespace civicline::server
