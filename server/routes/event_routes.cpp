#include "server/routes/event_routes.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "channels/form_body.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using clock = std::chrono::steady_clock;

/// How often the outbox is looked at for new events: the latency of a live update.
constexpr auto poll_interval = std::chrono::milliseconds(400);
/// A comment this often keeps proxies and browsers from dropping a quiet stream.
constexpr auto keep_alive_interval = std::chrono::seconds(15);
/// A stream ends after this; EventSource reconnects with Last-Event-ID and loses nothing. So a
/// session that expires or a key that is revoked stops receiving within this time.
constexpr auto stream_lifetime = std::chrono::minutes(5);
constexpr std::size_t events_per_piece = 200;

std::optional<std::int64_t> event_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || id < 0) {
    return std::nullopt;
  }
  return id;
}

/// Where the stream starts: after Last-Event-ID (a reconnect), after ?after=N, or after the
/// newest event (only what happens from now on). nullopt for a malformed id.
std::optional<std::int64_t> start_after(const http_request& request, storage::database& db) {
  if (const auto last = request.headers.get("Last-Event-ID")) {
    return event_id(*last);
  }
  if (const auto params = channels::parse_form_body(request.query)) {
    if (const auto* after = channels::form_value(*params, "after")) {
      return event_id(*after);
    }
  }
  return db.read(storage::last_outbox_event_id);
}

/// The events staff screens react to: changes of requests. Payloads carry no resident
/// contact details (they are what partners may see, plus descriptions staff read anyway).
bool for_staff_screens(const storage::outbox_event& event) {
  return event.type.starts_with("request.");
}

/// One SSE message; the payload is a single line of JSON, so one data: line.
void append_message(std::string& out, const storage::outbox_event& event) {
  out += "id: " + std::to_string(event.id) + "\nevent: " + event.type + "\ndata: ";
  for (const char c : event.payload_json) {
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  out += "\n\n";
}

struct feed_state {
  feed_state(storage::database& db_in, std::int64_t after)
      : db(db_in), last_id(after), started(clock::now()), last_sent(started) {}
  storage::database& db;
  std::int64_t last_id;
  clock::time_point started;
  clock::time_point last_sent;
  bool greeted = false;
};

awaitable<std::optional<std::string>> next_piece(std::shared_ptr<feed_state> feed) {
  if (!feed->greeted) {
    feed->greeted = true;
    // The retry hint, and an event id so a reconnect resumes from here even if nothing happened.
    co_return "retry: 2000\nid: " + std::to_string(feed->last_id) + "\n\n";
  }
  if (clock::now() - feed->started >= stream_lifetime) {
    co_return std::nullopt;
  }
  const auto events = feed->db.read([&](SQLite::Database& db) {
    return storage::outbox_events_after(db, feed->last_id, events_per_piece);
  });
  std::string out;
  for (const auto& event : events) {
    feed->last_id = event.id;
    if (for_staff_screens(event)) {
      append_message(out, event);
    }
  }
  if (out.empty() && !events.empty()) {
    // Only events of other kinds: move the client's resume point past them.
    out = "id: " + std::to_string(feed->last_id) + "\n\n";
  }
  if (out.empty() && clock::now() - feed->last_sent >= keep_alive_interval) {
    out = ": keep-alive\n\n";
  }
  if (!out.empty()) {
    feed->last_sent = clock::now();
    co_return out;
  }
  // Nothing yet. An empty piece sends nothing and lets the connection check for a shutdown
  // before asking again.
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, poll_interval);
  co_await timer.async_wait(use_awaitable);
  co_return std::string();
}

awaitable<http_response> events(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::read_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto after = start_after(request, context.app.db);
  if (!after) {
    co_return error_response(400, "bad_request",
                             "Last-Event-ID and after are event ids (whole numbers from 0).");
  }
  auto feed = std::make_shared<feed_state>(context.app.db, *after);
  http_response response;
  response.headers.set("Content-Type", "text/event-stream; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("X-Accel-Buffering", "no");  // nginx: pass each event on at once
  response.live_stream = [feed]() { return next_piece(feed); };
  co_return response;
}

}  // namespace

void add_event_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("GET", "/api/v1/events", route_access::staff,
             [context](http_request& request) { return events(*context, request); });
}

}  // namespace civicline::server
