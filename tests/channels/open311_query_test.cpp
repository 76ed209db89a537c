#include "channels/open311_query.hpp"

#include <catch2/catch.hpp>

#include "core/clock_text.hpp"

using namespace civicline::channels;
using civicline::core::from_iso8601;
using civicline::core::to_iso8601;

namespace {
open311_requests_query parsed(const form_params& params, time_point now) {
  auto result = parse_requests_query(params, now);
  INFO((std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : ""));
  REQUIRE(std::holds_alternative<open311_requests_query>(result));
  return std::get<open311_requests_query>(result);
}
std::string refusal(const form_params& params, time_point now) {
  auto result = parse_requests_query(params, now);
  REQUIRE(std::holds_alternative<std::string>(result));
  return std::get<std::string>(result);
}
}  // namespace

TEST_CASE("parse_w3c_datetime needs a zone and converts it to UTC") {
  CHECK(to_iso8601(*parse_w3c_datetime("2026-11-28T13:45:00-07:00")) == "2026-11-28T20:45:00.000Z");
  CHECK(to_iso8601(*parse_w3c_datetime("2026-11-28T13:45:00+0100")) == "2026-11-28T12:45:00.000Z");
  CHECK(to_iso8601(*parse_w3c_datetime("2026-11-28T13:45:00.123456Z")) ==
        "2026-11-28T13:45:00.123Z");
  CHECK_FALSE(parse_w3c_datetime("2026-11-28T13:45:00"));
  CHECK_FALSE(parse_w3c_datetime("2026-11-28"));
  CHECK_FALSE(parse_w3c_datetime("2026-11-28T13:45:00+25:00"));
  CHECK_FALSE(parse_w3c_datetime("yesterday at noon, UTC"));
}

TEST_CASE("GET requests defaults to the last 90 days and the full page") {
  const auto now = *from_iso8601("2026-11-28T12:00:00Z");
  const auto query = parsed({}, now);
  CHECK(query.end == now);
  CHECK(to_iso8601(query.start) == "2026-08-30T12:00:00.000Z");
  CHECK(query.page == 1);
  CHECK(query.page_size == 1000);
  CHECK_FALSE(query.open);
  CHECK_FALSE(query.extensions);
}

TEST_CASE("GET requests reads its filters and extensions") {
  const auto now = *from_iso8601("2026-11-28T12:00:00Z");
  const auto query = parsed({{"service_request_id", "311-000001, 311-000002"},
                             {"service_code", "pothole,graffiti"},
                             {"start_date", "2026-11-01T00:00:00Z"},
                             {"status", "closed"},
                             {"page", "3"},
                             {"page_size", "50"},
                             {"extensions", "true"}},
                            now);
  CHECK(query.ids == std::vector<std::string>{"311-000001", "311-000002"});
  CHECK(query.codes == std::vector<std::string>{"pothole", "graffiti"});
  CHECK(to_iso8601(query.end) == "2027-01-30T00:00:00.000Z");
  CHECK(query.open == false);
  CHECK(query.page == 3);
  CHECK(query.page_size == 50);
  CHECK(query.extensions);
}

TEST_CASE("GET requests refuses bad dates, spans, statuses and pages") {
  const auto now = *from_iso8601("2026-11-28T12:00:00Z");
  CHECK_THAT(refusal({{"start_date", "2026-11-01"}}, now), Catch::Contains("start_date"));
  CHECK_THAT(
      refusal({{"start_date", "2026-01-01T00:00:00Z"}, {"end_date", "2026-06-01T00:00:00Z"}}, now),
      Catch::Contains("90 days"));
  CHECK_THAT(
      refusal({{"start_date", "2026-02-01T00:00:00Z"}, {"end_date", "2026-01-01T00:00:00Z"}}, now),
      Catch::Contains("after"));
  CHECK_THAT(refusal({{"status", "pending"}}, now), Catch::Contains("open or closed"));
  CHECK_THAT(refusal({{"page", "0"}}, now), Catch::Contains("page"));
  CHECK_THAT(refusal({{"page_size", "1001"}}, now), Catch::Contains("page_size"));
}

TEST_CASE("form_attributes collects attribute[code] and attribute[code][]") {
  const auto attributes = form_attributes({{"attribute[size]", "large"},
                                           {"attribute[kinds][]", "a"},
                                           {"attribute[kinds][]", "b"},
                                           {"attribute[empty]", ""},
                                           {"attribute[bad", "x"},
                                           {"attributes[x]", "y"},
                                           {"description", "z"}});
  CHECK(attributes.size() == 2);
  CHECK(attributes.at("size") == std::vector<std::string>{"large"});
  CHECK(attributes.at("kinds") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("civicline statuses map onto FixMyStreet's vocabulary") {
  CHECK(fixmystreet_status("new") == "OPEN");
  CHECK(fixmystreet_status("reopened") == "OPEN");
  CHECK(fixmystreet_status("acknowledged") == "INVESTIGATING");
  CHECK(fixmystreet_status("in_progress") == "IN_PROGRESS");
  CHECK(fixmystreet_status("resolved") == "FIXED");
  CHECK(fixmystreet_status("duplicate") == "DUPLICATE");
  CHECK(fixmystreet_status("rejected") == "NO_FURTHER_ACTION");
  CHECK(fixmystreet_status("closed") == "CLOSED");
}

TEST_CASE("split_comma_list trims and drops empty pieces") {
  CHECK(split_comma_list(" a, b,,c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_comma_list("").empty());
}

TEST_CASE("international_phone reads international numbers only") {
  CHECK(international_phone("+1 (602) 555-0177") == "+16025550177");
  CHECK(international_phone("+44 20 7946 0958") == "+442079460958");
  CHECK(international_phone("0044.20.7946.0958") == "+442079460958");
  CHECK_FALSE(international_phone("602-555-0177"));  // national: which country?
  CHECK_FALSE(international_phone("+0 602 555 0177"));
  CHECK_FALSE(international_phone("+1234567"));           // too short
  CHECK_FALSE(international_phone("+1234567890123456"));  // too long
  CHECK_FALSE(international_phone("+1 602 555 0177 ext 2"));
  CHECK_FALSE(international_phone("+1+6025550177"));
  CHECK_FALSE(international_phone(""));
}
