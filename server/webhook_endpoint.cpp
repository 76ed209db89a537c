#include "server/webhook_endpoint.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>

#include "server/http/http_client.hpp"

namespace civicline::server {

namespace {

/// How long the check may wait for DNS.
constexpr std::chrono::milliseconds resolve_timeout{5000};
constexpr std::size_t max_url_bytes = 2000;

/// The host as written in the URL ("[::1]" keeps its brackets), or nullopt.
std::optional<std::string> host_of(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) {
    return std::nullopt;
  }
  return std::string(parsed->encoded_host());
}

}  // namespace

bool webhook_host_allow_listed(std::string_view url, const config::webhook_settings& settings) {
  const auto host = host_of(url);
  return host && std::ranges::find(settings.allow_private_hosts, *host) !=
                     settings.allow_private_hosts.end();
}

boost::asio::awaitable<std::optional<std::string>> webhook_endpoint_problem(
    std::string url, const config::webhook_settings& settings) {
  if (url.size() > max_url_bytes) {
    co_return "the URL is longer than " + std::to_string(max_url_bytes) + " bytes";
  }
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    co_return "\"" + url.substr(0, 100) +
        "\" is not an absolute URL such as "
        "https://partner.example/hooks/311";
  }
  // Boost.URL 1.81 reads "https://10.0.0.1.example/x" as host 10.0.0.1 and path
  // ".example/x"; a path that does not start with '/' gives that misreading away.
  if (!parsed->has_authority() || parsed->encoded_host().empty() ||
      (!parsed->encoded_path().empty() && !parsed->encoded_path().starts_with('/'))) {
    co_return "the host of \"" + url.substr(0, 100) + "\" is not a valid name or IP address";
  }
  if (parsed->has_userinfo()) {
    co_return std::string(
        "the URL contains credentials; partners authenticate deliveries by "
        "their signature instead");
  }
  if (parsed->has_fragment()) {
    co_return std::string("the URL has a #fragment, which is never sent; remove it");
  }
  const bool https = parsed->scheme_id() == boost::urls::scheme::https;
  const bool http = parsed->scheme_id() == boost::urls::scheme::http;
  if (!https && !http) {
    co_return std::string("the URL must start with https://");
  }
  if (webhook_host_allow_listed(url, settings)) {
    co_return std::nullopt;  // tests, demos and private integrations the operator vouched for
  }
  const std::string host = std::string(parsed->encoded_host());
  if (!https) {
    co_return "the URL must use https (plain http is allowed only for hosts listed in "
              "webhooks.allow_private_hosts; " +
        host + " is not)";
  }
  auto resolved = co_await resolve_url_host(url, resolve_timeout);
  if (const auto* error = std::get_if<client_error>(&resolved)) {
    co_return "cannot check the URL: " + error->what;
  }
  for (const auto& address : std::get<std::vector<std::string>>(resolved)) {
    if (is_non_public_address(address)) {
      co_return host + " resolves to " + address +
          ", a loopback, private, link-local or otherwise internal address; webhooks only "
          "go to public endpoints (an operator can allow this host in "
          "webhooks.allow_private_hosts)";
    }
  }
  co_return std::nullopt;
}

std::optional<std::string> webhook_endpoint_problem_blocking(
    const std::string& url, const config::webhook_settings& settings) {
  boost::asio::io_context io;
  std::optional<std::string> problem = "the URL check did not finish";
  boost::asio::co_spawn(io, webhook_endpoint_problem(url, settings),
                        [&](std::exception_ptr error, std::optional<std::string> result) {
                          problem = error ? std::optional<std::string>("the URL check failed")
                                          : std::move(result);
                          io.stop();  // an abandoned DNS lookup must not keep run() going
                        });
  io.run();
  return problem;
}

}  // namespace civicline::server
