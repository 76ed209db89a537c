#include "server/routes/request_json.hpp"

#include <nlohmann/json.hpp>

#include "core/service_request.hpp"

namespace civicline::server {

namespace {

using json = nlohmann::json;

json or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

/// Open past its due time, compared as stored text (ISO 8601 sorts as time).
bool overdue(const storage::request_record& request, std::string_view now) {
  const auto status = core::status_from_string(request.status);
  return status && core::is_open(*status) && !request.due_at.empty() && request.due_at < now;
}

json item_json(const storage::request_record& request, std::string_view now) {
  json item = {{"id", request.tracking_id},
               {"status", request.status},
               {"category", request.category},
               {"created_at", request.created_at},
               {"updated_at", request.updated_at},
               {"due_at", or_null(request.due_at)},
               {"overdue", overdue(request, now)},
               {"address", request.location_text},
               {"lat", request.lat ? json(*request.lat) : json(nullptr)},
               {"lon", request.lon ? json(*request.lon) : json(nullptr)},
               {"channel", request.channel},
               {"language", request.language},
               {"description", request.description},
               {"duplicate_of", request.duplicate_of ? json(*request.duplicate_of) : json(nullptr)},
               {"team", or_null(request.team)},
               {"assignee", or_null(request.assignee)},
               {"priority", request.priority}};
  return item;
}

json parse_or(const std::string& text, json fallback) {
  auto parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? fallback : parsed;
}

std::string dump(const json& value) {
  // Residents' text may hold invalid UTF-8; replace it rather than fail the whole answer.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string render_request_page(const std::vector<storage::request_record>& items,
                                const std::optional<std::string>& next_cursor, std::int64_t total,
                                std::string_view now) {
  json list = json::array();
  for (const auto& request : items) {
    list.push_back(item_json(request, now));
  }
  return dump({{"items", std::move(list)},
               {"next_cursor", next_cursor ? json(*next_cursor) : json(nullptr)},
               {"total", total}});
}

std::string render_request_detail(const storage::request_record& request,
                                  const request_detail_parts& parts, std::string_view now) {
  json detail = item_json(request, now);
  detail["attributes"] = parse_or(request.attributes_json, json::object());
  detail["photos"] = parse_or(request.media_urls_json, json::array());
  json history = json::array();
  for (const auto& entry : parts.history) {
    history.push_back({{"at", entry.at},
                       {"actor", {{"kind", entry.actor_kind}, {"id", entry.actor_id}}},
                       {"field", entry.field},
                       {"old_value", entry.old_value},
                       {"new_value", entry.new_value},
                       {"public_note", entry.public_note},
                       {"internal_note", entry.internal_note}});
  }
  detail["history"] = std::move(history);
  detail["followers_count"] = parts.followers_count;
  detail["reporter_channel"] = or_null(parts.reporter_channel);
  json contacts = json::array();
  for (const auto& contact : parts.contacts) {
    contacts.push_back({{"role", contact.role},
                        {"email", or_null(contact.email)},
                        {"first_name", or_null(contact.first_name)},
                        {"last_name", or_null(contact.last_name)},
                        {"phone", or_null(contact.phone)},
                        {"device_id", or_null(contact.device_id)},
                        {"account_id", or_null(contact.account_id)},
                        {"at", contact.created_at}});
  }
  detail["contacts"] = std::move(contacts);
  if (parts.transcript) {
    json transcript = json::array();
    for (const auto& message : *parts.transcript) {
      transcript.push_back({{"direction", message.direction},
                            {"text", message.body},
                            {"at", message.created_at},
                            {"about_this_request", message.request_id == request.id}});
    }
    detail["transcript"] = std::move(transcript);
  }
  return dump(detail);
}

}  // namespace civicline::server
