// Handing a conversation to a person: on request, after repeated misunderstanding, or at
// once for an emergency (after telling the resident to call 911).

#include <cstdio>

#include "core/dialog_internal.hpp"

namespace civicline::core::detail {
namespace {

std::string clock_time(nlp::language lang, std::chrono::minutes since_midnight) {
  const auto h = static_cast<int>(since_midnight.count() / 60);
  const auto m = static_cast<int>(since_midnight.count() % 60);
  char buffer[32];
  if (lang == nlp::language::en) {
    const int h12 = h % 12 == 0 ? 12 : h % 12;
    const char* half = h < 12 ? "AM" : "PM";
    if (m == 0) {
      std::snprintf(buffer, sizeof buffer, "%d %s", h12, half);
    } else {
      std::snprintf(buffer, sizeof buffer, "%d:%02d %s", h12, m, half);
    }
  } else {
    std::snprintf(buffer, sizeof buffer, "%d:%02d", h, m);
  }
  return buffer;
}

}  // namespace

std::string when_staff_reply(const turn& t) {
  const business_hours& hours = t.config.hours;
  const auto local = std::chrono::floor<std::chrono::minutes>(t.now) + hours.utc_offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(local - day);
  const unsigned weekday = std::chrono::weekday(std::chrono::sys_days(day)).c_encoding();
  if (hours.days[weekday] && minute >= hours.opens && minute < hours.closes) {
    return t.text("when_open");
  }
  const std::string time = clock_time(t.state.language, hours.opens);
  for (unsigned ahead = 0; ahead < 8; ++ahead) {
    const unsigned wd = (weekday + ahead) % 7;
    if (!hours.days[wd] || (ahead == 0 && minute >= hours.opens))
      continue;
    std::string when;
    if (ahead == 0) {
      when = t.text("day_today", {{"time", time}});
    } else if (ahead == 1) {
      when = t.text("day_tomorrow", {{"time", time}});
    } else {
      const auto& names = t.config.templates->words(t.state.language, "weekdays");
      when = t.text("day_other", {{"day", names.at(wd)}, {"time", time}});
    }
    return t.text("when_later", {{"when", when}});
  }
  return t.text("when_open");  // no business days configured: promise nothing specific
}

void hand_off(turn& t, std::string_view reason, std::string_view key) {
  t.actions.emplace_back(request_handoff{std::string(reason)});
  t.state.stage = dialog_stage::waiting_for_staff;
  t.state.handoff_at = t.now;
  t.state.expecting = nlp::expectation::none;
  t.state.choices.clear();
  t.state.choice_kind.clear();
  t.state.misses = 0;
  t.say(key, {{"when", when_staff_reply(t)}});
}

bool handle_emergency(turn& t) {
  if (!t.mentions("emergency") || t.mentions("emergency_except"))
    return false;
  t.say("emergency");
  hand_off(t, "emergency", "handoff");
  return true;
}

}  // namespace civicline::core::detail
