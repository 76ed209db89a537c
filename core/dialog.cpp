#include "core/dialog.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/dialog_internal.hpp"
#include "core/location.hpp"
#include "nlp/normalize.hpp"

namespace civicline::core {
namespace detail {
namespace {

const std::vector<nlp::language>& all_languages(const turn& t) {
  return t.config.templates->languages();
}

}  // namespace

void turn::say(std::string_view key, const std::map<std::string, std::string>& values) {
  replies.push_back(text(key, values));
}

std::string turn::text(std::string_view key,
                       const std::map<std::string, std::string>& values) const {
  std::map<std::string, std::string> all = values;
  std::string program = config.program_name;
  if (program.empty())
    program = (config.settings ? config.settings->city.name : "City") + " 311";
  all.emplace("program", program);
  all.emplace("contact", config.contact);
  return config.templates->render(state.language, key, all);
}

const config::category* turn::category(std::string_view code) const {
  if (config.settings == nullptr)
    return nullptr;
  for (const auto& c : config.settings->categories) {
    if (c.code == code)
      return &c;
  }
  return nullptr;
}

std::string turn::category_name(std::string_view code) const {
  const config::category* c = category(code);
  if (c == nullptr)
    return std::string(code);
  if (auto it = c->name.find(std::string(nlp::to_string(state.language))); it != c->name.end()) {
    return it->second;
  }
  return c->name.empty() ? c->code : c->name.begin()->second;
}

std::optional<nlp::language> turn::whole_message_in(std::string_view list) const {
  // The resident's own language first: "START" is in both lists and keeps it.
  if (config.templates->phrases(state.language, list).equals(words)) {
    return state.language;
  }
  for (const nlp::language lang : all_languages(*this)) {
    if (lang != state.language && config.templates->phrases(lang, list).equals(words)) {
      return lang;
    }
  }
  return std::nullopt;
}

bool turn::mentions(std::string_view list) const {
  return std::ranges::any_of(all_languages(*this), [&](nlp::language lang) {
    return config.templates->phrases(lang, list).occurs_in(words);
  });
}

std::optional<std::string> turn::tracking_id() const {
  for (const auto& e : understood.entities) {
    if (e.kind == nlp::entity_kind::tracking_id)
      return e.value;
  }
  return std::nullopt;
}

std::optional<core::location> turn::place() const {
  for (const auto& e : understood.entities) {
    if (e.kind == nlp::entity_kind::address) {
      return core::location{e.value, location_key(e.value), message.lat, message.lon};
    }
  }
  for (const auto& e : understood.entities) {
    if (e.kind != nlp::entity_kind::lat_long)
      continue;
    core::location where{e.value, e.value, std::nullopt, std::nullopt};
    const auto comma = e.value.find(',');
    if (comma != std::string::npos) {
      where.lat = std::strtod(e.value.substr(0, comma).c_str(), nullptr);
      where.lon = std::strtod(e.value.substr(comma + 1).c_str(), nullptr);
    }
    return where;
  }
  if (message.lat && message.lon) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6f,%.6f", *message.lat, *message.lon);
    return core::location{buffer, buffer, message.lat, message.lon};
  }
  return std::nullopt;
}

std::optional<int> turn::choice() const {
  if (understood.choice)
    return understood.choice;
  if (words.size() != 1 || words.front().size() > 3)
    return std::nullopt;
  int n = 0;
  const auto& w = words.front();
  const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), n);
  if (ec != std::errc{} || end != w.data() + w.size())
    return std::nullopt;
  return n;
}

std::string turn::text_for_storage() const {
  std::string_view text = message.text;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  if (text.size() <= config.max_text_chars)
    return std::string(text);
  std::size_t cut = config.max_text_chars;
  // Never cut a UTF-8 sequence in half: back up to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return std::string(text.substr(0, cut)) + "...";
}

bool turn::empty() const {
  return words.empty() && message.media_urls.empty();
}

namespace {

bool draft_in_progress(const conversation_state& s) {
  return s.stage == dialog_stage::collecting || s.stage == dialog_stage::confirming ||
         (s.stage == dialog_stage::clarifying && s.choice_kind != "menu" &&
          s.choice_kind != "request" && s.choice_kind != "note");
}

/// Numbered answers while choices are on offer; false when the message is about something
/// else and should be read as if nothing had been asked.
bool handle_clarifying(turn& t) {
  const auto n = t.choice();
  const std::string kind = t.state.choice_kind;
  if (!n) {
    // Not a number: the resident moved on. Let the draft flows read it if one is open.
    if (kind == "category" || kind == "fix") {
      if (kind == "fix")
        t.state.stage = dialog_stage::confirming;
      if (kind == "category")
        t.state.stage = dialog_stage::collecting;
      t.state.choices.clear();
      t.state.choice_kind.clear();
      if (t.state.stage == dialog_stage::confirming) {
        handle_confirming(t);
      } else {
        continue_report(t);
      }
      return true;
    }
    t.state.stage = dialog_stage::idle;
    t.state.choices.clear();
    t.state.choice_kind.clear();
    t.state.pending_note.clear();
    return false;
  }
  const int count = static_cast<int>(t.state.choices.size());
  if (*n < 1 || *n > count) {
    miss(t, "choice_range", {{"count", std::to_string(count)}});
    return true;
  }
  if (kind == "menu") {
    choose_from_menu(t, *n);
  } else if (kind == "request") {
    choose_request(t, *n);
  } else if (kind == "note") {
    choose_note_target(t, *n);
  } else {
    choose_for_report(t, *n);
  }
  return true;
}

void handle_idle(turn& t) {
  if (handle_add_info(t))
    return;
  const auto& u = t.understood;
  if (t.tracking_id() && u.intent != nlp::intent::report_problem)
    return handle_status(t);
  switch (u.intent) {
    case nlp::intent::report_problem:
      if (is_status_of_followed_category(t))
        return handle_status(t);
      return start_report(t);
    case nlp::intent::provide_location:
      return start_report(t);
    case nlp::intent::check_status:
      return handle_status(t);
    case nlp::intent::greeting:
      return show_menu(t, "greeting");
    case nlp::intent::help:
    case nlp::intent::affirm:
    case nlp::intent::deny:
      return show_menu(t, "menu");
    case nlp::intent::opt_out:
      return t.say("info");
    case nlp::intent::thanks:
      return t.say("thanks");
    case nlp::intent::cancel:
      return t.say("nothing_to_cancel");
    case nlp::intent::human_agent:
      return hand_off(t, "asked", "handoff");
    case nlp::intent::unknown:
      if (!t.message.media_urls.empty())
        return start_report(t);
      return miss(t, "not_understood");
  }
}

}  // namespace
}  // namespace detail

nlp::context understanding_context(const conversation_state& state) {
  nlp::context ctx;
  ctx.language_hint = state.language;
  ctx.expecting = state.expecting;
  if (state.stage == dialog_stage::clarifying)
    ctx.choices = state.choices;
  return ctx;
}

conversation_state staff_answered(const conversation_state& state) {
  conversation_state next = state;
  if (next.stage == dialog_stage::waiting_for_staff)
    next.stage = dialog_stage::idle;
  next.handoff_at.reset();
  next.misses = 0;
  next.expecting = nlp::expectation::none;
  return next;
}

step_result step(const conversation_state& state, const inbound_message& message,
                 const nlp::understanding& understood, const dialog_config& config,
                 const world_view& world, time_point now) {
  detail::turn t{state, state, message, understood, config, world, now, {}, {}, {}};
  t.words = split_words(nlp::fold(message.text));
  t.state.misses = 0;  // miss() puts back the count plus one
  const auto finish = [&t] {
    t.state.last_activity = t.now;
    return step_result{std::move(t.state), std::move(t.replies), std::move(t.actions)};
  };

  if (detail::handle_compliance(t))
    return finish();

  if (t.state.stage == dialog_stage::waiting_for_staff) {
    const bool still_waiting =
        t.state.handoff_at && now - *t.state.handoff_at < config.handoff_timeout;
    if (still_waiting) {
      t.state.misses = state.misses;
      return finish();  // staff have it; the bot stays quiet
    }
    t.state = staff_answered(t.state);
  }

  // A draft left alone too long is stale: say so, then read this message afresh.
  if (t.state.last_activity && now - *t.state.last_activity > config.draft_expiry &&
      t.state.stage != dialog_stage::idle) {
    if (detail::draft_in_progress(t.state)) {
      t.say("draft_expired", {{"minutes", std::to_string(config.draft_expiry.count())}});
    }
    detail::drop_draft(t.state);
  }

  if (detail::handle_language(t))
    return finish();
  if (detail::handle_emergency(t))
    return finish();
  if (t.empty()) {
    t.say("empty_message");
    return finish();
  }
  if (understood.intent == nlp::intent::human_agent) {
    detail::hand_off(t, "asked", "handoff");
    return finish();
  }

  switch (t.state.stage) {
    case dialog_stage::clarifying:
      if (!detail::handle_clarifying(t))
        detail::handle_idle(t);
      break;
    case dialog_stage::collecting:
      detail::continue_report(t);
      break;
    case dialog_stage::confirming:
      detail::handle_confirming(t);
      break;
    case dialog_stage::idle:
    case dialog_stage::waiting_for_staff:
      detail::handle_idle(t);
      break;
  }
  return finish();
}

}  // namespace civicline::core
