#include "server/routes/chat_routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "channels/web_chat.hpp"
#include "server/inbox_await.hpp"
#include "server/routes/chat_session.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;

/// 429 with the "please wait" as a reply the widget shows in the conversation.
http_response rate_limited(std::optional<nlp::language> language) {
  const nlohmann::json body = {
      {"error",
       {{"code", "too_many_requests"},
        {"message", "Too many messages from this visitor or address; wait a minute."}}},
      {"replies", {{{"text", channels::chat_rate_limited_text(language)}}}}};
  auto response = json_response(429, body.dump());
  response.headers.set("Retry-After", "60");
  return response;
}

awaitable<http_response> post_message(chat_context& chat, const attachment_store& attachments,
                                      http_request& request) {
  const auto origin = check_chat_origin(request, chat.settings);
  if (origin == chat_origin::refused) {
    co_return chat_origin_refused();
  }
  if (!has_content_type(request, "application/json")) {
    co_return error_response(415, "unsupported_media_type",
                             "Send the message as application/json.");
  }
  auto parsed = channels::parse_chat_message(request.body);
  if (auto* problem = std::get_if<channels::chat_input_error>(&parsed)) {
    co_return error_response(problem->status, error_code_for(problem->status), problem->message);
  }
  auto& input = std::get<channels::chat_message>(parsed);
  auto token = chat_session_token(request, origin);
  const bool new_session = !token;
  if (new_session) {
    token = channels::new_chat_session_token();
  }
  // The address limit first: a flood of new sessions from one place is stopped before any
  // of them costs a write.
  if (!chat.per_ip.allow(request.remote_address) || !chat.per_session.allow(*token)) {
    auto response = rate_limited(input.language);
    add_chat_cors(response, request, origin);
    co_return response;
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
  message.language = input.language;
  message.received_at = std::chrono::system_clock::now();
  const auto turn =
      co_await async_receive(chat.inbox, std::move(message), boost::asio::use_awaitable);
  auto response = json_response(200, channels::render_chat_reply(turn));
  response.headers.set("Cache-Control", "no-store");
  if (new_session) {
    response.headers.set("Set-Cookie", chat_session_cookie(*token, chat.secure_cookies));
    if (origin == chat_origin::allowed) {
      response.headers.set(std::string(chat_session_header), *token);
    }
  }
  add_chat_cors(response, request, origin);
  co_return response;
}

awaitable<http_response> preflight(chat_context& chat, http_request& request) {
  const auto origin = check_chat_origin(request, chat.settings);
  if (origin != chat_origin::allowed) {
    co_return chat_origin_refused();
  }
  http_response response;
  response.status = 204;
  add_chat_cors(response, request, origin);
  co_return response;
}

}  // namespace

void add_chat_routes(router& routes, chat_context& chat, const attachment_store& attachments) {
  routes.add("POST", "/chat/api/messages", route_access::open,
             [&chat, &attachments](http_request& request) {
               return post_message(chat, attachments, request);
             });
  routes.add("OPTIONS", "/chat/api/messages", route_access::open,
             [&chat](http_request& request) { return preflight(chat, request); });
}

}  // namespace civicline::server
