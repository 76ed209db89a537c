#include "server/commands/chat_command.hpp"

#include <unistd.h>

#include <iostream>

#include "core/clock_text.hpp"
#include "core/inbox.hpp"
#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "server/knowledge_loader.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {
namespace {

struct chat_options {
  common_options common;
  std::string as = "terminal";
  std::string lang;
};

/// Prints (and marks sent) the status updates queued for this terminal resident.
void show_notifications(storage::database& db, std::int64_t resident_id) {
  const auto now = core::to_iso8601(std::chrono::system_clock::now());
  db.write([&](SQLite::Database& connection) {
    for (const auto& note : storage::due_notifications(connection, "terminal", now, 100)) {
      if (note.resident_id == resident_id) {
        std::cout << "311 (update): " << note.body << "\n";
        storage::mark_notification(connection, note.id, "sent", note.attempts + 1, now);
      }
    }
  });
}

int chat(const chat_options& options) {
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  return run_data_command([&] {
    auto known = load_knowledge(*settings);
    storage::database db(database_options_from(settings->storage));
    std::int64_t resident_id = 0;
    const std::string language =
        options.lang.empty()
            ? (settings->city.languages.empty() ? "en" : settings->city.languages[0])
            : options.lang;
    db.write([&](SQLite::Database& connection) {
      const auto now = core::to_iso8601(std::chrono::system_clock::now());
      resident_id =
          storage::find_or_create_resident(connection, "terminal", options.as, language, now).id;
      if (!options.lang.empty()) {
        storage::set_resident_language(connection, resident_id, options.lang);
      }
    });
    core::inbox inbox(db, *settings, [&known] { return known; });
    const bool interactive = isatty(STDIN_FILENO);
    if (interactive) {
      std::cout << "Talking to " << settings->city.name << " 311 as " << options.as
                << ". Ctrl-D ends.\n";
    }
    std::string line;
    while ((interactive && std::cout << "you> " << std::flush), std::getline(std::cin, line)) {
      show_notifications(db, resident_id);
      core::inbound_message message;
      message.from = {core::channel::terminal, options.as};
      message.text = line;
      message.received_at = std::chrono::system_clock::now();
      const auto turn = inbox.receive_and_wait(std::move(message));
      for (const auto& reply : turn.replies) {
        std::cout << "311: " << reply << "\n";
      }
      std::cout << std::flush;
    }
    show_notifications(db, resident_id);
    return exit_code::ok;
  });
}

}  // namespace

void add_chat_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<chat_options>();
  auto* command = app.add_subcommand(
      "chat", "Talk to the bot in the terminal (same engine and database as SMS and web chat)");
  add_data_options(*command, options->common);
  command->add_option("--as", options->as, "Who you are: a phone number or any name")
      ->capture_default_str();
  command->add_option("--lang", options->lang, "Start in this language (en or es)")
      ->check(CLI::IsMember({"en", "es"}));
  command->callback([options, &exit_status] { exit_status = chat(*options); });
}

}  // namespace civicline::server
