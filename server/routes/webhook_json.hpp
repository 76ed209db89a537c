#pragma once
// Webhook subscriptions and deliveries as the admin API and `civicline webhooks` show them,
// and the checks of what an admin may set. The secret appears only where it is given out
// (creation and rotation), never in a listing.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/settings.hpp"
#include "storage/webhooks.hpp"

namespace civicline::server {

/// The fields an admin sets; absent ones stay as they are (or get defaults on creation).
struct subscription_input {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> event_types;
  std::optional<std::vector<std::string>> categories;
  std::optional<std::string> description;
  std::optional<bool> enabled;
  std::optional<bool> include_pii;
};

/// Reads and checks a JSON object of subscription fields: "url", "events" (patterns),
/// "categories" (codes of configured categories), "description", "enabled", "include_pii".
/// The error says what to fix. The URL's reachability is checked separately
/// (server/webhook_endpoint.hpp).
std::variant<subscription_input, std::string> parse_subscription_input(
    const nlohmann::json& body, const config::settings& settings, bool creating);

/// Copies the given fields onto `subscription`; re-enabling clears the disabled reason and
/// the run of failures.
void apply_subscription_input(const subscription_input& input,
                              storage::webhook_subscription& subscription);

/// A subscription without its secret.
nlohmann::json subscription_json(const storage::webhook_subscription& subscription);

/// A delivery with its event's id and type and, when given, its attempts.
nlohmann::json delivery_json(const storage::webhook_delivery& delivery,
                             const std::vector<storage::webhook_attempt>* attempts);

}  // namespace civicline::server
