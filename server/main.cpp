// civicline: one binary for the whole 311 system. Each subcommand lives in
// server/commands/; this file only assembles the command line.

#include <sodium.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "server/commands/backup_command.hpp"
#include "server/commands/chat_command.hpp"
#include "server/commands/export_command.hpp"
#include "server/commands/nlp_commands.hpp"
#include "server/commands/request_commands.hpp"
#include "server/commands/serve_command.hpp"
#include "server/commands/sms_commands.hpp"
#include "server/commands/staff_commands.hpp"
#include "server/commands/webhook_commands.hpp"
#include "server/exit_codes.hpp"

#ifndef CIVICLINE_VERSION
#define CIVICLINE_VERSION "dev"
#endif

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "civicline: libsodium cannot start (no source of randomness?)\n";
    return 1;
  }
  CLI::App app{"civicline: a 311 service for cities (SMS, web chat, staff console, Open311)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", CIVICLINE_VERSION);
  int exit_status = civicline::server::exit_code::ok;
  civicline::server::add_serve_command(app, exit_status);
  civicline::server::add_routes_command(app, exit_status);
  civicline::server::add_migrate_command(app, exit_status);
  civicline::server::add_nlp_commands(app, exit_status);
  civicline::server::add_chat_command(app, exit_status);
  civicline::server::add_sms_commands(app, exit_status);
  civicline::server::add_request_commands(app, exit_status);
  civicline::server::add_staff_commands(app, exit_status);
  civicline::server::add_webhook_commands(app, exit_status);
  civicline::server::add_export_command(app, exit_status);
  civicline::server::add_backup_command(app, exit_status);
  app.add_subcommand("version", "Print the version and exit")->callback([] {
    std::cout << "civicline " << CIVICLINE_VERSION << "\n";
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : civicline::server::exit_code::usage;
  }
  return exit_status;
}
