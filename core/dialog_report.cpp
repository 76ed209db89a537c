// Reporting a problem: collect the category, the place, a description and the category's
// required questions (only what is missing), confirm in one message, then create the
// request, or follow the open one already reported at the same place.

#include <algorithm>
#include <cstdlib>

#include "core/dialog_internal.hpp"
#include "core/location.hpp"
#include "core/status_page.hpp"
#include "nlp/normalize.hpp"

namespace civicline::core::detail {
namespace {

const std::vector<std::string> fix_choices{"location", "category", "description", "cancel"};

std::string localized(const turn& t, const config::localized_text& text) {
  if (auto it = text.find(std::string(nlp::to_string(t.state.language))); it != text.end()) {
    return it->second;
  }
  if (auto it = text.find("en"); it != text.end())
    return it->second;
  return text.empty() ? std::string() : text.begin()->second;
}

const config::category_question* find_question(const turn& t, std::string_view code) {
  if (!t.state.draft.category)
    return nullptr;
  const config::category* c = t.category(*t.state.draft.category);
  if (c == nullptr)
    return nullptr;
  for (const auto& q : c->questions) {
    if (q.code == code)
      return &q;
  }
  return nullptr;
}

bool is_list(const config::category_question& q) {
  return q.datatype == "singlevaluelist" || q.datatype == "multivaluelist";
}

bool is_yes_no(const config::category_question& q) {
  if (q.values.size() < 2)
    return false;
  return q.values[0].first == "yes" && q.values[1].first == "no";
}

std::string question_text(const turn& t, const config::category_question& q) {
  std::string text = localized(t, q.prompt);
  if (is_list(q)) {
    std::vector<std::string> names;
    for (const auto& [key, name] : q.values)
      names.push_back(localized(t, name));
    text += " " + numbered(t, names);
  }
  return text;
}

/// The answer to a category question, as the value key (lists) or the text.
std::optional<std::string> read_answer(const turn& t, const config::category_question& q) {
  const std::string text = t.text_for_storage();
  if (is_list(q)) {
    if (const auto n = t.choice(); n && *n >= 1 && *n <= static_cast<int>(q.values.size())) {
      return q.values[static_cast<std::size_t>(*n - 1)].first;
    }
    if (is_yes_no(q)) {
      if (t.understood.intent == nlp::intent::affirm)
        return "yes";
      if (t.understood.intent == nlp::intent::deny)
        return "no";
    }
    // The value's name or key typed out ("recycling", "reciclaje").
    const std::string folded = nlp::fold(text);
    for (const auto& [key, names] : q.values) {
      if (nlp::fold(key) == folded)
        return key;
      for (const auto& [lang, name] : names) {
        if (nlp::fold(name) == folded)
          return key;
      }
    }
    return std::nullopt;
  }
  if (q.datatype == "number") {
    const auto digit =
        std::find_if(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digit == text.end())
      return std::nullopt;
    return std::to_string(std::atol(&*digit));
  }
  if (text.empty())
    return std::nullopt;
  return text;
}

/// The first required question of the draft's category that has no answer yet.
const config::category_question* next_question(const turn& t) {
  if (!t.state.draft.category)
    return nullptr;
  const config::category* c = t.category(*t.state.draft.category);
  if (c == nullptr)
    return nullptr;
  for (const auto& q : c->questions) {
    if (q.required && !t.state.draft.answers.contains(q.code))
      return &q;
  }
  return nullptr;
}

bool location_needed(const turn& t) {
  if (t.state.draft.location)
    return false;
  if (!t.state.draft.category)
    return true;
  const config::category* c = t.category(*t.state.draft.category);
  return c == nullptr || c->location_required;
}

/// True when the message says more than "I want to report a pothole at <address>".
bool describes(const turn& t) {
  const auto& filler = t.config.templates->words(t.state.language, "filler");
  std::string address;
  for (const auto& e : t.understood.entities) {
    if (e.kind == nlp::entity_kind::address)
      address += " " + nlp::fold(e.value) + " ";
  }
  // The category's own name says nothing new ("I want to report a water leak").
  std::string category_words = " ";
  if (t.understood.category) {
    if (const config::category* c = t.category(*t.understood.category)) {
      for (const auto& [lang, name] : c->name)
        category_words += nlp::fold(name) + " ";
    }
  }
  int content = 0;
  for (const auto& w : t.words) {
    if (std::find(filler.begin(), filler.end(), w) != filler.end())
      continue;
    if (category_words.find(" " + w + " ") != std::string::npos)
      continue;
    if (address.find(" " + w + " ") != std::string::npos)
      continue;
    ++content;
  }
  return content >= 2;
}

bool confident_category(const turn& t) {
  return t.understood.category && t.understood.category_confidence >= t.config.clarify_below &&
         t.category(*t.understood.category) != nullptr;
}

void set_category(turn& t, const std::string& code) {
  if (t.state.draft.category != code)
    t.state.draft.answers.clear();
  t.state.draft.category = code;
}

/// Takes what this message says into the draft. `asked` is the slot the bot asked for.
void merge(turn& t, std::string_view asked) {
  draft& d = t.state.draft;
  if (confident_category(t))
    set_category(t, *t.understood.category);
  // A place named while answering something else ("it's in the bike lane") adds detail; it
  // does not move the report. Corrections go through the confirmation.
  if (auto where = t.place(); where && !d.location)
    d.location = *where;
  for (const auto& url : t.message.media_urls)
    d.media_urls.push_back(url);
  if (!d.description) {
    if (asked == "description" && !t.words.empty()) {
      d.description = t.text_for_storage();
    } else if ((asked != "location" || t.place()) && describes(t)) {
      d.description = t.text_for_storage();
    } else if (asked == "description" && !t.message.media_urls.empty()) {
      d.description = t.text("photo");
    }
  }
}

std::string sla_words(const turn& t, int hours) {
  if (hours < 24)
    return t.text(hours == 1 ? "sla_hour" : "sla_hours", {{"n", std::to_string(hours)}});
  if (hours % 168 == 0) {
    const int weeks = hours / 168;
    return t.text(weeks == 1 ? "sla_week" : "sla_weeks", {{"n", std::to_string(weeks)}});
  }
  const int days = (hours + 23) / 24;
  return t.text(days == 1 ? "sla_day" : "sla_days", {{"n", std::to_string(days)}});
}

std::string short_description(const std::string& text) {
  constexpr std::size_t limit = 60;
  if (text.size() <= limit)
    return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut) + "...";
}

void confirm(turn& t) {
  const draft& d = t.state.draft;
  t.state.stage = dialog_stage::confirming;
  t.state.expecting = nlp::expectation::yes_no;
  t.state.asking_question.clear();
  std::map<std::string, std::string> values{
      {"category", t.category_name(d.category.value_or("other"))},
      {"description", short_description(d.description.value_or(""))}};
  if (d.location) {
    values["location"] = d.location->text;
    t.say("confirm", values);
  } else {
    t.say("confirm_no_location", values);
  }
}

void submit(turn& t) {
  const draft& d = t.state.draft;
  const std::string category = d.category.value_or("other");
  std::optional<service_request> original;
  if (d.location)
    original = t.world.find_duplicate(category, *d.location, t.now);
  if (original && is_open(original->status)) {
    t.actions.emplace_back(follow_request{original->tracking_id});
    t.say("duplicate_found",
          {{"tracking_id", original->tracking_id},
           {"status", t.text("status_" + std::string(to_string(original->status)))},
           {"status_url",
            t.config.settings ? status_link(*t.config.settings, original->tracking_id) : ""}});
    t.state.recent_request = original->tracking_id;
  } else {
    t.actions.emplace_back(create_request{d});
    const config::category* c = t.category(category);
    t.say("created", {{"category", t.category_name(category)},
                      {"sla", sla_words(t, c != nullptr ? c->sla_hours : 72)}});
    t.state.recent_request.clear();  // the inbox knows the new id; followed_requests has it
  }
  drop_draft(t.state);
}

void ask_category(turn& t, std::string_view key) {
  t.state.stage = dialog_stage::collecting;
  t.state.expecting = nlp::expectation::description;
  t.state.asking_question.clear();
  t.say(key);
}

}  // namespace

void drop_draft(conversation_state& state) {
  state.draft = {};
  state.stage = dialog_stage::idle;
  state.expecting = nlp::expectation::none;
  state.asking_question.clear();
  state.choices.clear();
  state.choice_kind.clear();
  state.pending_note.clear();
}

void ask_next(turn& t) {
  draft& d = t.state.draft;
  t.state.stage = dialog_stage::collecting;
  t.state.choices.clear();
  t.state.choice_kind.clear();
  t.state.asking_question.clear();
  if (!d.category)
    return ask_category(t, "ask_category");
  if (location_needed(t)) {
    t.state.expecting = nlp::expectation::location;
    return t.say("ask_location");
  }
  if (!d.description) {
    t.state.expecting = nlp::expectation::description;
    return t.say("ask_description", {{"category", t.category_name(*d.category)}});
  }
  if (const auto* q = next_question(t)) {
    t.state.asking_question = q->code;
    t.state.expecting = is_yes_no(*q) ? nlp::expectation::yes_no
                        : is_list(*q) ? nlp::expectation::choice
                                      : nlp::expectation::description;
    t.replies.push_back(question_text(t, *q));
    return;
  }
  confirm(t);
}

void clarify_category(turn& t) {
  std::vector<std::string> ids;
  if (t.understood.category && t.category(*t.understood.category)) {
    ids.push_back(*t.understood.category);
  }
  for (const auto& alt : t.understood.category_alternatives) {
    if (ids.size() >= 3)
      break;
    if (t.category(alt.id) && std::find(ids.begin(), ids.end(), alt.id) == ids.end()) {
      ids.push_back(alt.id);
    }
  }
  if (ids.size() < 2) {
    // Nothing much to choose from: a plain question reads better than a one-item menu.
    if (ids.size() == 1)
      set_category(t, ids.front());
    return ask_next(t);
  }
  std::vector<std::string> names;
  for (const auto& id : ids)
    names.push_back(t.category_name(id));
  names.push_back(t.text("something_else"));
  t.state.stage = dialog_stage::clarifying;
  t.state.choice_kind = "category";
  t.state.choices = ids;
  t.state.choices.emplace_back();  // "something else"
  t.state.expecting = nlp::expectation::choice;
  t.say("clarify_category", {{"list", numbered(t, names)}});
}

void start_report(turn& t) {
  drop_draft(t.state);
  merge(t, "");
  const auto& u = t.understood;
  const bool unsure = !confident_category(t) && ((u.category && u.category_confidence > 0) ||
                                                 !u.category_alternatives.empty());
  if (unsure)
    return clarify_category(t);
  ask_next(t);
}

void continue_report(turn& t) {
  const auto& u = t.understood;
  if (u.intent == nlp::intent::cancel) {
    drop_draft(t.state);
    return t.say("draft_cancelled");
  }
  if (t.mentions("wrong_category")) {
    t.state.draft.category.reset();
    t.state.draft.answers.clear();
    return ask_category(t, "ask_category");
  }
  if (u.intent == nlp::intent::check_status || (t.tracking_id() && !t.state.draft.category)) {
    drop_draft(t.state);  // they moved on to something else
    return handle_status(t);
  }
  if (!t.state.asking_question.empty()) {
    const auto* q = find_question(t, t.state.asking_question);
    if (q == nullptr)
      return ask_next(t);
    if (auto answer = read_answer(t, *q)) {
      t.state.draft.answers[q->code] = *answer;
      return ask_next(t);
    }
    return miss(t, "ask_question_again", {{"prompt", question_text(t, *q)}});
  }
  const draft before = t.state.draft;
  const std::string asked = !before.category      ? "category"
                            : location_needed(t)  ? "location"
                            : !before.description ? "description"
                                                  : "";
  merge(t, asked);
  if (asked == "category" && !t.state.draft.category) {
    if ((u.category && u.category_confidence > 0) || !u.category_alternatives.empty()) {
      return clarify_category(t);
    }
    return miss(t, "ask_category_again");
  }
  if (asked == "location" && !t.state.draft.location)
    return miss(t, "ask_location_again");
  ask_next(t);
}

void handle_confirming(turn& t) {
  const auto& u = t.understood;
  draft& d = t.state.draft;
  if (u.intent == nlp::intent::cancel) {
    drop_draft(t.state);
    return t.say("draft_cancelled");
  }
  if (t.mentions("wrong_category")) {
    d.category.reset();
    d.answers.clear();
    return ask_category(t, "ask_category");
  }
  bool changed = false;
  // A web chat may attach the device's position to every message; only a different place
  // is a correction, or "yes" with coordinates could never confirm.
  if (auto where = t.place(); where && (!d.location || where->key != d.location->key)) {
    d.location = *where;
    changed = true;
  }
  if (u.category && d.category) {
    if (*u.category != *d.category && confident_category(t)) {
      set_category(t, *u.category);
      changed = true;
    } else if (*u.category == *d.category && !u.category_alternatives.empty() &&
               u.category_alternatives.front().confidence >= 0.25 &&
               t.category(u.category_alternatives.front().id) != nullptr) {
      // "it's not a pothole, it's a sinkhole": naming the current category beside another
      // one during confirmation means the other one.
      set_category(t, u.category_alternatives.front().id);
      changed = true;
    }
  }
  if (changed)
    return ask_next(t);
  if (u.intent == nlp::intent::affirm)
    return submit(t);
  if (u.intent == nlp::intent::deny) {
    t.state.stage = dialog_stage::clarifying;
    t.state.choice_kind = "fix";
    t.state.choices = fix_choices;
    t.state.expecting = nlp::expectation::choice;
    return t.say("ask_what_to_change");
  }
  miss(t, "confirm_again");
}

void choose_for_report(turn& t, int n) {
  const std::string picked = t.state.choices.at(static_cast<std::size_t>(n - 1));
  const std::string kind = t.state.choice_kind;
  t.state.choices.clear();
  t.state.choice_kind.clear();
  draft& d = t.state.draft;
  if (kind == "category") {
    if (picked.empty())
      return ask_category(t, "ask_category");
    set_category(t, picked);
    return ask_next(t);
  }
  // kind == "fix"
  if (picked == "location") {
    d.location.reset();
  } else if (picked == "category") {
    d.category.reset();
    d.answers.clear();
  } else if (picked == "description") {
    d.description.reset();
  } else {
    drop_draft(t.state);
    return t.say("draft_cancelled");
  }
  ask_next(t);
}

}  // namespace civicline::core::detail
