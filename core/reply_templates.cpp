#include "core/reply_templates.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "nlp/normalize.hpp"

namespace civicline::core {
namespace {

using json = nlohmann::json;

// Every placeholder a template may use. {tracking_id} and {status_url} are left in place by
// render() when no value is given, because the inbox fills them only after the request exists.
const std::set<std::string, std::less<>>& known_placeholders() {
  static const std::set<std::string, std::less<>> names{
      "program", "contact", "tracking_id", "category", "location", "description", "sla",
      "status",  "updated", "list",        "when",     "prompt",   "count",       "n",
      "name",    "minutes", "time",        "day",      "original", "note",        "status_url"};
  return names;
}

/// Checks that every {name} in `text` is known; returns the first unknown one.
std::optional<std::string> unknown_placeholder(std::string_view text) {
  std::size_t pos = 0;
  while ((pos = text.find('{', pos)) != std::string_view::npos) {
    const std::size_t end = text.find('}', pos);
    if (end == std::string_view::npos)
      return std::string(text.substr(pos));
    const std::string_view name = text.substr(pos + 1, end - pos - 1);
    if (!known_placeholders().contains(name))
      return std::string(name);
    pos = end + 1;
  }
  return std::nullopt;
}

/// Decodes one UTF-8 code point at `i`; invalid bytes read as U+FFFD (one byte).
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  auto byte = [&](std::size_t k) { return static_cast<char32_t>(s[i + k] & 0x3F); };
  if (b0 < 0x80) {
    i += 1;
    return b0;
  }
  if ((b0 & 0xE0) == 0xC0 && cont(1)) {
    const char32_t cp = (static_cast<char32_t>(b0 & 0x1F) << 6) | byte(1);
    i += 2;
    return cp;
  }
  if ((b0 & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    const char32_t cp = (static_cast<char32_t>(b0 & 0x0F) << 12) | (byte(1) << 6) | byte(2);
    i += 3;
    return cp;
  }
  if ((b0 & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    const char32_t cp =
        (static_cast<char32_t>(b0 & 0x07) << 18) | (byte(1) << 12) | (byte(2) << 6) | byte(3);
    i += 4;
    return cp;
  }
  i += 1;
  return 0xFFFD;
}

// GSM 03.38 default alphabet (one septet each) and its extension table (escape + one).
constexpr std::u32string_view gsm_basic =
    U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    U"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
constexpr std::u32string_view gsm_extension = U"^{}\\[~]|€\f";

}  // namespace

const std::vector<std::string_view>& reply_templates::required_keys() {
  static const std::vector<std::string_view> keys{"greeting",
                                                  "menu",
                                                  "not_understood",
                                                  "thanks",
                                                  "empty_message",
                                                  "ask_category",
                                                  "ask_category_again",
                                                  "ask_location",
                                                  "ask_location_again",
                                                  "ask_description",
                                                  "ask_question_again",
                                                  "choose",
                                                  "choice_item",
                                                  "choice_range",
                                                  "confirm",
                                                  "confirm_no_location",
                                                  "confirm_again",
                                                  "ask_what_to_change",
                                                  "draft_cancelled",
                                                  "nothing_to_cancel",
                                                  "draft_expired",
                                                  "created",
                                                  "duplicate_found",
                                                  "clarify_category",
                                                  "something_else",
                                                  "status_public",
                                                  "status_detail",
                                                  "status_not_found",
                                                  "status_none",
                                                  "status_pick",
                                                  "status_list_item",
                                                  "note_added",
                                                  "note_pick",
                                                  "note_closed",
                                                  "note_not_yours",
                                                  "handoff",
                                                  "handoff_not_understood",
                                                  "when_open",
                                                  "when_later",
                                                  "day_today",
                                                  "day_tomorrow",
                                                  "day_other",
                                                  "emergency",
                                                  "opted_in",
                                                  "info",
                                                  "language_switched",
                                                  "photo",
                                                  "sla_hour",
                                                  "sla_hours",
                                                  "sla_day",
                                                  "sla_days",
                                                  "sla_week",
                                                  "sla_weeks",
                                                  "status_new",
                                                  "status_acknowledged",
                                                  "status_in_progress",
                                                  "status_resolved",
                                                  "status_closed",
                                                  "status_duplicate",
                                                  "status_rejected",
                                                  "status_reopened",
                                                  "status_update",
                                                  "request_merged",
                                                  "rate_limited"};
  return keys;
}

const std::vector<std::string_view>& reply_templates::required_word_lists() {
  static const std::vector<std::string_view> lists{
      "opt_out",          "opt_in",    "info",           "emergency",
      "emergency_except", "switch_to", "wrong_category", "add_info",
      "filler",           "weekdays",  "months"};
  return lists;
}

reply_templates reply_templates::compile(
    const std::vector<std::pair<std::string, std::string>>& sources) {
  reply_templates out;
  for (const auto& [label, text] : sources) {
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object())
      throw template_error(label + ": not a JSON object");
    const auto lang_it = doc.find("language");
    if (lang_it == doc.end() || !lang_it->is_string()) {
      throw template_error(label + ": language: missing; expected \"en\" or \"es\"");
    }
    const auto lang = nlp::language_from_string(lang_it->get<std::string>());
    if (!lang)
      throw template_error(label + ": language: unsupported " + lang_it->dump());
    if (std::find(out.languages_.begin(), out.languages_.end(), *lang) != out.languages_.end()) {
      throw template_error(label + ": language: " + lang_it->get<std::string>() +
                           " is defined twice");
    }
    out.languages_.push_back(*lang);

    const auto replies = doc.find("replies");
    if (replies == doc.end() || !replies->is_object()) {
      throw template_error(label + ": replies: missing; expected an object of key -> text");
    }
    for (const auto& [key, value] : replies->items()) {
      if (!value.is_string())
        throw template_error(label + ": replies." + key + ": not a string");
      const auto& keys = required_keys();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        throw template_error(label + ": replies." + key + ": unknown key");
      }
      if (auto bad = unknown_placeholder(value.get<std::string>())) {
        throw template_error(label + ": replies." + key + ": unknown placeholder {" + *bad + "}");
      }
      out.texts_[{*lang, key}] = value.get<std::string>();
    }
    for (const auto key : required_keys()) {
      if (!out.texts_.contains(std::pair{*lang, std::string(key)})) {
        throw template_error(label + ": replies." + std::string(key) + ": missing");
      }
    }

    const auto words = doc.find("words");
    if (words == doc.end() || !words->is_object()) {
      throw template_error(label + ": words: missing; expected an object of list -> [words]");
    }
    for (const auto list : required_word_lists()) {
      const auto it = words->find(std::string(list));
      if (it == words->end() || !it->is_array()) {
        throw template_error(label + ": words." + std::string(list) + ": missing list");
      }
      std::vector<std::string> folded;
      for (const auto& w : *it) {
        if (!w.is_string())
          throw template_error(label + ": words." + std::string(list) +
                               ": every entry must be a string");
        // Month and weekday names are shown to residents; the rest are matched, so fold them.
        const bool shown = list == "weekdays" || list == "months";
        folded.push_back(shown ? w.get<std::string>() : nlp::fold(w.get<std::string>()));
      }
      out.phrases_[{*lang, std::string(list)}] = phrase_index(folded);
      out.words_[{*lang, std::string(list)}] = std::move(folded);
    }
    if (out.words_[{*lang, "weekdays"}].size() != 7 || out.words_[{*lang, "months"}].size() != 12) {
      throw template_error(label + ": words: weekdays needs 7 names (Sunday first), months 12");
    }
  }
  if (out.languages_.empty())
    throw template_error("reply templates: no template files");
  return out;
}

std::string reply_templates::render(nlp::language lang, std::string_view key,
                                    const std::map<std::string, std::string>& values) const {
  auto it = texts_.find(std::pair{lang, std::string(key)});
  if (it == texts_.end() && !languages_.empty()) {
    it = texts_.find(std::pair{languages_.front(), std::string(key)});
  }
  if (it == texts_.end())
    return std::string(key);
  const std::string& text = it->second;
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('{', pos);
    const std::size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) {
      out.append(text, pos);
      break;
    }
    out.append(text, pos, open - pos);
    const auto value = values.find(text.substr(open + 1, close - open - 1));
    if (value != values.end()) {
      out += value->second;
    } else {
      out.append(text, open, close - open + 1);
    }
    pos = close + 1;
  }
  return out;
}

std::vector<std::tuple<nlp::language, std::string, std::string>> reply_templates::all() const {
  std::vector<std::tuple<nlp::language, std::string, std::string>> out;
  for (const auto& [key, text] : texts_)
    out.emplace_back(key.first, key.second, text);
  return out;
}

const std::vector<std::string>& reply_templates::words(nlp::language lang,
                                                       std::string_view list) const {
  static const std::vector<std::string> none;
  auto it = words_.find(std::pair{lang, std::string(list)});
  if (it == words_.end() && !languages_.empty()) {
    it = words_.find(std::pair{languages_.front(), std::string(list)});
  }
  return it == words_.end() ? none : it->second;
}

const phrase_index& reply_templates::phrases(nlp::language lang, std::string_view list) const {
  static const phrase_index none;
  auto it = phrases_.find(std::pair{lang, std::string(list)});
  if (it == phrases_.end() && !languages_.empty()) {
    it = phrases_.find(std::pair{languages_.front(), std::string(list)});
  }
  return it == phrases_.end() ? none : it->second;
}

int sms_segments(std::string_view utf8_text) {
  if (utf8_text.empty())
    return 0;
  std::size_t septets = 0;
  std::size_t utf16_units = 0;
  bool gsm = true;
  for (std::size_t i = 0; i < utf8_text.size();) {
    const char32_t cp = next_code_point(utf8_text, i);
    utf16_units += cp > 0xFFFF ? 2 : 1;
    if (gsm_basic.find(cp) != std::u32string_view::npos) {
      septets += 1;
    } else if (gsm_extension.find(cp) != std::u32string_view::npos) {
      septets += 2;
    } else {
      gsm = false;
    }
  }
  const auto parts = [](std::size_t units, std::size_t single, std::size_t multi) {
    return units <= single ? 1 : static_cast<int>((units + multi - 1) / multi);
  };
  return gsm ? parts(septets, 160, 153) : parts(utf16_units, 70, 67);
}

}  // namespace civicline::core
