// Webhook subscriptions, the durable fan-out from the outbox, deliveries and their attempts,
// on a real SQLite file.

#include "storage/webhooks.hpp"

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace storage = civicline::storage;

namespace {

constexpr const char* t0 = "2026-11-28T13:45:00.000Z";
constexpr const char* t1 = "2026-11-28T13:46:00.000Z";
constexpr const char* t2 = "2026-11-28T13:47:00.000Z";

/// Events whose type contains a subscription's description match it; the ordering key is
/// the payload itself.
const storage::fan_out_rules rules{
    [](const storage::webhook_subscription& s, const storage::outbox_event& e) {
      return s.description.empty() || e.type.find(s.description) != std::string::npos;
    },
    [](const storage::outbox_event& e) { return e.payload_json; }};

struct fixture : civicline::storage::testing::fresh_database {
  std::int64_t event(const std::string& type, const std::string& key = "k") {
    std::int64_t id = 0;
    db.write([&](SQLite::Database& c) {
      id = storage::insert_outbox_event(c, {0, "", type, key, t0});
    });
    return id;
  }
  storage::webhook_subscription subscribe(const std::string& filter = "") {
    storage::webhook_subscription s;
    s.url = "https://partner.example/hooks";
    s.description = filter;
    s.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    s.created_at = s.updated_at = t0;
    db.write([&](SQLite::Database& c) { s = storage::insert_webhook_subscription(c, s); });
    return s;
  }
  std::size_t fan_out(std::size_t limit = 100) {
    std::size_t read = 0;
    db.write(
        [&](SQLite::Database& c) { read = storage::fan_out_webhook_events(c, rules, t1, limit); });
    return read;
  }
  std::vector<storage::webhook_delivery> due(std::int64_t subscription, const char* now = t1) {
    return db.read([&](SQLite::Database& c) {
      return storage::due_webhook_deliveries(c, subscription, now, 100);
    });
  }
};

}  // namespace

TEST_CASE_METHOD(fixture, "a subscription hears only events committed after it was created") {
  event("request.created");  // before: history is never replayed
  const auto s = subscribe();
  const auto after = event("request.status_changed", "311-000001");
  CHECK(fan_out() == 2);
  const auto rows = due(s.id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].event_row == after);
  CHECK(rows[0].event.type == "request.status_changed");
  CHECK(rows[0].ordering_key == "311-000001");
  CHECK(rows[0].status == "pending");
  CHECK(rows[0].next_attempt_at == t1);
}

TEST_CASE_METHOD(fixture, "fan-out is once per event: the cursor commits with the rows") {
  const auto s = subscribe();
  event("request.created");
  event("request.created");
  CHECK(fan_out(1) == 1);
  CHECK(due(s.id).size() == 1);
  CHECK(fan_out() == 1);
  CHECK(fan_out() == 0);
  CHECK(due(s.id).size() == 2);
  CHECK_FALSE(db.read([](SQLite::Database& c) { return storage::webhook_fanout_behind(c); }));
  event("request.created");
  CHECK(db.read([](SQLite::Database& c) { return storage::webhook_fanout_behind(c); }));
}

TEST_CASE_METHOD(fixture, "filters and the enabled flag decide who gets a delivery") {
  const auto notes = subscribe("note");
  auto off = subscribe();
  off.enabled = false;
  db.write([&](SQLite::Database& c) { storage::update_webhook_subscription(c, off); });
  event("request.created");
  event("request.note_added");
  fan_out();
  const auto rows = due(notes.id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].event.type == "request.note_added");
  CHECK(due(off.id).empty());
}

TEST_CASE_METHOD(fixture, "attempts are logged; retries wait; delivered and failed rows leave") {
  const auto s = subscribe();
  const auto a = event("request.created");
  fan_out();
  const auto row = due(s.id).at(0);
  storage::webhook_attempt attempt;
  attempt.delivery_id = row.id;
  attempt.attempted_at = t1;
  attempt.status_code = 503;
  attempt.latency_ms = 12;
  attempt.response_excerpt = "busy";
  attempt.error = "the endpoint answered 503";
  db.write(
      [&](SQLite::Database& c) { storage::record_webhook_attempt(c, attempt, "pending", 1, t2); });
  CHECK(due(s.id, t1).empty());
  REQUIRE(due(s.id, t2).size() == 1);
  attempt.status_code = 200;
  attempt.error.clear();
  attempt.attempted_at = t2;
  db.write([&](SQLite::Database& c) {
    storage::record_webhook_attempt(c, attempt, "delivered", 2, t2);
  });
  CHECK(due(s.id, t2).empty());
  const auto log =
      db.read([&](SQLite::Database& c) { return storage::webhook_attempts_of(c, row.id); });
  REQUIRE(log.size() == 2);
  CHECK(log[0].status_code == 503);
  CHECK(log[0].response_excerpt == "busy");
  CHECK(log[1].status_code == 200);
  const auto by_event = db.read([&](SQLite::Database& c) {
    return storage::deliveries_of_event(c, "evt_" + std::to_string(a));
  });
  REQUIRE(by_event.size() == 1);
  CHECK(by_event[0].status == "delivered");
  CHECK(by_event[0].attempts == 2);
}

TEST_CASE_METHOD(fixture, "redelivery makes one event or every failed one pending again") {
  const auto s = subscribe();
  const auto first = event("request.created");
  event("request.created");
  fan_out();
  for (const auto& row : due(s.id)) {
    storage::webhook_attempt attempt{0, row.id, t1, std::nullopt, 5, "", "connection refused"};
    db.write([&](SQLite::Database& c) {
      storage::record_webhook_attempt(c, attempt, "failed", 10, t1);
    });
  }
  CHECK(due(s.id, t2).empty());
  db.write([&](SQLite::Database& c) {
    CHECK(storage::redeliver_event(c, s.id, "evt_" + std::to_string(first), t2) == 1);
  });
  REQUIRE(due(s.id, t2).size() == 1);
  CHECK(due(s.id, t2)[0].attempts == 0);
  db.write([&](SQLite::Database& c) {
    CHECK(storage::redeliver_failed_since(c, s.id, t0, t2) == 1);  // the other one
  });
  CHECK(due(s.id, t2).size() == 2);
}

TEST_CASE_METHOD(fixture, "deleting a subscription deletes its deliveries and attempts") {
  const auto s = subscribe();
  event("request.created");
  fan_out();
  const auto row = due(s.id).at(0);
  storage::webhook_attempt attempt{0, row.id, t1, 500, 5, "", "boom"};
  db.write([&](SQLite::Database& c) {
    storage::record_webhook_attempt(c, attempt, "pending", 1, t2);
    CHECK(storage::delete_webhook_subscription(c, s.id));
    CHECK_FALSE(storage::delete_webhook_subscription(c, s.id));
  });
  CHECK_FALSE(
      db.read([&](SQLite::Database& c) { return storage::find_webhook_delivery(c, row.id); }));
  CHECK(db.read([&](SQLite::Database& c) {
            return storage::webhook_attempts_of(c, row.id);
          }).empty());
}
