// Tests for the staff queue's filters, sort orders and cursors on list_requests
// (storage/service_requests.hpp): channel, free text, time ranges and keyset paging.

#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "storage/database.hpp"
#include "storage/service_requests.hpp"
#include "test_support.hpp"

namespace storage = civicline::storage;
using civicline::storage::testing::temp_directory;
using storage::request_order;
using namespace std::chrono_literals;

namespace {

using ids = std::vector<std::string>;

struct fixture : civicline::storage::testing::fresh_database {
  std::string add(const std::string& created_at, const std::string& description,
                  const std::string& location, const std::string& channel = "sms",
                  const std::string& due_at = "", const std::string& updated_at = "") {
    storage::request_record r;
    r.category = "pothole";
    r.status = "new";
    r.location_text = location;
    r.location_key = location;
    r.description = description;
    r.channel = channel;
    r.language = "en";
    r.created_at = created_at;
    r.updated_at = updated_at.empty() ? created_at : updated_at;
    r.due_at = due_at;
    std::string id;
    db.write(
        [&](SQLite::Database& c) { id = storage::insert_request(c, r, "311-", 6).tracking_id; });
    return id;
  }

  ids list(const storage::request_filter& filter, std::size_t limit = 50) {
    return db.read([&](SQLite::Database& c) {
      ids out;
      for (const auto& r : storage::list_requests(c, filter, limit)) {
        out.push_back(r.tracking_id);
      }
      return out;
    });
  }

  std::int64_t count(const storage::request_filter& filter) {
    return db.read([&](SQLite::Database& c) { return storage::count_requests(c, filter); });
  }

  /// Every page of `limit` in `filter.order`, following cursors.
  ids all_pages(storage::request_filter filter, std::size_t limit) {
    ids out;
    for (int guard = 0; guard < 100; ++guard) {
      const auto page =
          db.read([&](SQLite::Database& c) { return storage::list_requests(c, filter, limit); });
      for (const auto& r : page) {
        out.push_back(r.tracking_id);
      }
      if (page.size() < limit) {
        return out;
      }
      filter.after =
          storage::request_cursor{storage::order_key(page.back(), filter.order), page.back().id};
    }
    FAIL("paging did not end");
    return out;
  }
};

}  // namespace

TEST_CASE("the queue filters by channel, free text and time ranges") {
  fixture f;
  const auto a = f.add("2026-11-01T10:00:00.000Z", "deep hole", "55 N Center St");
  const auto b = f.add("2026-11-02T10:00:00.000Z", "graffiti on wall", "12 W Main St", "web_chat");
  const auto c = f.add("2026-11-03T10:00:00.000Z", "100% blocked_lane", "Center and 1st");
  CHECK(f.list({.channel = "web_chat"}) == ids{b});
  CHECK(f.list({.text = "center"}) == ids{c, a});
  CHECK(f.list({.text = "HOLE"}) == ids{a});
  CHECK(f.count({.text = "center"}) == 2);
  // LIKE's wildcards in the text match only themselves.
  CHECK(f.list({.text = "100%"}) == ids{c});
  CHECK(f.list({.text = "%"}) == ids{c});
  CHECK(f.list({.text = "_"}) == ids{c});
  CHECK(f.list({.text = "d_ep"}).empty());
  // SQL in the text is only text.
  CHECK(f.list({.text = "' OR 1=1 --"}).empty());
  CHECK(f.list({.text = "\\"}).empty());
  CHECK(f.list({.created_after = "2026-11-02T00:00:00.000Z"}) == ids{c, b});
  CHECK(f.list({.created_after = "2026-11-02T10:00:00.000Z",
                .created_before = "2026-11-03T10:00:00.000Z"}) == ids{b});
  CHECK(f.list({.updated_before = "2026-11-02T00:00:00.000Z"}) == ids{a});
  CHECK(f.list({.updated_after = "2026-11-03T00:00:00.000Z"}) == ids{c});
}

TEST_CASE("the queue sorts by creation, last change and due time; no due time goes last") {
  fixture f;
  const auto a = f.add("2026-11-01T10:00:00.000Z", "a", "x", "sms", "2026-11-05T00:00:00.000Z",
                       "2026-11-09T00:00:00.000Z");
  const auto b = f.add("2026-11-02T10:00:00.000Z", "b", "x", "sms", "");
  const auto c = f.add("2026-11-03T10:00:00.000Z", "c", "x", "sms", "2026-11-04T00:00:00.000Z");
  CHECK(f.list({.order = request_order::created_asc}) == ids{a, b, c});
  CHECK(f.list({.order = request_order::created_desc}) == ids{c, b, a});
  CHECK(f.list({.order = request_order::updated_desc}) == ids{a, c, b});
  CHECK(f.list({.order = request_order::updated_asc}) == ids{b, c, a});
  CHECK(f.list({.order = request_order::due_asc}) == ids{c, a, b});
  CHECK(f.list({.order = request_order::due_desc}) == ids{a, c, b});
  CHECK(f.list({}) == ids{c, b, a});  // the default: newest row first
}

TEST_CASE("cursors page through every order without gaps or repeats, ties included") {
  fixture f;
  ids everything;
  for (int i = 0; i < 23; ++i) {
    // Groups of three share a creation time, and some have no due time, to exercise ties.
    const auto created = "2026-11-" + std::string(i / 3 < 9 ? "0" : "") +
                         std::to_string(i / 3 + 1) + "T10:00:00.000Z";
    const auto due =
        i % 4 == 0 ? std::string() : "2026-12-" + std::to_string(10 + i % 5) + "T00:00:00.000Z";
    everything.push_back(f.add(created, "d", "x", "sms", due));
  }
  for (const auto order :
       {request_order::created_asc, request_order::created_desc, request_order::updated_asc,
        request_order::updated_desc, request_order::due_asc, request_order::due_desc}) {
    storage::request_filter filter{.order = order};
    const auto whole = f.list(filter, 100);
    REQUIRE(whole.size() == everything.size());
    for (const std::size_t limit : {1u, 4u, 7u, 50u}) {
      CHECK(f.all_pages(filter, limit) == whole);
    }
  }
  // A cursor combines with filters, and count ignores nothing it is given.
  storage::request_filter sms{.channel = "sms", .order = request_order::created_asc};
  CHECK(f.all_pages(sms, 5).size() == 23);
  CHECK(f.count(sms) == 23);
}
