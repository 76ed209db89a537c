#include "server/commands/staff_commands.hpp"

#include <chrono>
#include <iostream>
#include <string>

#include "core/clock_text.hpp"
#include "server/auth/access.hpp"
#include "server/auth/credentials.hpp"
#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "storage/staff.hpp"

namespace civicline::server {
namespace {

struct create_user_options {
  common_options common;
  std::string name;
  std::string role;
  bool password_stdin = false;
};

struct create_key_options {
  common_options common;
  std::string name;
  std::string role;
};

std::string now_text() {
  return core::to_iso8601(std::chrono::system_clock::now());
}

/// The first line of stdin without its line ending.
std::string read_password_line() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

int create_user(const create_user_options& options) {
  if (auto problem = auth::check_user_name(options.name)) {
    std::cerr << "civicline: --name: " << *problem << "\n";
    return exit_code::usage;
  }
  if (!auth::user_role_from_string(options.role)) {
    std::cerr << "civicline: --role is agent, supervisor or admin\n";
    return exit_code::usage;
  }
  const bool generated = !options.password_stdin;
  const std::string password = generated ? auth::new_password() : read_password_line();
  if (auto problem = auth::check_new_password(password)) {
    std::cerr << "civicline: " << *problem << "\n";
    return exit_code::usage;
  }
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  const int status = run_data_command([&] {
    storage::database db(database_options_from(settings->storage));
    storage::staff_user_record user;
    user.name = options.name;
    user.role = options.role;
    user.password_hash = auth::hash_password(password);
    user.created_at = now_text();
    std::optional<storage::staff_user_record> stored;
    db.write([&](SQLite::Database& c) { stored = storage::insert_staff_user(c, user); });
    if (!stored) {
      std::cerr << "civicline: a user named \"" << options.name << "\" already exists\n";
      return exit_code::refused;
    }
    return exit_code::ok;
  });
  if (status != exit_code::ok) {
    return status;
  }
  std::cout << "created " << options.role << " \"" << options.name << "\"\n";
  if (generated) {
    std::cout << "password (shown only this once):\n" << password << "\n";
  }
  return exit_code::ok;
}

int create_key(const create_key_options& options) {
  if (auto problem = auth::check_user_name(options.name)) {
    std::cerr << "civicline: --name: " << *problem << "\n";
    return exit_code::usage;
  }
  if (!auth::key_role_from_string(options.role)) {
    std::cerr << "civicline: --role is staff, partner or admin\n";
    return exit_code::usage;
  }
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  const std::string key = auth::new_api_key();
  const int status = run_data_command([&] {
    storage::database db(database_options_from(settings->storage));
    storage::api_key_record record;
    record.name = options.name;
    record.role = options.role;
    record.key_hash = auth::token_digest(key);
    record.prefix = auth::api_key_prefix(key);
    record.created_at = now_text();
    db.write([&](SQLite::Database& c) { storage::insert_api_key(c, record); });
    return exit_code::ok;
  });
  if (status != exit_code::ok) {
    return status;
  }
  // The key alone on the last line, so scripts can take it with `tail -n 1`.
  std::cout << "created " << options.role << " API key \"" << options.name << "\" ("
            << auth::api_key_prefix(key) << "...); it is shown only this once:\n"
            << key << "\n";
  return exit_code::ok;
}

}  // namespace

void add_staff_commands(CLI::App& app, int& exit_status) {
  auto user = std::make_shared<create_user_options>();
  auto* create_user_command =
      app.add_subcommand("create-user", "Create a staff account; prints a generated password once");
  add_data_options(*create_user_command, user->common);
  create_user_command->add_option("--name", user->name, "Login name")->required();
  create_user_command->add_option("--role", user->role, "agent, supervisor or admin")->required();
  create_user_command->add_flag("--password-stdin", user->password_stdin,
                                "Read the password from the first line of stdin instead");
  create_user_command->callback([user, &exit_status] { exit_status = create_user(*user); });

  auto key = std::make_shared<create_key_options>();
  auto* create_key_command = app.add_subcommand(
      "create-api-key", "Create an API key; prints it once, alone on the last line");
  add_data_options(*create_key_command, key->common);
  create_key_command->add_option("--name", key->name, "What the key is for, e.g. crm")->required();
  create_key_command->add_option("--role", key->role, "staff, partner or admin")->required();
  create_key_command->callback([key, &exit_status] { exit_status = create_key(*key); });
}

}  // namespace civicline::server
