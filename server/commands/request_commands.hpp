#pragma once

#include <CLI/CLI.hpp>

namespace civicline::server {

/// `civicline request set-status`: change a request's status from a shell or script, with
/// the same rules, history and resident notifications as the staff console.
void add_request_commands(CLI::App& app, int& exit_status);

}  // namespace civicline::server
