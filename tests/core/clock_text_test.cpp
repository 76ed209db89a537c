#include "core/clock_text.hpp"

#include <catch2/catch.hpp>

namespace civicline::core {
namespace {

TEST_CASE("ISO 8601 UTC times round-trip with milliseconds", "[clock]") {
  const auto when = from_iso8601("2026-11-28T13:45:00.123Z");
  REQUIRE(when);
  CHECK(to_iso8601(*when) == "2026-11-28T13:45:00.123Z");
  CHECK(from_iso8601("2026-11-28T13:45:00Z"));
}

TEST_CASE("times the clock cannot hold or that do not exist are refused, not wrapped",
          "[clock]") {
  // A far-off year once overflowed the nanosecond clock (found by UBSan via a query filter).
  CHECK_FALSE(from_iso8601("9999-12-31T00:00:00Z"));
  CHECK_FALSE(from_iso8601("1029-01-01T00:00:00Z"));
  CHECK_FALSE(from_iso8601("2026-02-31T00:00:00Z"));
  CHECK_FALSE(from_iso8601("2026-11-28T24:00:00Z"));
  CHECK_FALSE(from_iso8601("2026-11-28T13:45:00+01:00"));
  CHECK_FALSE(from_iso8601(""));
  CHECK(from_iso8601("2199-12-31T23:59:59.999Z"));
}

}  // namespace
}  // namespace civicline::core
