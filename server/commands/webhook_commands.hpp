#pragma once

#include <CLI/CLI.hpp>

namespace civicline::server {

/// `civicline webhooks add` (prints the new subscription as JSON, its secret included, once)
/// and `civicline webhooks list`: partner webhook subscriptions from a shell.
void add_webhook_commands(CLI::App& app, int& exit_status);

}  // namespace civicline::server
