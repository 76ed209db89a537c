#pragma once
// Whether a URL may be a partner's webhook endpoint: https (plain http only for allow-listed
// hosts), no credentials in it, and a host that resolves to public addresses only, unless
// the host is in webhooks.allow_private_hosts. The same guard runs again at every delivery on
// the addresses actually connected to (server/http/http_client.hpp), so a DNS change after
// the check gains nothing.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace civicline::server {

/// True when the host of `url` (as written) is in webhooks.allow_private_hosts.
bool webhook_host_allow_listed(std::string_view url, const config::webhook_settings& settings);

/// Why `url` cannot be an endpoint (a sentence that says what to do), or nullopt when it can.
boost::asio::awaitable<std::optional<std::string>> webhook_endpoint_problem(
    std::string url, const config::webhook_settings& settings);

/// The same, blocking, for command-line tools.
std::optional<std::string> webhook_endpoint_problem_blocking(
    const std::string& url, const config::webhook_settings& settings);

}  // namespace civicline::server
