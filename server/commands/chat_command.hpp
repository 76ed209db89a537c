#pragma once

#include <CLI/CLI.hpp>

namespace civicline::server {

/// `civicline chat`: talk to the bot in the terminal, through the same inbox, database and
/// rule packs as SMS and web chat — for staff who tune rule packs and templates.
void add_chat_command(CLI::App& app, int& exit_status);

}  // namespace civicline::server
