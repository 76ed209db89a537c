#pragma once

#include <CLI/CLI.hpp>

// Each add_*_command registers a subcommand whose callback stores its process
// exit code in `exit_status`.

namespace civicline::server {

/// `civicline serve`: runs the HTTP server until SIGTERM or SIGINT.
void add_serve_command(CLI::App& app, int& exit_status);

/// `civicline routes`: prints the router's table (method, pattern, access) as JSON lines.
void add_routes_command(CLI::App& app, int& exit_status);

/// `civicline migrate`: creates or upgrades the database, then exits.
void add_migrate_command(CLI::App& app, int& exit_status);

}  // namespace civicline::server
