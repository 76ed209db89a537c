// Tests for server/http/http_client.hpp against a small Beast server running in
// the same process on 127.0.0.1, over plain HTTP and over TLS with certificates
// made at test time. Every test is bounded by short timeouts.

#include "server/http/http_client.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

using Catch::Matchers::Contains;
using civicline::server::client_error;
using civicline::server::client_options;
using civicline::server::client_request;
using civicline::server::client_response;
using civicline::server::client_result;
using civicline::server::http_fetch;
using civicline::server::http_fetch_blocking;
using civicline::server::is_non_public_address;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
const std::string secret_body = "Body=the-secret-message-text";

/// A uniquely named directory under the system temp directory, removed when the test ends.
class temp_directory {
 public:
  temp_directory() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("civicline-http-client-test-" + std::to_string(entropy()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directory(path_);
  }
  ~temp_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_directory(const temp_directory&) = delete;
  temp_directory& operator=(const temp_directory&) = delete;

  /// Writes `text` to a file in the directory and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::ofstream(file) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

/// A self-signed certificate and its key, both PEM.
struct test_certificate {
  std::string certificate_pem;
  std::string key_pem;
};

/// Makes a one-day self-signed P-256 certificate with the given subject alternative names
/// ("DNS:localhost,IP:127.0.0.1"), like `openssl req -x509` does, without the command.
test_certificate make_certificate(const std::string& common_name, const std::string& alt_names) {
  using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
  using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
  key_ptr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  x509_ptr cert(X509_new(), &X509_free);
  if (!key || !cert) {
    throw std::runtime_error("cannot make a test key");
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::random_device{}()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 60 * 60);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                   std::pair{NID_subject_key_identifier, "hash"},
                                   std::pair{NID_subject_alt_name, alt_names.c_str()}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (!extension) {
      throw std::runtime_error("cannot make a test certificate extension");
    }
    X509_add_ext(cert.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("cannot sign the test certificate");
  }
  auto pem = [](auto write) {
    bio_ptr bio(BIO_new(BIO_s_mem()), &BIO_free);
    write(bio.get());
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  };
  return {pem([&](BIO* bio) { PEM_write_bio_X509(bio, cert.get()); }), pem([&](BIO* bio) {
            PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          })};
}

/// What the test server does with a request: a response, or nothing (it never answers).
using handler = std::function<std::optional<http::response<http::string_body>>(
    const http::request<http::string_body>&)>;

http::response<http::string_body> text(http::status status, std::string body) {
  http::response<http::string_body> response{status, 11};
  response.set(http::field::content_type, "text/plain");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

/// An HTTP or HTTPS server on 127.0.0.1 with a port of its own, running on its own thread.
class test_server {
 public:
  explicit test_server(handler respond, const test_certificate* certificate = nullptr)
      : respond_(std::move(respond)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (certificate) {
      tls_.emplace(ssl::context::tls_server);
      tls_->use_certificate_chain(asio::buffer(certificate->certificate_pem));
      tls_->use_private_key(asio::buffer(certificate->key_pem), ssl::context::pem);
    }
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~test_server() {
    io_.stop();
    thread_.join();
  }
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + path;
  }
  int connections() const { return connections_; }
  /// The last request the server read.
  http::request<http::string_body> last_request() const {
    std::lock_guard lock(mutex_);
    return last_request_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) {
        co_return;
      }
      ++connections_;
      if (tls_) {
        asio::co_spawn(io_, serve_tls(std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(io_, serve(beast::tcp_stream(std::move(socket))), asio::detached);
      }
    }
  }

  asio::awaitable<void> serve_tls(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
    if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple); ec) {
      co_return;  // the client refused our certificate
    }
    co_await serve(std::move(stream));
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream stream) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    if (auto [ec, n] = co_await http::async_read(stream, buffer, request, use_tuple); ec) {
      co_return;
    }
    {
      std::lock_guard lock(mutex_);
      last_request_ = request;
    }
    auto response = respond_(request);
    if (!response) {  // hold the connection open without answering until the server stops
      asio::steady_timer forever(io_, 60s);
      co_await forever.async_wait(use_tuple);
      co_return;
    }
    response->keep_alive(false);
    co_await http::async_write(stream, *response, use_tuple);
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  handler respond_;
  std::optional<ssl::context> tls_;  // outlives io_, whose destructor ends the sessions
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  http::request<http::string_body> last_request_;
};

client_options quick() {
  client_options options;
  options.connect_timeout = 2s;
  options.total_timeout = 5s;
  return options;
}

client_request post(std::string url) {
  client_request request;
  request.url = std::move(url);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = secret_body;
  return request;
}

/// The response, failing the test with the error if there is none.
client_response response_of(const client_result& result) {
  if (const auto* error = std::get_if<client_error>(&result)) {
    FAIL("expected a response, got the error: " << error->what);
  }
  return std::get<client_response>(result);
}

/// The error, failing the test if a response came back; checks the body never leaks into it.
std::string error_of(const client_result& result) {
  if (const auto* response = std::get_if<client_response>(&result)) {
    FAIL("expected an error, got status " << response->status);
  }
  const auto& what = std::get<client_error>(result).what;
  CHECK_THAT(what, !Contains("secret"));
  return what;
}

/// A port on 127.0.0.1 with nothing listening (bound once, then released).
std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("a 200 comes back with its status, headers and body, and the request arrives intact") {
  test_server server([](const http::request<http::string_body>&) {
    auto response = text(http::status::ok, R"({"sid":"SM123"})");
    response.set("X-Twilio-Request", "yes");
    return response;
  });
  auto request = post(server.url("/2010-04-01/Accounts/AC1/Messages.json?x=1&y=%20"));
  request.headers.emplace_back("Authorization", "Basic QUMxOnRva2Vu");
  request.headers.emplace_back("Content-Length", "999");  // ignored: the client frames the body

  const auto response = response_of(http_fetch_blocking(request, quick()));

  CHECK(response.status == 200);
  CHECK(response.body == R"({"sid":"SM123"})");
  CHECK(response.header("x-twilio-request") == "yes");
  CHECK(response.header("CONTENT-TYPE") == "text/plain");
  CHECK_FALSE(response.header("X-Missing"));
  const auto received = server.last_request();
  CHECK(received.method() == http::verb::post);
  CHECK(received.target() == "/2010-04-01/Accounts/AC1/Messages.json?x=1&y=%20");
  CHECK(received[http::field::host] == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(received[http::field::user_agent].starts_with("civicline/"));
  CHECK(received[http::field::authorization] == "Basic QUMxOnRva2Vu");
  CHECK(received[http::field::content_type] == "application/x-www-form-urlencoded");
  CHECK(received[http::field::content_length] == std::to_string(secret_body.size()));
  CHECK(received.body() == secret_body);
}

TEST_CASE("a GET without a path asks for / and sends no body") {
  test_server server(
      [](const http::request<http::string_body>&) { return text(http::status::ok, "home"); });
  client_request request;
  request.method = "GET";
  request.url = "http://127.0.0.1:" + std::to_string(server.port());
  request.headers = {{"User-Agent", "partner-test/1"}};

  const auto response = response_of(http_fetch_blocking(request, quick()));

  CHECK(response.body == "home");
  const auto received = server.last_request();
  CHECK(received.target() == "/");
  CHECK(received[http::field::user_agent] == "partner-test/1");
  CHECK(received.body().empty());
}

TEST_CASE("a HEAD response is complete without a body") {
  test_server server([](const http::request<http::string_body>&) {
    http::response<http::string_body> response{http::status::ok, 11};
    response.content_length(12345);  // what a GET would send; no body follows
    return response;
  });
  client_request request;
  request.method = "HEAD";
  request.url = server.url("/");

  const auto response = response_of(http_fetch_blocking(request, quick()));

  CHECK(response.status == 200);
  CHECK(response.body.empty());
}

TEST_CASE("a 503 is a response, not an error") {
  test_server server([](const http::request<http::string_body>&) {
    auto response = text(http::status::service_unavailable, "try later");
    response.set(http::field::retry_after, "30");
    return response;
  });

  const auto response = response_of(http_fetch_blocking(post(server.url("/sms")), quick()));

  CHECK(response.status == 503);
  CHECK(response.body == "try later");
  CHECK(response.header("Retry-After") == "30");
}

TEST_CASE("a server that never answers times out within the total timeout") {
  test_server server([](const http::request<http::string_body>&) { return std::nullopt; });
  auto options = quick();
  options.total_timeout = 300ms;

  const auto started = std::chrono::steady_clock::now();
  const auto what = error_of(http_fetch_blocking(post(server.url("/sms")), options));
  const auto elapsed = std::chrono::steady_clock::now() - started;

  CHECK_THAT(what, Contains("127.0.0.1:" + std::to_string(server.port())) &&
                       Contains("total timeout of 300 ms"));
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 2s);
}

TEST_CASE("a response larger than max_response_bytes is an error") {
  auto options = quick();
  options.max_response_bytes = 1024;
  const std::string big(10'000, 'x');

  SECTION("with a Content-Length") {
    test_server server(
        [&](const http::request<http::string_body>&) { return text(http::status::ok, big); });
    CHECK_THAT(error_of(http_fetch_blocking(post(server.url("/")), options)),
               Contains("larger than 1024 bytes"));
  }
  SECTION("chunked") {
    test_server server([&](const http::request<http::string_body>&) {
      auto response = text(http::status::ok, big);
      response.chunked(true);
      return response;
    });
    CHECK_THAT(error_of(http_fetch_blocking(post(server.url("/")), options)),
               Contains("larger than 1024 bytes"));
  }
  SECTION("a body exactly at the limit is fine") {
    test_server server([&](const http::request<http::string_body>&) {
      return text(http::status::ok, std::string(1024, 'y'));
    });
    CHECK(response_of(http_fetch_blocking(post(server.url("/")), options)).body.size() == 1024);
  }
}

TEST_CASE("https works when ca_file trusts the server's certificate") {
  const temp_directory dir;
  const auto certificate = make_certificate("localhost", "DNS:localhost,IP:127.0.0.1");
  test_server server(
      [](const http::request<http::string_body>& request) {
        return text(http::status::created, "over tls: " + request.body());
      },
      &certificate);
  auto options = quick();
  options.ca_file = dir.write("ca.pem", certificate.certificate_pem);

  SECTION("by IP address") {
    const auto response = response_of(http_fetch_blocking(post(server.url("/")), options));
    CHECK(response.status == 201);
    CHECK(response.body == "over tls: " + secret_body);
  }
  SECTION("by host name, with SNI") {
    auto request = post("https://localhost:" + std::to_string(server.port()) + "/");
    const auto response = response_of(http_fetch_blocking(request, options));
    CHECK(response.status == 201);
    CHECK(server.last_request()[http::field::host] == "localhost:" + std::to_string(server.port()));
  }
}

TEST_CASE("https without the ca_file fails with a certificate error") {
  const auto certificate = make_certificate("localhost", "DNS:localhost,IP:127.0.0.1");
  test_server server(
      [](const http::request<http::string_body>&) { return text(http::status::ok, "no"); },
      &certificate);

  const auto what = error_of(http_fetch_blocking(post(server.url("/")), quick()));

  CHECK_THAT(what, Contains("TLS certificate of 127.0.0.1:" + std::to_string(server.port()) +
                            " not trusted"));
  CHECK(server.last_request().body().empty());  // nothing was sent
}

TEST_CASE("https to a trusted certificate for another host name fails") {
  const temp_directory dir;
  const auto certificate = make_certificate("partner.example", "DNS:partner.example");
  test_server server(
      [](const http::request<http::string_body>&) { return text(http::status::ok, "no"); },
      &certificate);
  auto options = quick();
  options.ca_file = dir.write("ca.pem", certificate.certificate_pem);

  SECTION("by IP address") {
    CHECK_THAT(error_of(http_fetch_blocking(post(server.url("/")), options)),
               Contains("TLS certificate of 127.0.0.1") && Contains("IP address mismatch"));
  }
  SECTION("by host name") {
    const auto url = "https://localhost:" + std::to_string(server.port()) + "/";
    CHECK_THAT(error_of(http_fetch_blocking(post(url), options)),
               Contains("TLS certificate of localhost") && Contains("hostname mismatch"));
  }
  CHECK(server.last_request().body().empty());
}

TEST_CASE("a CA file that cannot be read is an error that names it") {
  auto options = quick();
  options.ca_file = "/nonexistent/civicline-ca.pem";

  CHECK_THAT(error_of(http_fetch_blocking(post("https://127.0.0.1:1/"), options)),
             Contains("/nonexistent/civicline-ca.pem"));
}

TEST_CASE("a refused connection is an error") {
  const auto port = closed_port();

  const auto what = error_of(
      http_fetch_blocking(post("http://127.0.0.1:" + std::to_string(port) + "/"), quick()));

  CHECK_THAT(what, Contains("connect to 127.0.0.1:" + std::to_string(port) + " failed"));
}

TEST_CASE("allow_private_addresses=false refuses loopback without connecting") {
  test_server server([](const http::request<http::string_body>&) {
    return text(http::status::ok, "should not be reached");
  });
  auto options = quick();
  options.allow_private_addresses = false;

  SECTION("an IP address") {
    CHECK_THAT(error_of(http_fetch_blocking(post(server.url("/")), options)),
               Contains("refusing to connect to 127.0.0.1"));
  }
  SECTION("a name that resolves to loopback") {
    const auto url = "http://localhost:" + std::to_string(server.port()) + "/";
    CHECK_THAT(error_of(http_fetch_blocking(post(url), options)),
               Contains("refusing to connect to localhost"));
  }
  SECTION("an IPv4-mapped IPv6 address") {
    const auto url = "http://[::ffff:127.0.0.1]:" + std::to_string(server.port()) + "/";
    CHECK_THAT(error_of(http_fetch_blocking(post(url), options)), Contains("refusing to connect"));
  }
  CHECK(server.connections() == 0);
}

TEST_CASE("non-public addresses are recognised") {
  for (const auto* address : {"127.0.0.1",
                              "127.255.0.9",
                              "10.1.2.3",
                              "172.16.0.1",
                              "172.31.255.255",
                              "192.168.1.1",
                              "169.254.169.254",
                              "100.64.0.1",
                              "0.0.0.0",
                              "224.0.0.1",
                              "255.255.255.255",
                              "::",
                              "::1",
                              "fe80::1",
                              "fc00::1",
                              "fd12:3456::1",
                              "::ffff:10.0.0.1",
                              "::ffff:127.0.0.1",
                              "64:ff9b::a9fe:a9fe",
                              "2002:c0a8:0101::1",
                              "2001:db8::1",
                              "ff02::1",
                              "not an address"}) {
    INFO(address);
    CHECK(is_non_public_address(address));
  }
  for (const auto* address :
       {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "54.172.60.0",
        "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    INFO(address);
    CHECK_FALSE(is_non_public_address(address));
  }
}

TEST_CASE("requests that cannot be sent are errors, not exceptions") {
  auto with_url = [](std::string url) {
    client_request request;
    request.url = std::move(url);
    return error_of(http_fetch_blocking(request, quick()));
  };
  CHECK_THAT(with_url("ftp://example.com/file"), Contains("not http or https"));
  CHECK_THAT(with_url("not a url"), Contains("not a valid absolute URL"));
  CHECK_THAT(with_url("http:///path"), Contains("no host"));
  CHECK_THAT(with_url("https://AC1:token@api.twilio.com/"), Contains("credentials"));
  CHECK_THAT(with_url("http://example.com:99999/"), Contains("port"));

  auto request = post("http://127.0.0.1:1/");
  request.headers.emplace_back("X-Evil", "a\r\nHost: elsewhere");
  CHECK_THAT(error_of(http_fetch_blocking(request, quick())), Contains("X-Evil"));
  request = post("http://127.0.0.1:1/");
  request.method = "PO ST";
  CHECK_THAT(error_of(http_fetch_blocking(request, quick())), Contains("method"));
}

TEST_CASE("http_fetch runs inside a coroutine on a multi-threaded io_context") {
  test_server server([](const http::request<http::string_body>& request) {
    return text(http::status::ok, std::string(request.target()));
  });
  asio::io_context io;
  std::atomic<int> done{0};
  std::mutex mutex;
  std::vector<client_result> results;
  constexpr int requests = 8;
  for (int i = 0; i < requests; ++i) {
    auto request = post(server.url("/n" + std::to_string(i)));
    asio::co_spawn(io, http_fetch(std::move(request), quick()),
                   [&](std::exception_ptr, client_result result) {
                     std::lock_guard lock(mutex);
                     results.push_back(std::move(result));
                     ++done;
                   });
  }
  std::thread helper([&] { io.run(); });
  io.run();
  helper.join();

  REQUIRE(done == requests);
  for (const auto& result : results) {
    CHECK(response_of(result).body.starts_with("/n"));
  }
}
