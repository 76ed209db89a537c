// core/duplicates.hpp on a real SQLite file: report_or_follow creates a request, or makes the
// reporter a follower of the open one at the same place (by location key or within the radius)
// reported inside the category's window — the rule the chat dialog and Open311 share.

#include "core/duplicates.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/clock_text.hpp"
#include "core/requests.hpp"
#include "storage/database.hpp"
#include "storage/service_requests.hpp"
#include "test_support.hpp"

namespace civicline::core {
namespace {

using namespace std::chrono_literals;

const time_point t0 = from_iso8601("2026-03-04T17:00:00.000Z").value();

struct fixture {
  std::filesystem::path dir;
  std::unique_ptr<storage::database> db;
  const config::settings& settings = testing::demo_city().settings;

  fixture() {
    static std::atomic<int> counter{0};
    dir = std::filesystem::temp_directory_path() /
          ("civicline-duplicates-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
    db = std::make_unique<storage::database>(
        storage::database_options{dir / "test.db", 2, 5000ms, 64});
  }
  ~fixture() {
    db.reset();
    std::filesystem::remove_all(dir);
  }

  report_outcome report(const std::string& category, location where, time_point at) {
    draft d;
    d.category = category;
    d.location = std::move(where);
    report_outcome out;
    db->write([&](SQLite::Database& c) {
      const auto resident = storage::find_or_create_resident(
          c, "open311", "open311:" + std::to_string(at.time_since_epoch().count()), "en",
          to_iso8601(at));
      out = report_or_follow(c, d, channel::open311, "en", resident.id, settings, at);
    });
    return out;
  }
};

location at_address(const std::string& text) {
  return {text, "", std::nullopt, std::nullopt};
}

}  // namespace

TEST_CASE("report_or_follow follows an open request of the category at the same place") {
  fixture f;
  const auto first = f.report("pothole", at_address("55 N Center St"), t0);
  CHECK_FALSE(first.duplicate);
  const auto again = f.report("pothole", at_address("55 north center street"), t0 + 1h);
  CHECK(again.duplicate);
  CHECK(again.request.tracking_id == first.request.tracking_id);
  const auto other = f.report("graffiti", at_address("55 N Center St"), t0 + 2h);
  CHECK_FALSE(other.duplicate);
  f.db->read([&](SQLite::Database& c) {
    CHECK(storage::followers_of(c, first.request.id).size() == 2);
    const auto history = storage::request_history(c, first.request.id);
    REQUIRE(history.size() == 2);
    CHECK(history[1].field == "follower");
    return 0;
  });
}

TEST_CASE("report_or_follow matches coordinates within the radius, not beyond") {
  fixture f;
  const auto first = f.report("pothole", {"corner", "", 33.4550, -112.0740}, t0);
  const auto near = f.report("pothole", {"by the bus stop", "", 33.4551, -112.0740}, t0 + 1min);
  CHECK(near.duplicate);
  CHECK(near.request.tracking_id == first.request.tracking_id);
  const auto far = f.report("pothole", {"further up", "", 33.4570, -112.0740}, t0 + 2min);
  CHECK_FALSE(far.duplicate);
}

TEST_CASE("report_or_follow keeps to the category's window and to open requests") {
  fixture f;
  // missed_trash_pickup: a window of 3 days in the demo city.
  const auto first = f.report("missed_trash_pickup", at_address("9 W Adams St"), t0);
  CHECK(f.report("missed_trash_pickup", at_address("9 W Adams St"), t0 + 71h).duplicate);
  CHECK_FALSE(f.report("missed_trash_pickup", at_address("9 W Adams St"), t0 + 73h).duplicate);
  // other: a window of 0 days, every report on its own.
  CHECK_FALSE(f.report("other", at_address("1 E Main St"), t0).duplicate);
  CHECK_FALSE(f.report("other", at_address("1 E Main St"), t0 + 1min).duplicate);
  // A resolved request is not followed.
  const auto hole = f.report("pothole", at_address("3 S 1st Ave"), t0);
  f.db->write([&](SQLite::Database& c) {
    storage::update_request_status(c, hole.request.id, "resolved", std::nullopt,
                                   to_iso8601(t0 + 1h));
  });
  CHECK_FALSE(f.report("pothole", at_address("3 S 1st Ave"), t0 + 2h).duplicate);
  CHECK(first.request.tracking_id != hole.request.tracking_id);
}

}  // namespace civicline::core
