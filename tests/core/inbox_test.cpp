// The inbox and the request lifecycle on a real SQLite file: one durable
// transaction per message, restarts between turns, provider retries, status
// changes that notify followers through the outbox.

#include "core/inbox.hpp"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>

#include "core/clock_text.hpp"
#include "core/requests.hpp"
#include "storage/service_requests.hpp"
#include "test_support.hpp"

namespace civicline::core {
namespace {

using namespace std::chrono_literals;

/// A database file in a fresh temp folder, removed at the end of the test.
struct temp_database {
  std::filesystem::path dir;
  temp_database() {
    static std::atomic<int> counter{0};
    dir = std::filesystem::temp_directory_path() /
          ("civicline-inbox-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
  }
  ~temp_database() { std::filesystem::remove_all(dir); }
  storage::database_options options() const { return {dir / "test.db", 2, 5000ms, 64}; }
};

const time_point t0 = from_iso8601("2026-03-04T17:00:00.000Z").value();

struct harness {
  storage::database db;
  inbox box;
  /// `settings` must outlive the harness; the demo city's by default.
  explicit harness(const temp_database& temp,
                   const config::settings& settings = testing::demo_city().settings)
      : db(temp.options()), box(db, settings, [] {
          const auto& city = testing::demo_city();
          return knowledge{city.lexicon, std::make_shared<const reply_templates>(city.templates)};
        }) {}

  turn_result say(const std::string& who, const std::string& text, time_point at = t0,
                  std::string external_id = "") {
    inbound_message message;
    message.from = {channel::sms, who};
    message.text = text;
    message.received_at = at;
    message.external_id = std::move(external_id);
    return box.receive_and_wait(std::move(message));
  }

  /// A web chat message, with the device's location when given.
  turn_result say_from(const std::string& who, const std::string& text, std::optional<double> lat,
                       std::optional<double> lon, time_point at) {
    inbound_message message;
    message.from = {channel::web_chat, who};
    message.text = text;
    message.lat = lat;
    message.lon = lon;
    message.received_at = at;
    return box.receive_and_wait(std::move(message));
  }
};

/// The demo city with one change, for tests of a setting.
config::settings demo_settings_with(const std::function<void(config::settings&)>& change) {
  config::settings settings = testing::demo_city().settings;
  change(settings);
  return settings;
}

config::category& category_of(config::settings& settings, std::string_view code) {
  for (auto& c : settings.categories) {
    if (c.code == code) {
      return c;
    }
  }
  throw std::logic_error("no category " + std::string(code));
}

std::vector<storage::outbox_event> events(storage::database& db) {
  return db.read([](SQLite::Database& c) { return storage::outbox_events_after(c, 0, 1000); });
}

std::size_t count_events(storage::database& db, std::string_view type) {
  std::size_t n = 0;
  for (const auto& e : events(db)) {
    n += e.type == type;
  }
  return n;
}

}  // namespace

TEST_CASE("a report becomes a request with history, a follower and outbox events", "[inbox]") {
  temp_database temp;
  harness h(temp);
  const auto first = h.say("+15550001111", "pothole at 55 N Center St, pretty deep");
  REQUIRE(first.replies.size() == 1);
  CHECK_FALSE(first.created_tracking_id);
  const auto second = h.say("+15550001111", "yes", t0 + 1min);
  REQUIRE(second.created_tracking_id == "311-000001");
  REQUIRE(second.replies.size() == 1);
  CHECK(second.replies[0].find("311-000001") != std::string::npos);
  CHECK(second.replies[0].find("{tracking_id}") == std::string::npos);

  h.db.read([&](SQLite::Database& c) {
    const auto request = storage::find_request(c, "311-000001");
    REQUIRE(request);
    CHECK(request->category == "pothole");
    CHECK(request->status == "new");
    CHECK(request->location_text == "55 N Center St");
    CHECK(request->due_at == "2026-03-07T17:01:00.000Z");  // 72 hours
    const auto followers = storage::followers_of(c, request->id);
    REQUIRE(followers.size() == 1);
    CHECK(followers[0].role == "reporter");
    const auto history = storage::request_history(c, request->id);
    REQUIRE(history.size() == 1);
    CHECK(history[0].field == "created");
    CHECK(storage::conversation_messages(c, second.resident_id, 10).size() == 4);
    return 0;
  });
  CHECK(count_events(h.db, "request.created") == 1);
  CHECK(count_events(h.db, "message.received") == 2);
  for (const auto& e : events(h.db)) {
    INFO(e.payload_json);
    CHECK(e.payload_json.find("+1555") == std::string::npos);  // no phone numbers in events
  }
}

TEST_CASE("event ids are unique, evt_ and 24 hex digits, and sort by the time of the event",
          "[inbox]") {
  // Time-led, so that their unique index grows at one end (docs/PERFORMANCE.md).
  temp_database temp;
  harness h(temp);
  h.say("+15550001111", "pothole at 55 N Center St, pretty deep");
  h.say("+15550001111", "yes", t0 + 1min);
  h.say("+15550002222", "streetlight out at 300 W Main St", t0 + 2h);
  const auto all = events(h.db);  // in row order, which is the order they happened
  REQUIRE(all.size() >= 4);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& id = all[i].event_id;
    INFO(id);
    REQUIRE(id.size() == 28);
    CHECK(id.rfind("evt_", 0) == 0);
    CHECK(id.find_first_not_of("0123456789abcdef", 4) == std::string::npos);
    CHECK(seen.insert(id).second);
    if (i > 0 && all[i].created_at > all[i - 1].created_at) {
      CHECK(all[i - 1].event_id < id);
    }
  }
  // The first 12 hex digits are the event's time in milliseconds.
  const auto millis = std::stoull(all.back().event_id.substr(4, 12), nullptr, 16);
  CHECK(millis ==
        static_cast<unsigned long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>((t0 + 2h).time_since_epoch())
                .count()));
}

TEST_CASE("a restart between any two turns continues where the conversation was", "[inbox]") {
  temp_database temp;
  const std::vector<std::pair<std::string, std::string>> turns{
      {"i want to report a broken streetlight", "Where is it?"},
      {"corner of Main and Center", "describe"},
      {"it has been dark for a week", "YES"},
      {"yes", "311-000001"},
  };
  auto at = t0;
  for (const auto& [text, expected] : turns) {
    harness h(temp);  // a new database object and inbox each turn: nothing kept in memory
    const auto turn = h.say("+15550002222", text, at);
    at += 2min;
    REQUIRE(turn.replies.size() == 1);
    INFO(text << " -> " << turn.replies[0]);
    CHECK(turn.replies[0].find(expected) != std::string::npos);
  }
}

TEST_CASE("a provider retry of the same message is not handled twice", "[inbox]") {
  temp_database temp;
  harness h(temp);
  h.say("+15550003333", "graffiti at 12 W Main St, big tags all over the wall", t0, "SM1");
  const auto created = h.say("+15550003333", "yes", t0 + 1min, "SM2");
  REQUIRE(created.created_tracking_id);
  const auto retry = h.say("+15550003333", "yes", t0 + 2min, "SM2");
  CHECK(retry.repeated_delivery);
  CHECK(retry.replies == created.replies);  // the same answer, not a second turn
  CHECK(count_events(h.db, "request.created") == 1);
}

TEST_CASE("a sender over the per-minute limit is told once to wait, then not answered", "[inbox]") {
  temp_database temp;
  const auto settings =
      demo_settings_with([](config::settings& s) { s.sms.max_messages_per_minute = 3; });
  harness h(temp, settings);
  for (int i = 0; i < 3; ++i) {
    const auto turn = h.say("+15550009999", "hello", t0 + std::chrono::seconds(i));
    CHECK_FALSE(turn.rate_limited);
    CHECK(turn.replies.size() == 1);
  }
  const auto fourth = h.say("+15550009999", "hello?", t0 + 4s);
  CHECK(fourth.rate_limited);
  REQUIRE(fourth.replies.size() == 1);
  CHECK(fourth.replies[0].find("wait a minute") != std::string::npos);
  const auto fifth = h.say("+15550009999", "pothole on main st", t0 + 5s);
  CHECK(fifth.rate_limited);
  CHECK(fifth.replies.empty());
  CHECK(count_events(h.db, "request.created") == 0);
  // Every message is kept for staff even when not answered.
  const auto stored = h.db.read([&](SQLite::Database& db) {
    auto resident = storage::find_resident_by_address(db, "sms", "+15550009999");
    return storage::conversation_messages(db, resident->id, 100);
  });
  CHECK(std::count_if(stored.begin(), stored.end(),
                      [](const auto& m) { return m.direction == "in"; }) == 5);
  // A minute later the sender is answered again; another sender never was limited.
  CHECK_FALSE(h.say("+15550009999", "hello", t0 + 70s).rate_limited);
  CHECK_FALSE(h.say("+15550008888", "hello", t0 + 5s).rate_limited);
}

TEST_CASE("replies for a provider that answers through its API are queued, not returned",
          "[inbox]") {
  temp_database temp;
  harness h(temp);
  inbound_message message;
  message.from = {channel::sms, "+15550007777"};
  message.text = "hi";
  message.received_at = t0;
  message.external_id = "vonage-1";
  message.reply_via = "vonage";
  const auto turn = h.box.receive_and_wait(message);
  CHECK(turn.replies.empty());
  CHECK(turn.queued_replies == 1);
  const auto due = h.db.read([&](SQLite::Database& db) {
    return storage::due_notifications(db, "sms", to_iso8601(t0), 10);
  });
  REQUIRE(due.size() == 1);
  CHECK(due[0].via == "vonage");
  CHECK(due[0].address == "+15550007777");
}

TEST_CASE("a second report of the same problem follows the first instead", "[inbox]") {
  temp_database temp;
  harness h(temp);
  h.say("+15550004444", "pothole at 55 N Center St, deep one");
  REQUIRE(h.say("+15550004444", "yes", t0 + 1min).created_tracking_id == "311-000001");
  h.say("+15550005555", "there's a pothole at 55 north center street, big and deep", t0 + 1h);
  const auto second = h.say("+15550005555", "yes", t0 + 1h + 1min);
  CHECK_FALSE(second.created_tracking_id);
  REQUIRE_FALSE(second.replies.empty());
  CHECK(second.replies[0].find("311-000001") != std::string::npos);
  h.db.read([](SQLite::Database& c) {
    CHECK(storage::followers_of(c, 1).size() == 2);
    CHECK_FALSE(storage::find_request(c, "311-000002"));
    return 0;
  });
}

TEST_CASE("a category with a duplicate window of 0 never merges reports", "[inbox][duplicates]") {
  temp_database temp;
  const auto settings = demo_settings_with([](config::settings& s) {
    category_of(s, "pothole").duplicate_window = std::chrono::days(0);
  });
  harness h(temp, settings);
  h.say("+15550004444", "pothole at 55 N Center St, deep one");
  REQUIRE(h.say("+15550004444", "yes", t0 + 1min).created_tracking_id == "311-000001");
  h.say("+15550005555", "there's a pothole at 55 north center street, big and deep", t0 + 1h);
  CHECK(h.say("+15550005555", "yes", t0 + 1h + 1min).created_tracking_id == "311-000002");
}

TEST_CASE("a report outside the category's duplicate window is a new request",
          "[inbox][duplicates]") {
  temp_database temp;
  harness h(temp);  // noise: 1 day in the demo city
  h.say("+15550004444", "loud music at 12 W Main St every night, very loud");
  const auto first = h.say("+15550004444", "yes", t0 + 1min);
  REQUIRE(first.created_tracking_id == "311-000001");
  h.say("+15550005555", "loud music at 12 W Main St again, all night long", t0 + 26h);
  const auto later = h.say("+15550005555", "yes", t0 + 26h + 1min);
  CHECK(later.created_tracking_id == "311-000002");
}

TEST_CASE("a report with coordinates within the radius follows the open request there",
          "[inbox][duplicates]") {
  temp_database temp;
  harness h(temp);  // 30 m in the demo city
  constexpr double lat = 33.4152;
  constexpr double lon = -111.8315;
  constexpr double metre = 1.0 / 111'195;  // of latitude
  h.say_from("web-a", "pothole right here, very deep", lat, lon, t0);
  REQUIRE(h.say_from("web-a", "yes", {}, {}, t0 + 1min).created_tracking_id == "311-000001");

  h.say_from("web-b", "big pothole here, deep one", lat + 12 * metre, lon, t0 + 1h);
  const auto near = h.say_from("web-b", "yes", {}, {}, t0 + 1h + 1min);
  CHECK_FALSE(near.created_tracking_id);
  REQUIRE_FALSE(near.replies.empty());
  CHECK(near.replies[0].find("311-000001") != std::string::npos);

  h.say_from("web-c", "pothole here too, a deep one", lat + 100 * metre, lon, t0 + 2h);
  const auto far = h.say_from("web-c", "yes", {}, {}, t0 + 2h + 1min);
  CHECK(far.created_tracking_id == "311-000002");  // 100 m away: another pothole

  h.db.read([](SQLite::Database& c) {
    CHECK(storage::followers_of(c, 1).size() == 2);
    return 0;
  });
}

TEST_CASE("a duplicate radius of 0 matches coordinates only by the exact place",
          "[inbox][duplicates]") {
  temp_database temp;
  const auto settings =
      demo_settings_with([](config::settings& s) { s.city.duplicate_radius_m = 0; });
  harness h(temp, settings);
  constexpr double lat = 33.4152;
  constexpr double lon = -111.8315;
  h.say_from("web-a", "pothole right here, very deep", lat, lon, t0);
  REQUIRE(h.say_from("web-a", "yes", {}, {}, t0 + 1min).created_tracking_id);
  h.say_from("web-b", "big pothole here, deep one", lat + 0.0001, lon, t0 + 1h);
  CHECK(h.say_from("web-b", "yes", {}, {}, t0 + 1h + 1min).created_tracking_id == "311-000002");
}

TEST_CASE("HELP replies with the program name and contact from config", "[inbox][config]") {
  temp_database temp;
  {
    harness h(temp);
    const auto help = h.say("+15550009999", "HELP");
    REQUIRE(help.replies.size() == 1);
    CHECK(help.replies[0].find("Demo City 311") != std::string::npos);
    CHECK(help.replies[0].find("Call 311 or visit democity.gov/311.") != std::string::npos);
  }
  const auto settings = demo_settings_with([](config::settings& s) {
    s.city.program_name = "Demo Cares";
    s.city.contact = "Call 555-0100.";
  });
  harness h(temp, settings);
  const auto help = h.say("+15550009999", "INFO", t0 + 1min);
  REQUIRE(help.replies.size() == 1);
  CHECK(help.replies[0].find("Demo Cares") != std::string::npos);
  CHECK(help.replies[0].find("Call 555-0100.") != std::string::npos);
}

TEST_CASE("handoff replies follow the configured business hours", "[inbox][config]") {
  temp_database temp;
  // t0 is a Wednesday, 10:00 in Phoenix: open by default, closed when staff work Saturdays only.
  const auto settings = demo_settings_with([](config::settings& s) {
    s.city.business_hours.days = {false, false, false, false, false, false, true};
  });
  harness h(temp, settings);
  const auto reply = h.say("+15550001212", "I want to talk to a person");
  REQUIRE_FALSE(reply.replies.empty());
  INFO(reply.replies.back());
  CHECK(reply.replies.back().find("Saturday") != std::string::npos);
}

TEST_CASE("a draft expires after the configured minutes", "[inbox][config]") {
  temp_database temp;
  const auto settings = demo_settings_with(
      [](config::settings& s) { s.city.draft_expiry = std::chrono::minutes(5); });
  harness h(temp, settings);
  h.say("+15550001313", "i want to report a broken streetlight");
  const auto later = h.say("+15550001313", "hello", t0 + 6min);
  REQUIRE_FALSE(later.replies.empty());
  INFO(later.replies.front());
  CHECK(later.replies.front().find("5 minutes") != std::string::npos);
}

TEST_CASE("a status change is recorded and every follower is told, in their language",
          "[inbox][lifecycle]") {
  temp_database temp;
  harness h(temp);
  h.say("+15550006666", "hay un bache en 200 E Broadway Rd, muy grande");
  REQUIRE(h.say("+15550006666", "sí", t0 + 1min).created_tracking_id == "311-000001");
  h.say("+15550007777", "pothole at 200 E Broadway Rd, huge and deep", t0 + 2min);
  h.say("+15550007777", "yes", t0 + 3min);   // follows 311-000001
  h.say("+15550007777", "STOP", t0 + 4min);  // ... and then opts out

  const auto& city = testing::demo_city();
  status_change change;
  change.to = request_status::in_progress;
  change.by = {actor::kind::staff, "agent.ana"};
  change.public_note = "Crew scheduled.";
  change.internal_note = "Truck 4";
  status_change_result outcome;
  h.db.write([&](SQLite::Database& c) {
    outcome =
        change_request_status(c, "311-000001", change, city.settings, city.templates, t0 + 1h);
  });
  REQUIRE(outcome.updated);
  CHECK(outcome.refusal.empty());
  CHECK(outcome.notified == 1);  // the opted-out follower is not counted
  h.db.read([](SQLite::Database& c) {
    const auto request = storage::find_request(c, "311-000001");
    CHECK(request->status == "in_progress");
    const auto history = storage::request_history(c, request->id);
    REQUIRE(history.back().field == "status");
    CHECK(history.back().old_value == "new");
    CHECK(history.back().new_value == "in_progress");
    CHECK(history.back().actor_id == "agent.ana");
    CHECK(history.back().internal_note == "Truck 4");
    const auto due = storage::due_notifications(c, "sms", "2030-01-01T00:00:00.000Z", 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].body.find("311-000001") != std::string::npos);
    CHECK(due[0].body.find("Bache") != std::string::npos);  // the reporter wrote in Spanish
    CHECK(due[0].body.find("Crew scheduled.") != std::string::npos);
    return 0;
  });
  CHECK(count_events(h.db, "request.status_changed") == 1);
  for (const auto& e : events(h.db)) {
    CHECK(e.payload_json.find("Truck 4") == std::string::npos);  // internal notes stay inside
  }
}

TEST_CASE("refused status changes say why and change nothing", "[lifecycle]") {
  temp_database temp;
  harness h(temp);
  h.say("+15550008888", "dead animal at 9 S Mesa Dr, a raccoon lying in the road");
  REQUIRE(h.say("+15550008888", "yes", t0 + 1min).created_tracking_id);
  const auto& city = testing::demo_city();
  auto attempt = [&](std::string id, request_status to, std::optional<std::string> original = {}) {
    status_change change;
    change.to = to;
    change.by = {actor::kind::staff, "agent"};
    change.duplicate_of = std::move(original);
    status_change_result out;
    h.db.write([&](SQLite::Database& c) {
      out = change_request_status(c, id, change, city.settings, city.templates, t0 + 1h);
    });
    return out;
  };
  CHECK_FALSE(attempt("311-999999", request_status::acknowledged).refusal.empty());
  CHECK_FALSE(attempt("311-000001", request_status::reopened).refusal.empty());
  CHECK_FALSE(attempt("311-000001", request_status::duplicate).refusal.empty());
  CHECK_FALSE(attempt("311-000001", request_status::duplicate, "311-000001").refusal.empty());
  CHECK(count_events(h.db, "request.status_changed") == 0);
  CHECK(attempt("311-000001", request_status::resolved).updated);
  CHECK(attempt("311-000001", request_status::closed).updated);
  CHECK_FALSE(attempt("311-000001", request_status::in_progress).refusal.empty());
}

}  // namespace civicline::core

namespace civicline::core {

TEST_CASE("a web chat that sends the device position with every message can still confirm",
          "[inbox]") {
  temp_database temp;
  harness h(temp);
  const auto report =
      h.say_from("session:a", "pothole here, deep and wide", 33.4152, -111.8315, t0);
  REQUIRE_FALSE(report.replies.empty());
  const auto confirmed = h.say_from("session:a", "yes", 33.4152, -111.8315, t0 + 1min);
  CHECK(confirmed.created_tracking_id);
}

TEST_CASE("a language chosen in the channel wins over the language the message looks like",
          "[inbox][language]") {
  temp_database temp;
  harness h(temp);
  inbound_message message;
  message.from = {channel::web_chat, "session:language"};
  message.text = "hello";
  message.received_at = t0;
  message.language = nlp::language::es;
  auto chosen = h.box.receive_and_wait(std::move(message));
  REQUIRE(chosen.replies.size() == 1);
  CHECK(chosen.replies[0].find("Responda 1") != std::string::npos);
  // Without a choice the sticky language is the one chosen, until the resident writes in
  // another language.
  const auto next = h.say_from("session:language", "hola", std::nullopt, std::nullopt, t0 + 1s);
  REQUIRE_FALSE(next.replies.empty());
  CHECK(next.replies[0].find("Responda") != std::string::npos);
}

}  // namespace civicline::core
