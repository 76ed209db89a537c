// storage/open311.hpp on a real database: the updates query reads the period through the
// request_history_by_time index (EXPLAIN QUERY PLAN) and returns only public entries in time
// order; reporter contacts are kept per request and resident, reporter first; address_id.

#include "storage/open311.hpp"

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "storage/service_requests.hpp"
#include "test_support.hpp"

namespace storage = civicline::storage;

namespace {

struct fixture : storage::testing::fresh_database {
  std::int64_t add_request(const std::string& at) {
    storage::request_record r;
    r.category = "pothole";
    r.status = "new";
    r.location_text = "1 Main St";
    r.location_key = "1 main st";
    r.channel = "open311";
    r.language = "en";
    r.created_at = r.updated_at = at;
    std::int64_t id = 0;
    db.write([&](SQLite::Database& c) { id = storage::insert_request(c, r, "311-", 6).id; });
    return id;
  }

  void history(std::int64_t request, const std::string& at, const std::string& field,
               const std::string& value, const std::string& public_note,
               const std::string& internal_note = "") {
    db.write([&](SQLite::Database& c) {
      storage::insert_history(
          c, {0, request, at, "staff", "ana", field, "", value, public_note, internal_note});
    });
  }

  std::int64_t resident(const std::string& address) {
    std::int64_t id = 0;
    db.write([&](SQLite::Database& c) {
      id = storage::find_or_create_resident(c, "open311", address, "en", "2026-01-01T00:00:00.000Z")
               .id;
    });
    return id;
  }
};

bool mentions(const std::vector<std::string>& plan, const std::string& text) {
  return std::any_of(plan.begin(), plan.end(),
                     [&](const auto& line) { return line.find(text) != std::string::npos; });
}

std::ptrdiff_t sorts(const std::vector<std::string>& plan) {
  return std::count_if(plan.begin(), plan.end(), [](const auto& line) {
    return line.find("USE TEMP B-TREE") != std::string::npos;
  });
}

}  // namespace

TEST_CASE("the updates query reads the period through the history time index") {
  fixture f;
  const auto plan = f.db.read([](SQLite::Database& c) { return storage::public_updates_plan(c); });
  INFO(Catch::Detail::stringify(plan));
  CHECK(mentions(plan, "SEARCH h USING INDEX request_history_by_time (at>? AND at<?)"));
  CHECK_FALSE(mentions(plan, "SCAN h"));
  // The index also gives the order: the only sort is the per-request status subquery's.
  CHECK(sorts(plan) == 1);

  // Without the index (as before migration 0010) the same query scans the whole history.
  // Planned on the connection that dropped it: a reader's cached schema may not know yet.
  std::vector<std::string> without;
  f.db.write([&](SQLite::Database& c) {
    c.exec("DROP INDEX request_history_by_time");
    without = storage::public_updates_plan(c);
  });
  INFO(Catch::Detail::stringify(without));
  CHECK_FALSE(mentions(without, "request_history_by_time"));
  CHECK(mentions(without, "SCAN h"));
  CHECK(sorts(without) == 2);
}

TEST_CASE("public_updates lists status changes and public notes of the period, oldest first") {
  fixture f;
  const auto a = f.add_request("2026-03-01T08:00:00.000Z");
  const auto b = f.add_request("2026-03-01T09:00:00.000Z");
  f.history(a, "2026-03-01T08:00:00.000Z", "created", "new", "");
  f.history(b, "2026-03-01T09:00:00.000Z", "created", "new", "");
  f.history(b, "2026-03-02T10:00:00.000Z", "status", "in_progress", "Crew sent", "truck 7");
  f.history(a, "2026-03-02T09:00:00.000Z", "note", "", "", "internal only");
  f.history(a, "2026-03-02T11:00:00.000Z", "note", "", "Thanks for the photo");
  f.history(a, "2026-03-04T00:00:00.000Z", "status", "resolved", "Filled");

  const auto rows = f.db.read([](SQLite::Database& c) {
    return storage::public_updates(c, "2026-03-01T00:00:00.000Z", "2026-03-03T00:00:00.000Z", 10);
  });
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].tracking_id == "311-000002");
  CHECK(rows[0].status == "in_progress");
  CHECK(rows[0].public_note == "Crew sent");
  CHECK(rows[1].tracking_id == "311-000001");
  CHECK(rows[1].field == "note");
  CHECK(rows[1].status == "new");  // the status the request had when the note was written
  CHECK(rows[1].public_note == "Thanks for the photo");

  const auto one = f.db.read([](SQLite::Database& c) {
    return storage::public_updates(c, "2026-03-01T00:00:00.000Z", "2026-03-05T00:00:00.000Z", 1);
  });
  REQUIRE(one.size() == 1);
  CHECK(one[0].public_note == "Crew sent");
}

TEST_CASE("reporter contacts are kept per request and resident, reporter first") {
  fixture f;
  const auto request = f.add_request("2026-03-01T08:00:00.000Z");
  const auto reporter = f.resident("open311:a");
  const auto follower = f.resident("open311:b");
  f.db.write([&](SQLite::Database& c) {
    storage::add_follower(c, request, follower, "follower", "2026-03-01T08:00:00.000Z");
    storage::add_follower(c, request, reporter, "reporter", "2026-03-01T08:00:00.000Z");
    storage::save_reporter_contact(
        c, {request, follower, "b@example.org", "", "", "", "", "", "2026-03-01T08:00:00.000Z"});
    storage::save_reporter_contact(
        c, {request, reporter, "a@example.org", "Ana", "Ruiz", "+16025550100", "dev-1", "acct-1",
            "2026-03-01T09:00:00.000Z"});
    // The same resident again: what it sends replaces, what it leaves out stays.
    storage::save_reporter_contact(
        c, {request, reporter, "", "Ana María", "", "", "", "", "2026-03-01T10:00:00.000Z"});
  });
  const auto contacts =
      f.db.read([&](SQLite::Database& c) { return storage::reporter_contacts(c, request); });
  REQUIRE(contacts.size() == 2);
  CHECK(contacts[0].role == "reporter");
  CHECK(contacts[0].email == "a@example.org");
  CHECK(contacts[0].first_name == "Ana María");
  CHECK(contacts[0].last_name == "Ruiz");
  CHECK(contacts[0].phone == "+16025550100");
  CHECK(contacts[0].device_id == "dev-1");
  CHECK(contacts[0].account_id == "acct-1");
  CHECK(contacts[1].role == "follower");
  CHECK(contacts[1].email == "b@example.org");
  CHECK(f.db.read(
      [&](SQLite::Database& c) { return storage::reporter_contacts(c, request + 1).empty(); }));
}

TEST_CASE("a request keeps the first address_id a client gave") {
  fixture f;
  const auto request = f.add_request("2026-03-01T08:00:00.000Z");
  CHECK(f.db.read([&](SQLite::Database& c) { return storage::address_id_of(c, request); }).empty());
  f.db.write([&](SQLite::Database& c) {
    storage::save_address_id(c, request, "parcel-42");
    storage::save_address_id(c, request, "parcel-43");
  });
  CHECK(f.db.read([&](SQLite::Database& c) { return storage::address_id_of(c, request); }) ==
        "parcel-42");
}
