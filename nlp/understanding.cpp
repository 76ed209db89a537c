#include "nlp/understanding.hpp"

#include <nlohmann/json.hpp>

namespace civicline::nlp {
namespace {
constexpr std::array<std::string_view, intent_count + 1> intent_names = {
    "report_problem",   "check_status", "greeting", "help",   "opt_out", "human_agent",
    "provide_location", "affirm",       "deny",     "cancel", "thanks",  "unknown"};
}  // namespace

std::string_view to_string(intent value) {
  return intent_names[static_cast<std::size_t>(value)];
}

std::optional<intent> intent_from_string(std::string_view id) {
  for (std::size_t i = 0; i < intent_count; ++i) {
    if (intent_names[i] == id)
      return static_cast<intent>(i);
  }
  return std::nullopt;
}

std::string_view to_string(language value) {
  return value == language::es ? "es" : "en";
}

std::optional<language> language_from_string(std::string_view code) {
  if (code == "en")
    return language::en;
  if (code == "es")
    return language::es;
  return std::nullopt;
}

std::string_view to_string(entity_kind value) {
  switch (value) {
    case entity_kind::tracking_id:
      return "tracking_id";
    case entity_kind::address:
      return "address";
    case entity_kind::phone:
      return "phone";
    case entity_kind::email:
      return "email";
    case entity_kind::lat_long:
      return "lat_long";
  }
  return "";
}

std::string_view to_string(address_form value) {
  switch (value) {
    case address_form::none:
      return "";
    case address_form::street_address:
      return "street_address";
    case address_form::street:
      return "street";
    case address_form::intersection:
      return "intersection";
    case address_form::landmark:
      return "landmark";
    case address_form::zip:
      return "zip";
  }
  return "";
}

std::string to_json(const understanding& value) {
  nlohmann::json out;
  out["language"] = to_string(value.lang);
  out["intent"] = {{"id", to_string(value.intent)}, {"confidence", value.intent_confidence}};
  out["runner_up"] = {{"id", to_string(value.runner_up)},
                      {"confidence", value.runner_up_confidence}};
  if (value.category) {
    nlohmann::json alternatives = nlohmann::json::array();
    for (const auto& alt : value.category_alternatives) {
      alternatives.push_back({{"id", alt.id}, {"confidence", alt.confidence}});
    }
    out["category"] = {{"id", *value.category},
                       {"confidence", value.category_confidence},
                       {"alternatives", alternatives}};
  } else {
    out["category"] = nullptr;
  }
  nlohmann::json entities = nlohmann::json::array();
  for (const auto& e : value.entities) {
    nlohmann::json item = {
        {"type", to_string(e.kind)}, {"value", e.value}, {"begin", e.begin}, {"end", e.end}};
    if (e.form != address_form::none)
      item["form"] = to_string(e.form);
    entities.push_back(std::move(item));
  }
  out["entities"] = std::move(entities);
  if (value.choice)
    out["choice"] = *value.choice;
  // The text may have held invalid UTF-8 that survives in entity values; replace, never throw.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace civicline::nlp
