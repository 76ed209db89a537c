#include "server/commands/backup_command.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "storage/backup.hpp"

namespace civicline::server {
namespace {

struct backup_options {
  common_options common;
  std::string target;
};

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error);
}

int run_backup(const backup_options& options) {
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  const std::filesystem::path target(options.target);
  if (same_file(target, settings->storage.database)) {
    std::cerr << "civicline: " << target.string()
              << " is the database itself; give the backup another path\n";
    return exit_code::usage;
  }
  return run_data_command([&]() -> int {
    storage::database db(database_options_from(settings->storage));
    const auto result =
        db.read([&](SQLite::Database& source) { return storage::backup_database(source, target); });
    std::cout << "backed up " << db.path().string() << " to " << target.string() << ": "
              << result.pages << " pages, " << result.bytes << " bytes, schema version "
              << result.schema_version << "\n";
    return exit_code::ok;
  });
}

}  // namespace

void add_backup_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<backup_options>();
  auto* command = app.add_subcommand(
      "backup", "Copy the database to PATH while the server runs (SQLite's online backup)");
  add_data_options(*command, options->common);
  command->add_option("path", options->target, "Where to write the copy (replaced if it exists)")
      ->required();
  command->callback([options, &exit_status] { exit_status = run_backup(*options); });
}

}  // namespace civicline::server
