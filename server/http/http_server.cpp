#include "server/http/http_server.hpp"

#include <sys/resource.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>

#include "server/http/json_depth.hpp"
#include "server/http/security_headers.hpp"
#include "server/http/websocket_connection.hpp"
#include "server/logging.hpp"

namespace civicline::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t read_chunk_bytes = 4096;

/// The body limit for a request target: its path's rule, or max_body_bytes.
body_limit_rule body_limit_for(const http_limits& limits, std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  for (const auto& rule : limits.body_limits) {
    if (rule.path == path) {
      return rule;
    }
  }
  return {std::string(path), limits.max_body_bytes,
          "The request body is larger than " + std::to_string(limits.max_body_bytes) + " bytes."};
}

/// A request id from the client is kept when it is short and plain; otherwise we make one.
std::string request_id_from(std::string_view offered) {
  const bool usable =
      !offered.empty() && offered.size() <= 64 && std::ranges::all_of(offered, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (usable) {
    return std::string(offered);
  }
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(16, '0');
  auto bits = generator();
  for (auto& c : id) {
    c = hex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

/// File descriptors kept back from connections: the database and its WAL for the writer and
/// each reader, log files, outgoing webhook and SMS connections, and one to accept and refuse
/// a connection over the cap with a 503.
constexpr rlim_t reserved_descriptors = 64;

/// The connections the server may hold: the configured cap, lowered to what the process's
/// open-file limit leaves after the reserve. Past the limit accept() fails with EMFILE and the
/// client waits in the backlog with no answer, and SQLite or an outgoing webhook fails too;
/// under the cap, a client over it gets a 503. Raises the soft limit to the hard one first,
/// as the default soft limit (1024) is far below what a busy server needs.
std::size_t connection_cap(std::size_t configured) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) {
    return configured;
  }
  if (files.rlim_cur < files.rlim_max) {
    rlimit raised = files;
    raised.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      files = raised;
    }
  }
  if (files.rlim_cur == RLIM_INFINITY) {
    return configured;
  }
  const rlim_t usable = files.rlim_cur > 2 * reserved_descriptors
                            ? files.rlim_cur - reserved_descriptors
                            : files.rlim_cur / 2;
  const auto cap = std::max<std::size_t>(1, std::min<std::size_t>(configured, usable));
  if (cap < configured) {
    log_event(log_level::warn, "connection_cap_lowered",
              {{"configured", configured},
               {"effective", cap},
               {"open_files_limit", static_cast<std::uint64_t>(files.rlim_cur)},
               {"fix",
                "raise the open-files limit (ulimit -n, LimitNOFILE=) or lower "
                "http.max_connections"}});
  }
  return cap;
}

bool is_body_method(http::verb method) {
  return method == http::verb::post || method == http::verb::put || method == http::verb::patch;
}

}  // namespace

class connection;

struct http_server::state : std::enable_shared_from_this<http_server::state> {
  state(asio::io_context& io, http_limits l, const router& r, http_metrics& m)
      : io(io), acceptor(io), limits(l), routes(r), metrics(m) {}

  asio::io_context& io;
  tcp::acceptor acceptor;
  http_limits limits;
  const router& routes;
  http_metrics& metrics;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_connections{0};

  std::mutex registry_mutex;
  std::uint64_t next_connection_id = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> registry;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> refuse(tcp::socket socket);
};

/// One client connection: owns its stream and buffer, and runs on its own strand.
class connection : public std::enable_shared_from_this<connection> {
 public:
  enum class phase { waiting, reading, handling, websocket };

  connection(std::shared_ptr<http_server::state> server, tcp::socket socket)
      : server_(std::move(server)), stream_(std::move(socket)), executor_(stream_.get_executor()) {}

  asio::awaitable<void> run();

  /// Runs on the strand: closes the connection unless a request is being handled.
  void stop_if_idle() {
    if (phase_ == phase::websocket) {
      if (websocket_) {
        websocket_->stop();  // the session sees the shutdown and closes with "going away"
      }
    } else if (phase_ != phase::handling) {
      stream_.cancel();
    }
  }

  /// The connection's strand; kept apart because an upgrade moves the stream away.
  asio::any_io_executor executor() { return executor_; }

 private:
  asio::awaitable<bool> serve_one(beast::flat_buffer& buffer, bool first);
  asio::awaitable<void> reject(int status, std::string_view message, const std::string& method,
                               std::chrono::steady_clock::time_point started);
  asio::awaitable<bool> upgrade(http::request<http::string_body> message, http_response response,
                                const http_request& request,
                                std::chrono::steady_clock::time_point started);
  asio::awaitable<bool> write(http_response response, const http_request& request, bool keep_alive,
                              std::chrono::steady_clock::time_point started);
  asio::awaitable<std::pair<beast::error_code, std::size_t>> write_streamed(
      http::response<http::string_body> out, const async_body_producer& produce, bool head_only,
      bool until_shutdown);

  /// After a refusal the client may still be sending the body: reads and drops it for a
  /// moment before closing, because closing with unread bytes makes the kernel send a reset
  /// that can destroy the refusal before the client reads it.
  asio::awaitable<void> drain_before_close();

  std::shared_ptr<http_server::state> server_;
  beast::tcp_stream stream_;
  phase phase_ = phase::waiting;
  bool refused_ = false;  ///< the last answer was reject(): drain before closing
  std::string remote_;
  asio::any_io_executor executor_;
  std::shared_ptr<websocket_connection> websocket_;  ///< after an upgrade; owns the socket then
};

asio::awaitable<void> connection::run() {
  beast::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? "" : endpoint.address().to_string();
  beast::flat_buffer buffer;
  bool first = true;
  try {
    while (!server_->stopping) {
      if (!co_await serve_one(buffer, first)) {
        break;
      }
      first = false;
    }
  } catch (const std::exception& e) {
    log_event(log_level::error, "connection_failed", {{"error", e.what()}});
  }
  if (!websocket_) {  // a WebSocket closed its socket itself
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (refused_ && !server_->stopping) {
      co_await drain_before_close();
    }
    stream_.close();
  }
}

asio::awaitable<void> connection::drain_before_close() {
  // Bounded in time and bytes, so a client that keeps sending cannot hold the connection.
  constexpr auto linger = std::chrono::seconds(1);
  constexpr std::size_t max_drained_bytes = 4 << 20;
  std::array<char, 16 * 1024> scratch{};
  std::size_t drained = 0;
  stream_.expires_after(linger);
  while (drained < max_drained_bytes) {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(scratch), use_tuple);
    if (ec) {
      break;  // the client closed (EOF), or the linger ran out
    }
    drained += n;
  }
}

/// Reads, handles and answers one request; false when the connection should close.
asio::awaitable<bool> connection::serve_one(beast::flat_buffer& buffer, bool first) {
  const auto& limits = server_->limits;
  phase_ = phase::waiting;
  if (buffer.size() == 0) {
    // A new connection must speak within the header timeout; a kept-alive one may idle longer.
    stream_.expires_after(first ? limits.header_timeout : limits.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer.prepare(read_chunk_bytes), use_tuple);
    if (ec) {
      co_return false;
    }
    buffer.commit(n);
  }
  const auto started = std::chrono::steady_clock::now();
  phase_ = phase::reading;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  // The largest limit until the target is known; then the one for that path.
  std::size_t largest_body = limits.max_body_bytes;
  for (const auto& rule : limits.body_limits) {
    largest_body = std::max(largest_body, rule.max_bytes);
  }
  parser.body_limit(largest_body);
  if (!first) {
    // A kept-alive client idled first; from its first byte the header must come in time.
    // A new connection keeps the deadline set on accepting: its whole header must arrive
    // within header_timeout of connecting, not of its first byte (a slow client
    // sending one byte just before the timeout would otherwise get twice as long).
    stream_.expires_after(limits.header_timeout);
  }
  if (auto [ec, n] = co_await http::async_read_header(stream_, buffer, parser, use_tuple); ec) {
    if (ec == http::error::header_limit) {
      co_await reject(431, "The request header is larger than this server accepts.", "", started);
    } else if (ec == http::error::body_limit) {  // Content-Length announced more than we accept
      co_await reject(
          413,
          "The request body is larger than " + std::to_string(limits.max_body_bytes) + " bytes.",
          "", started);
    } else if (ec != beast::error::timeout && ec != http::error::end_of_stream &&
               ec != asio::error::operation_aborted && ec != asio::error::eof &&
               ec != asio::error::connection_reset) {
      co_await reject(400, "The request is not valid HTTP/1.1: " + ec.message() + ".", "", started);
    }
    co_return false;
  }
  const auto& header = parser.get();
  const std::string method(header.method_string());
  const body_limit_rule body_rule =
      body_limit_for(limits, std::string_view(header.target().data(), header.target().size()));
  parser.body_limit(body_rule.max_bytes);
  if (parser.content_length() && *parser.content_length() > body_rule.max_bytes) {
    co_await reject(413, body_rule.too_large, method, started);
    co_return false;
  }
  if (header.count(http::field::transfer_encoding) != 0 && !parser.chunked()) {
    // RFC 9112 6.3: a request whose Transfer-Encoding does not end in chunked has no length
    // we can know; Beast would read it as bodiless, leaving the body to pass for a request.
    co_await reject(400, "Transfer-Encoding must end with chunked (and only chunked is supported).",
                    method, started);
    co_return false;
  }
  if (is_body_method(header.method()) && !parser.content_length() && !parser.chunked()) {
    co_await reject(411, "Send a Content-Length header with the request body.", method, started);
    co_return false;
  }
  if (beast::iequals(header[http::field::expect], "100-continue")) {
    http::response<http::empty_body> proceed{http::status::continue_, 11};
    if (auto [ec, n] = co_await http::async_write(stream_, proceed, use_tuple); ec) {
      co_return false;
    }
  }
  if (!parser.is_done()) {
    stream_.expires_after(limits.read_timeout);
    if (auto [ec, n] = co_await http::async_read(stream_, buffer, parser, use_tuple); ec) {
      if (ec == http::error::body_limit) {
        co_await reject(413, body_rule.too_large, method, started);
      } else if (ec != beast::error::timeout && ec != asio::error::operation_aborted &&
                 ec != http::error::end_of_stream && ec != asio::error::eof) {
        co_await reject(400, "The request body is malformed: " + ec.message() + ".", method,
                        started);
      }
      co_return false;
    }
  }
  phase_ = phase::handling;
  stream_.expires_never();

  auto message = parser.release();
  http_request request;
  request.method = method;
  request.target = std::string(message.target());
  request.remote_address = remote_;
  request.request_id = request_id_from(message["X-Request-Id"]);
  for (const auto& field : message) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  const bool keep_alive = message.keep_alive();

  http_response response;
  const auto content_type = request.headers.get("Content-Type");
  if (auto target = boost::urls::parse_origin_form(request.target); !target) {
    response = error_response(400, "bad_request", "The request target is not a valid path.");
    request.route = "(rejected)";
  } else if (content_type && is_json_media_type(*content_type) &&
             json_nests_deeper_than(request.body, limits.max_json_depth)) {
    response = error_response(400, "bad_request",
                              "The JSON body nests arrays and objects more than " +
                                  std::to_string(limits.max_json_depth) + " levels deep.");
    request.path = std::string(target->encoded_path());
    request.route = "(rejected)";
  } else {
    request.path = std::string(target->encoded_path());
    request.query = std::string(target->encoded_query());
    try {
      response = co_await server_->routes.handle(request);
    } catch (const std::exception& e) {
      log_event(
          log_level::error, "handler_failed",
          {{"request_id", request.request_id}, {"route", request.route}, {"error", e.what()}});
      response = error_response(500, "internal_error",
                                "Something went wrong on our side; the error is logged with "
                                "request id " +
                                    request.request_id + ".");
    }
  }
  if (response.websocket) {
    if (beast::websocket::is_upgrade(message)) {
      co_return co_await upgrade(std::move(message), std::move(response), request, started);
    }
    response = error_response(426, "upgrade_required",
                              "This address speaks WebSocket only: open it with new WebSocket().");
    response.headers.set("Upgrade", "websocket");
  }
  co_return co_await write(std::move(response), request, keep_alive && !server_->stopping, started);
}

/// Hands the socket to a WebSocket and runs the handler's session on it; the connection ends
/// with the session, so this always returns false.
asio::awaitable<bool> connection::upgrade(http::request<http::string_body> message,
                                          http_response response, const http_request& request,
                                          std::chrono::steady_clock::time_point started) {
  phase_ = phase::websocket;
  response.headers.set("X-Request-Id", request.request_id);
  websocket_ = std::make_shared<websocket_connection>(std::move(stream_), server_->stopping);
  const bool accepted = co_await websocket_->accept(message, response.headers);
  const auto status = accepted ? 101 : 400;
  server_->metrics.observe(request.method, request.route, status,
                           std::chrono::steady_clock::now() - started);
  if (server_->limits.access_log && log_enabled(log_level::info)) {
    log_event(log_level::info, "http_request",
              {{"request_id", request.request_id},
               {"method", request.method},
               {"path", request.path},
               {"route", request.route},
               {"status", status},
               {"remote", request.remote_address}});
  }
  if (accepted && !server_->stopping) {
    co_await websocket_->run(response.websocket);
  }
  co_return false;
}

asio::awaitable<bool> connection::write(http_response response, const http_request& request,
                                        bool keep_alive,
                                        std::chrono::steady_clock::time_point started) {
  http::response<http::string_body> out{static_cast<http::status>(response.status), 11};
  add_security_headers(response.headers);
  for (const auto& [name, value] : response.headers.all()) {
    out.set(name, value);
  }
  if (!request.request_id.empty()) {
    out.set("X-Request-Id", request.request_id);
  }
  out.keep_alive(keep_alive);
  auto body_bytes = response.body.size();
  beast::error_code ec;
  if (response.stream || response.live_stream) {
    out.chunked(request.method != "HEAD");
    const bool live = static_cast<bool>(response.live_stream);
    async_body_producer produce = std::move(response.live_stream);
    if (!live) {
      produce = [pull =
                     std::move(response.stream)]() -> asio::awaitable<std::optional<std::string>> {
        co_return pull();
      };
    }
    std::tie(ec, body_bytes) =
        co_await write_streamed(std::move(out), produce, request.method == "HEAD", live);
  } else {
    if (request.method == "HEAD") {
      out.content_length(body_bytes);
    } else {
      out.body() = std::move(response.body);
      out.prepare_payload();
    }
    stream_.expires_after(server_->limits.read_timeout);
    std::tie(ec, std::ignore) = co_await http::async_write(stream_, out, use_tuple);
  }

  const auto latency = std::chrono::steady_clock::now() - started;
  const auto& route = request.route.empty() ? std::string("(rejected)") : request.route;
  server_->metrics.observe(request.method, route, response.status, latency);
  if (server_->limits.access_log && log_enabled(log_level::info)) {
    log_line(log_level::info, "http_request")
        .field("request_id", request.request_id)
        .field("method", request.method)
        .field("path", request.path)
        .field("route", route)
        .field("status", response.status)
        .field("bytes", static_cast<std::size_t>(body_bytes))
        .field("ms", std::chrono::duration<double, std::milli>(latency).count())
        .field("remote", request.remote_address)
        .write();
  }
  co_return !ec && keep_alive;
}

asio::awaitable<std::pair<beast::error_code, std::size_t>> connection::write_streamed(
    http::response<http::string_body> out, const async_body_producer& produce, bool head_only,
    bool until_shutdown) {
  // The header first (Transfer-Encoding: chunked), then one chunk per produced piece; each
  // piece is written before the next is produced, so memory stays at one piece.
  http::response<http::empty_body> header{out.result(), 11};
  for (const auto& field : out.base()) {
    header.set(field.name_string(), field.value());
  }
  http::response_serializer<http::empty_body> serializer(header);
  stream_.expires_after(server_->limits.read_timeout);
  auto [ec, n] = co_await http::async_write_header(stream_, serializer, use_tuple);
  std::size_t bytes = 0;
  if (ec || head_only) {
    co_return std::pair{ec, bytes};
  }
  while (!(until_shutdown && server_->stopping)) {
    auto piece = co_await produce();
    if (!piece) {
      break;
    }
    if (piece->empty()) {
      continue;  // an empty chunk would end the body
    }
    bytes += piece->size();
    stream_.expires_after(server_->limits.read_timeout);
    auto chunk = http::make_chunk(asio::buffer(*piece));  // named: see the GCC 12 note
    std::tie(ec, n) = co_await asio::async_write(stream_, chunk, use_tuple);
    if (ec) {
      co_return std::pair{ec, bytes};
    }
  }
  stream_.expires_after(server_->limits.read_timeout);
  auto last = http::make_chunk_last();
  std::tie(ec, n) = co_await asio::async_write(stream_, last, use_tuple);
  co_return std::pair{ec, bytes};
}

asio::awaitable<void> connection::reject(int status, std::string_view message,
                                         const std::string& method,
                                         std::chrono::steady_clock::time_point started) {
  http_request request;
  request.method = method;
  request.route = "(rejected)";
  request.remote_address = remote_;
  request.request_id = request_id_from("");
  refused_ = true;
  co_await write(error_response(status, error_code_for(status), message), request, false, started);
}

asio::awaitable<void> http_server::state::refuse(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  http::response<http::string_body> out{http::status::service_unavailable, 11};
  out.set(http::field::content_type, "application/json");
  out.set(http::field::retry_after, "1");
  out.body() = error_response(503, "service_unavailable",
                              "The server is at its connection limit; try again shortly.")
                   .body;
  out.keep_alive(false);
  out.prepare_payload();
  stream.expires_after(limits.header_timeout);
  co_await http::async_write(stream, out, use_tuple);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> http_server::state::accept_loop() {
  auto self = shared_from_this();
  asio::steady_timer accept_pause(io);
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) {
        break;
      }
      log_event(log_level::warn, "accept_failed", {{"error", ec.message()}});
      // Out of file descriptors (or another lasting failure): the pending connection stays
      // in the backlog and accept fails again at once, so pause instead of spinning a core.
      accept_pause.expires_after(std::chrono::milliseconds(100));
      co_await accept_pause.async_wait(use_tuple);
      continue;
    }
    if (open_connections >= limits.max_connections) {
      metrics.connection_refused();
      auto executor = socket.get_executor();
      asio::co_spawn(executor, refuse(std::move(socket)), asio::detached);
      continue;
    }
    auto conn = std::make_shared<connection>(self, std::move(socket));
    std::uint64_t id = 0;
    {
      std::lock_guard lock(registry_mutex);
      id = next_connection_id++;
      registry.emplace(id, conn);
    }
    ++open_connections;
    metrics.connection_opened();
    asio::co_spawn(conn->executor(), conn->run(), [self, id, conn](std::exception_ptr) {
      {
        std::lock_guard lock(self->registry_mutex);
        self->registry.erase(id);
      }
      --self->open_connections;
      self->metrics.connection_closed();
    });
  }
}

http_server::http_server(asio::io_context& io, http_limits limits, const router& routes,
                         http_metrics& metrics)
    : state_(std::make_shared<state>(io, limits, routes, metrics)) {
  state_->limits.max_connections = connection_cap(limits.max_connections);
}

http_server::~http_server() = default;

std::uint16_t http_server::listen(const std::string& host, std::uint16_t port) {
  // The config allows host names ("localhost"); bind to the first address they resolve to.
  tcp::resolver resolver(state_->io);
  const tcp::endpoint endpoint =
      resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service)
          .begin()
          ->endpoint();
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(acceptor.get_executor(), state_->accept_loop(), asio::detached);
  return acceptor.local_endpoint().port();
}

void http_server::shutdown(std::chrono::milliseconds grace, std::function<void()> on_drained) {
  auto s = state_;
  s->stopping = true;
  asio::post(s->acceptor.get_executor(), [s] {
    beast::error_code ec;
    s->acceptor.close(ec);
  });
  std::vector<std::shared_ptr<connection>> open;
  {
    std::lock_guard lock(s->registry_mutex);
    for (auto& [id, weak] : s->registry) {
      if (auto conn = weak.lock()) {
        open.push_back(std::move(conn));
      }
    }
  }
  for (auto& conn : open) {
    asio::post(conn->executor(), [conn] { conn->stop_if_idle(); });
  }
  // Poll until the requests in flight have been answered; cheap, and only at shutdown.
  auto wait_for_drain = [](std::shared_ptr<state> s, std::chrono::milliseconds grace,
                           std::function<void()> on_drained) -> asio::awaitable<void> {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer timer(s->io);
    while (s->open_connections != 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(use_tuple);
    }
    if (s->open_connections != 0) {
      log_event(log_level::warn, "shutdown_grace_expired",
                {{"open_connections", s->open_connections.load()}});
    }
    on_drained();
  };
  asio::co_spawn(s->io, wait_for_drain(s, grace, std::move(on_drained)), asio::detached);
}

}  // namespace civicline::server
