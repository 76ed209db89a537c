#include "server/commands/common_options.hpp"

#include <iostream>

#include "config/load.hpp"
#include "server/exit_codes.hpp"
#include "server/knowledge_loader.hpp"

namespace civicline::server {

void add_data_options(CLI::App& command, common_options& options) {
  command.add_option("-c,--config", options.config_file, "The city's JSON config file")
      ->envname("CIVICLINE_CONFIG")
      ->capture_default_str();
  command.add_option("--db", options.database,
                     "SQLite database file (overrides CIVICLINE_DB and storage.database)");
}

std::optional<config::settings> load_settings_or_report(const common_options& options) {
  // Command-line values are applied exactly like their environment variables, so they are
  // validated by the same rules (and problems name the variable they stand in for).
  const auto process = config::process_environment();
  const config::environment layered = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "CIVICLINE_DB" && !options.database.empty()) {
      return options.database;
    }
    if (name == "CIVICLINE_LISTEN" && !options.listen.empty()) {
      return options.listen;
    }
    return process(name);
  };
  try {
    return config::load_settings(options.config_file, layered);
  } catch (const config::config_error& e) {
    std::cerr << "civicline: the configuration cannot be used:\n" << e.what() << "\n";
    return std::nullopt;
  }
}

storage::database_options database_options_from(const config::storage_settings& storage) {
  return {storage.database,       storage.readers,         storage.busy_timeout,
          storage.max_batch_jobs, storage.writer_cache_mb, storage.reader_cache_mb};
}

int run_data_command(const std::function<int()>& body) {
  try {
    return body();
  } catch (const knowledge_error& e) {
    std::cerr << "civicline: " << e.what() << "\n";
    return exit_code::bad_config;
  } catch (const storage::storage_error& e) {
    std::cerr << "civicline: cannot open the database: " << e.what() << "\n";
    return exit_code::storage_unavailable;
  }
}

}  // namespace civicline::server
