// Which URLs may be partner webhook endpoints (server/webhook_endpoint.hpp). IP literals only,
// so no test depends on DNS.

#include "server/webhook_endpoint.hpp"

#include <catch2/catch.hpp>

namespace {

using civicline::server::webhook_endpoint_problem_blocking;
using civicline::server::webhook_host_allow_listed;

civicline::config::webhook_settings allowing(std::vector<std::string> hosts) {
  civicline::config::webhook_settings settings;
  settings.allow_private_hosts = std::move(hosts);
  return settings;
}

bool refused_with(const std::string& url, const std::string& part,
                  const civicline::config::webhook_settings& settings = {}) {
  const auto problem = webhook_endpoint_problem_blocking(url, settings);
  INFO(url << " -> " << problem.value_or("(accepted)"));
  return problem && problem->find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("internal addresses are refused, naming the address and the allow-list") {
  for (const auto* url :
       {"https://127.0.0.1/hooks", "https://10.1.2.3/hooks", "https://192.168.0.7:8443/x",
        "https://169.254.169.254/latest/meta-data", "https://[::1]/hooks", "https://[fd00::1]/x",
        "https://100.64.0.1/x", "https://0.0.0.0/x"}) {
    CHECK(refused_with(url, "webhooks.allow_private_hosts"));
    CHECK(refused_with(url, "resolves to"));
  }
}

TEST_CASE("a public address over https is accepted") {
  CHECK_FALSE(webhook_endpoint_problem_blocking("https://8.8.8.8/hooks", {}));
  CHECK_FALSE(webhook_endpoint_problem_blocking("https://[2606:4700:4700::1111]:8443/x", {}));
}

TEST_CASE("plain http, credentials, fragments and other schemes are refused") {
  CHECK(refused_with("http://8.8.8.8/hooks", "must use https"));
  CHECK(refused_with("https://user:pw@8.8.8.8/hooks", "credentials"));
  CHECK(refused_with("https://8.8.8.8/hooks#top", "fragment"));
  CHECK(refused_with("ftp://8.8.8.8/hooks", "https://"));
  CHECK(refused_with("not a url", "not an absolute URL"));
  CHECK(refused_with("https://8.8.8.8/" + std::string(3000, 'a'), "longer than"));
}

TEST_CASE("an allow-listed host may be private and plain http; others stay refused") {
  const auto settings = allowing({"127.0.0.1", "[::1]"});
  CHECK_FALSE(webhook_endpoint_problem_blocking("http://127.0.0.1:9000/hooks", settings));
  CHECK_FALSE(webhook_endpoint_problem_blocking("http://[::1]:9000/hooks", settings));
  CHECK(refused_with("https://127.0.0.2/hooks", "resolves to", settings));
  CHECK(webhook_host_allow_listed("http://127.0.0.1:1/x", settings));
  CHECK_FALSE(webhook_host_allow_listed("http://127.0.0.10/x", settings));
  // Boost.URL 1.81 would read this host as 127.0.0.1: the check refuses it instead.
  CHECK(refused_with("http://127.0.0.1.example/x", "not a valid name or IP address", settings));
  CHECK(refused_with("https://8.8.8.8.example/x", "not a valid name or IP address"));
}
