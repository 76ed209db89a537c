#include "server/routes/webhook_json.hpp"

#include <algorithm>

#include "core/webhook_filter.hpp"

namespace civicline::server {

namespace {

using nlohmann::json;

constexpr std::size_t max_description_bytes = 500;
constexpr std::size_t max_patterns = 50;

std::vector<std::string> string_list(const std::string& json_text) {
  const json parsed = json::parse(json_text, nullptr, false);
  std::vector<std::string> out;
  if (parsed.is_array()) {
    for (const auto& item : parsed) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

/// A list of strings from `body[key]`; a single string counts as a list of one.
std::variant<std::vector<std::string>, std::string> read_list(const json& value,
                                                              std::string_view key) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
    return out;
  }
  if (!value.is_array() || value.size() > max_patterns) {
    return "\"" + std::string(key) + "\" must be a list of at most " +
           std::to_string(max_patterns) + " strings";
  }
  for (const auto& item : value) {
    if (!item.is_string()) {
      return "\"" + std::string(key) + "\" must be a list of strings";
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::variant<subscription_input, std::string> parse_subscription_input(
    const json& body, const config::settings& settings, bool creating) {
  if (!body.is_object()) {
    return std::string(
        "The body must be a JSON object such as {\"url\": "
        "\"https://partner.example/hooks\", \"events\": [\"request.*\"]}.");
  }
  static const std::vector<std::string> known{"url",         "events",  "categories",
                                              "description", "enabled", "include_pii"};
  for (const auto& [key, value] : body.items()) {
    if (std::ranges::find(known, key) == known.end()) {
      return "Unknown field \"" + key.substr(0, 40) +
             "\"; a subscription has url, events, categories, description, enabled and "
             "include_pii.";
    }
  }
  subscription_input input;
  if (const auto it = body.find("url"); it != body.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      return std::string("\"url\" must be the endpoint's URL as a string.");
    }
    input.url = it->get<std::string>();
  } else if (creating) {
    return std::string(
        "Give \"url\": where to deliver events, e.g. https://partner.example/hooks.");
  }
  if (const auto it = body.find("events"); it != body.end()) {
    auto list = read_list(*it, "events");
    if (auto* error = std::get_if<std::string>(&list)) {
      return *error;
    }
    auto& patterns = std::get<std::vector<std::string>>(list);
    if (patterns.empty()) {
      return std::string("\"events\" must name at least one pattern (\"*\" for every event).");
    }
    for (const auto& pattern : patterns) {
      if (auto problem = core::event_pattern_problem(pattern)) {
        return *problem + ".";
      }
    }
    input.event_types = std::move(patterns);
  }
  if (const auto it = body.find("categories"); it != body.end()) {
    auto list = read_list(*it, "categories");
    if (auto* error = std::get_if<std::string>(&list)) {
      return *error;
    }
    for (const auto& code : std::get<std::vector<std::string>>(list)) {
      const bool configured = std::ranges::any_of(
          settings.categories, [&](const config::category& c) { return c.code == code; });
      if (!configured) {
        return "\"" + code.substr(0, 40) +
               "\" is not a category of this city; see GET /open311/v2/services.json or the "
               "config's categories.";
      }
    }
    input.categories = std::move(std::get<std::vector<std::string>>(list));
  }
  if (const auto it = body.find("description"); it != body.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > max_description_bytes) {
      return "\"description\" must be a string of at most " +
             std::to_string(max_description_bytes) + " bytes.";
    }
    input.description = it->get<std::string>();
  }
  for (const auto& [key, target] :
       {std::pair{"enabled", &input.enabled}, std::pair{"include_pii", &input.include_pii}}) {
    if (const auto it = body.find(key); it != body.end()) {
      if (!it->is_boolean()) {
        return "\"" + std::string(key) + "\" must be true or false.";
      }
      *target = it->get<bool>();
    }
  }
  return input;
}

void apply_subscription_input(const subscription_input& input,
                              storage::webhook_subscription& subscription) {
  if (input.url) {
    subscription.url = *input.url;
  }
  if (input.event_types) {
    subscription.event_types_json = json(*input.event_types).dump();
  }
  if (input.categories) {
    subscription.categories_json = json(*input.categories).dump();
  }
  if (input.description) {
    subscription.description = *input.description;
  }
  if (input.include_pii) {
    subscription.include_pii = *input.include_pii;
  }
  if (input.enabled) {
    if (*input.enabled && !subscription.enabled) {
      subscription.disabled_reason.clear();
      subscription.failing_since.reset();
    } else if (!*input.enabled && subscription.enabled) {
      subscription.disabled_reason = "disabled by an admin";
    }
    subscription.enabled = *input.enabled;
  }
}

json subscription_json(const storage::webhook_subscription& subscription) {
  json out = {{"id", subscription.id},
              {"url", subscription.url},
              {"events", string_list(subscription.event_types_json)},
              {"categories", string_list(subscription.categories_json)},
              {"description", subscription.description},
              {"enabled", subscription.enabled},
              {"include_pii", subscription.include_pii},
              {"created_at", subscription.created_at},
              {"updated_at", subscription.updated_at}};
  out["disabled_reason"] =
      subscription.enabled ? json(nullptr) : json(subscription.disabled_reason);
  out["failing_since"] =
      subscription.failing_since ? json(*subscription.failing_since) : json(nullptr);
  return out;
}

json delivery_json(const storage::webhook_delivery& delivery,
                   const std::vector<storage::webhook_attempt>* attempts) {
  json out = {{"id", delivery.id},
              {"subscription_id", delivery.subscription_id},
              {"event_id", delivery.event.event_id},
              {"event_type", delivery.event.type},
              {"event_created_at", delivery.event.created_at},
              {"status", delivery.status},
              {"attempts", delivery.attempts},
              {"last_error", delivery.last_error},
              {"created_at", delivery.created_at},
              {"updated_at", delivery.updated_at}};
  out["last_status_code"] =
      delivery.last_status_code ? json(*delivery.last_status_code) : json(nullptr);
  out["next_attempt_at"] =
      delivery.status == "pending" ? json(delivery.next_attempt_at) : json(nullptr);
  if (attempts) {
    json list = json::array();
    for (const auto& attempt : *attempts) {
      list.push_back(
          {{"at", attempt.attempted_at},
           {"status_code", attempt.status_code ? json(*attempt.status_code) : json(nullptr)},
           {"latency_ms", attempt.latency_ms},
           {"response", attempt.response_excerpt},
           {"error", attempt.error}});
    }
    out["attempt_log"] = std::move(list);
  }
  return out;
}

}  // namespace civicline::server
