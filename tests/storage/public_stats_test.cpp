// The public progress figures (storage/public_stats.hpp + core/public_summary.hpp) against a
// hand-computed fixture: requests with known times, including a reopened one, one closed
// before the period that was received before it, still-open ones of every age, and one on the
// period's exclusive end. Every figure below was worked out by hand in the comments.

#include "storage/public_stats.hpp"

#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock_text.hpp"
#include "core/public_day_index.hpp"
#include "core/public_summary.hpp"
#include "storage/database.hpp"
#include "storage/service_requests.hpp"
#include "test_support.hpp"

namespace storage = civicline::storage;
namespace core = civicline::core;
namespace config = civicline::config;
using nlohmann::json;

namespace {

constexpr int pothole_sla = 72;
constexpr int streetlight_sla = 120;

std::string t(const std::string& month_day_time) {
  return "2026-" + month_day_time + ":00.000Z";  // "02-05T00:00" -> "2026-02-05T00:00:00.000Z"
}

struct fixture : storage::testing::fresh_database {
  /// A request created at `day` ("02-05T00:00") of 2026, due after its category's SLA.
  std::string add(const std::string& category, const std::string& channel,
                  const std::string& created) {
    storage::request_record r;
    r.category = category;
    r.status = "new";
    r.location_text = "1234 Main St";
    r.location_key = "1234 main st";
    r.description = "call Ana at 555-0100";
    r.channel = channel;
    r.language = "en";
    r.created_at = created;
    r.updated_at = created;
    const auto sla = category == "pothole" ? pothole_sla : streetlight_sla;
    r.due_at = core::to_iso8601(*core::from_iso8601(created) + std::chrono::hours(sla));
    std::string id;
    db.write(
        [&](SQLite::Database& c) { id = storage::insert_request(c, r, "311-", 6).tracking_id; });
    return id;
  }

  /// The fixture's requests (the figures in the first test case are worked out from these).
  void add_february() {
    // Potholes (SLA 72 h).
    const auto p1 = add("pothole", "sms", t("02-01T00:00"));
    set(p1, "acknowledged", t("02-01T02:00"));  // ack 2 h
    set(p1, "resolved", t("02-02T00:00"));      // close 24 h, on time
    const auto p2 = add("pothole", "sms", t("02-02T00:00"));
    set(p2, "in_progress", t("02-02T12:00"));  // ack 12 h
    set(p2, "resolved", t("02-06T00:00"));     // close 96 h, late
    const auto p3 = add("pothole", "sms", t("02-03T00:00"));
    set(p3, "resolved", t("02-03T06:00"));  // ack 6 h (the first change counts)
    set(p3, "reopened", t("02-04T00:00"));  // open again: the 6 h close no longer counts
    set(p3, "resolved", t("02-10T00:00"));  // the last close: 168 h, late
    set(p3, "closed", t("02-11T00:00"));    // resolved -> closed keeps the 02-10 close
    const auto p4 = add("pothole", "sms", t("02-20T00:00"));
    set(p4, "acknowledged", t("02-21T00:00"));                // ack 24 h; still open, 9 days old
    const auto p5 = add("pothole", "sms", t("01-25T00:00"));  // received before the period
    set(p5, "resolved", t("02-01T12:00"));                    // closed in it: 180 h, late
    add("pothole", "sms", t("02-27T00:00"));                  // p6: open, never touched, 2 days
    add("pothole", "sms", t("01-01T00:00"));                  // p7: open since January: 31+
    const auto p8 = add("pothole", "web_chat", t("02-26T12:00"));
    set(p8, "rejected", t("02-26T13:00"));    // ack 1 h, close 1 h, on time
    add("pothole", "sms", t("03-01T00:00"));  // on the period's exclusive end: not received
    // Streetlights (SLA 120 h).
    const auto s1 = add("streetlight", "web_chat", t("02-05T00:00"));
    set(s1, "resolved", t("02-07T00:00"));          // ack 48 h, close 48 h, on time
    add("streetlight", "staff", t("02-22T00:00"));  // s2: open, exactly 7 days old
    const auto s3 = add("streetlight", "open311", t("02-10T00:00"));
    set(s3, "duplicate", t("02-10T01:00"), s1);  // ack 1 h, close 1 h, on time
  }

  void set(const std::string& tracking_id, const std::string& status, const std::string& at,
           std::optional<std::string> duplicate_of = std::nullopt) {
    db.write([&](SQLite::Database& c) {
      const auto found = storage::find_request(c, tracking_id);
      REQUIRE(found);
      std::optional<std::string_view> original;
      if (duplicate_of) {
        original = *duplicate_of;
      }
      storage::update_request_status(c, found->id, status, original, at);
    });
  }
};

config::settings city() {
  config::settings s;
  s.city.name = "Fixture City";
  s.city.languages = {"en", "es"};
  config::category pothole;
  pothole.code = "pothole";
  pothole.name = {{"en", "Pothole"}, {"es", "Bache"}};
  pothole.group = "Streets";
  pothole.sla_hours = pothole_sla;
  config::category streetlight;
  streetlight.code = "streetlight";
  streetlight.name = {{"en", "Streetlight out"}, {"es", "Alumbrado apagado"}};
  streetlight.group = "Streets";
  streetlight.sla_hours = streetlight_sla;
  s.categories = {pothole, streetlight};
  s.public_data.notes = {{"en", "We hired a second crew."}, {"es", "Contratamos otra cuadrilla."}};
  return s;
}

const json* category(const json& summary, const std::string& code) {
  for (const auto& c : summary["categories"]) {
    if (c["code"] == code) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE_METHOD(fixture, "public summary figures match the hand-computed fixture",
                 "[public_stats]") {
  add_february();

  const auto now = *core::from_iso8601(t("03-01T00:00"));
  const auto parsed =
      core::parse_summary_period({{"from", "2026-02-01"}, {"to", "2026-02-28"}}, now);
  REQUIRE(std::holds_alternative<core::summary_period>(parsed));
  const auto& period = std::get<core::summary_period>(parsed);
  const auto settings = city();
  auto rows = db.read([&](SQLite::Database& c) {
    return storage::read_public_stats(c, core::stats_query_for(period, now));
  });
  const auto summary = json::parse(
      core::summary_json(period, rows, settings, core::public_notes_for(settings, {}), now));

  CHECK(summary["period"]["from"] == "2026-02-01T00:00:00.000Z");
  CHECK(summary["period"]["to"] == "2026-03-01T00:00:00.000Z");
  CHECK(summary["period"]["days"] == 28.0);

  const auto& totals = summary["totals"];
  CHECK(totals["received"] == 9);    // p1 p2 p3 p4 p6 p8 s1 s2 s3
  CHECK(totals["closed"] == 7);      // p1 p2 p3 p5 p8 s1 s3
  CHECK(totals["still_open"] == 3);  // p4 p6 s2
  CHECK(totals["open_now"] == 5);    // p4 p6 p7 s2 and the one on 03-01
  CHECK(totals["closed_with_sla"] == 7);
  CHECK(totals["closed_on_time"] == 4);  // p1 p8 s1 s3
  CHECK(totals["on_time_share"] == Approx(0.5714));
  // Closes 1 1 24 48 96 168 180: median the 4th, p90 rank ceil(6.3) = 7th.
  CHECK(totals["median_hours_to_close"] == 48.0);
  CHECK(totals["p90_hours_to_close"] == 180.0);
  // Acks of requests received in the period: 1 1 2 6 12 24 48 -> the 4th.
  CHECK(totals["median_hours_to_first_ack"] == 6.0);

  const auto* pothole = category(summary, "pothole");
  REQUIRE(pothole != nullptr);
  CHECK((*pothole)["name"]["es"] == "Bache");
  CHECK((*pothole)["sla_hours"] == 72);
  CHECK((*pothole)["received"] == 6);
  CHECK((*pothole)["closed"] == 5);
  CHECK((*pothole)["still_open"] == 2);
  CHECK((*pothole)["closed_with_sla"] == 5);
  CHECK((*pothole)["closed_on_time"] == 2);
  CHECK((*pothole)["on_time_share"] == Approx(0.4));
  CHECK((*pothole)["median_hours_to_close"] == 96.0);     // 1 24 96 168 180
  CHECK((*pothole)["p90_hours_to_close"] == 180.0);       // rank ceil(4.5) = 5
  CHECK((*pothole)["median_hours_to_first_ack"] == 6.0);  // 1 2 6 12 24

  const auto* streetlight = category(summary, "streetlight");
  REQUIRE(streetlight != nullptr);
  CHECK((*streetlight)["received"] == 3);
  CHECK((*streetlight)["closed"] == 2);
  CHECK((*streetlight)["still_open"] == 1);
  CHECK((*streetlight)["on_time_share"] == Approx(1.0));
  CHECK((*streetlight)["median_hours_to_close"] == 24.5);  // (1 + 48) / 2
  CHECK((*streetlight)["p90_hours_to_close"] == 48.0);     // rank ceil(1.8) = 2
  CHECK((*streetlight)["median_hours_to_first_ack"] == 24.5);

  const auto& weekly = summary["weekly"];
  REQUIRE(weekly.size() == 4);
  CHECK(weekly[0]["week_start"] == "2026-02-01T00:00:00.000Z");
  CHECK(weekly[3]["week_start"] == "2026-02-22T00:00:00.000Z");
  CHECK(weekly[0]["received"] == 4);  // p1 p2 p3 s1
  CHECK(weekly[1]["received"] == 1);  // s3
  CHECK(weekly[2]["received"] == 1);  // p4
  CHECK(weekly[3]["received"] == 3);  // p6 p8 s2
  CHECK(weekly[0]["closed"] == 4);    // p1 p2 p5 s1
  CHECK(weekly[0]["closed_on_time"] == 2);
  CHECK(weekly[0]["on_time_share"] == Approx(0.5));
  CHECK(weekly[1]["closed"] == 2);  // p3 s3
  CHECK(weekly[1]["on_time_share"] == Approx(0.5));
  CHECK(weekly[2]["closed"] == 0);
  CHECK(weekly[2]["on_time_share"].is_null());
  CHECK(weekly[3]["closed"] == 1);  // p8
  CHECK(weekly[3]["on_time_share"] == Approx(1.0));

  const auto& backlog = summary["backlog"];
  REQUIRE(backlog.size() == 4);
  CHECK(backlog[0]["open"] == 2);  // p6 (2 days), the one on 03-01 (0 days)
  CHECK(backlog[1]["open"] == 1);  // s2 (7 days)
  CHECK(backlog[2]["open"] == 1);  // p4 (9 days)
  CHECK(backlog[3]["open"] == 1);  // p7 (59 days)
  CHECK(backlog[3]["max_days"].is_null());

  const auto& channels = summary["channels"];
  REQUIRE(channels.size() == 4);
  CHECK(channels[0] == json{{"channel", "sms"}, {"received", 5}});
  CHECK(channels[1] == json{{"channel", "web_chat"}, {"received", 2}});
  CHECK(channels[2] == json{{"channel", "open311"}, {"received", 1}});
  CHECK(channels[3] == json{{"channel", "staff"}, {"received", 1}});

  CHECK(summary["notes"]["en"] == "We hired a second crew.");
  // Nothing of a resident's reaches the summary.
  CHECK(summary.dump().find("555-0100") == std::string::npos);
  CHECK(summary.dump().find("Main St") == std::string::npos);
}

TEST_CASE_METHOD(fixture, "stored notes replace the config's, language by language",
                 "[public_stats]") {
  db.write([](SQLite::Database& c) {
    storage::save_public_note(c, {"es", "Nueva nota", "2026-03-01T00:00:00.000Z", "ada"});
    storage::save_public_note(c, {"es", "Nota final", "2026-03-02T00:00:00.000Z", "ada"});
  });
  const auto stored = db.read([](SQLite::Database& c) { return storage::public_notes(c); });
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].updated_by == "ada");
  const auto notes = core::public_notes_for(city(), stored);
  CHECK(notes.at("en") == "We hired a second crew.");
  CHECK(notes.at("es") == "Nota final");
}

TEST_CASE("median and 90th percentile follow their stated definitions", "[public_stats]") {
  std::vector<std::int64_t> none;
  CHECK_FALSE(core::median_of(none));
  CHECK_FALSE(core::percentile_90_of(none));
  std::vector<std::int64_t> one{7};
  CHECK(*core::median_of(one) == 7.0);
  CHECK(*core::percentile_90_of(one) == 7.0);
  std::vector<std::int64_t> ten{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  CHECK(*core::median_of(ten) == 5.5);
  CHECK(*core::percentile_90_of(ten) == 9.0);  // rank 9 of 10
  std::vector<std::int64_t> eleven{11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6};
  CHECK(*core::median_of(eleven) == 6.0);
  CHECK(*core::percentile_90_of(eleven) == 10.0);  // rank ceil(9.9) = 10
}

TEST_CASE("summary periods: named, custom and refused", "[public_stats]") {
  const auto now = *core::from_iso8601("2026-03-01T10:00:00.000Z");
  const auto named = core::parse_summary_period({{"period", "90"}}, now);
  REQUIRE(std::holds_alternative<core::summary_period>(named));
  CHECK(std::get<core::summary_period>(named).name == "90d");
  CHECK(std::get<core::summary_period>(named).to == now);
  const auto fallback = core::parse_summary_period({}, now);
  CHECK(std::get<core::summary_period>(fallback).name == "30d");
  CHECK(std::holds_alternative<std::string>(core::parse_summary_period({{"period", "7"}}, now)));
  CHECK(std::holds_alternative<std::string>(
      core::parse_summary_period({{"from", "2026-01-01"}}, now)));
  CHECK(std::holds_alternative<std::string>(
      core::parse_summary_period({{"from", "2026-02-01"}, {"to", "2026-01-01"}}, now)));
  CHECK(std::holds_alternative<std::string>(
      core::parse_summary_period({{"from", "2000-01-01"}, {"to", "2026-01-01"}}, now)));
}

TEST_CASE_METHOD(fixture, "a custom range cut from the day index equals a scan of that range",
                 "[public_stats]") {
  add_february();
  const auto now = *core::from_iso8601(t("03-01T10:00"));
  const auto settings = city();
  const auto notes = core::public_notes_for(settings, {});
  constexpr int index_days = 70;  // 2025-12-22 .. 2026-03-01
  core::public_day_index index;
  index.first_day = core::day_index_start(now, index_days);
  index.day_count = index_days;
  const auto index_query = core::day_index_query(now, index_days);
  REQUIRE(index_query.week_starts.size() == index_days);
  CHECK(index_query.from == "2025-12-22T00:00:00.000Z");
  CHECK(index_query.to == "2026-03-02T00:00:00.000Z");
  db.read([&](SQLite::Database& c) {
    storage::read_received_stats(c, index_query, index.rows);
    storage::read_closed_stats(c, index_query, index.rows);
  });

  const auto period_of = [&](const char* from, const char* to) {
    const auto parsed = core::parse_summary_period({{"from", from}, {"to", to}}, now);
    REQUIRE(std::holds_alternative<core::summary_period>(parsed));
    return std::get<core::summary_period>(parsed);
  };
  for (const auto& [from, to] : std::vector<std::pair<const char*, const char*>>{
           {"2026-02-01", "2026-02-28"},  // the hand-computed period
           {"2026-02-03", "2026-02-10"},  // weeks that start mid-week
           {"2026-02-10", "2026-02-10"},  // one day
           {"2025-12-22", "2026-03-01"},  // the whole index, today included
           {"2026-01-25", "2026-02-26"}}) {
    INFO(from << " .. " << to);
    const auto period = period_of(from, to);
    const auto query = core::stats_query_for(period, now);
    auto scanned =
        db.read([&](SQLite::Database& c) { return storage::read_public_stats(c, query); });
    auto cut = core::slice_day_index(index, period);
    REQUIRE(cut);
    cut->backlog = scanned.backlog;  // asked for at the time of the request, not indexed
    CHECK(core::summary_json(period, *cut, settings, notes, now) ==
          core::summary_json(period, scanned, settings, notes, now));
  }
  // The February figures themselves, from the cut.
  const auto february = period_of("2026-02-01", "2026-02-28");
  const auto summary = json::parse(
      core::summary_json(february, *core::slice_day_index(index, february), settings, notes, now));
  CHECK(summary["totals"]["received"] == 9);
  CHECK(summary["totals"]["median_hours_to_close"] == 48.0);
  CHECK(summary["totals"]["p90_hours_to_close"] == 180.0);

  // Ranges that reach outside the index are not cut (the caller scans them instead).
  CHECK_FALSE(core::slice_day_index(index, period_of("2025-12-21", "2026-02-01")));
  CHECK_FALSE(core::slice_day_index(index, period_of("2026-02-01", "2026-03-02")));
  auto last_days = period_of("2026-02-01", "2026-02-28");
  last_days.from += std::chrono::hours(1);  // a relative period does not start at midnight
  CHECK_FALSE(core::slice_day_index(index, last_days));
}
