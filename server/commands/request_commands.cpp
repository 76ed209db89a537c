#include "server/commands/request_commands.hpp"

#include <iostream>

#include "core/requests.hpp"
#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "server/knowledge_loader.hpp"

namespace civicline::server {
namespace {

struct set_status_options {
  common_options common;
  std::string tracking_id;
  std::string status;
  std::string public_note;
  std::string internal_note;
  std::string duplicate_of;
  std::string by = "cli";
};

int set_status(const set_status_options& options) {
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  const auto status = core::status_from_string(options.status);
  if (!status) {
    std::cerr << "civicline: unknown status \"" << options.status
              << "\" (new, acknowledged, in_progress, resolved, closed, duplicate, rejected, "
                 "reopened)\n";
    return exit_code::usage;
  }
  return run_data_command([&] {
    const auto known = load_knowledge(*settings);
    storage::database db(database_options_from(settings->storage));
    core::status_change change;
    change.to = *status;
    change.by = {core::actor::kind::staff, options.by};
    change.public_note = options.public_note;
    change.internal_note = options.internal_note;
    if (!options.duplicate_of.empty()) {
      change.duplicate_of = options.duplicate_of;
    }
    core::status_change_result result;
    db.write([&](SQLite::Database& connection) {
      result = core::change_request_status(connection, options.tracking_id, change, *settings,
                                           *known.templates, std::chrono::system_clock::now());
    });
    if (!result.updated) {
      std::cerr << "civicline: " << result.refusal << "\n";
      return exit_code::refused;
    }
    std::cout << result.updated->tracking_id << " is now "
              << core::to_string(result.updated->status) << "; " << result.notified
              << " resident(s) will be told\n";
    return exit_code::ok;
  });
}

}  // namespace

void add_request_commands(CLI::App& app, int& exit_status) {
  auto* request = app.add_subcommand("request", "Work with service requests");
  request->require_subcommand(1);
  auto options = std::make_shared<set_status_options>();
  auto* command = request->add_subcommand(
      "set-status", "Change a request's status; its followers are notified on their channel");
  add_data_options(*command, options->common);
  command->add_option("tracking_id", options->tracking_id, "e.g. 311-000123")->required();
  command->add_option("status", options->status, "in_progress, resolved, closed, ...")->required();
  command->add_option("--public-note", options->public_note, "Told to the residents who follow it");
  command->add_option("--internal-note", options->internal_note, "For staff only");
  command->add_option("--duplicate-of", options->duplicate_of,
                      "The original's tracking id, with status duplicate");
  command->add_option("--by", options->by, "Who makes the change, for the history")
      ->capture_default_str();
  command->callback([options, &exit_status] { exit_status = set_status(*options); });
}

}  // namespace civicline::server
