// Tests for config/load.hpp: the demo city loads, and every kind of mistake in a
// config file is reported with its JSON path, all at once.

#include "config/load.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

namespace {

using civicline::config::config_error;
using civicline::config::environment;
using civicline::config::fixed_environment;
using civicline::config::load_settings;
using civicline::config::parse_settings;
using civicline::config::settings;
using nlohmann::json;

const std::filesystem::path source_dir = CIVICLINE_SOURCE_DIR;

environment no_environment() {
  return fixed_environment({});
}

// The smallest valid config; each test breaks one thing in it.
json minimal() {
  return json::parse(R"({
    "city": {"name": "Testville", "languages": ["en", "es"]},
    "storage": {"database": "test.db"},
    "categories": [
      {"code": "pothole", "name": {"en": "Pothole", "es": "Bache"}, "sla_hours": 72},
      {"code": "water_leak", "name": {"en": "Water leak", "es": "Fuga de agua"},
       "questions": [{"code": "flooding", "datatype": "singlevaluelist", "required": true,
                      "prompt": {"en": "Flooding?", "es": "¿Inundación?"},
                      "values": [{"key": "yes", "name": {"en": "Yes", "es": "Sí"}},
                                 {"key": "no", "name": {"en": "No", "es": "No"}}]}]}
    ]
  })");
}

settings parse(const json& doc, const environment& env = no_environment()) {
  return parse_settings(doc.dump(2), "/etc/civicline/test.json", env);
}

// The problems a document is rejected with; fails the test if it is accepted.
std::vector<std::string> problems_of_text(const std::string& text,
                                          const environment& env = no_environment()) {
  try {
    parse_settings(text, "/etc/civicline/test.json", env);
  } catch (const config_error& error) {
    return error.problems();
  }
  FAIL("the config was accepted: " << text);
  return {};
}

std::vector<std::string> problems_of(const json& doc, const environment& env = no_environment()) {
  return problems_of_text(doc.dump(2), env);
}

// True when one problem starts with `path` followed by ": " and contains `words`.
bool reported(const std::vector<std::string>& problems, std::string_view path,
              std::string_view words = {}) {
  const std::string prefix = std::string(path) + ": ";
  return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) {
    return p.starts_with(prefix) && p.find(words) != std::string::npos;
  });
}

// Prints the problems when an assertion about them fails.
std::string listed(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) {
    out += "\n  " + p;
  }
  return out;
}

#define CHECK_REPORTED(problems, ...)       \
  do {                                      \
    const auto& checked_ = (problems);      \
    INFO("problems:" << listed(checked_));  \
    CHECK(reported(checked_, __VA_ARGS__)); \
  } while (false)

// A fresh directory under the system temp dir, removed at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("civicline-config-test-" + std::to_string(random()) + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::filesystem::path write(const std::filesystem::path& relative, std::string_view text) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline std::atomic<int> counter_{0};
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("the demo city config loads with 21 categories in English and Spanish", "[config]") {
  const auto file = source_dir / "config" / "civicline.json";
  const settings s = load_settings(file, no_environment());

  CHECK(s.source_file == file);
  CHECK(s.city.name == "Demo City");
  CHECK(s.city.timezone == "America/Phoenix");
  CHECK(s.city.languages == std::vector<std::string>{"en", "es"});
  CHECK(s.server.listen_host == "127.0.0.1");
  CHECK(s.server.listen_port == 8080);
  CHECK(s.server.public_base_url == "http://localhost:8080");
  CHECK(s.storage.database == (source_dir / "var" / "civicline.db").lexically_normal());
  CHECK_FALSE(s.diagnostics.write_probe);
  REQUIRE(s.categories.size() == 21);

  std::set<std::string> codes;
  for (const auto& category : s.categories) {
    codes.insert(category.code);
    INFO(category.code);
    CHECK(category.sla_hours > 0);
    CHECK_FALSE(category.group.empty());
    for (const char* language : {"en", "es"}) {
      CHECK_FALSE(category.name.at(language).empty());
      CHECK_FALSE(category.description.at(language).empty());
      for (const auto& question : category.questions) {
        CHECK_FALSE(question.prompt.at(language).empty());
        for (const auto& [key, name] : question.values) {
          CHECK_FALSE(name.at(language).empty());
        }
      }
    }
  }
  CHECK(codes == std::set<std::string>{"pothole",
                                       "streetlight",
                                       "graffiti",
                                       "missed_trash_pickup",
                                       "bulky_item_pickup",
                                       "illegal_dumping",
                                       "abandoned_vehicle",
                                       "water_leak",
                                       "sewer_drain",
                                       "noise",
                                       "dead_animal",
                                       "traffic_signal",
                                       "sidewalk",
                                       "tree",
                                       "park_maintenance",
                                       "parking_violation",
                                       "homeless_encampment",
                                       "code_enforcement",
                                       "street_sign",
                                       "litter",
                                       "other"});

  const auto water = std::find_if(s.categories.begin(), s.categories.end(),
                                  [](const auto& c) { return c.code == "water_leak"; });
  REQUIRE(water != s.categories.end());
  REQUIRE(water->questions.size() == 1);
  CHECK(water->questions[0].code == "flooding");
  CHECK(water->questions[0].required);
  CHECK(water->questions[0].prompt.at("en") == "Is the water flooding the street?");
  REQUIRE(water->questions[0].values.size() == 2);
  CHECK(water->questions[0].values[0].first == "yes");

  CHECK(s.city.program_name == "Demo City 311");
  CHECK(s.city.contact == "Call 311 or visit democity.gov/311.");
  CHECK(s.city.business_hours.opens == std::chrono::hours(8));
  CHECK(s.city.business_hours.closes == std::chrono::hours(17));
  CHECK(s.city.business_hours.days ==
        std::array<bool, 7>{false, true, true, true, true, true, false});
  CHECK(s.city.duplicate_radius_m == 30);
  const auto window_of = [&](std::string_view code) -> std::int64_t {
    for (const auto& c : s.categories) {
      if (c.code == code) {
        return c.duplicate_window.count();
      }
    }
    return -1;
  };
  CHECK(window_of("pothole") == 14);
  CHECK(window_of("noise") == 1);
  CHECK(window_of("abandoned_vehicle") == 30);
  CHECK(window_of("other") == 0);
}

TEST_CASE("a minimal config gets the documented defaults", "[config]") {
  const settings s = parse(minimal());
  CHECK(s.city.timezone == "UTC");
  CHECK(s.city.tracking_id_prefix == "311-");
  CHECK(s.city.tracking_id_digits == 6);
  CHECK(s.server.listen_host == "127.0.0.1");
  CHECK(s.server.listen_port == 8080);
  CHECK(s.server.public_base_url == "http://127.0.0.1:8080");
  CHECK(s.http.max_body_bytes == 1 << 20);
  CHECK(s.log.level == "info");
  CHECK(s.categories[0].group == "Other");
  CHECK(s.categories[0].location_required);
  CHECK(s.categories[0].description.at("es").empty());
  CHECK(s.categories[1].sla_hours == 72);
}

TEST_CASE("conversation settings default to a 311 program open Monday to Friday 8 to 5",
          "[config]") {
  const settings s = parse(minimal());
  CHECK(s.city.program_name == "Testville 311");
  CHECK(s.city.contact.empty());
  CHECK(s.city.business_hours.opens == std::chrono::minutes(8 * 60));
  CHECK(s.city.business_hours.closes == std::chrono::minutes(17 * 60));
  CHECK(s.city.business_hours.days ==
        std::array<bool, 7>{false, true, true, true, true, true, false});
  CHECK(s.city.draft_expiry == std::chrono::minutes(30));
  CHECK(s.city.handoff_timeout == std::chrono::hours(72));
  CHECK(s.city.duplicate_radius_m == 30);
  CHECK(s.categories[0].duplicate_window == std::chrono::days(14));
}

TEST_CASE("conversation settings are read from city and categories", "[config]") {
  json doc = minimal();
  doc["city"]["program_name"] = "Testville Cares";
  doc["city"]["contact"] = "Call 555-0100.";
  doc["city"]["business_hours"] = {
      {"opens", "07:30"}, {"closes", "24:00"}, {"days", {"sat", "sun", "wed"}}};
  doc["city"]["draft_expiry_minutes"] = 1440;
  doc["city"]["handoff_timeout_hours"] = 1;
  doc["city"]["duplicate_radius_m"] = 0;
  doc["categories"][0]["duplicate_window_days"] = 0;
  doc["categories"][1]["duplicate_window_days"] = 365;
  const settings s = parse(doc);
  CHECK(s.city.program_name == "Testville Cares");
  CHECK(s.city.contact == "Call 555-0100.");
  CHECK(s.city.business_hours.opens == std::chrono::minutes(7 * 60 + 30));
  CHECK(s.city.business_hours.closes == std::chrono::minutes(24 * 60));
  CHECK(s.city.business_hours.days ==
        std::array<bool, 7>{true, false, false, true, false, false, true});
  CHECK(s.city.draft_expiry == std::chrono::minutes(1440));
  CHECK(s.city.handoff_timeout == std::chrono::hours(1));
  CHECK(s.city.duplicate_radius_m == 0);
  CHECK(s.categories[0].duplicate_window == std::chrono::days(0));
  CHECK(s.categories[1].duplicate_window == std::chrono::days(365));

  // Only some business_hours keys: the others keep their defaults.
  doc = minimal();
  doc["city"]["business_hours"] = {{"closes", "18:00"}};
  const settings partial = parse(doc);
  CHECK(partial.city.business_hours.opens == std::chrono::hours(8));
  CHECK(partial.city.business_hours.closes == std::chrono::hours(18));
}

TEST_CASE("bad conversation settings are reported at their paths", "[config][errors]") {
  json doc = minimal();
  doc["city"]["program_name"] = " ";
  doc["city"]["contact"] = std::string(201, 'x');
  doc["city"]["draft_expiry_minutes"] = 0;
  doc["city"]["handoff_timeout_hours"] = 721;
  doc["city"]["duplicate_radius_m"] = -1;
  doc["categories"][0]["duplicate_window_days"] = 366;
  doc["categories"][1]["duplicate_window_days"] = "14";
  doc["city"]["business_hours"] = {
      {"opens", "8:00"}, {"closes", "17:60"}, {"days", {"mon", "monday", "mon", 3}}};
  auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "city.program_name", "must be 1 to 200 characters");
  CHECK_REPORTED(problems, "city.contact", "must be at most 200 characters");
  CHECK_REPORTED(problems, "city.draft_expiry_minutes", "must be a positive integer up to 1440");
  CHECK_REPORTED(problems, "city.handoff_timeout_hours", "up to 720 (got 721)");
  CHECK_REPORTED(problems, "city.duplicate_radius_m", "must be an integer from 0 to 1000 (got -1)");
  CHECK_REPORTED(problems, "categories[0].duplicate_window_days",
                 "must be an integer from 0 to 365 (got 366)");
  CHECK_REPORTED(problems, "categories[1].duplicate_window_days", "must be an integer");
  CHECK_REPORTED(problems, "city.business_hours.opens",
                 "must be a 24-hour time HH:MM from 00:00 to 24:00");
  CHECK_REPORTED(problems, "city.business_hours.opens", "(got \"8:00\")");
  CHECK_REPORTED(problems, "city.business_hours.closes", "(got \"17:60\")");
  CHECK_REPORTED(problems, "city.business_hours.days[1]",
                 "unknown day \"monday\" (allowed: sun, mon, tue, wed, thu, fri, sat)");
  CHECK_REPORTED(problems, "city.business_hours.days[2]", "listed twice");
  CHECK_REPORTED(problems, "city.business_hours.days[3]", "must be a string");

  doc = minimal();
  doc["city"]["business_hours"] = {
      {"opens", "17:00"}, {"closes", "08:00"}, {"days", json::array()}};
  problems = problems_of(doc);
  CHECK_REPORTED(problems, "city.business_hours.closes",
                 "closes must be later than opens (got opens 17:00, closes 08:00)");
  CHECK_REPORTED(problems, "city.business_hours.days", "must be a non-empty array of distinct day");

  doc = minimal();
  doc["city"]["business_hours"] = {{"opens", "18:00"}, {"hours", 8}};
  problems = problems_of(doc);
  CHECK_REPORTED(problems, "city.business_hours.opens", "closes must be later than opens");
  CHECK_REPORTED(problems, "city.business_hours.hours",
                 "unknown key (allowed: opens, closes, days)");

  doc = minimal();
  doc["city"]["business_hours"] = "9 to 5";
  doc["city"]["duplicate_radius"] = 30;
  problems = problems_of(doc);
  CHECK_REPORTED(problems, "city.business_hours", "must be an object");
  CHECK_REPORTED(problems, "city.duplicate_radius", "did you mean \"duplicate_radius_m\"?");
}

TEST_CASE("a config with only English texts is valid when only English is configured", "[config]") {
  json doc = minimal();
  doc["city"]["languages"] = {"en"};
  doc["categories"][0]["name"].erase("es");
  const settings s = parse(doc);
  CHECK(s.city.languages == std::vector<std::string>{"en"});
  // Spanish text left in the file is accepted and dropped.
  CHECK(s.categories[1].name.count("es") == 0);
}

TEST_CASE("listen accepts port 0, wildcard and bracketed IPv6 hosts", "[config]") {
  json doc = minimal();
  doc["server"]["listen"] = "127.0.0.1:0";
  CHECK(parse(doc).server.listen_port == 0);
  doc["server"]["listen"] = "[::1]:9000";
  const settings v6 = parse(doc);
  CHECK(v6.server.listen_host == "::1");
  CHECK(v6.server.listen_port == 9000);
  CHECK(v6.server.public_base_url == "http://[::1]:9000");
  doc["server"]["listen"] = "0.0.0.0:8081";
  CHECK(parse(doc).server.public_base_url == "http://localhost:8081");
}

TEST_CASE("a negative port is reported at server.listen", "[config][errors]") {
  json doc = minimal();
  doc["server"]["listen"] = "127.0.0.1:-1";
  CHECK_REPORTED(problems_of(doc), "server.listen", "port must be an integer from 0 to 65535");
}

TEST_CASE("a port above 65535 is reported at server.listen", "[config][errors]") {
  json doc = minimal();
  doc["server"]["listen"] = "127.0.0.1:65536";
  CHECK_REPORTED(problems_of(doc), "server.listen", "(got \"127.0.0.1:65536\")");
  doc["server"]["listen"] = "8080";
  CHECK_REPORTED(problems_of(doc), "server.listen", "must be HOST:PORT");
  doc["server"]["listen"] = "::1:8080";
  CHECK_REPORTED(problems_of(doc), "server.listen", "brackets");
}

TEST_CASE("a missing config file is an error naming the file", "[config][errors]") {
  const temp_dir dir;
  const auto missing = dir.path() / "nope.json";
  try {
    load_settings(missing, no_environment());
    FAIL("a missing file was accepted");
  } catch (const config_error& error) {
    CHECK(error.file() == missing);
    CHECK_THAT(error.what(),
               Catch::Contains(missing.string()) && Catch::Contains("No such file or directory"));
  }
  CHECK_THROWS_AS(load_settings(dir.path(), no_environment()), config_error);
}

TEST_CASE("malformed JSON is reported with its line and column", "[config][errors]") {
  const std::string text = "{\n  \"city\": {\"name\": \"X\"},\n  \"storage\": tru\n}\n";
  const auto problems = problems_of_text(text);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::StartsWith("line 3, column 17: malformed JSON"));

  const auto trailing_comma = problems_of_text("{\n  \"city\": {},\n}");
  REQUIRE(trailing_comma.size() == 1);
  CHECK_THAT(trailing_comma[0], Catch::StartsWith("line 3, column 1: malformed JSON"));

  const auto empty = problems_of_text("");
  REQUIRE(empty.size() == 1);
  CHECK_THAT(empty[0], Catch::StartsWith("line 1, column 1: malformed JSON"));
}

TEST_CASE("malformed JSON in a file names the file, line and column", "[config][errors]") {
  const temp_dir dir;
  const auto file = dir.write("city.json", "{\n\n  \"city\": [1 2]\n}");
  try {
    load_settings(file, no_environment());
    FAIL("malformed JSON was accepted");
  } catch (const config_error& error) {
    CHECK_THAT(error.what(), Catch::StartsWith(file.string() + ": line 3, column 14:"));
  }
}

TEST_CASE("an unknown top-level key is reported with the allowed keys", "[config][errors]") {
  json doc = minimal();
  doc["serverr"] = json::object();
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "serverr",
                 "unknown key (allowed: city, server, http, storage, log, teams, categories, "
                 "content, sms, webhooks, public, chat, diagnostics, attachments); did you "
                 "mean \"server\"?");
}

TEST_CASE("the attachments section: the photo size limit", "[config][attachments]") {
  json doc = minimal();
  CHECK(parse(doc).attachments.max_bytes == 8u << 20);
  doc["attachments"] = {{"max_bytes", 65536}};
  CHECK(parse(doc).attachments.max_bytes == 65536);
  doc["attachments"] = {{"max_bytes", 100}};
  CHECK(reported(problems_of(doc), "attachments.max_bytes"));
  doc["attachments"] = {{"max_byte", 65536}};
  CHECK(reported(problems_of(doc), "attachments.max_byte", "unknown key"));
}

TEST_CASE("the public section: notes per language and the summary cache", "[config][public]") {
  json doc = minimal();
  CHECK(parse(doc).public_data.cache_ttl == std::chrono::seconds(60));
  CHECK(parse(doc).public_data.notes.empty());
  doc["public"] = {{"notes", {{"en", "We hired a crew."}, {"es", "Contratamos."}}},
                   {"cache_seconds", 0}};
  const settings s = parse(doc);
  CHECK(s.public_data.notes.at("en") == "We hired a crew.");
  CHECK(s.public_data.cache_ttl == std::chrono::seconds(0));

  doc["public"] = {{"notes", {{"fr", "x"}}}, {"cache_seconds", 86401}, {"colour", "red"}};
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "public.notes.fr", "unknown language");
  CHECK_REPORTED(problems, "public.notes.es", "missing");
  CHECK_REPORTED(problems, "public.cache_seconds", "86400");
  CHECK_REPORTED(problems, "public.colour", "unknown key");
}

TEST_CASE("sms settings are read, with Twilio secrets from the environment", "[config][sms]") {
  json doc = minimal();
  doc["sms"] = json::parse(R"({
    "twilio": {"account_sid": "ACfile", "auth_token": "file-token", "from": "+15550000311",
               "api_base_url": "https://api.twilio.com/"},
    "vonage": {"api_key": "k", "api_secret": "s", "from": "DemoCity"},
    "outbound_provider": "vonage", "max_messages_per_minute": 5,
    "retry_initial_seconds": 10, "retry_max_seconds": 600, "max_attempts": 4,
    "poll_interval_ms": 200, "ca_file": "certs/proxy.pem"})");
  settings s = parse(doc);
  CHECK(s.sms.twilio.account_sid == "ACfile");
  CHECK(s.sms.twilio.api_base_url == "https://api.twilio.com");
  CHECK(s.sms.vonage.from == "DemoCity");
  CHECK(s.sms.outbound_provider == "vonage");
  CHECK(s.sms.max_messages_per_minute == 5);
  CHECK(s.sms.retry_initial == std::chrono::seconds(10));
  CHECK(s.sms.retry_max == std::chrono::seconds(600));
  CHECK(s.sms.max_attempts == 4);
  CHECK(s.sms.poll_interval == std::chrono::milliseconds(200));
  CHECK(s.sms.ca_file == "/etc/civicline/certs/proxy.pem");

  s = parse(doc, fixed_environment({{"CIVICLINE_TWILIO_AUTH_TOKEN", "env-token"},
                                    {"CIVICLINE_TWILIO_ACCOUNT_SID", "ACenv"},
                                    {"CIVICLINE_TWILIO_FROM", "+15550000999"},
                                    {"CIVICLINE_TWILIO_API_BASE_URL", "http://127.0.0.1:9/"}}));
  CHECK(s.sms.twilio.auth_token == "env-token");
  CHECK(s.sms.twilio.account_sid == "ACenv");
  CHECK(s.sms.twilio.from == "+15550000999");
  CHECK(s.sms.twilio.api_base_url == "http://127.0.0.1:9");
}

TEST_CASE("bad sms settings are reported at their paths", "[config][sms][errors]") {
  json doc = minimal();
  doc["sms"] = json::parse(R"({
    "twilio": {"api_base_url": "ftp://x", "auth_tokn": "x"},
    "outbound_provider": "carrier-pigeon", "max_messages_per_minute": -1,
    "retry_initial_seconds": 600, "retry_max_seconds": 60})");
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "sms.twilio.api_base_url");
  CHECK_REPORTED(problems, "sms.twilio.auth_tokn", "did you mean \"auth_token\"?");
  CHECK_REPORTED(problems, "sms.outbound_provider", "twilio, vonage");
  CHECK_REPORTED(problems, "sms.max_messages_per_minute");
  CHECK_REPORTED(problems, "sms.retry_max_seconds", "at least retry_initial_seconds");
}

TEST_CASE("webhook settings are read; the defaults follow the documented schedule",
          "[config][webhooks]") {
  settings defaults = parse(minimal());
  REQUIRE(defaults.webhooks.retry_schedule.size() == 10);
  CHECK(defaults.webhooks.retry_schedule.front() == std::chrono::seconds(0));
  CHECK(defaults.webhooks.retry_schedule.back() == std::chrono::hours(24));
  CHECK(defaults.webhooks.allow_private_hosts.empty());
  CHECK(defaults.webhooks.timeout == std::chrono::seconds(15));

  json doc = minimal();
  doc["webhooks"] = json::parse(R"({
    "retry_schedule_seconds": [0, 1, 2], "retry_jitter_percent": 0,
    "allow_private_hosts": ["127.0.0.1", "[::1]", "hooks.internal"], "disable_after_days": 2,
    "timeout_ms": 3000, "poll_interval_ms": 50, "max_in_flight_per_endpoint": 2,
    "secret_rotation_overlap_hours": 1, "ca_file": "certs/partners.pem"})");
  settings s = parse(doc);
  CHECK(s.webhooks.retry_schedule == std::vector<std::chrono::seconds>{std::chrono::seconds(0),
                                                                       std::chrono::seconds(1),
                                                                       std::chrono::seconds(2)});
  CHECK(s.webhooks.retry_jitter_percent == 0);
  CHECK(s.webhooks.allow_private_hosts ==
        std::vector<std::string>{"127.0.0.1", "[::1]", "hooks.internal"});
  CHECK(s.webhooks.disable_after == std::chrono::days(2));
  CHECK(s.webhooks.timeout == std::chrono::milliseconds(3000));
  CHECK(s.webhooks.poll_interval == std::chrono::milliseconds(50));
  CHECK(s.webhooks.max_in_flight_per_endpoint == 2);
  CHECK(s.webhooks.secret_rotation_overlap == std::chrono::hours(1));
  CHECK(s.webhooks.ca_file == "/etc/civicline/certs/partners.pem");
}

TEST_CASE("bad webhook settings are reported at their paths", "[config][webhooks][errors]") {
  json doc = minimal();
  doc["webhooks"] = json::parse(R"({
    "retry_schedule_seconds": [0, -5], "allow_private_hosts": ["http://127.0.0.1:8080"],
    "timeout_ms": 0, "max_in_flight_per_endpoint": 0, "retry_jitter": 5})");
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "webhooks.retry_schedule_seconds[1]");
  CHECK_REPORTED(problems, "webhooks.allow_private_hosts[0]", "without scheme or port");
  CHECK_REPORTED(problems, "webhooks.timeout_ms");
  CHECK_REPORTED(problems, "webhooks.max_in_flight_per_endpoint");
  CHECK_REPORTED(problems, "webhooks.retry_jitter", "did you mean \"retry_jitter_percent\"?");
  doc["webhooks"] = json::parse(R"({"retry_schedule_seconds": []})");
  CHECK_REPORTED(problems_of(doc), "webhooks.retry_schedule_seconds", "list of 1 to 50 waits");
}

TEST_CASE("unknown keys are reported at every level", "[config][errors]") {
  json doc = minimal();
  doc["http"]["max_bodyy"] = 100;
  doc["categories"][0]["sla"] = 5;
  doc["categories"][1]["questions"][0]["values"][0]["label"] = "x";
  doc["categories"][0]["name"]["fr"] = "Nid-de-poule";
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "http.max_bodyy",
                 "unknown key (allowed: max_body_bytes, max_header_bytes, header_timeout_ms");
  CHECK_REPORTED(problems, "http.max_bodyy", "did you mean \"max_body_bytes\"?");
  CHECK_REPORTED(problems, "categories[0].sla", "unknown key");
  CHECK_REPORTED(problems, "categories[1].questions[0].values[0].label", "allowed: key, name");
  CHECK_REPORTED(problems, "categories[0].name.fr", "unknown language (allowed: en, es)");
}

TEST_CASE("a value of the wrong type names the expected type", "[config][errors]") {
  json doc = minimal();
  doc["server"]["threads"] = "4";
  doc["city"]["name"] = 5;
  doc["http"] = json::array();
  doc["log"]["access_log"] = "yes";
  doc["categories"][0]["sla_hours"] = 1.5;
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "server.threads", "must be an integer from 0 to 256 (got \"4\")");
  CHECK_REPORTED(problems, "city.name", "must be a string (got 5)");
  CHECK_REPORTED(problems, "http", "must be an object (got [])");
  CHECK_REPORTED(problems, "log.access_log", "must be true or false");
  CHECK_REPORTED(problems, "categories[0].sla_hours", "must be a positive integer");
}

TEST_CASE("teams are read and categories route to known ones", "[config][teams]") {
  json doc = minimal();
  doc["teams"] = json::parse(R"([{"code": "streets", "name": "Street Maintenance"}])");
  doc["categories"][0]["team"] = "streets";
  const auto settings = parse(doc);
  REQUIRE(settings.teams.size() == 1);
  CHECK(settings.teams[0].name == "Street Maintenance");
  CHECK(settings.categories[0].team == "streets");
  CHECK(settings.categories[1].team.empty());

  doc["categories"][1]["team"] = "parks";
  doc["teams"].push_back(json::parse(R"({"code": "streets", "name": "Again"})"));
  doc["teams"].push_back(json::parse(R"({"code": "Bad Code", "name": ""})"));
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "categories[1].team",
                 "names no team in \"teams\" (got \"parks\"); add it there first");
  CHECK_REPORTED(problems, "teams[1].code",
                 "duplicate team code \"streets\" (first used at teams[0].code)");
  CHECK_REPORTED(problems, "teams[2].code", "must match [a-z][a-z0-9_]{0,63} (got \"Bad Code\")");
  CHECK_REPORTED(problems, "teams[2].name", "must be 1 to 200 characters");
}

TEST_CASE("a duplicate category code names both places", "[config][errors]") {
  json doc = minimal();
  doc["categories"][1]["code"] = "pothole";
  CHECK_REPORTED(problems_of(doc), "categories[1].code",
                 "duplicate category code \"pothole\" (first used at categories[0].code)");
}

TEST_CASE("a category code must be a lowercase identifier", "[config][errors]") {
  json doc = minimal();
  doc["categories"][0]["code"] = "Pot Hole";
  CHECK_REPORTED(problems_of(doc), "categories[0].code", "must match [a-z][a-z0-9_]{0,63}");
  doc["categories"][0]["code"] = std::string(65, 'a');
  CHECK_REPORTED(problems_of(doc), "categories[0].code", "must match");
}

TEST_CASE("zero sla_hours is reported", "[config][errors]") {
  json doc = minimal();
  doc["categories"][1]["sla_hours"] = 0;
  CHECK_REPORTED(problems_of(doc), "categories[1].sla_hours",
                 "must be a positive integer up to 8760 (got 0)");
}

TEST_CASE("a missing Spanish name is reported at its path", "[config][errors]") {
  json doc = minimal();
  doc["categories"][1]["name"].erase("es");
  doc["categories"][1]["questions"][0]["values"][1]["name"]["es"] = "  ";
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "categories[1].name.es",
                 "missing; give the text in every language of city.languages (en, es)");
  CHECK_REPORTED(problems, "categories[1].questions[0].values[1].name.es", "must not be empty");
}

TEST_CASE("a bad question datatype lists the allowed ones", "[config][errors]") {
  json doc = minimal();
  doc["categories"][1]["questions"][0]["datatype"] = "boolean";
  CHECK_REPORTED(problems_of(doc), "categories[1].questions[0].datatype",
                 "must be one of string, number, datetime, text, singlevaluelist, "
                 "multivaluelist (got \"boolean\")");
}

TEST_CASE("a list question needs values and other questions take none", "[config][errors]") {
  json doc = minimal();
  doc["categories"][1]["questions"][0].erase("values");
  doc["categories"][0]["questions"] = json::parse(R"([
    {"code": "size", "datatype": "multivaluelist", "prompt": {"en": "Size?", "es": "¿Tamaño?"},
     "values": []},
    {"code": "note", "datatype": "text", "prompt": {"en": "Note?", "es": "¿Nota?"},
     "values": [{"key": "a", "name": {"en": "A", "es": "A"}}]},
    {"code": "note", "datatype": "string", "prompt": {"en": "Again?", "es": "¿Otra vez?"}}
  ])");
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "categories[1].questions[0].values",
                 "a singlevaluelist question needs at least one value");
  CHECK_REPORTED(problems, "categories[0].questions[0].values",
                 "a multivaluelist question needs at least one value");
  CHECK_REPORTED(problems, "categories[0].questions[1].values",
                 "only singlevaluelist and multivaluelist questions take values");
  CHECK_REPORTED(problems, "categories[0].questions[2].code", "duplicate question code \"note\"");
}

TEST_CASE("an unknown log level lists the spdlog levels", "[config][errors]") {
  json doc = minimal();
  doc["log"]["level"] = "verbose";
  CHECK_REPORTED(problems_of(doc), "log.level",
                 "must be one of trace, debug, info, warn, error, critical, off (got \"verbose\")");
}

TEST_CASE("public_base_url must be a plain http(s) base URL", "[config][errors]") {
  json doc = minimal();
  doc["server"]["public_base_url"] = "ftp://example.org";
  CHECK_REPORTED(problems_of(doc), "server.public_base_url", "must start with http:// or https://");
  doc["server"]["public_base_url"] = "https://311.example.gov/?x=1";
  CHECK_REPORTED(problems_of(doc), "server.public_base_url", "without a query or fragment");
  doc["server"]["public_base_url"] = "https://";
  CHECK_REPORTED(problems_of(doc), "server.public_base_url", "host is missing");
  doc["server"]["public_base_url"] = "https://user:pw@311.example.gov";
  CHECK_REPORTED(problems_of(doc), "server.public_base_url", "user info");
  doc["server"]["public_base_url"] = "https://311.example.gov:99999";
  CHECK_REPORTED(problems_of(doc), "server.public_base_url", "port");
  doc["server"]["public_base_url"] = "https://311.example.gov/my city";
  CHECK_REPORTED(problems_of(doc), "server.public_base_url", "spaces");

  // A trailing slash is dropped so handlers can append "/sms/twilio"; a base path is kept.
  doc["server"]["public_base_url"] = "https://city.example.gov/311/";
  CHECK(parse(doc).server.public_base_url == "https://city.example.gov/311");
}

TEST_CASE("storage.readers must be at least 1", "[config][errors]") {
  json doc = minimal();
  doc["storage"]["readers"] = 0;
  CHECK_REPORTED(problems_of(doc), "storage.readers",
                 "must be a positive integer up to 64 (got 0)");
}

TEST_CASE("storage page caches default to 32 MB and 2 MB and must be at least 1 MB", "[config]") {
  json doc = minimal();
  CHECK(parse(doc).storage.writer_cache_mb == 32);
  CHECK(parse(doc).storage.reader_cache_mb == 2);
  doc["storage"]["writer_cache_mb"] = 4;
  CHECK(parse(doc).storage.writer_cache_mb == 4);
  doc["storage"]["reader_cache_mb"] = 0;
  CHECK_REPORTED(problems_of(doc), "storage.reader_cache_mb", "must be a positive integer");
}

TEST_CASE("sizes and timeouts have sane bounds", "[config][errors]") {
  json doc = minimal();
  doc["http"]["max_body_bytes"] = 0;
  doc["http"]["idle_timeout_ms"] = -5;
  doc["http"]["max_connections"] = 18446744073709551615ULL;
  doc["storage"]["busy_timeout_ms"] = 0;
  doc["server"]["threads"] = 257;
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "http.max_body_bytes", "must be an integer from 1024 to 104857600");
  CHECK_REPORTED(problems, "http.idle_timeout_ms", "must be a positive integer");
  CHECK_REPORTED(problems, "http.max_connections", "must be a positive integer up to 1000000");
  CHECK_REPORTED(problems, "storage.busy_timeout_ms", "must be a positive integer");
  CHECK_REPORTED(problems, "server.threads", "(got 257)");
}

TEST_CASE("city settings are checked", "[config][errors]") {
  json doc = minimal();
  doc["city"]["timezone"] = "Phoenix";
  doc["city"]["tracking_id_digits"] = 3;
  doc["city"]["tracking_id_prefix"] = "311 ";
  doc["city"]["languages"] = {"en", "fr", "en"};
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "city.timezone", "must be an IANA time zone name");
  CHECK_REPORTED(problems, "city.tracking_id_digits", "must be an integer from 4 to 12 (got 3)");
  CHECK_REPORTED(problems, "city.tracking_id_prefix", "printable ASCII characters without spaces");
  CHECK_REPORTED(problems, "city.languages[1]", "unsupported language \"fr\" (allowed: en, es)");
  CHECK_REPORTED(problems, "city.languages[2]", "listed twice");

  doc = minimal();
  doc["city"]["languages"] = json::array();
  CHECK_REPORTED(problems_of(doc), "city.languages", "must be a non-empty array");

  doc = minimal();
  for (const char* zone : {"UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+7"}) {
    doc["city"]["timezone"] = zone;
    CHECK(parse(doc).city.timezone == zone);
  }
}

TEST_CASE("required keys are reported when missing", "[config][errors]") {
  const auto problems = problems_of(json::object());
  CHECK_REPORTED(problems, "city.name", "required key is missing");
  CHECK_REPORTED(problems, "storage.database", "required key is missing");
  CHECK_REPORTED(problems, "categories", "list at least one category");

  json doc = minimal();
  doc["categories"] = json::array();
  CHECK_REPORTED(problems_of(doc), "categories", "must be a non-empty array");

  CHECK_REPORTED(problems_of_text("[1, 2]"), "(top level)", "must be an object");
}

TEST_CASE("a key written twice in the JSON is reported with its path", "[config][errors]") {
  const std::string text = R"({
    "city": {"name": "A", "name": "B"},
    "storage": {"database": "x.db"},
    "categories": [{"code": "a", "name": {"en": "A", "es": "A"}},
                   {"code": "b", "name": {"en": "B", "es": "B", "en": "C"}}]
  })";
  const auto problems = problems_of_text(text);
  CHECK_REPORTED(problems, "city.name", "duplicate key");
  CHECK_REPORTED(problems, "categories[1].name.en", "duplicate key");
  CHECK(problems.size() == 2);
}

TEST_CASE("all problems are reported together, each line naming the file", "[config][errors]") {
  json doc = minimal();
  doc["server"]["listen"] = "localhost:-1";
  doc["storage"]["readers"] = 0;
  doc["categories"][0]["sla_hours"] = 0;
  doc["log"]["level"] = "loud";
  try {
    parse(doc);
    FAIL("an invalid config was accepted");
  } catch (const config_error& error) {
    CHECK(error.problems().size() == 4);
    const std::string what = error.what();
    CHECK_THAT(what, Catch::StartsWith("/etc/civicline/test.json: "));
    CHECK(std::count(what.begin(), what.end(), '\n') == 3);
    CHECK_THAT(what, Catch::Contains("\n/etc/civicline/test.json: storage.readers: "));
    CHECK_THAT(what, Catch::Contains("/etc/civicline/test.json: categories[0].sla_hours: "));
  }
}

TEST_CASE("a relative database path is resolved against the config file's directory", "[config]") {
  const temp_dir dir;
  json doc = minimal();
  doc["storage"]["database"] = "../var/city.db";
  const auto file = dir.write("etc/city.json", doc.dump());
  CHECK(load_settings(file, no_environment()).storage.database == dir.path() / "var" / "city.db");

  doc["storage"]["database"] = "/srv/civicline/city.db";
  CHECK(parse(doc).storage.database == "/srv/civicline/city.db");
  doc["storage"]["database"] = "city.db";
  CHECK(parse(doc).storage.database == "/etc/civicline/city.db");
}

TEST_CASE("environment variables override the file", "[config][env]") {
  const environment env = fixed_environment({
      {"CIVICLINE_DB", "data/override.db"},
      {"CIVICLINE_LISTEN", "0.0.0.0:0"},
      {"CIVICLINE_PUBLIC_BASE_URL", "https://311.example.gov/"},
      {"CIVICLINE_LOG_LEVEL", "debug"},
  });
  const settings s = parse(minimal(), env);
  // A path given in the environment is relative to where the process started.
  CHECK(s.storage.database == std::filesystem::current_path() / "data" / "override.db");
  CHECK(s.server.listen_host == "0.0.0.0");
  CHECK(s.server.listen_port == 0);
  CHECK(s.server.public_base_url == "https://311.example.gov");
  CHECK(s.log.level == "debug");
}

TEST_CASE("CIVICLINE_DB lets the file leave storage.database out", "[config][env]") {
  json doc = minimal();
  doc.erase("storage");
  const settings s = parse(doc, fixed_environment({{"CIVICLINE_DB", "/tmp/x.db"}}));
  CHECK(s.storage.database == "/tmp/x.db");
  CHECK_REPORTED(problems_of(doc), "storage.database", "or set CIVICLINE_DB");
}

TEST_CASE("a bad environment override is named in the error", "[config][env][errors]") {
  const environment env = fixed_environment({
      {"CIVICLINE_LISTEN", "127.0.0.1:70000"},
      {"CIVICLINE_LOG_LEVEL", "chatty"},
      {"CIVICLINE_PUBLIC_BASE_URL", "localhost:8080"},
      {"CIVICLINE_DB", ""},
  });
  const auto problems = problems_of(minimal(), env);
  CHECK(problems.size() == 4);
  CHECK_REPORTED(problems, "CIVICLINE_LISTEN (overrides server.listen)",
                 "port must be an integer from 0 to 65535 (got \"127.0.0.1:70000\")");
  CHECK_REPORTED(problems, "CIVICLINE_LOG_LEVEL (overrides log.level)", "(got \"chatty\")");
  CHECK_REPORTED(problems, "CIVICLINE_PUBLIC_BASE_URL (overrides server.public_base_url)",
                 "must start with http://");
  CHECK_REPORTED(problems, "CIVICLINE_DB (overrides storage.database)", "must not be empty");
}

TEST_CASE("process_environment reads the real environment", "[config][env]") {
  const environment env = civicline::config::process_environment();
  CHECK(env("PATH").has_value());
  CHECK_FALSE(env("CIVICLINE_TEST_SURELY_UNSET_VARIABLE").has_value());
}

TEST_CASE("chat settings are read; the defaults allow no other site", "[config][chat]") {
  settings defaults = parse(minimal());
  CHECK(defaults.chat.allowed_origins.empty());
  CHECK(defaults.chat.max_messages_per_minute_per_session == 20);
  CHECK(defaults.chat.max_messages_per_minute_per_ip == 120);
  json doc = minimal();
  doc["chat"] = json::parse(R"({"allowed_origins": ["https://www.city.example",
    "http://localhost:8080"], "max_messages_per_minute_per_session": 5,
    "max_messages_per_minute_per_ip": 0})");
  settings s = parse(doc);
  CHECK(s.chat.allowed_origins ==
        std::vector<std::string>{"https://www.city.example", "http://localhost:8080"});
  CHECK(s.chat.max_messages_per_minute_per_session == 5);
  CHECK(s.chat.max_messages_per_minute_per_ip == 0);
}

TEST_CASE("bad chat settings are reported at their paths", "[config][chat][errors]") {
  json doc = minimal();
  doc["chat"] = json::parse(R"({"allowed_origins": ["https://www.city.example/", "city.example",
    7], "max_messages_per_minute_per_session": -1, "allowed_origin": []})");
  const auto problems = problems_of(doc);
  CHECK_REPORTED(problems, "chat.allowed_origins[0]", "no path or trailing slash");
  CHECK_REPORTED(problems, "chat.allowed_origins[1]", "https://www.city.example");
  CHECK_REPORTED(problems, "chat.allowed_origins[2]");
  CHECK_REPORTED(problems, "chat.max_messages_per_minute_per_session");
  CHECK_REPORTED(problems, "chat.allowed_origin", "did you mean \"allowed_origins\"?");
}
