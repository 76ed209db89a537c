#pragma once

#include <CLI/CLI.hpp>

namespace civicline::server {

/// `civicline backup PATH`: a consistent copy of the database, taken with SQLite's online
/// backup API while the server runs (docs/RELIABILITY.md says how to restore it).
void add_backup_command(CLI::App& app, int& exit_status);

}  // namespace civicline::server
