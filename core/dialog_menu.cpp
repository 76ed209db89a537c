// The short menu that every dead end falls back to, misses, and the reply language.

#include <algorithm>

#include "core/dialog_internal.hpp"

namespace civicline::core::detail {

std::string numbered(const turn& t, const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      list += ", ";
    list += t.text("choice_item", {{"n", std::to_string(i + 1)}, {"name", names[i]}});
  }
  return t.text("choose", {{"list", list}});
}

void show_menu(turn& t, std::string_view key) {
  t.state.stage = dialog_stage::clarifying;
  t.state.choice_kind = "menu";
  // Intent ids, so the NLP reads "1" the same way.
  t.state.choices = {"report_problem", "check_status", "human_agent"};
  t.state.expecting = nlp::expectation::choice;
  t.say(key);
}

void miss(turn& t, std::string_view key, const std::map<std::string, std::string>& values) {
  t.state.misses = t.before.misses + 1;
  if (t.state.misses >= 2) {
    hand_off(t, "not_understood", "handoff_not_understood");
    return;
  }
  if (key == "not_understood") {
    show_menu(t, key);
    t.state.misses = t.before.misses + 1;
    return;
  }
  t.say(key, values);
}

void choose_from_menu(turn& t, int n) {
  t.state.stage = dialog_stage::idle;
  t.state.choices.clear();
  t.state.choice_kind.clear();
  t.state.expecting = nlp::expectation::none;
  if (n == 1) {
    drop_draft(t.state);
    ask_next(t);  // an empty draft: asks what the problem is
  } else if (n == 2) {
    handle_status(t);
  } else {
    hand_off(t, "asked", "handoff");
  }
}

bool handle_language(turn& t) {
  if (const auto lang = t.whole_message_in("switch_to")) {
    t.state.language = *lang;
    t.actions.emplace_back(set_language{*lang});
    t.say("language_switched");
    // Carry on where we were, now in the new language.
    if (t.state.stage == dialog_stage::collecting || t.state.stage == dialog_stage::confirming) {
      ask_next(t);
    } else {
      show_menu(t, "menu");
    }
    return true;
  }
  if (t.message.language) {
    return false;  // the resident chose in the channel (the web chat's switch): that holds
  }
  const auto& u = t.understood;
  const auto& langs = t.config.templates->languages();
  const bool supported = std::find(langs.begin(), langs.end(), u.lang) != langs.end();
  // Only messages that say something in a language switch it: an address, a number or
  // an unreadable message says little about the resident's language.
  const bool telling =
      u.intent != nlp::intent::unknown && u.intent != nlp::intent::provide_location && !t.choice();
  if (supported && telling && u.lang != t.state.language) {
    t.state.language = u.lang;
    t.actions.emplace_back(set_language{u.lang});
  }
  return false;
}

}  // namespace civicline::core::detail
