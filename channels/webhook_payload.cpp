#include "channels/webhook_payload.hpp"

#include <array>
#include <nlohmann/json.hpp>

namespace civicline::channels {

namespace {

using nlohmann::json;

/// Payload fields a partner sees only with the PII grant: what a resident wrote or sent
/// (which often names them or their neighbours), the pseudonymous id that links all of a
/// resident's conversations, and the names of staff members.
constexpr std::array<std::string_view, 5> pii_fields{"description", "attributes", "media_urls",
                                                     "conversation_id", "by"};

}  // namespace

std::string webhook_body(const storage::outbox_event& event, bool include_pii) {
  json data = json::parse(event.payload_json, nullptr, false);
  if (data.is_discarded() || !data.is_object()) {
    data = json::object();
  }
  if (!include_pii) {
    for (const auto field : pii_fields) {
      data.erase(std::string(field));
    }
  }
  const json body = {{"type", event.type}, {"timestamp", event.created_at}, {"data", data}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

event_facts facts_of(std::string_view payload_json) {
  event_facts facts;
  const json payload = json::parse(payload_json, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return facts;
  }
  if (const auto it = payload.find("category"); it != payload.end() && it->is_string()) {
    facts.category = it->get<std::string>();
  }
  if (const auto it = payload.find("tracking_id"); it != payload.end() && it->is_string()) {
    facts.tracking_id = it->get<std::string>();
  }
  return facts;
}

}  // namespace civicline::channels
