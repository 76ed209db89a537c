#include "server/routes/chat_feed_routes.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "channels/chat_transcript.hpp"
#include "channels/form_body.hpp"
#include "channels/web_chat.hpp"
#include "storage/chat_transcript.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;
using clock = std::chrono::steady_clock;

/// Messages per answer or push; a client that gets this many asks again at once.
constexpr std::size_t lines_per_answer = 200;
/// How often the transcript is looked at while a long-poll or a WebSocket waits: the
/// latency of a push.
constexpr auto poll_interval = std::chrono::milliseconds(250);
/// The longest long-poll (?wait=), in seconds; below common proxy timeouts.
constexpr int max_wait_seconds = 25;
/// A WebSocket with nothing to say sends this often, so the widget can tell a quiet
/// connection from a dead one.
constexpr auto heartbeat_interval = std::chrono::seconds(20);

struct feed_query {
  std::int64_t after = 0;
  int wait_seconds = 0;
};

std::optional<std::int64_t> whole_number(const std::string& text, std::int64_t max) {
  std::int64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || n < 0 ||
      n > max) {
    return std::nullopt;
  }
  return n;
}

/// ?after=N&wait=S; nullopt when either is not a whole number in range.
std::optional<feed_query> parse_feed_query(const http_request& request) {
  feed_query query;
  const auto params = channels::parse_form_body(request.query);
  if (!params) {
    return std::nullopt;
  }
  if (const auto* after = channels::form_value(*params, "after")) {
    const auto n = whole_number(*after, std::numeric_limits<std::int64_t>::max());
    if (!n) {
      return std::nullopt;
    }
    query.after = *n;
  }
  if (const auto* wait = channels::form_value(*params, "wait")) {
    const auto n = whole_number(*wait, max_wait_seconds);
    if (!n) {
      return std::nullopt;
    }
    query.wait_seconds = static_cast<int>(*n);
  }
  return query;
}

http_response bad_query() {
  return error_response(400, "bad_request",
                        "after is a message id (a whole number from 0) and wait a number of "
                        "seconds from 0 to " +
                            std::to_string(max_wait_seconds) + ".");
}

/// The visitor's messages after `after`; none while the session has not written yet.
std::vector<storage::chat_line> lines_after(chat_context& chat, const std::string& address,
                                            std::int64_t after) {
  return chat.db.read([&](SQLite::Database& db) {
    const auto resident = storage::find_resident_by_address(db, "web_chat", address);
    return resident ? storage::chat_lines_after(db, resident->id, after, lines_per_answer)
                    : std::vector<storage::chat_line>{};
  });
}

channels::tracking_id_format tracking_format(const chat_context& chat) {
  return {chat.settings.city.tracking_id_prefix, chat.settings.city.tracking_id_digits};
}

awaitable<void> pause(std::chrono::milliseconds interval) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, interval);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

awaitable<http_response> get_messages(chat_context& chat, http_request& request) {
  const auto origin = check_chat_origin(request, chat.settings);
  if (origin == chat_origin::refused) {
    co_return chat_origin_refused();
  }
  const auto query = parse_feed_query(request);
  if (!query) {
    auto response = bad_query();
    add_chat_cors(response, request, origin);
    co_return response;
  }
  const auto token = chat_session_token(request, origin);
  std::vector<storage::chat_line> lines;
  if (token) {
    const auto address = channels::chat_resident_address(*token);
    const auto deadline = clock::now() + std::chrono::seconds(query->wait_seconds);
    lines = lines_after(chat, address, query->after);
    while (lines.empty() && clock::now() < deadline && !chat.stopping) {
      co_await pause(poll_interval);
      lines = lines_after(chat, address, query->after);
    }
  }
  auto response = private_json_response(
      200, channels::render_chat_lines(lines, query->after, tracking_format(chat)));
  add_chat_cors(response, request, origin);
  co_return response;
}

/// A message from the widget over the socket: {"type": "ping"} gets a pong.
bool is_ping(const std::string& text) {
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_object() && parsed.value("type", "") == "ping";
}

awaitable<void> push_transcript(chat_context& chat, const std::string& address, std::int64_t after,
                                websocket_link& link) {
  std::int64_t cursor = after;
  auto last_sent = clock::now();
  const auto format = tracking_format(chat);
  while (link.open()) {
    const auto lines = lines_after(chat, address, cursor);
    if (!lines.empty()) {
      auto frame = channels::render_chat_lines(lines, cursor, format);
      if (!co_await link.send(std::move(frame))) {
        break;
      }
      cursor = lines.back().id;
      last_sent = clock::now();
      if (lines.size() == lines_per_answer) {
        continue;  // more are waiting
      }
    } else if (clock::now() - last_sent >= heartbeat_interval) {
      auto beat = nlohmann::json{{"type", "heartbeat"}, {"cursor", cursor}}.dump();
      if (!co_await link.send(std::move(beat))) {
        break;
      }
      last_sent = clock::now();
    }
    if (const auto received = co_await link.receive(poll_interval);
        received && is_ping(*received)) {
      auto pong = nlohmann::json{{"type", "pong"}, {"cursor", cursor}}.dump();
      co_await link.send(std::move(pong));
    }
  }
}

awaitable<http_response> open_socket(chat_context& chat, http_request& request) {
  const auto origin = check_chat_origin(request, chat.settings);
  if (origin == chat_origin::refused) {
    co_return chat_origin_refused();
  }
  const auto query = parse_feed_query(request);
  if (!query) {
    co_return bad_query();
  }
  const auto token = chat_session_token(request, origin);
  if (!token) {
    co_return error_response(401, "unauthorized",
                             "No chat session yet: send a message first (POST "
                             "/chat/api/messages), then connect.");
  }
  http_response response;
  response.status = 101;
  response.websocket = [&chat, address = channels::chat_resident_address(*token),
                        after = query->after](websocket_link& link) -> awaitable<void> {
    co_await push_transcript(chat, address, after, link);
  };
  co_return response;
}

}  // namespace

void add_chat_feed_routes(router& routes, chat_context& chat) {
  routes.add("GET", "/chat/api/messages", route_access::open,
             [&chat](http_request& request) { return get_messages(chat, request); });
  routes.add("GET", "/chat/ws", route_access::chat_session,
             [&chat](http_request& request) { return open_socket(chat, request); });
}

}  // namespace civicline::server
