#include "server/rate_limiter.hpp"

#include <catch2/catch.hpp>

using civicline::server::rate_limiter;

TEST_CASE("the rate limiter allows the limit per key and minute, then refuses") {
  rate_limiter limiter(3);
  const auto start = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    CHECK(limiter.allow("a", start + std::chrono::seconds(i)));
  }
  CHECK_FALSE(limiter.allow("a", start + std::chrono::seconds(10)));
  CHECK(limiter.allow("b", start + std::chrono::seconds(10)));  // keys are counted apart
  CHECK(limiter.allow("a", start + std::chrono::seconds(61)));  // a new minute
}

TEST_CASE("a limit of 0 lets everything through") {
  rate_limiter limiter(0);
  for (int i = 0; i < 1000; ++i) {
    CHECK(limiter.allow("a"));
  }
}
