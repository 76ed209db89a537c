#pragma once
// civicline's own HTTP request and response values. Handlers and channel
// adapters see only these, so Beast stays inside the connection code and the
// files that include this header compile quickly.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civicline::server {

/// Header fields in arrival order; names compare case-insensitively.
class header_fields {
 public:
  /// The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  /// Adds a field (keeps existing ones with the same name).
  void add(std::string name, std::string value);
  /// Replaces every field named `name` with one field.
  void set(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct http_request {
  std::string method;  ///< "GET", "POST", ... (HEAD is routed as GET)
  std::string target;  ///< as received: path and query
  std::string path;    ///< target without the query, not decoded
  std::string query;   ///< after '?', not decoded
  header_fields headers;
  std::string body;
  std::string remote_address;
  std::string request_id;
  std::map<std::string, std::string, std::less<>> path_params;  ///< {id} in "/x/{id}"
  std::string route;  ///< the matched route pattern, for logs and metrics
};

/// Produces a streamed body a piece at a time; nullopt once it is complete. Runs on the
/// connection's strand between writes, so the whole body never sits in memory.
using body_producer = std::function<std::optional<std::string>()>;

/// Like body_producer, but may wait (a timer, a poll) before producing the next piece: for
/// event streams that stay open.
using async_body_producer = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

/// A WebSocket after the handshake, as a handler's session sees it: text messages both ways.
/// The connection code owns the Beast stream, answers pings and pings an idle client.
class websocket_link {
 public:
  virtual ~websocket_link() = default;
  /// Sends one text message; false when the connection is gone.
  virtual boost::asio::awaitable<bool> send(std::string text) = 0;
  /// The client's next text message, waiting at most `wait`; nullopt when none came in time
  /// or the connection ended (see open()).
  virtual boost::asio::awaitable<std::optional<std::string>> receive(
      std::chrono::milliseconds wait) = 0;
  /// False once the client left, the connection failed or the server is shutting down.
  virtual bool open() const = 0;
};

/// Runs a WebSocket conversation; the connection closes when it returns.
using websocket_session = std::function<boost::asio::awaitable<void>(websocket_link&)>;

struct http_response {
  int status = 200;
  header_fields headers;
  std::string body;
  /// When set, the body is sent from it with chunked transfer encoding and `body` is ignored.
  body_producer stream{};
  /// An open-ended stream (Server-Sent Events), sent like `stream`. It also ends when the server
  /// shuts down, checked between pieces, so the producer must not wait long for one.
  async_body_producer live_stream{};
  /// When set and the request asked to upgrade, the connection answers 101 Switching Protocols
  /// (with `headers`) and runs the session; other requests get 426 Upgrade Required.
  websocket_session websocket{};
};

/// A response with a JSON body and the given status.
http_response json_response(int status, std::string json_body);

/// A JSON response that no shared cache may keep (Cache-Control: no-store): for anything
/// holding residents' data or account details.
http_response private_json_response(int status, std::string json_body);

/// A response with a body and an explicit content type.
http_response text_response(int status, std::string content_type, std::string body);

/// The uniform error body: {"error": {"code": "...", "message": "..."}}.
http_response error_response(int status, std::string_view code, std::string_view message);

/// The short code used in error bodies for a status ("not_found" for 404).
std::string_view error_code_for(int status);

/// The standard reason phrase ("Not Found").
std::string_view reason_phrase(int status);

/// True when the request's Content-Type is `media_type` (parameters such as charset ignored).
bool has_content_type(const http_request& request, std::string_view media_type);

}  // namespace civicline::server
