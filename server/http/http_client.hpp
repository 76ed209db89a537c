#pragma once
// The outbound HTTP/1.1 client: one request per connection over plain TCP or
// TLS, used to call SMS providers (Twilio's REST API) and to deliver partner
// webhooks. Every failure comes back as a client_error value; nothing throws.
// Beast, Asio's SSL layer and OpenSSL stay inside http_client.cpp.
//
// Not followed on purpose: redirects (a 3xx is returned as a response) and
// proxies. Credentials go in an Authorization header, never in the URL.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace civicline::server {

struct client_request {
  std::string method = "POST";
  std::string url;  ///< http:// or https://, with optional port, path and query
  /// Sent as given. Host, Content-Length, Transfer-Encoding and Connection are set by the
  /// client; User-Agent defaults to "civicline/<version>".
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct client_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  ///< in arrival order
  std::string body;

  /// The first value of the header `name` (case-insensitive), if present.
  std::optional<std::string> header(std::string_view name) const;
};

struct client_options {
  /// Limit for resolving the host and establishing the TCP connection.
  std::chrono::milliseconds connect_timeout{5000};
  /// Limit for the whole exchange, from the call until the last byte of the response.
  std::chrono::milliseconds total_timeout{15000};
  std::size_t max_response_bytes = 1 << 20;  ///< body limit; the header is limited separately
  /// An extra trusted CA (PEM) for tests and private CAs; the system store is always used.
  std::string ca_file;
  /// When false, refuses loopback, private, link-local and other non-public addresses (an
  /// SSRF guard for resident-supplied URLs). The check applies to the resolved addresses
  /// the client actually connects to, so DNS tricks cannot get around it.
  bool allow_private_addresses = true;
};

/// Says what failed and where ("connect to api.twilio.com:443 timed out after 5000 ms");
/// never includes the request body, headers or query string.
struct client_error {
  std::string what;
};

using client_result = std::variant<client_response, client_error>;

/// Sends one request and reads the whole response. Any HTTP status is a response;
/// client_error means no complete response arrived. Never throws.
boost::asio::awaitable<client_result> http_fetch(client_request request, client_options options);

/// Blocking form for command-line tools (runs its own io_context).
client_result http_fetch_blocking(client_request request, client_options options);

/// The addresses (as text) the host of `url` resolves to, within `timeout`, or why the URL
/// cannot be resolved. Used to refuse URLs that point inside the network before storing them.
boost::asio::awaitable<std::variant<std::vector<std::string>, client_error>> resolve_url_host(
    std::string url, std::chrono::milliseconds timeout);

/// True for addresses a resident-supplied URL must not reach: loopback, private (RFC 1918,
/// fc00::/7), link-local, carrier-grade NAT, unspecified, multicast, reserved and
/// documentation ranges, including IPv4 addresses mapped into IPv6.
bool is_non_public_address(std::string_view address);

}  // namespace civicline::server
