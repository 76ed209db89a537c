#include "storage/service_requests.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/write_probes.hpp"
#include "test_support.hpp"

namespace storage = civicline::storage;
using civicline::storage::testing::temp_directory;
using civicline::storage::testing::what_contains;
using namespace std::chrono_literals;

namespace {

constexpr const char* t0 = "2026-11-28T13:45:00.000Z";
constexpr const char* t1 = "2026-11-28T13:46:00.000Z";
constexpr const char* t2 = "2026-11-28T13:47:00.000Z";
constexpr const char* t3 = "2026-11-28T13:48:00.000Z";

const std::vector<std::string> open_statuses{"new", "acknowledged", "in_progress", "reopened"};

/// A fresh database in a temp directory, with the shorthands the tests below share.
struct fixture : civicline::storage::testing::fresh_database {
  std::int64_t resident(const std::string& address, const std::string& channel = "sms",
                        const std::string& language = "en") {
    std::int64_t id = 0;
    db.write([&](SQLite::Database& c) {
      id = storage::find_or_create_resident(c, channel, address, language, t0).id;
    });
    return id;
  }

  storage::request_record request(const std::string& category, const std::string& location_key,
                                  const std::string& created_at = t0,
                                  const std::string& status = "new") {
    storage::request_record r;
    r.category = category;
    r.status = status;
    r.location_text = "55 N Center St";
    r.location_key = location_key;
    r.description = "pretty deep";
    r.channel = "sms";
    r.language = "en";
    r.created_at = created_at;
    r.updated_at = created_at;
    r.due_at = "2026-12-01T13:45:00.000Z";
    storage::request_record stored;
    db.write([&](SQLite::Database& c) { stored = storage::insert_request(c, r, "311-", 6); });
    return stored;
  }

  /// Gives a stored request coordinates (insert_request takes them too; this keeps the
  /// shorthand above short).
  void place(std::int64_t request_id, double lat, double lon) {
    db.write([&](SQLite::Database& c) {
      SQLite::Statement update(c,
                               "UPDATE service_requests SET lat = :lat, lon = :lon WHERE id = :id");
      update.bind(":lat", lat);
      update.bind(":lon", lon);
      update.bind(":id", request_id);
      update.exec();
    });
  }

  void follow(std::int64_t request_id, std::int64_t resident_id,
              const std::string& role = "follower", const std::string& at = t0) {
    db.write(
        [&](SQLite::Database& c) { storage::add_follower(c, request_id, resident_id, role, at); });
  }

  template <class Work>
  auto read(Work&& work) {
    return db.read(std::forward<Work>(work));
  }
};

std::vector<std::string> tracking_ids(const std::vector<storage::request_record>& requests) {
  std::vector<std::string> ids;
  for (const auto& r : requests) {
    ids.push_back(r.tracking_id);
  }
  return ids;
}

bool table_exists(SQLite::Database& db, const std::string& name) {
  SQLite::Statement query(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :name");
  query.bind(":name", name);
  query.executeStep();
  return query.getColumn(0).getInt() == 1;
}

}  // namespace

TEST_CASE("migration 0002 applies on a fresh database") {
  fixture f;
  CHECK(f.db.schema_version() >= 2);
  f.read([](SQLite::Database& c) {
    for (const char* table :
         {"residents", "conversations", "service_requests", "request_followers", "messages",
          "request_history", "outbox_events", "notifications", "handoffs"}) {
      CAPTURE(table);
      CHECK(table_exists(c, table));
    }
    return 0;
  });
}

TEST_CASE("migration 0002 applies on top of a database at 0001, keeping its rows") {
  const temp_directory dir;
  const auto path = dir.file("civicline.db");
  {
    SQLite::Database file(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::vector<storage::migration> all = storage::builtin_migrations();
    REQUIRE(all.size() >= 2);
    REQUIRE(all[1].name == "0002_service_requests.sql");
    CHECK(storage::apply_migrations(file, std::span(all).first(1)) == 1);
    storage::insert_write_probe(file, {0, "before-0002", "kept", t0});
    CHECK_FALSE(table_exists(file, "service_requests"));
  }
  storage::database_options options;
  options.path = path;
  options.readers = 1;
  storage::database db(options);
  CHECK(db.schema_version() >= 2);
  db.read([](SQLite::Database& c) {
    CHECK(table_exists(c, "service_requests"));
    CHECK(storage::find_write_probe(c, "before-0002").value().payload == "kept");
    return 0;
  });
}

TEST_CASE("find_or_create_resident is idempotent and keeps the first language") {
  fixture f;
  storage::resident_record first;
  storage::resident_record again;
  storage::resident_record other_channel;
  f.db.write([&](SQLite::Database& c) {
    first = storage::find_or_create_resident(c, "sms", "+15550001111", "es", t0);
    again = storage::find_or_create_resident(c, "sms", "+15550001111", "en", t1);
    other_channel = storage::find_or_create_resident(c, "web_chat", "+15550001111", "en", t1);
  });
  CHECK(first.id > 0);
  CHECK(again.id == first.id);
  CHECK(again.language == "es");
  CHECK(again.created_at == t0);
  CHECK_FALSE(again.opted_out_at);
  CHECK(other_channel.id != first.id);

  f.db.write([&](SQLite::Database& c) { storage::set_resident_language(c, first.id, "en"); });
  const auto found =
      f.read([&](SQLite::Database& c) { return storage::find_resident(c, first.id); });
  REQUIRE(found);
  CHECK(found->language == "en");
  CHECK(found->address == "+15550001111");
  CHECK(found->channel == "sms");
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_resident(c, 999); }));
  CHECK(f.read([](SQLite::Database& c) {
           return storage::find_resident_by_address(c, "sms", "+15550001111");
         })->id == first.id);
  CHECK_FALSE(f.read([](SQLite::Database& c) {
    return storage::find_resident_by_address(c, "sms", "+15559999999");
  }));
}

TEST_CASE("residents refuse a channel outside the enumeration") {
  fixture f;
  CHECK_THROWS_AS(f.resident("+15550001111", "carrier_pigeon"), SQLite::Exception);
}

TEST_CASE("set_resident_opt_out sets and clears the opt-out") {
  fixture f;
  const std::int64_t id = f.resident("+15550001111");
  f.db.write([&](SQLite::Database& c) { storage::set_resident_opt_out(c, id, t1); });
  CHECK(f.read([&](SQLite::Database& c) { return storage::find_resident(c, id); })->opted_out_at ==
        t1);
  f.db.write([&](SQLite::Database& c) { storage::set_resident_opt_out(c, id, std::nullopt); });
  CHECK_FALSE(
      f.read([&](SQLite::Database& c) { return storage::find_resident(c, id); })->opted_out_at);
  CHECK_THROWS_MATCHES(
      f.db.write([](SQLite::Database& c) { storage::set_resident_opt_out(c, 999, t1); }),
      storage::storage_error, what_contains({"resident 999", "does not exist"}));
}

TEST_CASE("conversation state is saved, loaded and overwritten") {
  fixture f;
  const std::int64_t id = f.resident("+15550001111");
  CHECK_FALSE(f.read([&](SQLite::Database& c) { return storage::load_conversation(c, id); }));
  f.db.write([&](SQLite::Database& c) {
    storage::save_conversation(c, id, R"({"stage":"collecting","slots":{}})", t0);
  });
  CHECK(f.read([&](SQLite::Database& c) { return storage::load_conversation(c, id); }) ==
        R"({"stage":"collecting","slots":{}})");
  f.db.write([&](SQLite::Database& c) {
    storage::save_conversation(c, id, R"({"stage":"confirming"})", t1);
  });
  CHECK(f.read([&](SQLite::Database& c) { return storage::load_conversation(c, id); }) ==
        R"({"stage":"confirming"})");
}

TEST_CASE("insert_message ignores a provider retry but not messages without an external id") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  const std::int64_t bob = f.resident("+15550002222");
  std::vector<std::optional<std::int64_t>> ids;
  f.db.write([&](SQLite::Database& c) {
    const auto message = [](std::int64_t resident, const char* direction, const char* body,
                            const char* external_id, const char* at) {
      return storage::message_record{0, resident, direction, body, external_id, std::nullopt, at};
    };
    ids.push_back(storage::insert_message(c, message(alice, "in", "pothole", "SM1", t0)));
    ids.push_back(storage::insert_message(c, message(alice, "in", "pothole", "SM1", t1)));
    ids.push_back(storage::insert_message(c, message(bob, "in", "pothole", "SM1", t1)));
    ids.push_back(storage::insert_message(c, message(alice, "out", "Thanks", "", t1)));
    ids.push_back(storage::insert_message(c, message(alice, "out", "Thanks", "", t2)));
    ids.push_back(storage::insert_message(c, message(alice, "in", "55 Center", "SM2", t3)));
  });
  REQUIRE(ids.size() == 6);
  CHECK(ids[0]);
  CHECK_FALSE(ids[1]);  // retry
  CHECK(ids[2]);        // same provider id, another resident
  CHECK(ids[3]);
  CHECK(ids[4]);  // "" is not an id
  CHECK(ids[5]);

  const auto messages =
      f.read([&](SQLite::Database& c) { return storage::conversation_messages(c, alice, 10); });
  REQUIRE(messages.size() == 4);
  CHECK(messages.front().body == "pothole");
  CHECK(messages.front().created_at == t0);
  CHECK(messages.back().body == "55 Center");

  const auto newest_two =
      f.read([&](SQLite::Database& c) { return storage::conversation_messages(c, alice, 2); });
  REQUIRE(newest_two.size() == 2);
  CHECK(newest_two[0].created_at == t2);  // oldest of the newest two first
  CHECK(newest_two[1].created_at == t3);
}

TEST_CASE("insert_request assigns prefixed, zero-padded tracking ids in order") {
  fixture f;
  const auto first = f.request("pothole", "55 n center st");
  const auto second = f.request("pothole", "1 1st ave");
  CHECK(first.tracking_id == "311-000001");
  CHECK(second.tracking_id == "311-000002");
  CHECK(second.id == first.id + 1);

  storage::request_record other = first;
  other.due_at.clear();
  storage::request_record stored;
  f.db.write([&](SQLite::Database& c) { stored = storage::insert_request(c, other, "SR", 8); });
  CHECK(stored.tracking_id == "SR00000003");

  f.db.write([&](SQLite::Database& c) { stored = storage::insert_request(c, other, "X", 1); });
  CHECK(stored.tracking_id == "X4");
}

TEST_CASE("a request reads back as it was stored, by tracking id and by id") {
  fixture f;
  storage::request_record r;
  r.category = "pothole";
  r.status = "new";
  r.location_text = "55 N Center St";
  r.location_key = "55 n center st";
  r.lat = 40.7608;
  r.lon = -111.891;
  r.description = "pretty deep";
  r.attributes_json = R"({"flooding":"yes"})";
  r.media_urls_json = R"(["https://example.org/1.jpg"])";
  r.channel = "web_chat";
  r.language = "es";
  r.created_at = t0;
  r.updated_at = t1;
  storage::request_record stored;
  f.db.write([&](SQLite::Database& c) { stored = storage::insert_request(c, r, "311-", 6); });

  const auto found =
      f.read([](SQLite::Database& c) { return storage::find_request(c, "311-000001"); });
  REQUIRE(found);
  CHECK(found->id == stored.id);
  CHECK(found->tracking_id == "311-000001");
  CHECK(found->category == "pothole");
  CHECK(found->status == "new");
  CHECK_FALSE(found->duplicate_of);
  CHECK(found->location_text == "55 N Center St");
  CHECK(found->location_key == "55 n center st");
  CHECK(found->lat == 40.7608);
  CHECK(found->lon == -111.891);
  CHECK(found->description == "pretty deep");
  CHECK(found->attributes_json == R"({"flooding":"yes"})");
  CHECK(found->media_urls_json == R"(["https://example.org/1.jpg"])");
  CHECK(found->channel == "web_chat");
  CHECK(found->language == "es");
  CHECK(found->created_at == t0);
  CHECK(found->updated_at == t1);
  CHECK(found->due_at.empty());

  CHECK(f.read([&](SQLite::Database& c) {
           return storage::find_request_by_id(c, stored.id);
         })->tracking_id == "311-000001");
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_request(c, "311-000002"); }));
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_request_by_id(c, 42); }));
}

TEST_CASE("insert_request refuses a status outside the lifecycle and stores nothing") {
  fixture f;
  f.request("pothole", "a");
  storage::request_record bad = f.request("pothole", "b");
  bad.status = "teleported";
  CHECK_THROWS_AS(
      f.db.write([&](SQLite::Database& c) { storage::insert_request(c, bad, "311-", 6); }),
      SQLite::Exception);
  CHECK(f.read([](SQLite::Database& c) { return storage::count_requests(c, {}); }) == 2);
}

TEST_CASE("requests_followed_by lists the resident's requests newest first, limited") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  const std::int64_t bob = f.resident("+15550002222");
  const auto a = f.request("pothole", "a", t0);
  const auto b = f.request("graffiti", "b", t2);
  const auto c = f.request("streetlight", "c", t1);
  const auto d = f.request("pothole", "d", t3);
  f.follow(a.id, alice, "reporter");
  f.follow(b.id, alice, "reporter");
  f.follow(c.id, alice, "follower");
  f.follow(d.id, bob, "reporter");

  const auto all =
      f.read([&](SQLite::Database& db) { return storage::requests_followed_by(db, alice, 10); });
  CHECK(tracking_ids(all) == std::vector<std::string>{b.tracking_id, c.tracking_id, a.tracking_id});
  const auto newest =
      f.read([&](SQLite::Database& db) { return storage::requests_followed_by(db, alice, 2); });
  CHECK(tracking_ids(newest) == std::vector<std::string>{b.tracking_id, c.tracking_id});
  const auto bobs =
      f.read([&](SQLite::Database& db) { return storage::requests_followed_by(db, bob, 10); });
  CHECK(tracking_ids(bobs) == std::vector<std::string>{d.tracking_id});
}

TEST_CASE("find_open_duplicate matches category, location key, open status and the cutoff") {
  fixture f;
  const auto old_one = f.request("pothole", "55 n center st", t0);
  const auto newer = f.request("pothole", "55 n center st", t2);
  f.request("pothole", "1 1st ave", t3);                    // other place
  f.request("graffiti", "55 n center st", t3);              // other category
  f.request("pothole", "55 n center st", t3, "resolved");   // closed out
  f.request("pothole", "55 n center st", t3, "duplicate");  // not an original

  const auto find = [&](const std::string& category, const std::string& key,
                        const std::string& since, const std::vector<std::string>& statuses) {
    return f.read([&](SQLite::Database& c) {
      return storage::find_open_duplicate(c, category, key, statuses, since);
    });
  };
  const auto found = find("pothole", "55 n center st", t0, open_statuses);
  REQUIRE(found);
  CHECK(found->id == newer.id);  // the newest open one

  f.db.write([&](SQLite::Database& c) {
    storage::update_request_status(c, newer.id, "in_progress", std::nullopt, t3);
  });
  CHECK(find("pothole", "55 n center st", t0, open_statuses)->id == newer.id);
  CHECK(find("pothole", "55 n center st", t0, {"new"})->id == old_one.id);
  CHECK(find("pothole", "55 n center st", t2, open_statuses)->id == newer.id);  // at the cutoff
  CHECK_FALSE(find("pothole", "55 n center st", t3, open_statuses));            // after both
  CHECK_FALSE(find("pothole", "55 n center st", t0, {}));
  CHECK_FALSE(find("sidewalk", "55 n center st", t0, open_statuses));
  CHECK_FALSE(find("pothole", "56 n center st", t0, open_statuses));
}

TEST_CASE("distance_m is the great-circle distance in metres") {
  CHECK(storage::distance_m(33.4152, -111.8315, 33.4152, -111.8315) == 0.0);
  CHECK(storage::distance_m(0, 0, 1, 0) == Approx(111'195).margin(1));
  CHECK(storage::distance_m(0, 179.9999, 0, -179.9999) == Approx(22.24).margin(0.01));
}

TEST_CASE("find_open_duplicate_near finds the nearest open request of the category in range") {
  fixture f;
  // Metres to degrees around Mesa, AZ (33.4152 N): 1 m north ~ 1/111195 degree.
  constexpr double lat = 33.4152;
  constexpr double lon = -111.8315;
  constexpr double north_m = 1.0 / 111'195;
  constexpr double east_m = 1.0 / 92'819;
  const auto at = [&](const std::string& category, double dlat_m, double dlon_m,
                      const std::string& created_at, const std::string& status = "new") {
    storage::request_record r = f.request(category, "gps", created_at, status);
    f.place(r.id, lat + dlat_m * north_m, lon + dlon_m * east_m);
    return r;
  };
  const auto ten_north = at("pothole", 10, 0, t1);
  const auto east = at("pothole", 0, 25, t2);
  at("pothole", 40, 0, t2);                                    // outside 30 m
  const auto graffiti = at("graffiti", 5, 0, t2);              // other category
  const auto resolved = at("pothole", -5, 0, t2, "resolved");  // closed
  const auto old_one = at("pothole", 3, 0, t0);                // before the window
  f.request("pothole", "55 n center st", t3);                  // no coordinates

  const auto find = [&](const std::string& category, double dlat_m, double radius_m,
                        const std::string& since,
                        const std::vector<std::string>& statuses = open_statuses) {
    return f.read([&](SQLite::Database& c) {
      return storage::find_open_duplicate_near(c, category, lat + dlat_m * north_m, lon, radius_m,
                                               statuses, since);
    });
  };
  const auto found = find("pothole", 0, 30, t1);
  REQUIRE(found);
  CHECK(found->id == ten_north.id);  // 10 m beats 25 m; the closed one at 5 m does not count
  CHECK(found->lat.has_value());

  // From 40 m south everything is 45 m or more away; a wider radius takes the nearest.
  CHECK_FALSE(find("pothole", -40, 30, t1));
  CHECK(find("pothole", -40, 60, t1)->id == east.id);
  CHECK_FALSE(find("pothole", 0, 9, t1));  // only the closed one is that close

  CHECK_FALSE(find("sidewalk", 0, 30, t0));
  CHECK(find("graffiti", 0, 30, t0)->id == graffiti.id);
  CHECK(find("pothole", 0, 30, t0, {"resolved"})->id == resolved.id);
  CHECK(find("pothole", 0, 30, t0)->id == old_one.id);  // inside a window that reaches back
  CHECK(find("pothole", 0, 30, t2)->id == east.id);     // the 10 m one is too old now

  CHECK_FALSE(find("pothole", 0, 0, t0));
  CHECK_FALSE(find("pothole", 0, 30, t0, {}));
  CHECK_FALSE(f.read([&](SQLite::Database& c) {
    return storage::find_open_duplicate_near(c, "pothole", 91, lon, 30, open_statuses, t0);
  }));
}

TEST_CASE("find_open_duplicate_near works across the antimeridian and the pole") {
  fixture f;
  const auto place = [&](double lat, double lon) {
    storage::request_record r = f.request("pothole", "gps", t1);
    f.place(r.id, lat, lon);
    return r;
  };
  const auto east_of_line = place(0, -179.9999);
  const auto near_pole = place(89.99995, 10);
  const auto near = [&](double lat, double lon) {
    return f.read([&](SQLite::Database& c) {
      return storage::find_open_duplicate_near(c, "pothole", lat, lon, 30, open_statuses, t0);
    });
  };
  CHECK(near(0, 179.9999)->id == east_of_line.id);  // 22 m apart, on both sides of 180
  CHECK(near(89.99995, -170)->id == near_pole.id);  // about 11 m apart, across the pole
}

TEST_CASE("the near-duplicate lookup uses its index") {
  fixture f;
  const auto plan = f.read([](SQLite::Database& c) {
    SQLite::Statement explain(
        c,
        "EXPLAIN QUERY PLAN SELECT id FROM service_requests WHERE category = 'pothole' "
        "AND lat BETWEEN 1 AND 2 AND lon BETWEEN 1 AND 2");
    std::string text;
    while (explain.executeStep()) {
      text += explain.getColumn(3).getString() + "\n";
    }
    return text;
  });
  INFO(plan);
  CHECK(plan.find("service_requests_near_lookup") != std::string::npos);
}

TEST_CASE("the duplicate lookup by address reads the newest first, without sorting") {
  fixture f;
  const auto plan = f.read([](SQLite::Database& c) {
    SQLite::Statement explain(
        c,
        "EXPLAIN QUERY PLAN SELECT id FROM service_requests r WHERE r.category = 'pothole' "
        "AND r.location_key = 'main st' AND r.status IN ('new', 'acknowledged') "
        "AND r.created_at >= '2026-01-01' ORDER BY r.created_at DESC, r.id DESC LIMIT 1");
    std::string text;
    while (explain.executeStep()) {
      text += explain.getColumn(3).getString() + "\n";
    }
    return text;
  });
  INFO(plan);
  CHECK(plan.find("service_requests_duplicate_lookup") != std::string::npos);
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE("update_request_status sets status, duplicate_of and updated_at") {
  fixture f;
  const auto original = f.request("pothole", "a", t0);
  const auto copy = f.request("pothole", "a", t1);
  f.db.write([&](SQLite::Database& c) {
    storage::update_request_status(c, copy.id, "duplicate", original.tracking_id, t2);
  });
  const auto found =
      f.read([&](SQLite::Database& c) { return storage::find_request_by_id(c, copy.id); });
  REQUIRE(found);
  CHECK(found->status == "duplicate");
  CHECK(found->duplicate_of == original.tracking_id);
  CHECK(found->updated_at == t2);
  CHECK(found->created_at == t1);

  f.db.write([&](SQLite::Database& c) {
    storage::update_request_status(c, copy.id, "reopened", std::nullopt, t3);
  });
  CHECK_FALSE(f.read([&](SQLite::Database& c) {
                 return storage::find_request_by_id(c, copy.id);
               })->duplicate_of);

  CHECK_THROWS_MATCHES(f.db.write([](SQLite::Database& c) {
    storage::update_request_status(c, 999, "closed", std::nullopt, t3);
  }),
                       storage::storage_error, what_contains({"service request 999"}));
  CHECK_THROWS_AS(f.db.write([&](SQLite::Database& c) {
    storage::update_request_status(c, copy.id, "duplicate", "311-999999", t3);
  }),
                  SQLite::Exception);  // duplicate_of must name a real request
  CHECK_THROWS_AS(f.db.write([&](SQLite::Database& c) {
    storage::update_request_status(c, copy.id, "lost", std::nullopt, t3);
  }),
                  SQLite::Exception);
}

TEST_CASE("list_requests and count_requests filter by status, category, overdue and page") {
  fixture f;
  const auto a = f.request("pothole", "a", t0);
  const auto b = f.request("graffiti", "b", t1);
  const auto c = f.request("pothole", "c", t2, "resolved");
  storage::request_record no_sla = a;
  no_sla.due_at.clear();
  storage::request_record d;
  f.db.write([&](SQLite::Database& db) { d = storage::insert_request(db, no_sla, "311-", 6); });

  const auto list = [&](const storage::request_filter& filter, std::size_t limit = 10) {
    return tracking_ids(
        f.read([&](SQLite::Database& db) { return storage::list_requests(db, filter, limit); }));
  };
  const auto count = [&](const storage::request_filter& filter) {
    return f.read([&](SQLite::Database& db) { return storage::count_requests(db, filter); });
  };
  using ids = std::vector<std::string>;
  CHECK(list({}) == ids{d.tracking_id, c.tracking_id, b.tracking_id, a.tracking_id});
  CHECK(count({}) == 4);
  CHECK(list({}, 2) == ids{d.tracking_id, c.tracking_id});
  CHECK(list({.before_id = c.id}) == ids{b.tracking_id, a.tracking_id});

  const storage::request_filter open{.statuses = open_statuses};
  CHECK(list(open) == ids{d.tracking_id, b.tracking_id, a.tracking_id});
  CHECK(count(open) == 3);
  CHECK(count({.statuses = open_statuses, .category = "pothole"}) == 2);
  // Overdue: open, with a due time before now; the one without an SLA never is.
  const storage::request_filter overdue{.statuses = open_statuses,
                                        .due_before = "2026-12-02T00:00:00.000Z"};
  CHECK(list(overdue) == ids{b.tracking_id, a.tracking_id});
  CHECK(count({.due_before = "2026-11-30T00:00:00.000Z"}) == 0);
}

TEST_CASE("followers are idempotent, keep their first role and show opt-out") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111", "sms", "es");
  const std::int64_t bob = f.resident("session-42", "web_chat", "en");
  const auto r = f.request("pothole", "a");
  f.follow(r.id, bob, "follower", t1);
  f.follow(r.id, alice, "reporter", t2);
  f.follow(r.id, alice, "follower", t3);  // changes nothing
  f.db.write([&](SQLite::Database& c) { storage::set_resident_opt_out(c, bob, t3); });

  const auto followers =
      f.read([&](SQLite::Database& c) { return storage::followers_of(c, r.id); });
  REQUIRE(followers.size() == 2);
  CHECK(followers[0].resident_id == alice);  // reporter first
  CHECK(followers[0].role == "reporter");
  CHECK(followers[0].channel == "sms");
  CHECK(followers[0].address == "+15550001111");
  CHECK(followers[0].language == "es");
  CHECK_FALSE(followers[0].opted_out);
  CHECK(followers[1].resident_id == bob);
  CHECK(followers[1].role == "follower");
  CHECK(followers[1].channel == "web_chat");
  CHECK(followers[1].opted_out);

  CHECK(f.read([&](SQLite::Database& c) { return storage::is_follower(c, r.id, alice); }));
  const std::int64_t carol = f.resident("+15550003333");
  CHECK_FALSE(f.read([&](SQLite::Database& c) { return storage::is_follower(c, r.id, carol); }));
}

TEST_CASE("foreign keys are enforced: no follower of a missing request or resident") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  const auto r = f.request("pothole", "a");
  CHECK_THROWS_AS(f.follow(r.id + 100, alice), SQLite::Exception);
  CHECK_THROWS_AS(f.follow(r.id, alice + 100), SQLite::Exception);
  CHECK_THROWS_AS(f.db.write([&](SQLite::Database& c) {
    storage::insert_history(c, {0, r.id + 100, t0, "system", "", "created", "", "new", "", ""});
  }),
                  SQLite::Exception);
  CHECK_THROWS_AS(f.db.write([&](SQLite::Database& c) {
    storage::save_conversation(c, alice + 100, "{}", t0);
  }),
                  SQLite::Exception);
  CHECK(f.read([&](SQLite::Database& c) { return storage::followers_of(c, r.id); }).empty());
}

TEST_CASE("request history comes back oldest first with every field") {
  fixture f;
  const auto r = f.request("pothole", "a");
  const auto other = f.request("pothole", "b");
  f.db.write([&](SQLite::Database& c) {
    // Inserted out of time order on purpose; equal times keep insertion order.
    storage::insert_history(c, {0, r.id, t2, "staff", "user:7", "status", "acknowledged",
                                "in_progress", "Crew assigned", "truck 12"});
    storage::insert_history(c, {0, r.id, t0, "resident", "12", "created", "", "new", "", ""});
    storage::insert_history(c,
                            {0, r.id, t1, "system", "", "status", "new", "acknowledged", "", ""});
    storage::insert_history(c, {0, r.id, t2, "partner", "key:3", "note", "", "", "", "seen"});
    storage::insert_history(c, {0, other.id, t0, "system", "", "created", "", "new", "", ""});
  });
  const auto history =
      f.read([&](SQLite::Database& c) { return storage::request_history(c, r.id); });
  REQUIRE(history.size() == 4);
  CHECK(history[0].field == "created");
  CHECK(history[1].new_value == "acknowledged");
  CHECK(history[2].actor_kind == "staff");
  CHECK(history[2].actor_id == "user:7");
  CHECK(history[2].old_value == "acknowledged");
  CHECK(history[2].new_value == "in_progress");
  CHECK(history[2].public_note == "Crew assigned");
  CHECK(history[2].internal_note == "truck 12");
  CHECK(history[2].at == t2);
  CHECK(history[2].request_id == r.id);
  CHECK(history[3].actor_kind == "partner");

  CHECK_THROWS_AS(f.db.write([&](SQLite::Database& c) {
    storage::insert_history(c, {0, r.id, t3, "robot", "", "status", "", "", "", ""});
  }),
                  SQLite::Exception);
}

TEST_CASE("outbox_events_after pages through events in id order") {
  fixture f;
  std::vector<std::int64_t> ids;
  f.db.write([&](SQLite::Database& c) {
    for (int i = 0; i < 5; ++i) {
      ids.push_back(
          storage::insert_outbox_event(c, {0, "evt_" + std::to_string(100 + i), "request.created",
                                           R"({"n":)" + std::to_string(i) + "}", t0}));
    }
    ids.push_back(storage::insert_outbox_event(c, {0, "", "message.received", "{}", t1}));
  });
  const auto page = [&](std::int64_t after, std::size_t limit) {
    return f.read(
        [&](SQLite::Database& c) { return storage::outbox_events_after(c, after, limit); });
  };
  const auto first = page(0, 2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].event_id == "evt_100");
  CHECK(first[0].type == "request.created");
  CHECK(first[0].payload_json == R"({"n":0})");
  CHECK(first[0].created_at == t0);
  CHECK(first[1].event_id == "evt_101");
  const auto second = page(first.back().id, 3);
  REQUIRE(second.size() == 3);
  CHECK(second[0].event_id == "evt_102");
  CHECK(second[2].event_id == "evt_104");
  const auto last = page(second.back().id, 3);
  REQUIRE(last.size() == 1);
  CHECK(last[0].id == ids.back());
  CHECK(last[0].event_id == "evt_" + std::to_string(ids.back()));  // generated
  CHECK(page(last.back().id, 3).empty());

  // A stable event id is unique: a second event with it is refused.
  CHECK_THROWS_AS(f.db.write([](SQLite::Database& c) {
    storage::insert_outbox_event(c, {0, "evt_100", "request.updated", "{}", t2});
  }),
                  SQLite::Exception);
}

TEST_CASE("due notifications come oldest first per channel, and marking them moves them on") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  const std::int64_t bob = f.resident("+15550002222");
  const std::int64_t web = f.resident("session-1", "web_chat");
  const auto r = f.request("pothole", "a");
  std::vector<std::int64_t> ids;
  f.db.write([&](SQLite::Database& c) {
    const auto queue = [&](std::int64_t resident, const char* body, const char* next) {
      ids.push_back(storage::insert_notification(
          c, {0, resident, r.id, body, "pending", 0, t0, next, "", ""}));
    };
    queue(alice, "third", t2);
    queue(bob, "first", t0);
    queue(alice, "second", t1);
    queue(web, "web", t0);
    queue(alice, "later", "2026-11-28T14:00:00.000Z");
  });
  const auto due = [&](const char* channel, const char* now, std::size_t limit = 10) {
    return f.read(
        [&](SQLite::Database& c) { return storage::due_notifications(c, channel, now, limit); });
  };
  const auto sms = due("sms", t2);
  REQUIRE(sms.size() == 3);
  CHECK(sms[0].body == "first");
  CHECK(sms[0].address == "+15550002222");
  CHECK(sms[0].channel == "sms");
  CHECK(sms[0].request_id == r.id);
  CHECK(sms[1].body == "second");
  CHECK(sms[2].body == "third");
  CHECK(due("sms", t2, 1).size() == 1);
  CHECK(due("sms", t0).size() == 1);
  REQUIRE(due("web_chat", t3).size() == 1);
  CHECK(due("web_chat", t3)[0].address == "session-1");

  f.db.write([&](SQLite::Database& c) {
    storage::mark_notification(c, sms[0].id, "sent", 1, t2);
    storage::mark_notification(c, sms[1].id, "pending", 1, t3);  // retry later
  });
  const auto after = due("sms", t2);
  REQUIRE(after.size() == 1);
  CHECK(after[0].body == "third");
  const auto retry = due("sms", t3);
  REQUIRE(retry.size() == 2);
  CHECK(retry[0].body == "third");  // due at t2, before the retry at t3
  CHECK(retry[1].body == "second");
  CHECK(retry[1].attempts == 1);

  CHECK_THROWS_MATCHES(
      f.db.write([](SQLite::Database& c) { storage::mark_notification(c, 999, "sent", 1, t3); }),
      storage::storage_error, what_contains({"notification 999"}));
  CHECK_THROWS_AS(f.db.write([&](SQLite::Database& c) {
    storage::mark_notification(c, sms[2].id, "delivered-ish", 1, t3);
  }),
                  SQLite::Exception);
}

TEST_CASE("nothing goes out to an opted-out resident, even what was queued before STOP") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  f.db.write([&](SQLite::Database& c) {
    storage::insert_notification(c,
                                 {0, alice, std::nullopt, "queued", "pending", 0, t0, t0, "", ""});
  });
  REQUIRE(f.read([](SQLite::Database& c) {
             return storage::due_notifications(c, "sms", t3, 10);
           }).size() == 1);
  f.db.write([&](SQLite::Database& c) {
    storage::set_resident_opt_out(c, alice, t1);
    storage::insert_notification(c,
                                 {0, alice, std::nullopt, "after", "pending", 0, t2, t2, "", ""});
  });
  CHECK(f.read([](SQLite::Database& c) {
           return storage::due_notifications(c, "sms", t3, 10);
         }).empty());
  // Re-subscribing does not resurrect what was suppressed.
  f.db.write([&](SQLite::Database& c) { storage::set_resident_opt_out(c, alice, std::nullopt); });
  CHECK(f.read([](SQLite::Database& c) {
           return storage::due_notifications(c, "sms", t3, 10);
         }).empty());
  const int suppressed = f.read([](SQLite::Database& c) {
    return c.execAndGet("SELECT count(*) FROM notifications WHERE status = 'suppressed'").getInt();
  });
  CHECK(suppressed == 2);
  CHECK_THROWS_MATCHES(f.db.write([](SQLite::Database& c) {
    storage::insert_notification(c, {0, 999, std::nullopt, "x", "pending", 0, t0, t0, "", ""});
  }),
                       storage::storage_error, what_contains({"resident 999"}));
}

TEST_CASE("due_notifications skips an opted-out resident even if a row was left pending") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  f.db.write([&](SQLite::Database& c) {
    storage::insert_notification(c,
                                 {0, alice, std::nullopt, "queued", "pending", 0, t0, t0, "", ""});
    // Another write path that sets the opt-out without going through set_resident_opt_out.
    SQLite::Statement opt_out(c, "UPDATE residents SET opted_out_at = :at WHERE id = :id");
    opt_out.bind(":at", std::string(t1));
    opt_out.bind(":id", alice);
    opt_out.exec();
  });
  CHECK(f.read([](SQLite::Database& c) {
           return storage::due_notifications(c, "sms", t3, 10);
         }).empty());
}

TEST_CASE("a handoff opens once while waiting, and again after staff closed it") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  const std::int64_t bob = f.resident("+15550002222");
  CHECK_FALSE(f.read([&](SQLite::Database& c) { return storage::waiting_handoff(c, alice); }));
  std::int64_t first = 0;
  std::int64_t again = 0;
  std::int64_t bobs = 0;
  f.db.write([&](SQLite::Database& c) {
    first = storage::open_handoff(c, alice, "emergency", t0);
    again = storage::open_handoff(c, alice, "asked", t1);
    bobs = storage::open_handoff(c, bob, "not_understood", t1);
  });
  CHECK(again == first);
  CHECK(bobs != first);
  const auto waiting =
      f.read([&](SQLite::Database& c) { return storage::waiting_handoff(c, alice); });
  REQUIRE(waiting);
  CHECK(waiting->id == first);
  CHECK(waiting->reason == "emergency");  // the first reason stays
  CHECK(waiting->status == "waiting");
  CHECK(waiting->created_at == t0);
  const auto queue = f.read([](SQLite::Database& c) { return storage::waiting_handoffs(c, 10); });
  REQUIRE(queue.size() == 2);
  CHECK(queue[0].id == first);
  CHECK(queue[1].id == bobs);

  f.db.write(
      [&](SQLite::Database& c) { storage::update_handoff_status(c, first, "answered", t2); });
  CHECK_FALSE(f.read([&](SQLite::Database& c) { return storage::waiting_handoff(c, alice); }));
  std::int64_t next = 0;
  f.db.write([&](SQLite::Database& c) { next = storage::open_handoff(c, alice, "asked", t3); });
  CHECK(next != first);
  CHECK(f.read([&](SQLite::Database& c) { return storage::waiting_handoff(c, alice); })->id ==
        next);
  CHECK_THROWS_MATCHES(
      f.db.write([](SQLite::Database& c) { storage::update_handoff_status(c, 999, "closed", t3); }),
      storage::storage_error, what_contains({"handoff 999"}));
}

TEST_CASE("SQL-looking text round-trips unchanged and harms nothing") {
  fixture f;
  const std::string evil = "'); DROP TABLE service_requests;--";
  const std::string quotes = R"(O'Brien said "hi" \ 50% _x_ ; -- é 🚧)";
  const std::int64_t resident = f.resident(evil, "web_chat", "en");
  storage::request_record r;
  r.category = evil;
  r.status = "new";
  r.location_text = quotes;
  r.location_key = evil;
  r.description = evil + quotes;
  r.attributes_json = R"({"note":"'); DROP TABLE residents;--"})";
  r.channel = "sms";
  r.language = "en";
  r.created_at = t0;
  r.updated_at = t0;
  storage::request_record stored;
  std::optional<std::int64_t> message;
  f.db.write([&](SQLite::Database& c) {
    stored = storage::insert_request(c, r, evil, 6);
    storage::add_follower(c, stored.id, resident, "reporter", t0);
    storage::save_conversation(c, resident, evil, t0);
    message = storage::insert_message(c, {0, resident, "in", evil, evil, stored.id, t0});
    storage::insert_history(
        c, {0, stored.id, t0, "resident", evil, "note", evil, quotes, evil, quotes});
    storage::insert_outbox_event(c, {0, evil, "request.created", evil, t0});
  });
  CHECK(stored.tracking_id == evil + "000001");
  const auto found =
      f.read([&](SQLite::Database& c) { return storage::find_request(c, stored.tracking_id); });
  REQUIRE(found);
  CHECK(found->category == evil);
  CHECK(found->location_text == quotes);
  CHECK(found->description == evil + quotes);
  CHECK(found->attributes_json == R"({"note":"'); DROP TABLE residents;--"})");
  CHECK(f.read([&](SQLite::Database& c) {
           return storage::find_open_duplicate(c, evil, evil, open_statuses, t0);
         })->id == stored.id);
  CHECK(f.read([&](SQLite::Database& c) {
           return storage::find_resident_by_address(c, "web_chat", evil);
         })->id == resident);
  CHECK(f.read([&](SQLite::Database& c) { return storage::load_conversation(c, resident); }) ==
        evil);
  const auto messages =
      f.read([&](SQLite::Database& c) { return storage::conversation_messages(c, resident, 5); });
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].body == evil);
  CHECK(messages[0].external_id == evil);
  CHECK(messages[0].request_id == stored.id);
  const auto history =
      f.read([&](SQLite::Database& c) { return storage::request_history(c, stored.id); });
  REQUIRE(history.size() == 1);
  CHECK(history[0].actor_id == evil);
  CHECK(history[0].new_value == quotes);
  CHECK(f.read([](SQLite::Database& c) { return storage::outbox_events_after(c, 0, 5); })
            .at(0)
            .event_id == evil);
  CHECK(f.read([](SQLite::Database& c) { return storage::count_requests(c, {}); }) == 1);
}

TEST_CASE("a failed job keeps none of a multi-row write") {
  fixture f;
  const std::int64_t alice = f.resident("+15550001111");
  f.request("pothole", "a");
  // The request insert succeeds, then the job fails: neither the request nor its tracking id
  // nor the opt-out may survive.
  CHECK_THROWS_AS(f.db.write([&](SQLite::Database& c) {
    storage::request_record r = storage::find_request_by_id(c, 1).value();
    storage::insert_request(c, r, "311-", 6);
    storage::set_resident_opt_out(c, alice, t1);
    storage::add_follower(c, 999, alice, "reporter", t1);
  }),
                  SQLite::Exception);
  CHECK(f.read([](SQLite::Database& c) { return storage::count_requests(c, {}); }) == 1);
  CHECK_FALSE(
      f.read([&](SQLite::Database& c) { return storage::find_resident(c, alice); })->opted_out_at);
  CHECK(f.request("pothole", "b").tracking_id == "311-000002");
}
