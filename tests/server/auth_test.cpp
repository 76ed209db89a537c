// Tests for the pure parts of staff authentication: roles and permissions
// (server/auth/access.hpp), lockout and session rules (server/auth/policy.hpp) and the
// secrets (server/auth/credentials.hpp).

#include <sodium.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>

#include "server/auth/access.hpp"
#include "server/auth/credentials.hpp"
#include "server/auth/policy.hpp"

namespace auth = civicline::server::auth;
using namespace std::chrono_literals;

namespace {

const bool sodium_ready = sodium_init() >= 0;

auth::principal user(const char* role) {
  auth::principal who;
  who.kind = auth::principal::kind::user;
  who.name = "ana";
  who.role = role;
  return who;
}

auth::principal key(const char* role) {
  auth::principal who;
  who.kind = auth::principal::kind::api_key;
  who.name = "crm";
  who.role = role;
  return who;
}

const auth::time_point t0 = std::chrono::sys_days{std::chrono::November / 28 / 2026} + 13h;

}  // namespace

TEST_CASE("every staff role reads and changes requests; partner keys do not") {
  using auth::permission;
  for (const auto* role : {"agent", "supervisor", "admin"}) {
    CHECK(auth::allowed(user(role), permission::read_requests));
    CHECK(auth::allowed(user(role), permission::change_requests));
  }
  CHECK(auth::allowed(key("staff"), permission::read_requests));
  CHECK(auth::allowed(key("admin"), permission::change_requests));
  CHECK_FALSE(auth::allowed(key("partner"), permission::read_requests));
  CHECK_FALSE(auth::allowed(key("partner"), permission::change_requests));
  CHECK_FALSE(auth::allowed(key("partner"), permission::supervise));
  CHECK_FALSE(auth::allowed(key("partner"), permission::administer));
}

TEST_CASE("supervision and administration follow rank; partner_api is for partner keys") {
  using auth::permission;
  CHECK_FALSE(auth::allowed(user("agent"), permission::supervise));
  CHECK(auth::allowed(user("supervisor"), permission::supervise));
  CHECK_FALSE(auth::allowed(user("supervisor"), permission::administer));
  CHECK(auth::allowed(user("admin"), permission::administer));
  CHECK_FALSE(auth::allowed(key("staff"), permission::supervise));
  CHECK(auth::allowed(key("admin"), permission::administer));
  CHECK(auth::allowed(key("partner"), permission::partner_api));
  CHECK_FALSE(auth::allowed(key("staff"), permission::partner_api));
  CHECK_FALSE(auth::allowed(user("agent"), permission::partner_api));
}

TEST_CASE("an unknown role, or a key role on a user, grants nothing") {
  using auth::permission;
  for (const auto p : {permission::read_requests, permission::change_requests,
                       permission::supervise, permission::administer, permission::partner_api}) {
    CHECK_FALSE(auth::allowed(user("root"), p));
    CHECK_FALSE(auth::allowed(user("partner"), p));
    CHECK_FALSE(auth::allowed(user("staff"), p));
    CHECK_FALSE(auth::allowed(key("agent"), p));
    CHECK_FALSE(auth::allowed(key(""), p));
  }
}

TEST_CASE("role names read back; history names keys apart from users") {
  CHECK(auth::user_role_from_string("supervisor") == auth::user_role::supervisor);
  CHECK_FALSE(auth::user_role_from_string("Admin"));
  CHECK(auth::key_role_from_string("partner") == auth::key_role::partner);
  CHECK_FALSE(auth::key_role_from_string("agent"));
  CHECK(auth::actor_id(user("agent")) == "ana");
  CHECK(auth::actor_id(key("staff")) == "key:crm");
}

TEST_CASE("five failures in a row lock a name for fifteen minutes") {
  const auth::auth_policy policy;
  std::optional<auth::failure_count> count;
  for (int i = 1; i <= 4; ++i) {
    count = auth::after_failure(count, t0 + std::chrono::seconds(i), policy);
    CHECK(count->failures == i);
    CHECK_FALSE(auth::locked_until(*count, t0 + std::chrono::seconds(i)));
  }
  count = auth::after_failure(count, t0 + 5s, policy);
  CHECK(count->failures == 5);
  REQUIRE(auth::locked_until(*count, t0 + 6s));
  CHECK(*auth::locked_until(*count, t0 + 6s) == t0 + 5s + 15min);
  CHECK(auth::locked_until(*count, t0 + 5s + 15min - 1ms));
  CHECK_FALSE(auth::locked_until(*count, t0 + 5s + 15min));
  // After the lock runs out, the count starts again.
  const auto later = auth::after_failure(count, t0 + 5s + 15min, policy);
  CHECK(later.failures == 1);
  CHECK_FALSE(later.locked_until);
}

TEST_CASE("failures older than the window are forgotten") {
  const auth::auth_policy policy;
  auto count = auth::after_failure(std::nullopt, t0, policy);
  count = auth::after_failure(count, t0 + 1min, policy);
  CHECK(count.failures == 2);
  count = auth::after_failure(count, t0 + 1min + 15min, policy);
  CHECK(count.failures == 1);
}

TEST_CASE("each failure slows the next answer, up to a ceiling") {
  const auth::auth_policy policy;
  CHECK(auth::failure_delay(0, policy) == 0ms);
  CHECK(auth::failure_delay(1, policy) == 250ms);
  CHECK(auth::failure_delay(4, policy) == 1000ms);
  CHECK(auth::failure_delay(100, policy) == 2000ms);
}

TEST_CASE("a session ends when idle too long or at its absolute end") {
  const auth::auth_policy policy;
  const auto expires = t0 + 12h;
  CHECK(auth::session_alive(t0, expires, t0 + 59min, policy));
  CHECK_FALSE(auth::session_alive(t0, expires, t0 + 1h, policy));
  CHECK(auth::session_alive(t0 + 11h + 30min, expires, t0 + 11h + 59min, policy));
  CHECK_FALSE(auth::session_alive(t0 + 11h + 59min, expires, t0 + 12h, policy));
  CHECK_FALSE(auth::due_for_touch(t0, t0 + 59s, policy));
  CHECK(auth::due_for_touch(t0, t0 + 60s, policy));
}

TEST_CASE("passwords hash with Argon2id and verify only with the same password") {
  REQUIRE(sodium_ready);
  const auto hash = auth::hash_password("correct horse battery", auth::password_cost::minimum());
  CHECK(hash.starts_with("$argon2id$"));
  CHECK(auth::verify_password(hash, "correct horse battery"));
  CHECK_FALSE(auth::verify_password(hash, "correct horse batterY"));
  CHECK_FALSE(auth::verify_password(hash, ""));
  CHECK_FALSE(auth::verify_password("", "correct horse battery"));
  CHECK_FALSE(auth::verify_password("not a hash", "correct horse battery"));
  // Salted: the same password hashes differently each time.
  CHECK(auth::hash_password("correct horse battery", auth::password_cost::minimum()) != hash);
}

TEST_CASE("the decoy hash matches no password a caller would send") {
  REQUIRE(sodium_ready);
  CHECK(auth::decoy_password_hash().starts_with("$argon2id$"));
  CHECK_FALSE(auth::verify_password(auth::decoy_password_hash(), ""));
  CHECK_FALSE(auth::verify_password(auth::decoy_password_hash(), "password"));
}

TEST_CASE("API keys are ck_ and 43 base64url characters, different every time") {
  REQUIRE(sodium_ready);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto key = auth::new_api_key();
    CHECK(key.size() == 46);
    CHECK(auth::looks_like_api_key(key));
    CHECK(auth::api_key_prefix(key).size() == 9);
    CHECK(key.starts_with(auth::api_key_prefix(key)));
    seen.insert(key);
  }
  CHECK(seen.size() == 50);
  CHECK_FALSE(auth::looks_like_api_key("ck_short"));
  CHECK_FALSE(auth::looks_like_api_key("xx_" + std::string(43, 'a')));
  CHECK_FALSE(auth::looks_like_api_key("ck_" + std::string(42, 'a') + "="));
  CHECK(auth::looks_like_api_key("ck_" + std::string(43, '-')));
}

TEST_CASE("tokens are base64url; digests are stable 64-digit hex") {
  REQUIRE(sodium_ready);
  const auto token = auth::random_token();
  CHECK(token.size() == 43);
  CHECK(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  CHECK(auth::random_token() != token);
  CHECK(auth::new_password().size() == 24);
  CHECK(auth::token_digest(token).size() == 64);
  CHECK(auth::token_digest(token) == auth::token_digest(token));
  CHECK(auth::token_digest(token) != auth::token_digest(token + "x"));
  CHECK(auth::same_secret("abc", "abc"));
  CHECK_FALSE(auth::same_secret("abc", "abd"));
  CHECK_FALSE(auth::same_secret("abc", "abcd"));
}

TEST_CASE("names and new passwords are checked") {
  CHECK_FALSE(auth::check_user_name("ana.lopez@city-311_x"));
  CHECK(auth::check_user_name(""));
  CHECK(auth::check_user_name(std::string(65, 'a')));
  CHECK(auth::check_user_name("ana lopez"));
  CHECK(auth::check_user_name("ana'; DROP TABLE staff_users; --"));
  CHECK(auth::check_new_password("short"));
  CHECK_FALSE(auth::check_new_password("twelve chars"));
  CHECK(auth::check_new_password(std::string(auth::max_password_bytes + 1, 'a')));
}
