#include "server/commands/export_command.hpp"

#include <iostream>
#include <memory>

#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "server/open_data_stream.hpp"

namespace civicline::server {
namespace {

struct export_options {
  common_options common;
  std::string format = "csv";
  std::string since;
};

int run_export(const export_options& options) {
  if (options.format != "csv" && options.format != "json") {
    std::cerr << "civicline: --format must be csv or json (got \"" << options.format << "\")\n";
    return exit_code::usage;
  }
  std::string since;
  if (!options.since.empty()) {
    auto parsed = since_from_date(options.since);
    if (!parsed) {
      std::cerr << "civicline: --since must be a date written YYYY-MM-DD, e.g. 2026-01-31 (got \""
                << options.since << "\")\n";
      return exit_code::usage;
    }
    since = std::move(*parsed);
  }
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  return run_data_command([&]() -> int {
    storage::database db(database_options_from(settings->storage));
    open_data_stream stream(
        db, *settings, options.format == "csv" ? export_format::csv : export_format::json, since);
    std::ios::sync_with_stdio(false);
    while (auto piece = stream.next()) {
      std::cout << *piece;
    }
    std::cout.flush();
    std::cerr << "civicline: exported " << stream.rows() << " request(s)\n";
    // stdout closed or full: the export is incomplete (EX_IOERR).
    return std::cout ? exit_code::ok : exit_code::storage_unavailable;
  });
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<export_options>();
  auto* command = app.add_subcommand(
      "export", "Write the open-data export of service requests (no personal data) to stdout");
  add_data_options(*command, options->common);
  command->add_option("--format", options->format, "csv (RFC 4180) or json")->capture_default_str();
  command->add_option("--since", options->since,
                      "Only requests created on or after this UTC date, YYYY-MM-DD");
  command->callback([options, &exit_status] { exit_status = run_export(*options); });
}

}  // namespace civicline::server
