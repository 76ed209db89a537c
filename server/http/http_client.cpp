#include "server/http/http_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#ifndef CIVICLINE_VERSION
#define CIVICLINE_VERSION "dev"
#endif

namespace civicline::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

using steady_clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view default_user_agent = "civicline/" CIVICLINE_VERSION;
/// Response headers beyond this are refused; Beast's 8 KiB default is tight for some APIs.
constexpr std::uint32_t max_response_header_bytes = 64 << 10;
/// Interim (1xx) responses skipped before the final one; more than this is a broken server.
constexpr int max_interim_responses = 8;

/// Where a request goes, taken apart from its URL.
struct destination {
  bool tls = false;
  std::string host;         ///< for the resolver and certificate checks: no brackets
  bool host_is_ip = false;  ///< an IP literal: no SNI, the certificate must name the IP
  std::string port;
  std::string host_header;  ///< host, bracketed when IPv6, with the port when not the default
  std::string target;       ///< path and query
  std::string where;        ///< "host:port", for error messages (never the path or query)
};

client_error fail(std::string what) {
  return client_error{std::move(what)};
}

std::string ms(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

std::variant<destination, client_error> parse_destination(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return fail("the URL is not a valid absolute URL (" + parsed.error().message() + ")");
  }
  const auto& u = *parsed;
  destination d;
  if (u.scheme_id() == boost::urls::scheme::https) {
    d.tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    return fail("the URL scheme '" + std::string(u.scheme()) + "' is not http or https");
  }
  if (!u.has_authority() || u.encoded_host().empty()) {
    return fail("the URL has no host");
  }
  if (u.has_userinfo()) {
    return fail("the URL contains credentials; send them in an Authorization header instead");
  }
  switch (u.host_type()) {
    case boost::urls::host_type::name:
      d.host = u.host_address();
      break;
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      d.host = u.host_address();
      d.host_is_ip = true;
      break;
    default:
      return fail("the URL host is not a name or an IPv4/IPv6 address");
  }
  const std::string default_port = d.tls ? "443" : "80";
  d.port = u.port().empty() ? default_port : std::string(u.port());  // "host:" means default
  // The grammar allows only digits, but any number of them: check the range here.
  if (d.port.size() > 5 || std::stoul(d.port) == 0 || std::stoul(d.port) > 65535) {
    return fail("the URL port '" + d.port + "' is not between 1 and 65535");
  }
  const std::string bracketed =
      u.host_type() == boost::urls::host_type::ipv6 ? "[" + d.host + "]" : d.host;
  d.host_header = std::string(u.encoded_host());
  if (d.port != default_port) {
    d.host_header += ":" + d.port;
  }
  d.where = bracketed + ":" + d.port;
  d.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    d.target += "?" + std::string(u.encoded_query());
  }
  return d;
}

bool is_token(std::string_view text) {
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::ranges::all_of(text, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

bool is_field_value(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

/// The request as Beast sends it, or what is wrong with it.
std::variant<http::request<http::string_body>, client_error> build_request(client_request& request,
                                                                           const destination& to) {
  if (!is_token(request.method)) {
    return fail("the request method is not a valid HTTP method");
  }
  http::request<http::string_body> out;
  out.version(11);
  if (const auto verb = http::string_to_verb(request.method); verb != http::verb::unknown) {
    out.method(verb);
  } else {
    out.method_string(request.method);
  }
  out.target(to.target);
  for (auto& [name, value] : request.headers) {
    if (!is_token(name) || !is_field_value(value)) {
      return fail("the request header '" + (is_token(name) ? name : std::string("?")) +
                  "' is not a valid HTTP header field");
    }
    out.insert(name, value);
  }
  // Framing and routing are ours to decide: a caller's copy could smuggle a second request.
  for (const auto field : {http::field::host, http::field::content_length,
                           http::field::transfer_encoding, http::field::connection}) {
    out.erase(field);
  }
  out.set(http::field::host, to.host_header);
  if (out.find(http::field::user_agent) == out.end()) {
    out.set(http::field::user_agent, default_user_agent);
  }
  out.keep_alive(false);
  out.body() = std::move(request.body);
  if (!out.body().empty() || out.method() == http::verb::post || out.method() == http::verb::put ||
      out.method() == http::verb::patch) {
    out.content_length(out.body().size());
  }
  return out;
}

/// A TLS client context per extra CA file. SSL_CTX loads the system trust store, which is
/// slow, and is safe to share between threads once set up, so each is built once per
/// process and kept: the keys are the few CA files named in config, so the cache stays small.
/// A CA file changed on disk is picked up on restart.
std::variant<std::shared_ptr<ssl::context>, client_error> tls_context_for(
    const std::string& ca_file) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<ssl::context>, std::less<>> contexts;
  std::lock_guard lock(mutex);
  if (auto found = contexts.find(ca_file); found != contexts.end()) {
    return found->second;
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_verify_mode(ssl::verify_peer);
  beast::error_code ec;
  context->set_default_verify_paths(ec);
  if (ec) {
    return fail("cannot load the system's trusted certificates: " + ec.message());
  }
  if (!ca_file.empty()) {
    context->load_verify_file(ca_file, ec);
    if (ec) {
      return fail("cannot load the CA file " + ca_file + ": " + ec.message());
    }
  }
  contexts.emplace(ca_file, context);
  return context;
}

bool is_non_public_v4(const asio::ip::address_v4& address) {
  struct range {
    std::uint32_t network;
    int prefix;
  };
  static constexpr std::array<range, 14> ranges{{
      {0x00000000, 8},   // "this network", 0.0.0.0
      {0x0A000000, 8},   // private
      {0x64400000, 10},  // carrier-grade NAT
      {0x7F000000, 8},   // loopback
      {0xA9FE0000, 16},  // link-local (and cloud metadata at 169.254.169.254)
      {0xAC100000, 12},  // private
      {0xC0000000, 24},  // IETF protocol assignments
      {0xC0000200, 24},  // documentation
      {0xC0A80000, 16},  // private
      {0xC6120000, 15},  // benchmarking
      {0xC6336400, 24},  // documentation
      {0xCB007100, 24},  // documentation
      {0xE0000000, 4},   // multicast
      {0xF0000000, 4},   // reserved and broadcast
  }};
  const auto bits = address.to_uint();
  return std::ranges::any_of(ranges, [bits](const range& r) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - r.prefix);
    return (bits & mask) == r.network;
  });
}

bool is_non_public(const asio::ip::address& address) {
  if (address.is_v4()) {
    return is_non_public_v4(address.to_v4());
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return is_non_public_v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
  }
  const auto bytes = v6.to_bytes();
  const auto embedded_v4 = [&bytes](std::size_t at) {
    return asio::ip::address_v4(
        asio::ip::address_v4::bytes_type{bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]});
  };
  const bool nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b &&
                     std::all_of(&bytes[4], &bytes[12], [](auto b) { return b == 0; });
  if (nat64) {  // 64:ff9b::/96 reaches the embedded IPv4 address
    return is_non_public_v4(embedded_v4(12));
  }
  if (bytes[0] == 0x20 && bytes[1] == 0x02) {  // 6to4 embeds an IPv4 address
    return is_non_public_v4(embedded_v4(2));
  }
  const bool unique_local = (bytes[0] & 0xfe) == 0xfc;
  const bool documentation =
      bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8;
  const bool v4_compatible = std::all_of(&bytes[0], &bytes[12], [](auto b) { return b == 0; });
  return v6.is_unspecified() || v6.is_loopback() || v6.is_link_local() || v6.is_site_local() ||
         v6.is_multicast() || unique_local || documentation || v4_compatible;
}

/// Resolves within `deadline`. The system resolver cannot be interrupted, so on timeout the
/// lookup is abandoned (it finishes in the background and its result is dropped).
asio::awaitable<std::variant<std::vector<tcp::endpoint>, client_error>> resolve(
    const destination& to, steady_clock::time_point deadline, std::string_view timeout_message) {
  struct lookup {
    explicit lookup(const asio::any_io_executor& executor) : resolver(executor), done(executor) {}
    tcp::resolver resolver;
    asio::steady_timer done;  // cancelled when the lookup finishes
    bool finished = false;
    beast::error_code ec;
    tcp::resolver::results_type results;
  };
  // Runs on the caller's strand, so the completion below never races this coroutine.
  auto state = std::make_shared<lookup>(co_await asio::this_coro::executor);
  state->done.expires_at(deadline);
  state->resolver.async_resolve(to.host, to.port, tcp::resolver::numeric_service,
                                [state](beast::error_code ec, tcp::resolver::results_type results) {
                                  state->ec = ec;
                                  state->results = std::move(results);
                                  state->finished = true;
                                  state->done.cancel();
                                });
  co_await state->done.async_wait(use_tuple);
  if (!state->finished) {
    state->resolver.cancel();
    co_return fail(std::string(timeout_message));
  }
  if (state->ec) {
    co_return fail("cannot resolve " + to.host + ": " + state->ec.message());
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : state->results) {
    endpoints.push_back(entry.endpoint());
  }
  if (endpoints.empty()) {
    co_return fail("cannot resolve " + to.host + ": no addresses");
  }
  co_return endpoints;
}

/// Says why the TLS handshake failed, naming a certificate problem as such.
std::string handshake_failure(SSL* ssl, beast::error_code ec, const destination& to) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return "TLS certificate of " + to.where +
           " not trusted: " + X509_verify_cert_error_string(verify);
  }
  if (ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    return "TLS certificate of " + to.where + " not trusted: it is not valid for " + to.host;
  }
  return "TLS handshake with " + to.where + " failed: " + ec.message();
}

/// Writes the request and reads the final response on an open connection.
template <class Stream>
asio::awaitable<client_result> exchange(Stream& stream, http::request<http::string_body>& request,
                                        const destination& to, const client_options& options) {
  const std::string timeout_message = "no complete response from " + to.where +
                                      " within the total timeout of " + ms(options.total_timeout);
  if (auto [ec, n] = co_await http::async_write(stream, request, use_tuple); ec) {
    if (ec == beast::error::timeout) {
      co_return fail(timeout_message);
    }
    co_return fail("sending the request to " + to.where + " failed: " + ec.message());
  }
  beast::flat_buffer buffer;
  for (int interim = 0; interim <= max_interim_responses; ++interim) {
    http::response_parser<http::string_body> parser;
    parser.header_limit(max_response_header_bytes);
    parser.body_limit(options.max_response_bytes);
    parser.skip(request.method() == http::verb::head);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    // Servers often close TLS without close_notify; that is only a problem when the
    // body was to end at the close, and then the parser decides whether it is complete.
    if (ec == ssl::error::stream_truncated && parser.is_header_done() && !parser.content_length() &&
        !parser.chunked()) {
      ec = {};
      parser.put_eof(ec);
    }
    if (ec == http::error::body_limit) {
      co_return fail("the response from " + to.where + " is larger than " +
                     std::to_string(options.max_response_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      co_return fail("the response header from " + to.where + " is larger than " +
                     std::to_string(max_response_header_bytes) + " bytes");
    }
    if (ec == beast::error::timeout) {
      co_return fail(timeout_message);
    }
    if (ec) {
      co_return fail("reading the response from " + to.where + " failed: " + ec.message());
    }
    auto message = parser.release();
    if (message.result_int() / 100 == 1) {  // 100 Continue and friends: the answer follows
      continue;
    }
    client_response response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    co_return response;
  }
  co_return fail("the response from " + to.where + " never got past interim (1xx) responses");
}

/// The whole request; runs on its own strand so the resolver's completion and the coroutine
/// never run at the same time.
asio::awaitable<client_result> fetch(client_request request, client_options options) {
  const auto started = steady_clock::now();
  const auto deadline = started + options.total_timeout;
  const bool connect_limits = options.connect_timeout < options.total_timeout;
  const auto connect_deadline = connect_limits ? started + options.connect_timeout : deadline;

  auto parsed = parse_destination(request.url);
  if (auto* error = std::get_if<client_error>(&parsed)) {
    co_return *error;
  }
  const auto& to = std::get<destination>(parsed);
  auto built = build_request(request, to);
  if (auto* error = std::get_if<client_error>(&built)) {
    co_return *error;
  }
  auto& out = std::get<http::request<http::string_body>>(built);
  std::shared_ptr<ssl::context> tls;
  if (to.tls) {
    auto context = tls_context_for(options.ca_file);
    if (auto* error = std::get_if<client_error>(&context)) {
      co_return *error;
    }
    tls = std::get<std::shared_ptr<ssl::context>>(context);
  }

  const std::string connect_timeout_message =
      connect_limits ? "connect to " + to.where + " timed out after " + ms(options.connect_timeout)
                     : "connect to " + to.where + " timed out: the total timeout of " +
                           ms(options.total_timeout) + " ran out";
  auto resolved = co_await resolve(to, connect_deadline, connect_timeout_message);
  if (auto* error = std::get_if<client_error>(&resolved)) {
    co_return *error;
  }
  auto endpoints = std::get<std::vector<tcp::endpoint>>(std::move(resolved));
  if (!options.allow_private_addresses) {
    const auto first = endpoints.front().address().to_string();
    std::erase_if(endpoints, [](const tcp::endpoint& e) { return is_non_public(e.address()); });
    if (endpoints.empty()) {
      co_return fail("refusing to connect to " + to.where + ": " + to.host +
                     " resolves only to private or otherwise non-public addresses (" + first + ")");
    }
  }

  beast::tcp_stream connection(co_await asio::this_coro::executor);
  connection.expires_at(connect_deadline);
  if (auto [ec, endpoint] = co_await connection.async_connect(endpoints, use_tuple); ec) {
    if (ec == beast::error::timeout) {
      co_return fail(connect_timeout_message);
    }
    co_return fail("connect to " + to.where + " failed: " + ec.message());
  }

  client_result result;
  if (!tls) {
    connection.expires_at(deadline);
    result = co_await exchange(connection, out, to, options);
    beast::error_code ignored;
    connection.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return result;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(connection), *tls);
  if (!to.host_is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), to.host.c_str())) {
    co_return fail("TLS setup for " + to.where + " failed: cannot set the server name");
  }
  // OpenSSL checks the name during chain verification, so a mismatch is reported as
  // "hostname mismatch" rather than the unspecified error a failing callback leaves behind;
  // host_name_verification repeats the check at the leaf as a second line of defence.
  X509_VERIFY_PARAM* verify = SSL_get0_param(stream.native_handle());
  X509_VERIFY_PARAM_set_hostflags(verify, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int named = to.host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(verify, to.host.c_str())
                                  : X509_VERIFY_PARAM_set1_host(verify, to.host.c_str(), 0);
  if (named != 1) {
    co_return fail("TLS setup for " + to.where + " failed: cannot set the expected name");
  }
  stream.set_verify_callback(ssl::host_name_verification(to.host));
  beast::get_lowest_layer(stream).expires_at(connect_deadline);
  if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple); ec) {
    if (ec == beast::error::timeout) {
      co_return fail("TLS handshake with " + to.where + " timed out after " +
                     ms(connect_limits ? options.connect_timeout : options.total_timeout));
    }
    co_return fail(handshake_failure(stream.native_handle(), ec, to));
  }
  beast::get_lowest_layer(stream).expires_at(deadline);
  result = co_await exchange(stream, out, to, options);
  // No close_notify: the response is complete, and waiting for the server's reply to it
  // would only add a round trip.
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace

std::optional<std::string> client_response::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, name)) {
      return value;
    }
  }
  return std::nullopt;
}

bool is_non_public_address(std::string_view address) {
  beast::error_code ec;
  const auto parsed = asio::ip::make_address(address, ec);
  return ec || is_non_public(parsed);
}

asio::awaitable<client_result> http_fetch(client_request request, client_options options) {
  client_result result;
  try {
    const auto executor = co_await asio::this_coro::executor;
    result =
        co_await asio::co_spawn(asio::make_strand(executor),
                                fetch(std::move(request), std::move(options)), asio::use_awaitable);
  } catch (const std::exception& e) {
    result = fail(std::string("the request failed: ") + e.what());
  }
  co_return result;
}

asio::awaitable<std::variant<std::vector<std::string>, client_error>> resolve_url_host(
    std::string url, std::chrono::milliseconds timeout) {
  auto parsed = parse_destination(url);
  if (auto* error = std::get_if<client_error>(&parsed)) {
    co_return *error;
  }
  const auto& to = std::get<destination>(parsed);
  // A named local, not a temporary in the co_await (GCC 12 destroys those twice).
  const std::string timeout_message = "resolving " + to.host + " timed out after " + ms(timeout);
  auto resolved = co_await resolve(to, steady_clock::now() + timeout, timeout_message);
  if (auto* error = std::get_if<client_error>(&resolved)) {
    co_return *error;
  }
  std::vector<std::string> addresses;
  for (const auto& endpoint : std::get<std::vector<tcp::endpoint>>(resolved)) {
    addresses.push_back(endpoint.address().to_string());
  }
  co_return addresses;
}

client_result http_fetch_blocking(client_request request, client_options options) {
  asio::io_context io;
  client_result result = fail("the request did not finish");
  asio::co_spawn(io, http_fetch(std::move(request), std::move(options)),
                 [&](std::exception_ptr, client_result r) {
                   result = std::move(r);
                   io.stop();  // an abandoned DNS lookup must not keep run() going
                 });
  io.run();
  return result;
}

}  // namespace civicline::server
