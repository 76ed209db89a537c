#include "server/http/websocket_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace civicline::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
/// Without a frame from the client for half of this, the server pings; after all of it the
/// connection is dropped. Browsers answer pings by themselves.
constexpr auto idle_timeout = std::chrono::seconds(40);
constexpr auto handshake_timeout = std::chrono::seconds(10);
/// Clients send only small control messages; anything bigger is a misuse.
constexpr std::size_t max_client_message_bytes = 4096;
/// Messages the session has not taken yet; a client that floods past this is dropped.
constexpr std::size_t max_pending_messages = 64;

}  // namespace

websocket_connection::websocket_connection(beast::tcp_stream stream,
                                           const std::atomic<bool>& stopping)
    : ws_(std::move(stream)), stopping_(stopping), wake_(ws_.get_executor()) {}

asio::awaitable<bool> websocket_connection::accept(
    const beast::http::request<beast::http::string_body>& upgrade, const header_fields& headers) {
  beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own time
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = handshake_timeout;
  timeouts.idle_timeout = idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(max_client_message_bytes);
  auto decorate = [fields = headers.all()](websocket::response_type& response) {
    for (const auto& [name, value] : fields) {
      response.set(name, value);
    }
  };
  ws_.set_option(websocket::stream_base::decorator(decorate));
  auto [ec] = co_await ws_.async_accept(upgrade, use_tuple);
  closed_ = static_cast<bool>(ec);
  co_return !ec;
}

asio::awaitable<void> websocket_connection::run(const websocket_session& session) {
  asio::co_spawn(ws_.get_executor(), read_loop(), asio::detached);
  std::exception_ptr failure;
  try {
    co_await session(*this);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    // No polite close after a failure: drop the socket, which also ends the reader.
    closed_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    std::rethrow_exception(failure);
  }
  if (!closed_) {
    closed_ = true;
    const websocket::close_reason reason(stopping_ ? websocket::close_code::going_away
                                                   : websocket::close_code::normal);
    auto [ec] = co_await ws_.async_close(reason, use_tuple);
    (void)ec;  // the client may be gone already
  }
}

void websocket_connection::stop() {
  wake_.cancel();
}

asio::awaitable<void> websocket_connection::read_loop() {
  auto self = shared_from_this();  // the reader may outlive the session
  while (true) {
    beast::flat_buffer buffer;
    auto [ec, n] = co_await ws_.async_read(buffer, use_tuple);
    if (ec) {
      break;
    }
    if (ws_.got_text()) {
      received_.push_back(beast::buffers_to_string(buffer.data()));
      if (received_.size() > max_pending_messages) {
        break;
      }
      wake_.cancel();
    }
  }
  if (!closed_) {
    closed_ = true;
    wake_.cancel();
    beast::get_lowest_layer(ws_).cancel();
  }
}

asio::awaitable<bool> websocket_connection::send(std::string text) {
  if (closed_) {
    co_return false;
  }
  ws_.text(true);
  auto [ec, n] = co_await ws_.async_write(asio::buffer(text), use_tuple);
  if (ec) {
    closed_ = true;
    wake_.cancel();
  }
  co_return !ec;
}

asio::awaitable<std::optional<std::string>> websocket_connection::receive(
    std::chrono::milliseconds wait) {
  if (received_.empty() && open()) {
    wake_.expires_after(wait);
    boost::system::error_code ignored;  // a cancel is the point
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (received_.empty()) {
    co_return std::nullopt;
  }
  auto next = std::move(received_.front());
  received_.pop_front();
  co_return next;
}

}  // namespace civicline::server
