// Replies to provider messages, per-sender counts, notification delivery outcomes and
// multipart SMS parts, on a real SQLite file.

#include "storage/deliveries.hpp"

#include <catch2/catch.hpp>

#include "storage/database.hpp"
#include "test_support.hpp"

namespace storage = civicline::storage;
using civicline::storage::testing::temp_directory;
using namespace std::chrono_literals;

namespace {

constexpr const char* t0 = "2026-11-28T13:45:00.000Z";
constexpr const char* t1 = "2026-11-28T13:46:00.000Z";
constexpr const char* t2 = "2026-11-28T13:47:00.000Z";

struct fixture : civicline::storage::testing::fresh_database {
  std::int64_t resident(const std::string& address) {
    std::int64_t id = 0;
    db.write([&](SQLite::Database& c) {
      id = storage::find_or_create_resident(c, "sms", address, "en", t0).id;
    });
    return id;
  }
  std::int64_t notify(std::int64_t resident_id, const std::string& body) {
    std::int64_t id = 0;
    db.write([&](SQLite::Database& c) {
      storage::notification_record n;
      n.resident_id = resident_id;
      n.body = body;
      n.status = "pending";
      n.created_at = t0;
      n.next_attempt_at = t0;
      id = storage::insert_notification(c, n);
    });
    return id;
  }
};

}  // namespace

TEST_CASE("a retried provider message finds the replies given the first time") {
  fixture f;
  const auto who = f.resident("+15550001111");
  f.db.write([&](SQLite::Database& c) {
    const auto in = storage::insert_message(c, {0, who, "in", "pothole", "SM1", {}, t0});
    REQUIRE(in);
    storage::insert_message(c, {0, who, "out", "first", "", {}, t0, *in});
    storage::insert_message(c, {0, who, "out", "second", "", {}, t0, *in});
    storage::insert_message(c, {0, who, "in", "other", "SM2", {}, t1});
  });
  f.db.read([&](SQLite::Database& c) {
    const auto first = storage::find_inbound_message(c, who, "SM1");
    REQUIRE(first);
    CHECK(storage::replies_to(c, *first) == std::vector<std::string>{"first", "second"});
    CHECK_FALSE(storage::find_inbound_message(c, who, "SM9"));
    CHECK_FALSE(storage::find_inbound_message(c, who, ""));
    CHECK(storage::count_inbound_since(c, who, t0) == 2);
    CHECK(storage::count_inbound_since(c, who, t1) == 1);
    CHECK(storage::count_inbound_since(c, who, t2) == 0);
    return 0;
  });
}

TEST_CASE("a sent notification keeps the provider's id and joins the conversation") {
  fixture f;
  const auto who = f.resident("+15550002222");
  const auto id = f.notify(who, "Update on 311-000001: resolved.");
  f.db.write([&](SQLite::Database& c) {
    auto n = storage::find_notification(c, id);
    REQUIRE(n);
    CHECK(n->address == "+15550002222");
    storage::record_notification_sent(c, *n, 1, "SMabc", "queued", t1);
  });
  f.db.read([&](SQLite::Database& c) {
    const auto n = storage::find_notification_by_provider_message(c, "SMabc");
    REQUIRE(n);
    CHECK(n->id == id);
    CHECK(n->status == "sent");
    CHECK(n->attempts == 1);
    CHECK(n->delivery_status == "queued");
    const auto messages = storage::conversation_messages(c, who, 10);
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].direction == "out");
    CHECK(messages[0].external_id == "SMabc");
    CHECK(storage::due_notifications(c, "sms", t2, 10).empty());
    return 0;
  });
  f.db.write([&](SQLite::Database& c) { storage::set_delivery_status(c, id, "delivered", ""); });
  f.db.read([&](SQLite::Database& c) {
    CHECK(storage::find_notification(c, id)->delivery_status == "delivered");
    return 0;
  });
}

TEST_CASE("a failed attempt waits for its next time; a dropped one is never due again") {
  fixture f;
  const auto who = f.resident("+15550003333");
  const auto retried = f.notify(who, "one");
  const auto dropped = f.notify(who, "two");
  f.db.write([&](SQLite::Database& c) {
    storage::record_notification_retry(c, retried, 1, t2, "provider answered 503");
    storage::record_notification_dropped(c, dropped, "failed", 1, "provider refused: 21211");
  });
  f.db.read([&](SQLite::Database& c) {
    CHECK(storage::due_notifications(c, "sms", t1, 10).empty());
    const auto due = storage::due_notifications(c, "sms", t2, 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].id == retried);
    CHECK(due[0].last_error == "provider answered 503");
    const auto counts = storage::count_notifications_by_status(c);
    CHECK(counts ==
          std::vector<std::pair<std::string, std::int64_t>>{{"failed", 1}, {"pending", 1}});
    return 0;
  });
  CHECK_THROWS(f.db.write(
      [&](SQLite::Database& c) { storage::record_notification_retry(c, 999, 1, t2, "x"); }));
}

TEST_CASE("multipart SMS parts are kept once each and forgotten when old") {
  fixture f;
  f.db.write([&](SQLite::Database& c) {
    storage::store_sms_part(c, {"vonage", "15550004444", "ref1", 3, 2, "middle ", t0});
    storage::store_sms_part(c, {"vonage", "15550004444", "ref1", 3, 1, "first ", t0});
    storage::store_sms_part(c, {"vonage", "15550004444", "ref1", 3, 1, "first again", t1});
    storage::store_sms_part(c, {"vonage", "15550005555", "ref1", 2, 1, "someone else", t1});
  });
  f.db.read([&](SQLite::Database& c) {
    const auto parts = storage::sms_parts_of(c, "vonage", "15550004444", "ref1");
    CHECK(parts == std::vector<std::pair<int, std::string>>{{1, "first "}, {2, "middle "}});
    return 0;
  });
  CHECK_THROWS(f.db.write([&](SQLite::Database& c) {
    storage::store_sms_part(c, {"vonage", "15550004444", "ref2", 2, 3, "part 3 of 2", t0});
  }));
  f.db.write([&](SQLite::Database& c) { storage::delete_sms_parts_before(c, t1); });
  f.db.read([&](SQLite::Database& c) {
    CHECK(storage::sms_parts_of(c, "vonage", "15550004444", "ref1").empty());
    CHECK(storage::sms_parts_of(c, "vonage", "15550005555", "ref1").size() == 1);
    return 0;
  });
}
