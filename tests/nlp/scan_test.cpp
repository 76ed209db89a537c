#include "nlp/scan.hpp"

#include <catch2/catch.hpp>

using namespace civicline::nlp;

namespace {
std::vector<entity> of_kind(const std::string& text, entity_kind kind) {
  std::vector<entity> out;
  for (const auto& e : scan_shaped_entities(text).entities) {
    if (e.kind == kind)
      out.push_back(e);
  }
  return out;
}
}  // namespace

TEST_CASE("phone numbers in common forms") {
  for (const char* text : {"call (480) 555-1234", "480-555-1234", "480.555.1234", "+1 480 555 1234",
                           "4805551234", "1-480-555-1234"}) {
    const auto phones = of_kind(text, entity_kind::phone);
    INFO(text);
    REQUIRE(phones.size() == 1);
    CHECK(phones[0].value == "+14805551234");
  }
  CHECK(of_kind("call 555-1234", entity_kind::phone).empty());  // could be a tracking id
  CHECK(of_kind("311-004512", entity_kind::phone).empty());
  CHECK(of_kind("311004512", entity_kind::phone).empty());
  CHECK(of_kind("12345678901234567890", entity_kind::phone).empty());
}

TEST_CASE("e-mail addresses") {
  const std::string text = "Reply to Jane.Doe+311@Example.org.";
  const auto emails = of_kind(text, entity_kind::email);
  REQUIRE(emails.size() == 1);
  CHECK(emails[0].value == "jane.doe+311@example.org");
  CHECK(text.substr(emails[0].begin, emails[0].end - emails[0].begin) ==
        "Jane.Doe+311@Example.org");
  CHECK(of_kind("meet @ main", entity_kind::email).empty());
  CHECK(of_kind("a@b", entity_kind::email).empty());
}

TEST_CASE("latitude and longitude pairs") {
  const std::string text = "I'm at 33.4152, -111.8315 now";
  const auto points = of_kind(text, entity_kind::lat_long);
  REQUIRE(points.size() == 1);
  CHECK(points[0].value == "33.415200,-111.831500");
  CHECK(text.substr(points[0].begin, points[0].end - points[0].begin) == "33.4152, -111.8315");
  CHECK(of_kind("95.1234, 10.1234", entity_kind::lat_long).empty());  // latitude > 90
  CHECK(of_kind("it cost 3.50, 4.25", entity_kind::lat_long).size() == 1);
  CHECK(of_kind("version 1.2", entity_kind::lat_long).empty());
}
