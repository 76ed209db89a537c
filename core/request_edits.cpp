#include "core/request_edits.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/clock_text.hpp"
#include "core/location.hpp"
#include "core/requests.hpp"
#include "storage/staff.hpp"

namespace civicline::core {

namespace {

using nlohmann::json;

bool team_exists(const config::settings& settings, std::string_view code) {
  return std::any_of(settings.teams.begin(), settings.teams.end(),
                     [&](const config::team& t) { return t.code == code; });
}

std::string coordinates_text(const std::optional<double>& lat, const std::optional<double>& lon) {
  if (!lat || !lon) {
    return "";
  }
  return " (" + std::to_string(*lat) + ", " + std::to_string(*lon) + ")";
}

/// Records one field's change in the history; the internal note goes with the first one.
class change_log {
 public:
  change_log(SQLite::Database& db, const storage::request_record& request, const actor& by,
             std::string internal_note, time_point now)
      : db_(db), request_(request), by_(by), note_(std::move(internal_note)), now_(now) {}

  void add(std::string field, std::string old_value, std::string new_value) {
    record_history(db_, request_.id, by_, field, std::move(old_value), std::move(new_value), "",
                   std::exchange(note_, {}), now_);
    changed_.push_back(std::move(field));
  }
  std::vector<std::string>& changed() { return changed_; }

 private:
  SQLite::Database& db_;
  const storage::request_record& request_;
  const actor& by_;
  std::string note_;
  time_point now_;
  std::vector<std::string> changed_;
};

/// Why the edit cannot be made, checked before anything is written.
std::optional<std::string> refusal_of(const request_edit& edit, const config::settings& settings) {
  if (edit.category && find_category(settings, *edit.category) == nullptr) {
    return "No category has the code \"" + *edit.category +
           "\"; use one of GET /open311/v2/"
           "services.json or the config's categories.";
  }
  if (edit.team && !edit.team->empty() && !team_exists(settings, *edit.team)) {
    return "No team has the code \"" + *edit.team + "\"; teams are listed in the config.";
  }
  if (edit.priority) {
    const auto& known = request_priorities();
    if (std::find(known.begin(), known.end(), *edit.priority) == known.end()) {
      return "priority must be one of low, normal, high, urgent (got \"" + *edit.priority + "\").";
    }
  }
  if (edit.where && edit.where->text.empty() && !edit.where->lat) {
    return "A location needs an address or coordinates.";
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& request_priorities() {
  static const std::vector<std::string> priorities{"low", "normal", "high", "urgent"};
  return priorities;
}

edit_result edit_request(SQLite::Database& db, std::string_view tracking_id,
                         const request_edit& edit, const config::settings& settings,
                         time_point now) {
  edit_result result;
  auto record = storage::find_request(db, tracking_id);
  if (!record) {
    return result;
  }
  result.found = true;
  if (auto refusal = refusal_of(edit, settings)) {
    result.refusal = std::move(*refusal);
    return result;
  }
  std::optional<std::int64_t> assignee_id = record->assignee_id;
  std::string assignee_name = record->assignee;
  if (edit.assignee && !edit.assignee->empty()) {
    const auto user = storage::find_staff_user(db, *edit.assignee);
    if (!user || user->disabled_at) {
      result.refusal = "No active staff user has the name \"" + *edit.assignee + "\".";
      return result;
    }
    assignee_id = user->id;
    assignee_name = user->name;
  } else if (edit.assignee) {
    assignee_id.reset();
    assignee_name.clear();
  }

  const auto before = *record;
  change_log log(db, before, edit.by, edit.internal_note, now);
  if (edit.category && *edit.category != record->category) {
    const auto* category = find_category(settings, *edit.category);
    record->category = category->code;
    const auto created = from_iso8601(record->created_at).value_or(now);
    record->due_at = to_iso8601(due_time(created, category->sla_hours));
    if (!edit.team) {
      record->team = category->team;  // re-routed to the new category's queue
    }
    log.add("category", before.category, record->category);
  }
  if (edit.team) {
    record->team = *edit.team;
  }
  if (record->team != before.team) {
    log.add("team", before.team, record->team);
  }
  if (assignee_id != before.assignee_id) {
    record->assignee_id = assignee_id;
    log.add("assignee", before.assignee, assignee_name);
  }
  if (edit.priority && *edit.priority != record->priority) {
    record->priority = *edit.priority;
    log.add("priority", before.priority, record->priority);
  }
  if (edit.where && (edit.where->text != record->location_text || edit.where->lat != record->lat ||
                     edit.where->lon != record->lon)) {
    record->location_text = edit.where->text;
    record->location_key =
        edit.where->key.empty() ? location_key(edit.where->text) : edit.where->key;
    record->lat = edit.where->lat;
    record->lon = edit.where->lon;
    log.add("location", before.location_text + coordinates_text(before.lat, before.lon),
            record->location_text + coordinates_text(record->lat, record->lon));
  }
  result.changed = std::move(log.changed());
  if (result.changed.empty()) {
    return result;
  }
  record->updated_at = to_iso8601(now);
  storage::save_request_fields(db, *record);
  json payload = json::parse(public_json(to_domain(*record)));
  payload["changes"] = result.changed;
  record_event(db, "request.updated", payload.dump(-1, ' ', false, json::error_handler_t::replace),
               now);
  return result;
}

merge_result merge_requests(SQLite::Database& db, std::string_view duplicate_id,
                            std::string_view original_id, const actor& by,
                            std::string_view internal_note, const config::settings& settings,
                            const reply_templates& templates, time_point now) {
  merge_result result;
  const auto duplicate = storage::find_request(db, duplicate_id);
  if (!duplicate) {
    return result;
  }
  result.found = true;
  const auto original = storage::find_request(db, original_id);
  if (!original) {
    result.refusal = "No request has the id \"" + std::string(original_id) + "\" to merge into.";
    return result;
  }
  if (original->id == duplicate->id) {
    result.refusal = "A request cannot be merged into itself.";
    return result;
  }
  if (original->duplicate_of) {
    result.refusal = original->tracking_id + " is itself a duplicate of " +
                     *original->duplicate_of + "; merge into " + *original->duplicate_of +
                     " instead.";
    return result;
  }
  status_change change;
  change.to = request_status::duplicate;
  change.by = by;
  change.internal_note = std::string(internal_note);
  change.duplicate_of = original->tracking_id;
  change.notify_followers = false;  // told below, with the id they now follow
  const auto changed =
      change_request_status(db, duplicate->tracking_id, change, settings, templates, now);
  if (!changed.updated) {
    result.refusal = changed.refusal;
    result.conflict = true;
    return result;
  }

  const auto now_text = to_iso8601(now);
  for (const auto& follower : storage::followers_of(db, duplicate->id)) {
    if (!storage::is_follower(db, original->id, follower.resident_id)) {
      storage::add_follower(db, original->id, follower.resident_id, "follower", now_text);
      ++result.moved_followers;
    }
    const auto lang = nlp::language_from_string(follower.language).value_or(nlp::language::en);
    storage::notification_record notification;
    notification.resident_id = follower.resident_id;
    notification.request_id = original->id;
    notification.body = templates.render(
        lang, "request_merged",
        {{"tracking_id", duplicate->tracking_id},
         {"original", original->tracking_id},
         {"category", category_name(settings, duplicate->category, nlp::to_string(lang))}});
    notification.status = follower.opted_out ? "suppressed" : "pending";
    notification.created_at = notification.next_attempt_at = now_text;
    storage::insert_notification(db, notification);
    if (!follower.opted_out) {
      ++result.notified;
    }
  }
  record_history(db, original->id, by, "merged", "", duplicate->tracking_id, "", "", now);
  storage::update_request_status(db, original->id, original->status, original->duplicate_of,
                                 now_text);
  const json payload = {{"tracking_id", duplicate->tracking_id},
                        {"into", original->tracking_id},
                        {"category", duplicate->category},
                        {"moved_followers", result.moved_followers}};
  record_event(db, "request.merged", payload.dump(), now);
  return result;
}

}  // namespace civicline::core
