// Tests for server/routes/request_changes.hpp: PATCH, merge and bulk bodies.

#include "server/routes/request_changes.hpp"

#include <catch2/catch.hpp>

using Catch::Matchers::Contains;
using civicline::server::bulk_body;
using civicline::server::input_problem;
using civicline::server::merge_body;
using civicline::server::parse_bulk_body;
using civicline::server::parse_merge_body;
using civicline::server::parse_request_patch;
using civicline::server::request_patch;

namespace {

template <class T, class Parse>
input_problem refusal_of(Parse parse, std::string_view body) {
  auto parsed = parse(body);
  REQUIRE(std::holds_alternative<input_problem>(parsed));
  return std::get<input_problem>(parsed);
}

input_problem patch_refusal(std::string_view body) {
  return refusal_of<request_patch>(parse_request_patch, body);
}

request_patch patch(std::string_view body) {
  auto parsed = parse_request_patch(body);
  if (auto* problem = std::get_if<input_problem>(&parsed)) {
    FAIL("refused: " << problem->message);
  }
  return std::get<request_patch>(parsed);
}

}  // namespace

TEST_CASE("a PATCH body names a status and/or notes") {
  const auto both = patch(
      R"({"status": "in_progress", "public_note": "Crew on site", "internal_note": "truck 7"})");
  CHECK(both.status == "in_progress");
  CHECK(both.public_note == "Crew on site");
  CHECK(both.internal_note == "truck 7");
  CHECK_FALSE(both.edits_fields());
  CHECK_FALSE(patch(R"({"internal_note": "call back"})").status);
  CHECK(patch(R"({"status": "duplicate", "duplicate_of": "311-000001"})").duplicate_of ==
        "311-000001");
}

TEST_CASE("a PATCH body edits category, location, team, assignee and priority") {
  const auto edit = patch(
      R"({"category": "sidewalk", "team": "streets", "assignee": "ana", "priority": "high",
          "location": {"address": "55 N Center St", "lat": 33.41, "long": -111.83}})");
  CHECK(edit.edits_fields());
  CHECK(edit.category == "sidewalk");
  CHECK(edit.team == "streets");
  CHECK(edit.assignee == "ana");
  CHECK(edit.priority == "high");
  REQUIRE(edit.where);
  CHECK(edit.where->text == "55 N Center St");
  CHECK(edit.where->lat == 33.41);
  CHECK(edit.where->lon == -111.83);
  // null clears the team and the assignee.
  const auto cleared = patch(R"({"team": null, "assignee": null})");
  CHECK(cleared.team == "");
  CHECK(cleared.assignee == "");
  CHECK(patch(R"({"location": {"lat": 1, "long": 2}})").where->text.empty());
}

TEST_CASE("a bad PATCH body is 400 when it is not a JSON object, 422 when its content is wrong") {
  CHECK(patch_refusal("{").status == 400);
  CHECK(patch_refusal("[]").status == 400);
  CHECK(patch_refusal("").status == 400);
  CHECK(patch_refusal("{}").status == 422);
  CHECK(patch_refusal(R"({"status": 3})").status == 422);
  CHECK(patch_refusal(R"({"priority": null})").status == 422);
  CHECK_THAT(patch_refusal(R"({"status": "done"})").message, Contains("Unknown status \"done\""));
  CHECK_THAT(patch_refusal(R"({"statu": "closed"})").message, Contains("Unknown field \"statu\""));
  CHECK(patch_refusal(R"({"public_note": ")" + std::string(2001, 'a') + "\"}").status == 422);
  CHECK_THAT(patch_refusal(R"({"location": {"lat": 1}})").message, Contains("both lat and long"));
  CHECK_THAT(patch_refusal(R"({"location": {"lat": 91, "long": 0}})").message,
             Contains("-90 to 90"));
  CHECK_THAT(patch_refusal(R"({"location": {}})").message, Contains("address or coordinates"));
  CHECK(patch_refusal(R"({"location": "Main St"})").status == 422);
}

TEST_CASE("a merge body names the original") {
  const auto merge = std::get<merge_body>(
      parse_merge_body(R"({"into": "311-000001", "internal_note": "same hole"})"));
  CHECK(merge.into == "311-000001");
  CHECK(merge.internal_note == "same hole");
  CHECK(refusal_of<merge_body>(parse_merge_body, "nope").status == 400);
  CHECK_THAT(refusal_of<merge_body>(parse_merge_body, "{}").message, Contains("Name the original"));
  CHECK(refusal_of<merge_body>(parse_merge_body, R"({"into": 1})").status == 422);
}

TEST_CASE("a bulk body names 1 to 500 distinct ids and one change") {
  const auto bulk = std::get<bulk_body>(parse_bulk_body(
      R"({"ids": ["311-000001", "311-000002", "311-000001"], "status": "acknowledged",
          "assignee": "ana"})"));
  CHECK(bulk.ids == std::vector<std::string>{"311-000001", "311-000002"});
  CHECK(bulk.change.status == "acknowledged");
  CHECK(bulk.change.assignee == "ana");

  auto bulk_refusal = [](std::string_view body) {
    return refusal_of<bulk_body>(parse_bulk_body, body);
  };
  CHECK_THAT(bulk_refusal(R"({"status": "closed"})").message, Contains("1 to 500"));
  CHECK_THAT(bulk_refusal(R"({"ids": [], "status": "closed"})").message, Contains("1 to 500"));
  std::string many = R"({"status": "closed", "ids": [)";
  for (int i = 0; i < 501; ++i) {
    many += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  }
  many += "]}";
  CHECK(bulk_refusal(many).status == 422);
  CHECK_THAT(bulk_refusal(R"({"ids": ["311-000001"]})").message, Contains("at least one change"));
  CHECK_THAT(bulk_refusal(R"({"ids": ["a"], "status": "duplicate"})").message,
             Contains("one at a time"));
  CHECK(bulk_refusal(R"({"ids": [1], "status": "closed"})").status == 422);
}
