#include "core/clock_text.hpp"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

namespace civicline::core {

std::string to_iso8601(std::chrono::system_clock::time_point when) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(when).time_since_epoch().count();
  const auto days = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  const std::chrono::year_month_day date{days};
  const auto in_day = std::chrono::milliseconds(ms) - days.time_since_epoch();
  const std::chrono::hh_mm_ss<std::chrono::milliseconds> clock{in_day};
  // Digits written by hand: snprintf took a good part of a turn's time (several
  // timestamps are written per message). Years outside 0000-9999 keep their sign and digits.
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) {
    char buffer[48];
    std::snprintf(
        buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year,
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
        static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
    return buffer;
  }
  std::string text = "0000-00-00T00:00:00.000Z";
  const auto put = [&text](std::size_t at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) {
      text[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    }
  };
  put(0, year, 4);
  put(5, static_cast<int>(static_cast<unsigned>(date.month())), 2);
  put(8, static_cast<int>(static_cast<unsigned>(date.day())), 2);
  put(11, static_cast<int>(clock.hours().count()), 2);
  put(14, static_cast<int>(clock.minutes().count()), 2);
  put(17, static_cast<int>(clock.seconds().count()), 2);
  put(20, static_cast<int>(clock.subseconds().count()), 3);
  return text;
}

std::optional<std::chrono::system_clock::time_point> from_iso8601(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0, used = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &used) != 6) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(static_cast<std::size_t>(used));
  if (rest.size() == 5 && rest[0] == '.') {
    for (char c : rest.substr(1, 3)) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      millis = millis * 10 + (c - '0');
    }
    rest.remove_prefix(4);
  }
  if (rest != "Z") {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  // Outside these years the nanosecond clock overflows (it spans 1678-2262); no 311 date is.
  if (year < 1900 || year > 2199 || !date.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second) + std::chrono::milliseconds(millis);
}

std::chrono::minutes utc_offset(std::string_view zone, std::chrono::system_clock::time_point when) {
  // Building an ICU zone reads its rules from ICU's data; the inbox asks for the city's zone
  // on every message, so keep the last one per thread.
  thread_local std::string cached_name;
  thread_local std::unique_ptr<icu::TimeZone> cached_zone;
  if (!cached_zone || cached_name != zone) {
    cached_zone.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(
        icu::StringPiece(zone.data(), static_cast<int32_t>(zone.size())))));
    cached_name = std::string(zone);
  }
  const auto& tz = cached_zone;
  if (!tz || *tz == icu::TimeZone::getUnknown()) {
    return std::chrono::minutes(0);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  tz->getOffset(static_cast<UDate>(ms.count()), false, raw, dst, status);
  if (U_FAILURE(status)) {
    return std::chrono::minutes(0);
  }
  return std::chrono::minutes((raw + dst) / 60000);
}

}  // namespace civicline::core
