// Checking on requests and adding to them. Anyone may learn the public status of any
// tracking id; only followers see the place, and only followers may add notes.

#include <algorithm>
#include <cstdio>

#include "core/dialog_internal.hpp"
#include "core/status_page.hpp"

namespace civicline::core::detail {
namespace {

constexpr std::size_t max_listed = 5;

std::string status_words(const turn& t, const service_request& r) {
  return t.text("status_" + std::string(to_string(r.status)),
                {{"original", r.duplicate_of.value_or("")}});
}

std::string short_date(const turn& t, time_point when) {
  const auto local = std::chrono::floor<std::chrono::minutes>(when) + t.config.hours.utc_offset;
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(local)};
  const auto& months = t.config.templates->words(t.state.language, "months");
  const std::string month = months.at(static_cast<unsigned>(ymd.month()) - 1);
  const std::string day = std::to_string(static_cast<unsigned>(ymd.day()));
  return t.state.language == nlp::language::en ? month + " " + day : day + " " + month;
}

void show(turn& t, const service_request& r) {
  const bool follower = t.world.follows(r.tracking_id);
  std::map<std::string, std::string> values{
      {"tracking_id", r.tracking_id},
      {"category", t.category_name(r.category)},
      {"status", status_words(t, r)},
      {"updated", short_date(t, r.updated_at)},
      {"status_url", t.config.settings ? status_link(*t.config.settings, r.tracking_id) : ""}};
  if (follower) {
    values["location"] = r.location.text;
    t.state.recent_request = r.tracking_id;
    t.say("status_detail", values);
  } else {
    t.say("status_public", values);
  }
}

std::string list_item(const turn& t, std::size_t n, const service_request& r) {
  return t.text("status_list_item", {{"n", std::to_string(n)},
                                     {"tracking_id", r.tracking_id},
                                     {"category", t.category_name(r.category)},
                                     {"status", status_words(t, r)}});
}

std::string joined_list(const turn& t, const std::vector<service_request>& requests) {
  std::string list;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (i > 0)
      list += " ";
    list += list_item(t, i + 1, requests[i]);
  }
  return list;
}

void add_note(turn& t, const service_request& r, const std::string& note) {
  if (!t.world.follows(r.tracking_id))
    return t.say("note_not_yours");
  if (!is_open(r.status)) {
    return t.say("note_closed", {{"tracking_id", r.tracking_id}, {"status", status_words(t, r)}});
  }
  t.actions.emplace_back(add_resident_note{r.tracking_id, note});
  t.state.recent_request = r.tracking_id;
  t.say("note_added", {{"tracking_id", r.tracking_id}});
}

std::vector<service_request> open_followed(const turn& t) {
  auto requests = t.world.followed_requests(max_listed * 2);
  std::erase_if(requests, [](const service_request& r) { return !is_open(r.status); });
  if (requests.size() > max_listed)
    requests.resize(max_listed);
  return requests;
}

}  // namespace

namespace {

/// "what about 123?": in a status question, a bare number short enough to be a tracking
/// number is one, written without its prefix and leading zeros.
/// A lone number is a menu choice, not an id, so the number must stand in a sentence.
std::optional<std::string> bare_tracking_number(const turn& t) {
  if (t.words.size() < 2) {
    return std::nullopt;
  }
  const auto& city = t.config.settings->city;
  for (const auto& word : t.words) {
    const bool digits_only = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (digits_only && word.size() <= static_cast<std::size_t>(city.tracking_id_digits)) {
      return city.tracking_id_prefix +
             std::string(static_cast<std::size_t>(city.tracking_id_digits) - word.size(), '0') +
             word;
    }
  }
  return std::nullopt;
}

}  // namespace

void handle_status(turn& t) {
  t.state.stage = dialog_stage::idle;
  t.state.expecting = nlp::expectation::none;
  if (const auto id = t.tracking_id() ? t.tracking_id() : bare_tracking_number(t)) {
    if (const auto r = t.world.find_request(*id))
      return show(t, *r);
    return t.say("status_not_found", {{"tracking_id", *id}});
  }
  auto requests = t.world.followed_requests(max_listed * 2);
  if (t.understood.category) {
    // "any update on my pothole?": their latest request of that kind.
    for (const auto& r : requests) {
      if (r.category == *t.understood.category)
        return show(t, r);
    }
  }
  if (requests.empty())
    return t.say("status_none");
  if (requests.size() == 1)
    return show(t, requests.front());
  if (requests.size() > max_listed)
    requests.resize(max_listed);
  t.state.stage = dialog_stage::clarifying;
  t.state.choice_kind = "request";
  t.state.expecting = nlp::expectation::choice;
  t.state.choices.clear();
  for (const auto& r : requests)
    t.state.choices.push_back(r.tracking_id);
  t.say("status_pick", {{"list", joined_list(t, requests)}});
}

void choose_request(turn& t, int n) {
  const std::string id = t.state.choices.at(static_cast<std::size_t>(n - 1));
  t.state.stage = dialog_stage::idle;
  t.state.choices.clear();
  t.state.choice_kind.clear();
  t.state.expecting = nlp::expectation::none;
  if (const auto r = t.world.find_request(id))
    return show(t, *r);
  t.say("status_not_found", {{"tracking_id", id}});
}

bool is_status_of_followed_category(const turn& t) {
  const auto& u = t.understood;
  if (!u.category || u.runner_up != nlp::intent::check_status || u.runner_up_confidence < 0.3) {
    return false;
  }
  for (const auto& r : t.world.followed_requests(max_listed * 2)) {
    if (r.category == *u.category && is_open(r.status))
      return true;
  }
  return false;
}

bool handle_add_info(turn& t) {
  // Only a message that starts like an addition ("also ...", "además ...") is one.
  bool cue = false;
  for (const nlp::language lang : t.config.templates->languages()) {
    for (const auto& entry : t.config.templates->words(lang, "add_info")) {
      if (!t.words.empty() && t.words.front() == entry)
        cue = true;
    }
  }
  if (!cue)
    return false;
  const std::string note = t.text_for_storage();
  if (const auto id = t.tracking_id()) {
    if (const auto r = t.world.find_request(*id)) {
      add_note(t, *r, note);
      return true;
    }
    t.say("status_not_found", {{"tracking_id", *id}});
    return true;
  }
  if (!t.state.recent_request.empty()) {
    if (const auto r = t.world.find_request(t.state.recent_request);
        r && is_open(r->status) && t.world.follows(r->tracking_id)) {
      add_note(t, *r, note);
      return true;
    }
  }
  const auto requests = open_followed(t);
  if (requests.empty())
    return false;  // nothing to add to: read it as a new message
  if (requests.size() == 1) {
    add_note(t, requests.front(), note);
    return true;
  }
  t.state.stage = dialog_stage::clarifying;
  t.state.choice_kind = "note";
  t.state.expecting = nlp::expectation::choice;
  t.state.pending_note = note;
  t.state.choices.clear();
  for (const auto& r : requests)
    t.state.choices.push_back(r.tracking_id);
  t.say("note_pick", {{"list", joined_list(t, requests)}});
  return true;
}

void choose_note_target(turn& t, int n) {
  const std::string id = t.state.choices.at(static_cast<std::size_t>(n - 1));
  const std::string note = t.state.pending_note;
  t.state.stage = dialog_stage::idle;
  t.state.choices.clear();
  t.state.choice_kind.clear();
  t.state.pending_note.clear();
  t.state.expecting = nlp::expectation::none;
  if (const auto r = t.world.find_request(id))
    return add_note(t, *r, note);
  t.say("status_not_found", {{"tracking_id", id}});
}

}  // namespace civicline::core::detail
