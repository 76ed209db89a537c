#include "server/commands/webhook_commands.hpp"

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "channels/standard_webhooks.hpp"
#include "core/clock_text.hpp"
#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "server/routes/webhook_json.hpp"
#include "server/webhook_endpoint.hpp"
#include "storage/webhooks.hpp"

namespace civicline::server {
namespace {

using nlohmann::json;

struct add_options {
  common_options common;
  std::string url;
  std::vector<std::string> events;
  std::vector<std::string> categories;
  std::string description;
  bool include_pii = false;
};

int add(const add_options& options) {
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  // The same checks as the admin API, from the same JSON shape.
  json fields = {{"url", options.url}, {"include_pii", options.include_pii}};
  if (!options.events.empty()) {
    fields["events"] = options.events;
  }
  if (!options.categories.empty()) {
    fields["categories"] = options.categories;
  }
  if (!options.description.empty()) {
    fields["description"] = options.description;
  }
  auto parsed = parse_subscription_input(fields, *settings, true);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    std::cerr << "civicline: " << *problem << "\n";
    return exit_code::usage;
  }
  if (auto problem = webhook_endpoint_problem_blocking(options.url, settings->webhooks)) {
    std::cerr << "civicline: the endpoint URL is refused: " << *problem << "\n";
    return exit_code::refused;
  }
  storage::webhook_subscription subscription;
  apply_subscription_input(std::get<subscription_input>(parsed), subscription);
  subscription.secret = channels::new_webhook_secret();
  subscription.created_at = subscription.updated_at =
      core::to_iso8601(std::chrono::system_clock::now());
  return run_data_command([&] {
    storage::database db(database_options_from(settings->storage));
    storage::webhook_subscription stored;
    db.write([&](SQLite::Database& c) {
      stored = storage::insert_webhook_subscription(c, subscription);
    });
    json out = subscription_json(stored);
    out["secret"] = stored.secret;  // shown only this once
    std::cout << out.dump(2) << "\n";
    return exit_code::ok;
  });
}

int list(const common_options& options) {
  auto settings = load_settings_or_report(options);
  if (!settings) {
    return exit_code::bad_config;
  }
  return run_data_command([&] {
    storage::database db(database_options_from(settings->storage));
    json items = json::array();
    db.read([&](SQLite::Database& c) {
      for (const auto& subscription : storage::webhook_subscriptions(c)) {
        items.push_back(subscription_json(subscription));
      }
    });
    std::cout << items.dump(2) << "\n";
    return exit_code::ok;
  });
}

}  // namespace

void add_webhook_commands(CLI::App& app, int& exit_status) {
  auto* webhooks = app.add_subcommand("webhooks", "Partner webhook subscriptions");
  webhooks->require_subcommand(1);

  auto options = std::make_shared<add_options>();
  auto* add_command = webhooks->add_subcommand(
      "add", "Subscribe an endpoint; prints it as JSON with its secret (shown only this once)");
  add_data_options(*add_command, options->common);
  add_command->add_option("--url", options->url, "The partner's https endpoint")->required();
  add_command->add_option("--events", options->events,
                          "Event-type patterns, e.g. request.* (repeatable; default *)");
  add_command->add_option("--category", options->categories,
                          "Only events of these categories (repeatable; default all)");
  add_command->add_option("--description", options->description, "Who the endpoint is for");
  add_command->add_flag("--include-pii", options->include_pii,
                        "Also send what residents wrote (descriptions, photos, conversation ids)");
  add_command->callback([options, &exit_status] { exit_status = add(*options); });

  auto common = std::make_shared<common_options>();
  auto* list_command = webhooks->add_subcommand("list", "Print every subscription as JSON");
  add_data_options(*list_command, *common);
  list_command->callback([common, &exit_status] { exit_status = list(*common); });
}

}  // namespace civicline::server
