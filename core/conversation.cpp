#include "core/conversation.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/json_text.hpp"

namespace civicline::core {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<dialog_stage, std::string_view>, 5> stage_names{{
    {dialog_stage::idle, "idle"},
    {dialog_stage::collecting, "collecting"},
    {dialog_stage::confirming, "confirming"},
    {dialog_stage::clarifying, "clarifying"},
    {dialog_stage::waiting_for_staff, "waiting_for_staff"},
}};

constexpr std::array<std::pair<nlp::expectation, std::string_view>, 5> expectation_names{{
    {nlp::expectation::none, "none"},
    {nlp::expectation::location, "location"},
    {nlp::expectation::yes_no, "yes_no"},
    {nlp::expectation::choice, "choice"},
    {nlp::expectation::description, "description"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [e, name] : names) {
    if (e == value)
      return name;
  }
  return names.front().second;
}

template <class E, std::size_t N>
E value_of(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view name) {
  for (const auto& [e, n] : names) {
    if (n == name)
      return e;
  }
  return names.front().first;
}

std::int64_t to_ms(time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
time_point from_ms(std::int64_t ms) {
  return time_point{std::chrono::milliseconds(ms)};
}

// Readers that take the default on a missing field or a field of the wrong type, so an
// older or hand-edited row still loads.
std::string get_string(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::optional<std::string> get_optional_string(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}
std::optional<double> get_optional_number(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number())
    return std::nullopt;
  return it->get<double>();
}
std::optional<time_point> get_optional_time(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer())
    return std::nullopt;
  return from_ms(it->get<std::int64_t>());
}
std::vector<std::string> get_strings(const json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array())
    return out;
  for (const auto& item : *it) {
    if (item.is_string())
      out.push_back(item.get<std::string>());
  }
  return out;
}

/// Writes one JSON object member by member. Callers give the members in key order, as
/// nlohmann::json (a std::map) wrote them, so rows look the same whoever wrote them.
class object_text {
 public:
  explicit object_text(std::string& out) : out_(out) { out_ += '{'; }
  std::string& key(std::string_view name) {
    if (!first_) {
      out_ += ',';
    }
    first_ = false;
    append_json_string(out_, name);
    out_ += ':';
    return out_;
  }
  void text(std::string_view name, std::string_view value) { append_json_string(key(name), value); }
  void number(std::string_view name, double value) { append_json_number(key(name), value); }
  void integer(std::string_view name, std::int64_t value) { append_json_number(key(name), value); }
  void boolean(std::string_view name, bool value) { key(name) += value ? "true" : "false"; }
  void texts(std::string_view name, const std::vector<std::string>& values) {
    std::string& out = key(name);
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      append_json_string(out, values[i]);
    }
    out += ']';
  }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

void write_location(std::string& out, const location& where) {
  object_text j(out);
  j.text("key", where.key);
  if (where.lat)
    j.number("lat", *where.lat);
  if (where.lon)
    j.number("lon", *where.lon);
  j.text("text", where.text);
  j.close();
}

location location_from_json(const json& j) {
  location where;
  where.text = get_string(j, "text");
  where.key = get_string(j, "key");
  where.lat = get_optional_number(j, "lat");
  where.lon = get_optional_number(j, "lon");
  return where;
}

void write_draft(std::string& out, const draft& d) {
  object_text j(out);
  {
    object_text answers(j.key("answers"));
    for (const auto& [question, answer] : d.answers) {  // a std::map: in key order
      answers.text(question, answer);
    }
    answers.close();
  }
  if (d.category)
    j.text("category", *d.category);
  if (d.description)
    j.text("description", *d.description);
  if (d.location)
    write_location(j.key("location"), *d.location);
  j.texts("media_urls", d.media_urls);
  j.close();
}

draft draft_from_json(const json& j) {
  draft d;
  d.category = get_optional_string(j, "category");
  if (const auto it = j.find("location"); it != j.end() && it->is_object()) {
    d.location = location_from_json(*it);
  }
  d.description = get_optional_string(j, "description");
  d.media_urls = get_strings(j, "media_urls");
  if (const auto it = j.find("answers"); it != j.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (value.is_string())
        d.answers[key] = value.get<std::string>();
    }
  }
  return d;
}

}  // namespace

std::string to_json(const conversation_state& state) {
  std::string out;
  out.reserve(512);
  object_text j(out);  // members in key order
  j.text("asking_question", state.asking_question);
  j.text("choice_kind", state.choice_kind);
  j.texts("choices", state.choices);
  write_draft(j.key("draft"), state.draft);
  j.text("expecting", name_of(expectation_names, state.expecting));
  if (state.handoff_at)
    j.integer("handoff_at_ms", to_ms(*state.handoff_at));
  j.text("language", nlp::to_string(state.language));
  if (state.last_activity)
    j.integer("last_activity_ms", to_ms(*state.last_activity));
  j.integer("misses", state.misses);
  j.boolean("opted_out", state.opted_out);
  j.text("pending_note", state.pending_note);
  j.text("recent_request", state.recent_request);
  j.text("stage", name_of(stage_names, state.stage));
  j.integer("version", 1);
  j.close();
  return out;
}

conversation_state conversation_from_json(std::string_view text) {
  conversation_state state;
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return state;  // a corrupt row starts a fresh conversation
  if (auto lang = nlp::language_from_string(get_string(j, "language")))
    state.language = *lang;
  state.stage = value_of(stage_names, get_string(j, "stage"));
  if (const auto it = j.find("draft"); it != j.end() && it->is_object()) {
    state.draft = draft_from_json(*it);
  }
  state.expecting = value_of(expectation_names, get_string(j, "expecting"));
  state.asking_question = get_string(j, "asking_question");
  state.choices = get_strings(j, "choices");
  state.choice_kind = get_string(j, "choice_kind");
  if (const auto it = j.find("misses"); it != j.end() && it->is_number_integer()) {
    state.misses = it->get<int>();
  }
  if (const auto it = j.find("opted_out"); it != j.end() && it->is_boolean()) {
    state.opted_out = it->get<bool>();
  }
  state.last_activity = get_optional_time(j, "last_activity_ms");
  state.handoff_at = get_optional_time(j, "handoff_at_ms");
  state.recent_request = get_string(j, "recent_request");
  state.pending_note = get_string(j, "pending_note");
  return state;
}

}  // namespace civicline::core
