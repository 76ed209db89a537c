#pragma once
// Maps a method and a path pattern ("/api/v1/requests/{id}") to a handler.
// Can be driven without a socket: `co_await router.handle(request)`.

#include "server/http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <vector>

namespace civicline::server {

using handler = std::function<boost::asio::awaitable<http_response>(http_request&)>;

struct route_info {
  std::string method;
  std::string pattern;
};

class router {
 public:
  /// Registers `h` for `method` on `pattern`; segments in braces capture path parameters.
  void add(std::string method, std::string pattern, handler h);

  /// Handles GET and HEAD requests that no route matched (static files).
  void set_fallback(handler h);

  /// Routes the request: sets request.route and request.path_params, then calls the handler.
  /// Answers 404 for unknown paths, 405 (with Allow) for known paths with another method,
  /// 400 for a path that is not valid percent-encoding.
  boost::asio::awaitable<http_response> handle(http_request& request) const;

  /// Every registered route, for documentation and authorisation tests.
  std::vector<route_info> routes() const;

 private:
  struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    handler h;
  };
  std::vector<route> routes_;
  handler fallback_;
};

/// Splits "/a/b/" into {"a", "b", ""}; the leading slash is dropped.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace civicline::server
