#pragma once
// Maps a method and a path pattern ("/api/v1/requests/{id}") to a handler.
// Can be driven without a socket: `co_await router.handle(request)`.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/http/message.hpp"

namespace civicline::server {

using handler = std::function<boost::asio::awaitable<http_response>(http_request&)>;

/// Turns an error a handler threw into an answer (a 503 for a full disk, say), or nothing to
/// leave it to the server's generic 500. Lets layers above this folder (storage) shape the
/// answers to their own errors without the HTTP code knowing them.
using failure_answer =
    std::function<std::optional<http_response>(const std::exception& error, http_request&)>;

/// Who may call a route, as its registration declares. The handlers enforce it (they need
/// the caller anyway); this is the table they are held to: `civicline routes` prints it and
/// tests/e2e/auth_matrix.test.mjs calls every route as every kind of caller against it.
enum class route_access : std::uint8_t {
  undeclared,  ///< no declaration (the default of route_info): the auth matrix test fails on it
  open,        ///< anyone: residents, the public, probes
  provider_signature,  ///< an SMS provider's webhook: refused without its valid signature
  chat_session,        ///< a web-chat visitor's own session cookie (the first message makes it)
  any_caller,          ///< any valid API key or staff session
  staff,               ///< auth::permission::read_requests / change_requests
  supervisor,          ///< auth::permission::supervise
  admin,               ///< auth::permission::administer
  partner,             ///< auth::permission::partner_api
};

/// "public", "provider_signature", "any_caller", "staff", ... as `civicline routes` prints it.
std::string_view to_string(route_access access);

struct route_info {
  std::string method;
  std::string pattern;
  route_access access = route_access::undeclared;
};

class router {
 public:
  /// Registers `h` for `method` on `pattern`, callable by `access`; segments in braces
  /// capture path parameters.
  void add(std::string method, std::string pattern, route_access access, handler h);

  /// Handles GET and HEAD requests that no route matched (static files).
  void set_fallback(handler h);

  /// Asked about every exception a route's handler throws (see failure_answer).
  void set_failure_answer(failure_answer answer);

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
    route_access access;
    std::vector<std::string> segments;
    handler h;
  };
  std::vector<route> routes_;
  handler fallback_;
  failure_answer failure_answer_;
};

/// Splits "/a/b/" into {"a", "b", ""}; the leading slash is dropped.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace civicline::server
