#pragma once
// The HTTP/1.1 server: accepts connections and runs one coroutine per
// connection that reads requests within the configured limits, routes them
// and writes the responses. Beast stays inside http_server.cpp.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/http/metrics.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

/// A body size limit for one path, instead of max_body_bytes.
struct body_limit_rule {
  std::string path;  ///< exact, as in the request target without the query
  std::size_t max_bytes = 0;
  std::string too_large;  ///< the 413's message
};

struct http_limits {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t max_connections = 10'000;
  bool access_log = true;
  /// Paths that take a body of another size than max_body_bytes (photo uploads), with the
  /// message of their 413.
  std::vector<body_limit_rule> body_limits{};
  /// JSON bodies nesting arrays and objects deeper than this are refused with 400 before a
  /// handler parses them (see json_depth.hpp); the API's own bodies nest 3 levels at most.
  std::size_t max_json_depth = 64;
};

class http_server {
 public:
  http_server(boost::asio::io_context& io, http_limits limits, const router& routes,
              http_metrics& metrics);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds host:port (port 0 picks a free one), starts accepting and returns the bound port.
  /// Throws std::system_error naming the address when it cannot bind.
  std::uint16_t listen(const std::string& host, std::uint16_t port);

  /// Stops accepting, closes idle connections and lets requests in flight finish; calls
  /// `on_drained` once every connection closed, or when `grace` ran out.
  void shutdown(std::chrono::milliseconds grace, std::function<void()> on_drained);

  struct state;  ///< defined in http_server.cpp; shared with the connections

 private:
  std::shared_ptr<state> state_;
};

}  // namespace civicline::server
