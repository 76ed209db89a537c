#pragma once

#include <CLI/CLI.hpp>

namespace civicline::server {

/// `civicline sms send`: text the running server the way Twilio would (signed with the
/// configured auth token) and print its reply — SMS without a Twilio account.
void add_sms_commands(CLI::App& app, int& exit_status);

}  // namespace civicline::server
