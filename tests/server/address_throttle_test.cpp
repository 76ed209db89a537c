#include "server/auth/address_throttle.hpp"

#include <catch2/catch.hpp>

namespace auth = civicline::server::auth;
using namespace std::chrono_literals;

TEST_CASE("an address is locked after max_failures_per_address failures, whatever the names") {
  auth::auth_policy policy;
  policy.max_failures_per_address = 3;
  auth::address_throttle throttle(policy);
  const auto t0 = auth::time_point{} + 1000h;
  CHECK_FALSE(throttle.record_failure("10.0.0.1", t0));
  CHECK_FALSE(throttle.record_failure("10.0.0.1", t0 + 1s));
  CHECK_FALSE(throttle.locked_until("10.0.0.1", t0 + 2s));
  const auto until = throttle.record_failure("10.0.0.1", t0 + 2s);
  REQUIRE(until);
  CHECK(*until == t0 + 2s + policy.lock_duration);
  CHECK(throttle.locked_until("10.0.0.1", t0 + 3s) == until);
  CHECK_FALSE(throttle.locked_until("10.0.0.2", t0 + 3s));  // addresses are counted apart
  CHECK_FALSE(throttle.locked_until("10.0.0.1", *until));   // the lock runs out
}

TEST_CASE("an address's failures older than the window are forgotten") {
  auth::auth_policy policy;
  policy.max_failures_per_address = 2;
  auth::address_throttle throttle(policy);
  const auto t0 = auth::time_point{} + 1000h;
  CHECK_FALSE(throttle.record_failure("10.0.0.1", t0));
  CHECK_FALSE(throttle.record_failure("10.0.0.1", t0 + policy.failure_window + 1s));
}
