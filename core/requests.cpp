#include "core/requests.hpp"

#include <nlohmann/json.hpp>
#include <random>

#include "core/clock_text.hpp"
#include "core/location.hpp"

namespace civicline::core {
namespace {

using nlohmann::json;

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

const config::category* find_category(const config::settings& settings, std::string_view code) {
  for (const auto& c : settings.categories) {
    if (c.code == code) {
      return &c;
    }
  }
  return nullptr;
}

std::string category_name(const config::settings& settings, std::string_view code,
                          std::string_view language) {
  if (const auto* c = find_category(settings, code)) {
    if (auto it = c->name.find(std::string(language)); it != c->name.end()) {
      return it->second;
    }
  }
  return std::string(code);
}

namespace {

/// An event id that stays the same across retries: "evt_", 48 bits of the time in
/// milliseconds, then 48 random bits (24 hex digits in all). Led by the time, new ids sort
/// after old ones, so their unique index grows at its end instead of dirtying a random page
/// of it on every event (each dirty page is 4 KB more to write and sync per commit).
std::string new_event_id(time_point now) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  const auto millis = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  std::string id = "evt_";
  const auto append = [&id](std::uint64_t bits) {
    for (int shift = 44; shift >= 0; shift -= 4) {
      id += hex[(bits >> shift) & 0xf];
    }
  };
  append(millis);
  append(generator());
  return id;
}

std::string_view actor_kind(actor::kind kind) {
  switch (kind) {
    case actor::kind::resident:
      return "resident";
    case actor::kind::staff:
      return "staff";
    case actor::kind::partner:
      return "partner";
    case actor::kind::system:
      return "system";
  }
  return "system";
}

}  // namespace

void record_history(SQLite::Database& db, std::int64_t request_id, const actor& by,
                    std::string field, std::string old_value, std::string new_value,
                    std::string public_note, std::string internal_note, time_point now) {
  storage::history_record entry;
  entry.request_id = request_id;
  entry.at = to_iso8601(now);
  entry.actor_kind = std::string(actor_kind(by.who));
  entry.actor_id = by.id;
  entry.field = std::move(field);
  entry.old_value = std::move(old_value);
  entry.new_value = std::move(new_value);
  entry.public_note = std::move(public_note);
  entry.internal_note = std::move(internal_note);
  storage::insert_history(db, entry);
}

service_request to_domain(const storage::request_record& record) {
  service_request out;
  out.id = record.id;
  out.tracking_id = record.tracking_id;
  out.category = record.category;
  out.status = status_from_string(record.status).value_or(request_status::new_request);
  out.duplicate_of = record.duplicate_of;
  out.location = {record.location_text, record.location_key, record.lat, record.lon};
  out.description = record.description;
  const auto attributes = json::parse(record.attributes_json, nullptr, false);
  if (attributes.is_object()) {
    for (const auto& [key, value] : attributes.items()) {
      out.attributes[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  const auto media = json::parse(record.media_urls_json, nullptr, false);
  if (media.is_array()) {
    for (const auto& url : media) {
      if (url.is_string()) {
        out.media_urls.push_back(url.get<std::string>());
      }
    }
  }
  out.channel = channel_from_string(record.channel).value_or(channel::sms);
  out.language = record.language;
  out.created_at = from_iso8601(record.created_at).value_or(time_point{});
  out.updated_at = from_iso8601(record.updated_at).value_or(out.created_at);
  out.due_at = from_iso8601(record.due_at).value_or(out.created_at);
  return out;
}

namespace {

/// The request as its public JSON document (public_json's text, before dumping).
json public_document(const service_request& request) {
  json location = {{"address", request.location.text}};
  if (request.location.lat && request.location.lon) {
    location["lat"] = *request.location.lat;
    location["long"] = *request.location.lon;
  }
  json out = {{"tracking_id", request.tracking_id},
              {"category", request.category},
              {"status", to_string(request.status)},
              {"location", location},
              {"description", request.description},
              {"attributes", request.attributes},
              {"media_urls", request.media_urls},
              {"channel", to_string(request.channel)},
              {"created_at", to_iso8601(request.created_at)},
              {"updated_at", to_iso8601(request.updated_at)},
              {"due_at", to_iso8601(request.due_at)}};
  if (request.duplicate_of) {
    out["duplicate_of"] = *request.duplicate_of;
  }
  return out;
}

}  // namespace

std::string public_json(const service_request& request) {
  return dump(public_document(request));
}

void record_event(SQLite::Database& db, std::string_view type, std::string payload_json,
                  time_point now) {
  storage::outbox_event event;
  event.event_id = new_event_id(now);
  event.type = std::string(type);
  event.payload_json = std::move(payload_json);
  event.created_at = to_iso8601(now);
  storage::insert_outbox_event(db, event);
}

service_request create_service_request(SQLite::Database& db, const draft& from, channel source,
                                       std::string_view language, std::int64_t reporter_id,
                                       const config::settings& settings, time_point now) {
  const auto* category = find_category(settings, from.category.value_or("other"));
  storage::request_record record;
  record.category = category ? category->code : from.category.value_or("other");
  record.status = std::string(to_string(request_status::new_request));
  if (from.location) {
    record.location_text = from.location->text;
    record.location_key =
        from.location->key.empty() ? location_key(from.location->text) : from.location->key;
    record.lat = from.location->lat;
    record.lon = from.location->lon;
  }
  record.description = from.description.value_or("");
  record.attributes_json = dump(json(from.answers));
  record.media_urls_json = dump(json(from.media_urls));
  record.channel = std::string(to_string(source));
  record.language = std::string(language);
  record.created_at = record.updated_at = to_iso8601(now);
  record.due_at = to_iso8601(due_time(now, category ? category->sla_hours : 72));
  record.team = category ? category->team : "";  // routing: the category's team queue
  const auto stored = storage::insert_request(db, record, settings.city.tracking_id_prefix,
                                              settings.city.tracking_id_digits);
  const auto now_text = to_iso8601(now);
  storage::add_follower(db, stored.id, reporter_id, "reporter", now_text);
  auto request = to_domain(stored);
  record_history(db, stored.id, {actor::kind::resident, std::to_string(reporter_id)}, "created", "",
                 stored.status, "", "", now);
  record_event(db, "request.created", public_json(request), now);
  return request;
}

void follow_service_request(SQLite::Database& db, const service_request& request,
                            std::int64_t resident_id, time_point now) {
  if (storage::is_follower(db, request.id, resident_id)) {
    return;
  }
  storage::add_follower(db, request.id, resident_id, "follower", to_iso8601(now));
  record_history(db, request.id, {actor::kind::resident, std::to_string(resident_id)}, "follower",
                 "", "added", "", "", now);
  json payload = public_document(request);
  payload["change"] = "follower_added";
  record_event(db, "request.updated", dump(payload), now);
}

void add_request_note(SQLite::Database& db, const service_request& request, const actor& by,
                      std::string_view public_note, std::string_view internal_note,
                      time_point now) {
  record_history(db, request.id, by, "note", "", "", std::string(public_note),
                 std::string(internal_note), now);
  storage::update_request_status(db, request.id, to_string(request.status), request.duplicate_of,
                                 to_iso8601(now));
  json payload = {{"tracking_id", request.tracking_id},
                  {"category", request.category},
                  {"author", actor_kind(by.who)},
                  {"note", public_note}};
  record_event(db, "request.note_added", dump(payload), now);
}

status_change_result change_request_status(SQLite::Database& db, std::string_view tracking_id,
                                           const status_change& change,
                                           const config::settings& settings,
                                           const reply_templates& templates, time_point now) {
  status_change_result result;
  const auto record = storage::find_request(db, tracking_id);
  if (!record) {
    result.refusal = "No request has the tracking id " + std::string(tracking_id) + ".";
    return result;
  }
  auto request = to_domain(*record);
  if (auto refusal = check_transition(request.status, change.to)) {
    result.refusal = *refusal;
    return result;
  }
  if (change.to == request_status::duplicate) {
    if (!change.duplicate_of || !storage::find_request(db, *change.duplicate_of)) {
      result.refusal = "Name the original request (duplicate_of) of a duplicate.";
      return result;
    }
    if (*change.duplicate_of == request.tracking_id) {
      result.refusal = "A request cannot be a duplicate of itself.";
      return result;
    }
  }
  const auto old_status = request.status;
  const auto duplicate_of =
      change.to == request_status::duplicate ? change.duplicate_of : std::nullopt;
  storage::update_request_status(
      db, request.id, to_string(change.to),
      duplicate_of ? std::optional<std::string_view>(*duplicate_of) : std::nullopt,
      to_iso8601(now));
  request.status = change.to;
  request.duplicate_of = duplicate_of;
  request.updated_at = now;
  record_history(db, request.id, change.by, "status", std::string(to_string(old_status)),
                 std::string(to_string(change.to)), change.public_note, change.internal_note, now);
  json payload = json::parse(public_json(request));
  payload["previous_status"] = to_string(old_status);
  if (!change.public_note.empty()) {
    payload["public_note"] = change.public_note;
  }
  record_event(db, "request.status_changed", dump(payload), now);

  result.updated = request;
  if (!change.notify_followers) {
    return result;
  }
  // Followers hear of every public change in their own language, through the outbox.
  for (const auto& follower : storage::followers_of(db, request.id)) {
    if (follower.channel == to_string(channel::open311)) {
      continue;  // no one to text: an Open311 client reads the change from servicerequestupdates
    }
    const auto lang = nlp::language_from_string(follower.language).value_or(nlp::language::en);
    const std::string note = change.public_note.empty() ? "" : " " + change.public_note;
    storage::notification_record notification;
    notification.resident_id = follower.resident_id;
    notification.request_id = request.id;
    notification.body = templates.render(
        lang, "status_update",
        {{"tracking_id", request.tracking_id},
         {"category", category_name(settings, request.category, nlp::to_string(lang))},
         {"status", templates.render(lang, "status_" + std::string(to_string(change.to)),
                                     {{"original", request.duplicate_of.value_or("")}})},
         {"note", note}});
    notification.status = follower.opted_out ? "suppressed" : "pending";
    notification.created_at = notification.next_attempt_at = to_iso8601(now);
    storage::insert_notification(db, notification);
    if (!follower.opted_out) {
      ++result.notified;
    }
  }
  return result;
}

}  // namespace civicline::core
