// Scripted multi-turn conversations (tests/core/conversations/*.txt) through the real
// lexicon, templates and dialog. The format is described in docs/CONVERSATIONS.md:
//   == name                 a fresh conversation and world
//   = world request ID CATEGORY STATUS "PLACE" [follow] [age 3d]
//   = world next 311-000200 the tracking id the next created request gets
//   @ now +31m              advance the clock (m, h or d)
//   @ channel web_chat      the channel of the following messages
//   > text                  the resident writes (">" alone: an empty message)
//   >* 10240 word           the word repeated, space separated
//   < regex                 the next reply must match (every reply needs one, in order)
//   ! kind field=value field~regex   the next action (every action needs one, in order)
//   ? field=value           the state after the turn (stage, language, opted_out, ...)
//   # comment
// The state goes through to_json / conversation_from_json between turns, as across a
// restart.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

// GCC 12 at -O1 with sanitizers reports a false -Wmaybe-uninitialized inside std::regex's
// std::function (libstdc++ headers); the pragma covers only those headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "core/dialog.hpp"
#include "core/location.hpp"
#include "nlp/understand.hpp"
#include "test_support.hpp"
#include "test_world.hpp"

namespace civicline::core::testing {
namespace {

using namespace std::chrono_literals;

// Wednesday 2026-03-04, 10:00 in Phoenix (UTC-7): inside business hours.
const time_point start_time = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 17h;

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  bool any = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any)
        out.push_back(current);
      current.clear();
      any = false;
    } else {
      current += c;
      any = true;
    }
  }
  if (any)
    out.push_back(current);
  return out;
}

std::map<std::string, std::string> describe(const action& a) {
  return std::visit(
      [](const auto& x) -> std::map<std::string, std::string> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, create_request>) {
          std::map<std::string, std::string> m{
              {"kind", "create_request"},
              {"category", x.draft.category.value_or("")},
              {"location", x.draft.location ? x.draft.location->text : ""},
              {"description", x.draft.description.value_or("")}};
          for (const auto& [k, v] : x.draft.answers)
            m["answers." + k] = v;
          return m;
        } else if constexpr (std::is_same_v<T, follow_request>) {
          return {{"kind", "follow_request"}, {"tracking_id", x.tracking_id}};
        } else if constexpr (std::is_same_v<T, add_resident_note>) {
          return {{"kind", "add_resident_note"}, {"tracking_id", x.tracking_id}, {"text", x.text}};
        } else if constexpr (std::is_same_v<T, request_handoff>) {
          return {{"kind", "request_handoff"}, {"reason", x.reason}};
        } else if constexpr (std::is_same_v<T, set_opt_out>) {
          return {{"kind", "set_opt_out"}, {"opted_out", x.opted_out ? "true" : "false"}};
        } else {
          return {{"kind", "set_language"}, {"lang", std::string(nlp::to_string(x.lang))}};
        }
      },
      a);
}

std::string show(const std::map<std::string, std::string>& fields) {
  std::string out = fields.count("kind") ? fields.at("kind") : "?";
  for (const auto& [k, v] : fields) {
    if (k != "kind")
      out += " " + k + "=\"" + v + "\"";
  }
  return out;
}

std::map<std::string, std::string> state_fields(const conversation_state& s) {
  static const char* stages[] = {"idle", "collecting", "confirming", "clarifying",
                                 "waiting_for_staff"};
  return {{"stage", stages[static_cast<int>(s.stage)]},
          {"language", std::string(nlp::to_string(s.language))},
          {"opted_out", s.opted_out ? "true" : "false"},
          {"misses", std::to_string(s.misses)},
          {"category", s.draft.category.value_or("")},
          {"location", s.draft.location ? s.draft.location->text : ""},
          {"description", s.draft.description.value_or("")},
          {"choice_kind", s.choice_kind}};
}

/// Checks `field=value` (exact) or `field~regex` against fields; "" when it holds.
std::string check_field(const std::map<std::string, std::string>& fields, const std::string& spec) {
  const auto op = spec.find_first_of("=~");
  if (op == std::string::npos)
    return "bad expectation '" + spec + "'";
  const std::string key = spec.substr(0, op);
  const std::string want = spec.substr(op + 1);
  const auto it = fields.find(key);
  if (it == fields.end())
    return "no field '" + key + "'";
  const bool ok =
      spec[op] == '=' ? it->second == want : std::regex_search(it->second, std::regex(want));
  return ok ? "" : key + " is \"" + it->second + "\", expected " + spec.substr(op);
}

struct runner {
  const city& c = demo_city();
  dialog_config config;
  std::string file;
  std::string conversation;
  conversation_state state;
  test_world world;
  time_point now = start_time;
  core::channel channel = core::channel::sms;
  step_result last;
  std::size_t reply_index = 0;
  std::size_t action_index = 0;
  int expect_line = 0;
  int turn_line = 0;
  std::string last_text;
  int turns = 0;

  runner() {
    config.settings = &c.settings;
    config.templates = &c.templates;
    config.hours.utc_offset = std::chrono::minutes(-7 * 60);
    config.contact = "Call 311 or visit democity.gov/311.";
  }

  std::string where(int line) const {
    return file + ":" + std::to_string(line) + " (" + conversation + ")";
  }

  std::string transcript() const {
    std::string out = "after > " + last_text.substr(0, 200) + "\n";
    for (const auto& r : last.replies)
      out += "  < " + r + "\n";
    for (const auto& a : last.actions)
      out += "  ! " + show(describe(a)) + "\n";
    return out;
  }

  void finish_turn() {
    if (turns == 0)
      return;
    if (reply_index != last.replies.size()) {
      FAIL_CHECK(where(turn_line) << ": " << last.replies.size() << " replies, the script expects "
                                  << reply_index << "\n"
                                  << transcript());
    }
    if (action_index != last.actions.size()) {
      FAIL_CHECK(where(turn_line) << ": " << last.actions.size() << " actions, the script expects "
                                  << action_index << "\n"
                                  << transcript());
    }
    reply_index = action_index = 0;
    turns = 0;
  }

  void fresh(std::string name) {
    finish_turn();
    conversation = std::move(name);
    state = {};
    world = {};
    now = start_time;
    channel = core::channel::sms;
  }

  void send(std::string text, int line) {
    finish_turn();
    // Through JSON between turns, as if the server had restarted.
    state = conversation_from_json(to_json(state));
    inbound_message message;
    message.from = {channel, "+15550001111"};
    message.text = text;
    message.received_at = now;
    const auto understood = nlp::understand(text, *c.lexicon, understanding_context(state));
    last = step(state, message, understood, config, world, now);
    std::string created;
    for (const auto& a : last.actions) {
      if (auto id = world.apply(a, now); !id.empty())
        created = id;
    }
    for (auto& reply : last.replies) {
      for (auto pos = reply.find("{tracking_id}"); pos != std::string::npos && !created.empty();
           pos = reply.find("{tracking_id}")) {
        reply.replace(pos, 13, created);
      }
    }
    state = last.state;
    last_text = std::move(text);
    turn_line = line;
    turns = 1;
  }

  void expect_reply(const std::string& pattern, int line) {
    if (reply_index >= last.replies.size()) {
      FAIL_CHECK(where(line) << ": expected a reply matching /" << pattern << "/, got none\n"
                             << transcript());
      ++reply_index;
      return;
    }
    const std::string& reply = last.replies[reply_index++];
    if (!std::regex_search(reply, std::regex(pattern, std::regex::icase))) {
      FAIL_CHECK(where(line) << ": reply " << reply_index << " does not match /" << pattern << "/\n"
                             << transcript());
    }
  }

  void expect_action(const std::vector<std::string>& fields, int line) {
    if (action_index >= last.actions.size()) {
      FAIL_CHECK(where(line) << ": expected action " << fields.at(0) << ", got none\n"
                             << transcript());
      ++action_index;
      return;
    }
    auto actual = describe(last.actions[action_index++]);
    std::string problem = actual["kind"] == fields.at(0) ? "" : "kind is " + actual["kind"];
    for (std::size_t i = 1; i < fields.size() && problem.empty(); ++i) {
      problem = check_field(actual, fields[i]);
    }
    if (!problem.empty())
      FAIL_CHECK(where(line) << ": " << problem << "\n" << transcript());
  }

  void expect_state(const std::vector<std::string>& fields, int line) {
    const auto actual = state_fields(state);
    for (const auto& f : fields) {
      if (auto problem = check_field(actual, f); !problem.empty()) {
        FAIL_CHECK(where(line) << ": state " << problem << "\n" << transcript());
      }
    }
  }

  void world_line(const std::vector<std::string>& f, int line) {
    if (f.size() >= 2 && f[0] == "next") {
      world.next_number = std::stoi(f[1].substr(f[1].rfind('-') + 1));
      return;
    }
    if (f.size() < 5 || f[0] != "request") {
      FAIL_CHECK(where(line) << ": bad world line");
      return;
    }
    service_request r;
    r.tracking_id = f[1];
    r.category = f[2];
    r.status = status_from_string(f[3]).value_or(request_status::new_request);
    r.location = {f[4], location_key(f[4]), std::nullopt, std::nullopt};
    r.created_at = r.updated_at = now;
    bool follow = false;
    for (std::size_t i = 5; i < f.size(); ++i) {
      if (f[i] == "follow")
        follow = true;
      if (f[i] == "age" && i + 1 < f.size()) {
        r.created_at -= std::chrono::days(std::stoi(f[i + 1]));
        r.updated_at = r.created_at;
      }
      if (f[i] == "duplicate_of" && i + 1 < f.size())
        r.duplicate_of = f[i + 1];
    }
    world.put(r, follow);
  }

  void run(const std::filesystem::path& path) {
    file = path.filename().string();
    std::ifstream in(path);
    std::string line;
    int number = 0;
    fresh("start");
    while (std::getline(in, line)) {
      ++number;
      if (line.empty() || line[0] == '#')
        continue;
      const std::string rest = line.size() > 2 ? line.substr(2) : "";
      if (line.rfind("==", 0) == 0) {
        fresh(line.size() > 3 ? line.substr(3) : "");
      } else if (line.rfind(">*", 0) == 0) {
        const auto f = split_fields(line.substr(2));
        std::string text;
        for (int i = 0; i < std::stoi(f.at(0)); ++i)
          text += (i ? " " : "") + f.at(1);
        send(text, number);
      } else if (line[0] == '>') {
        send(rest, number);
      } else if (line[0] == '<') {
        expect_reply(rest, number);
      } else if (line[0] == '!') {
        expect_action(split_fields(rest), number);
      } else if (line[0] == '?') {
        expect_state(split_fields(rest), number);
      } else if (line[0] == '=') {
        const auto f = split_fields(rest);
        world_line(std::vector<std::string>(f.begin() + (f.empty() ? 0 : 1), f.end()), number);
      } else if (line[0] == '@') {
        const auto f = split_fields(rest);
        if (f.size() == 2 && f[0] == "now") {
          const int n = std::stoi(f[1].substr(1, f[1].size() - 2));
          const char unit = f[1].back();
          now += unit == 'm'   ? std::chrono::minutes(n)
                 : unit == 'h' ? std::chrono::minutes(n * 60)
                               : std::chrono::minutes(n * 60 * 24);
        } else if (f.size() == 2 && f[0] == "channel") {
          channel = channel_from_string(f[1]).value_or(core::channel::sms);
        } else {
          FAIL_CHECK(where(number) << ": bad @ line");
        }
      } else {
        FAIL_CHECK(where(number) << ": unknown line '" << line << "'");
      }
    }
    finish_turn();
  }
};

std::vector<std::filesystem::path> fixture_files() {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir =
      std::filesystem::path(CIVICLINE_SOURCE_DIR) / "tests" / "core" / "conversations";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("scripted conversations run as written", "[dialog][conversations]") {
  const auto files = fixture_files();
  REQUIRE(files.size() >= 2);
  for (const auto& path : files) {
    DYNAMIC_SECTION(path.filename().string()) {
      runner r;
      r.run(path);
    }
  }
}

TEST_CASE("the fixture runner reads replies and actions from the real step", "[dialog]") {
  // The runner's checks compare against what step() really said: a wrong expectation fails.
  runner r;
  r.file = "inline";
  r.send("hi", 1);
  REQUIRE(r.last.replies.size() == 1);
  CHECK_FALSE(std::regex_search(r.last.replies[0], std::regex("this text is in no reply")));
  CHECK(check_field({{"kind", "x"}}, "kind=y") == "kind is \"x\", expected =y");
  r.turns = 0;
}

}  // namespace civicline::core::testing
