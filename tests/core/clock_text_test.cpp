#include "core/clock_text.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <random>

namespace civicline::core {
namespace {

TEST_CASE("ISO 8601 UTC times round-trip with milliseconds", "[clock]") {
  const auto when = from_iso8601("2026-11-28T13:45:00.123Z");
  REQUIRE(when);
  CHECK(to_iso8601(*when) == "2026-11-28T13:45:00.123Z");
  CHECK(from_iso8601("2026-11-28T13:45:00Z"));
}

TEST_CASE("times the clock cannot hold or that do not exist are refused, not wrapped", "[clock]") {
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

TEST_CASE("to_iso8601 writes the same digits as a printf of the calendar fields", "[clock]") {
  // The formatter writes digits by hand for speed; printf of the same fields is the reference.
  std::mt19937_64 random(20261202);
  std::uniform_int_distribution<std::int64_t> millis(-2'208'988'800'000LL,  // 1900-01-01
                                                     7'258'118'400'000LL);  // 2200-01-01
  for (int i = 0; i < 20'000; ++i) {
    const std::chrono::sys_time<std::chrono::milliseconds> when{
        std::chrono::milliseconds(millis(random))};
    const auto days = std::chrono::floor<std::chrono::days>(when);
    const std::chrono::year_month_day date{days};
    const std::chrono::hh_mm_ss<std::chrono::milliseconds> clock{when - days};
    char expected[40];
    std::snprintf(expected, sizeof expected, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()),
                  static_cast<int>(clock.subseconds().count()));
    REQUIRE(civicline::core::to_iso8601(when) == expected);
    REQUIRE(civicline::core::from_iso8601(expected) == std::chrono::system_clock::time_point(when));
  }
}
