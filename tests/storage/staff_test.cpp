// Tests for storage/staff.hpp on a real SQLite file: users, sessions, API keys and
// failed-login counts.

#include "storage/staff.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "storage/database.hpp"
#include "test_support.hpp"

namespace storage = civicline::storage;
using civicline::storage::testing::temp_directory;
using civicline::storage::testing::what_contains;
using namespace std::chrono_literals;

namespace {

constexpr const char* t0 = "2026-11-28T13:45:00.000Z";
constexpr const char* t1 = "2026-11-28T13:46:00.000Z";
constexpr const char* t2 = "2026-11-28T13:47:00.000Z";

struct fixture : civicline::storage::testing::fresh_database {
  template <class Work>
  auto write(Work&& work) {
    decltype(work(std::declval<SQLite::Database&>())) result{};
    db.write([&](SQLite::Database& c) { result = work(c); });
    return result;
  }

  template <class Work>
  auto read(Work&& work) {
    return db.read(std::forward<Work>(work));
  }

  storage::staff_user_record user(const std::string& name, const std::string& role = "agent") {
    storage::staff_user_record u{0, name, role, "$argon2id$v=19$m=8,t=1,p=1$salt$hash", t0};
    return *write([&](SQLite::Database& c) { return storage::insert_staff_user(c, u); });
  }

  storage::staff_session_record session(std::int64_t user_id, const std::string& token_hash,
                                        const std::string& last_seen = t0,
                                        const std::string& expires = "2026-11-29T01:45:00.000Z") {
    storage::staff_session_record s{0,  token_hash, user_id, "csrf-" + token_hash,
                                    t0, last_seen,  expires};
    s.id = write([&](SQLite::Database& c) { return storage::insert_staff_session(c, s); });
    return s;
  }
};

}  // namespace

TEST_CASE("a staff user is stored once per name, with its role and hash") {
  fixture f;
  const auto ana = f.user("ana", "supervisor");
  CHECK(ana.id > 0);
  const auto found = f.read([](SQLite::Database& c) { return storage::find_staff_user(c, "ana"); });
  REQUIRE(found);
  CHECK(found->role == "supervisor");
  CHECK(found->password_hash.starts_with("$argon2id$"));
  CHECK_FALSE(found->disabled_at);
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_staff_user(c, "Ana"); }));

  storage::staff_user_record again{0, "ana", "admin", "$argon2id$other", t1};
  CHECK_FALSE(f.write([&](SQLite::Database& c) { return storage::insert_staff_user(c, again); }));
  CHECK(f.read([](SQLite::Database& c) { return storage::find_staff_user(c, "ana"); })->role ==
        "supervisor");
  f.user("bo");
  const auto all = f.read([](SQLite::Database& c) { return storage::list_staff_users(c); });
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "ana");
}

TEST_CASE("the schema refuses a role that does not exist") {
  fixture f;
  storage::staff_user_record bad{0, "eve", "root", "$argon2id$x", t0};
  CHECK_THROWS_AS(f.write([&](SQLite::Database& c) { return storage::insert_staff_user(c, bad); }),
                  SQLite::Exception);
  storage::api_key_record key{0, "crm", "agent", "digest", "ck_abcdef", t0};
  CHECK_THROWS_AS(f.write([&](SQLite::Database& c) { return storage::insert_api_key(c, key); }),
                  SQLite::Exception);
}

TEST_CASE("a session is found by its token hash with its user, until the user is disabled") {
  fixture f;
  const auto ana = f.user("ana", "admin");
  const auto s = f.session(ana.id, "hash-1");
  const auto found =
      f.read([](SQLite::Database& c) { return storage::find_staff_session(c, "hash-1"); });
  REQUIRE(found);
  CHECK(found->session.id == s.id);
  CHECK(found->session.csrf_token == "csrf-hash-1");
  CHECK(found->user_name == "ana");
  CHECK(found->role == "admin");
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_staff_session(c, "hash-2"); }));

  f.write([&](SQLite::Database& c) {
    storage::disable_staff_user(c, ana.id, t1);
    return 0;
  });
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_staff_session(c, "hash-1"); }));
  CHECK(f.read([](SQLite::Database& c) {
           return storage::find_staff_user(c, "ana");
         })->disabled_at == t1);
  CHECK_THROWS_MATCHES(f.write([](SQLite::Database& c) {
    storage::disable_staff_user(c, 999, t1);
    return 0;
  }),
                       storage::storage_error, what_contains({"staff user 999"}));
}

TEST_CASE("touching a session moves last_seen forward only; logout deletes it") {
  fixture f;
  const auto ana = f.user("ana");
  const auto s = f.session(ana.id, "hash-1", t1);
  auto last_seen = [&] {
    return f.read([](SQLite::Database& c) { return storage::find_staff_session(c, "hash-1"); })
        ->session.last_seen_at;
  };
  f.write([&](SQLite::Database& c) {
    storage::touch_staff_session(c, s.id, t0);  // older: ignored
    return 0;
  });
  CHECK(last_seen() == t1);
  f.write([&](SQLite::Database& c) {
    storage::touch_staff_session(c, s.id, t2);
    storage::touch_staff_session(c, 999, t2);  // gone meanwhile: no error
    return 0;
  });
  CHECK(last_seen() == t2);
  CHECK(f.write([](SQLite::Database& c) { return storage::delete_staff_session(c, "hash-1"); }));
  CHECK_FALSE(
      f.write([](SQLite::Database& c) { return storage::delete_staff_session(c, "hash-1"); }));
}

TEST_CASE("stale sessions are removed: past their end or idle since before a time") {
  fixture f;
  const auto ana = f.user("ana");
  f.session(ana.id, "ended", t2, "2026-11-28T14:00:00.000Z");
  f.session(ana.id, "idle", t0, "2026-11-29T00:00:00.000Z");
  f.session(ana.id, "live", t2, "2026-11-29T00:00:00.000Z");
  const int removed = f.write([](SQLite::Database& c) {
    return storage::delete_stale_staff_sessions(c, "2026-11-28T14:00:00.000Z", t1);
  });
  CHECK(removed == 2);
  CHECK(f.read([](SQLite::Database& c) { return storage::find_staff_session(c, "live"); }));
}

TEST_CASE("API keys are found by hash, touched, revoked once and listed newest first") {
  fixture f;
  storage::api_key_record crm{0, "crm", "staff", "digest-crm", "ck_aaaaaa", t0};
  storage::api_key_record city{0, "city-app", "partner", "digest-city", "ck_bbbbbb", t1};
  crm.id = f.write([&](SQLite::Database& c) { return storage::insert_api_key(c, crm); });
  city.id = f.write([&](SQLite::Database& c) { return storage::insert_api_key(c, city); });
  const auto found =
      f.read([](SQLite::Database& c) { return storage::find_api_key(c, "digest-crm"); });
  REQUIRE(found);
  CHECK(found->name == "crm");
  CHECK(found->prefix == "ck_aaaaaa");
  CHECK_FALSE(found->last_used_at);
  CHECK_FALSE(found->revoked_at);

  f.write([&](SQLite::Database& c) {
    storage::touch_api_key(c, crm.id, t1);
    storage::touch_api_key(c, crm.id, t0);  // older: ignored
    storage::revoke_api_key(c, crm.id, t1);
    storage::revoke_api_key(c, crm.id, t2);  // the first revocation time stays
    return 0;
  });
  const auto after =
      f.read([](SQLite::Database& c) { return storage::find_api_key(c, "digest-crm"); });
  CHECK(after->last_used_at == t1);
  CHECK(after->revoked_at == t1);
  const auto keys = f.read([](SQLite::Database& c) { return storage::list_api_keys(c); });
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].name == "city-app");
  CHECK_THROWS_AS(f.write([](SQLite::Database& c) {
    storage::revoke_api_key(c, 999, t0);
    return 0;
  }),
                  storage::storage_error);
  // Two keys can never share a hash.
  storage::api_key_record copy{0, "copy", "staff", "digest-crm", "ck_aaaaaa", t2};
  CHECK_THROWS_AS(f.write([&](SQLite::Database& c) { return storage::insert_api_key(c, copy); }),
                  SQLite::Exception);
}

TEST_CASE("failed logins are counted per name, replaced, cleared and pruned") {
  fixture f;
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_login_failure(c, "ana"); }));
  f.write([](SQLite::Database& c) {
    storage::save_login_failure(c, {"ana", 1, t0, std::nullopt});
    storage::save_login_failure(c, {"ana", 5, t1, std::string(t2)});
    storage::save_login_failure(c, {"nobody", 1, t0, std::nullopt});
    return 0;
  });
  const auto ana =
      f.read([](SQLite::Database& c) { return storage::find_login_failure(c, "ana"); });
  REQUIRE(ana);
  CHECK(ana->failures == 5);
  CHECK(ana->last_failure_at == t1);
  CHECK(ana->locked_until == t2);
  // Pruning keeps a count whose lock outlasts the cut-off.
  CHECK(f.write([](SQLite::Database& c) {
    return storage::delete_login_failures_before(c, "2026-11-28T13:46:30.000Z");
  }) == 1);
  CHECK(f.read([](SQLite::Database& c) { return storage::find_login_failure(c, "ana"); }));
  f.write([](SQLite::Database& c) {
    storage::clear_login_failure(c, "ana");
    return 0;
  });
  CHECK_FALSE(f.read([](SQLite::Database& c) { return storage::find_login_failure(c, "ana"); }));
}
