#pragma once
// The server side of one WebSocket (RFC 6455) after an HTTP upgrade: the handshake, a reader
// that always waits for the client's frames (so pings, pongs and close are answered), and the
// websocket_link a handler's session talks through. Used only by http_server.cpp.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <deque>
#include <memory>

#include "server/http/message.hpp"

namespace civicline::server {

class websocket_connection final : public websocket_link,
                                   public std::enable_shared_from_this<websocket_connection> {
 public:
  websocket_connection(boost::beast::tcp_stream stream, const std::atomic<bool>& stopping);

  /// Answers the upgrade request with 101 and `headers`; false when the handshake failed.
  boost::asio::awaitable<bool> accept(
      const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
      const header_fields& headers);

  /// Runs `session` with the reader alongside, then closes (going away on shutdown).
  boost::asio::awaitable<void> run(const websocket_session& session);

  /// On the strand: the server is shutting down; the session's waits end now.
  void stop();

  boost::asio::awaitable<bool> send(std::string text) override;
  boost::asio::awaitable<std::optional<std::string>> receive(
      std::chrono::milliseconds wait) override;
  bool open() const override { return !closed_ && !stopping_; }

 private:
  boost::asio::awaitable<void> read_loop();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  const std::atomic<bool>& stopping_;
  boost::asio::steady_timer wake_;
  std::deque<std::string> received_;
  bool closed_ = false;
};

}  // namespace civicline::server
