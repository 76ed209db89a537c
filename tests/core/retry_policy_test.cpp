#include "core/retry_policy.hpp"

#include <catch2/catch.hpp>

namespace civicline::core {
namespace {

using namespace std::chrono_literals;

TEST_CASE("retry waits double from the first wait up to the ceiling", "[retry]") {
  const retry_policy policy{30s, 300s, 6};
  CHECK(next_retry_delay(policy, 1) == 30s);
  CHECK(next_retry_delay(policy, 2) == 60s);
  CHECK(next_retry_delay(policy, 3) == 120s);
  CHECK(next_retry_delay(policy, 4) == 240s);
  CHECK(next_retry_delay(policy, 5) == 300s);
  CHECK_FALSE(next_retry_delay(policy, 6));  // six attempts made: give up
  CHECK_FALSE(next_retry_delay(policy, 60));
}

TEST_CASE("a receiver's longer Retry-After is honoured, within the ceiling", "[retry]") {
  const retry_policy policy{30s, 300s, 6};
  CHECK(next_retry_delay(policy, 1, 120s) == 120s);
  CHECK(next_retry_delay(policy, 3, 10s) == 120s);
  CHECK(next_retry_delay(policy, 1, 10'000s) == 300s);
}

TEST_CASE("many failures do not overflow the wait", "[retry]") {
  const retry_policy policy{1s, 86'400s, 1000};
  CHECK(next_retry_delay(policy, 999) == 86'400s);
}

}  // namespace
}  // namespace civicline::core
