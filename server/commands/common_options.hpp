#pragma once
// Options shared by every subcommand that touches data: --config and --db
// (and --listen for serve), and loading the settings they describe.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "config/settings.hpp"
#include "storage/database.hpp"

namespace civicline::server {

struct common_options {
  std::string config_file = "config/civicline.json";
  std::string database;  ///< --db; empty = from environment or config
  std::string listen;    ///< --listen HOST:PORT; empty = from environment or config
};

/// Adds --config (env CIVICLINE_CONFIG) and --db to a subcommand.
void add_data_options(CLI::App& command, common_options& options);

/// Loads and validates the settings; command-line values override the environment, which
/// overrides the file. Prints every problem to stderr and returns nullopt when they are invalid.
std::optional<config::settings> load_settings_or_report(const common_options& options);

/// Runs a command's body and turns the failures every data command shares into a message and
/// an exit code: rule packs or templates that do not load (78), a database that cannot be
/// opened (74). The body returns the command's own exit code otherwise.
int run_data_command(const std::function<int()>& body);

/// The storage engine's options from the storage section of the settings.
storage::database_options database_options_from(const config::storage_settings& storage);

}  // namespace civicline::server
