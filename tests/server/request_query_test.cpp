// Tests for server/routes/request_query.hpp: the staff list's query string.

#include "server/routes/request_query.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "core/clock_text.hpp"

using Catch::Matchers::Contains;
using civicline::server::input_problem;
using civicline::server::parse_request_list_query;
using civicline::server::request_list_query;
using civicline::storage::request_order;

namespace {

const bool sodium_ready = sodium_init() >= 0;

const auto now = *civicline::core::from_iso8601("2026-11-28T13:45:00.000Z");

request_list_query query(std::string_view text) {
  auto parsed = parse_request_list_query(text, now);
  if (auto* problem = std::get_if<input_problem>(&parsed)) {
    FAIL("refused: " << problem->message);
  }
  return std::get<request_list_query>(parsed);
}

input_problem refusal(std::string_view text) {
  auto parsed = parse_request_list_query(text, now);
  REQUIRE(std::holds_alternative<input_problem>(parsed));
  return std::get<input_problem>(parsed);
}

}  // namespace

TEST_CASE("an empty query lists everything, newest first, fifty at a time") {
  const auto q = query("");
  CHECK(q.limit == 50);
  CHECK(q.filter.order == request_order::created_desc);
  CHECK(q.filter.statuses.empty());
  CHECK_FALSE(q.filter.after);
  CHECK_FALSE(q.matches_nothing);
}

TEST_CASE("filters are read and decoded") {
  const auto q = query(
      "status=new,in_progress&category=pothole&channel=sms&q=Center+St%25&limit=200&sort=due_at"
      "&created_after=2026-11-01&created_before=2026-11-28T00:00:00Z");
  CHECK(q.filter.statuses == std::vector<std::string>{"new", "in_progress"});
  CHECK(q.filter.category == "pothole");
  CHECK(q.filter.channel == "sms");
  CHECK(q.filter.text == "Center St%");
  CHECK(q.limit == 200);
  CHECK(q.filter.order == request_order::due_asc);
  CHECK(q.filter.created_after == "2026-11-01T00:00:00.000Z");
  CHECK(q.filter.created_before == "2026-11-28T00:00:00.000Z");
}

TEST_CASE("overdue keeps only the open statuses and compares with now") {
  const auto all_open = query("overdue=true");
  CHECK(all_open.filter.statuses ==
        std::vector<std::string>{"new", "acknowledged", "in_progress", "reopened"});
  CHECK(all_open.filter.due_before == "2026-11-28T13:45:00.000Z");
  const auto some = query("overdue=true&status=resolved,new");
  CHECK(some.filter.statuses == std::vector<std::string>{"new"});
  CHECK(query("overdue=true&status=resolved").matches_nothing);
  CHECK_FALSE(query("overdue=false").filter.due_before);
}

TEST_CASE("bad values are refused with a message naming the parameter") {
  CHECK_THAT(refusal("status=open").message, Contains("Unknown status \"open\""));
  CHECK_THAT(refusal("channel=fax").message, Contains("Unknown channel"));
  CHECK_THAT(refusal("overdue=yes").message, Contains("overdue"));
  CHECK_THAT(refusal("limit=0").message, Contains("limit"));
  CHECK_THAT(refusal("limit=201").message, Contains("limit"));
  CHECK_THAT(refusal("limit=5x").message, Contains("limit"));
  CHECK_THAT(refusal("sort=priority").message, Contains("sort"));
  CHECK_THAT(refusal("created_after=yesterday").message, Contains("created_after"));
  CHECK_THAT(refusal("created_before=2026-02-31").message, Contains("created_before"));
  CHECK_THAT(refusal("updated_after=2999-01-01").message, Contains("updated_after"));
  CHECK_THAT(refusal("stauts=new").message, Contains("Unknown parameter \"stauts\""));
  CHECK_THAT(refusal("q=%zz").message, Contains("malformed"));
  CHECK_THAT(refusal("q=" + std::string(201, 'a')).message, Contains("at most 200"));
  CHECK(refusal("cursor=nonsense").status == 400);
}

TEST_CASE("a cursor continues after the last row, only under its own sort") {
  REQUIRE(sodium_ready);
  civicline::storage::request_record last;
  last.id = 42;
  last.created_at = "2026-11-28T13:00:00.000Z";
  last.due_at = "";
  const auto cursor = civicline::server::encode_request_cursor(last, request_order::created_desc);
  CHECK(cursor.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  const auto next = query("cursor=" + cursor);
  REQUIRE(next.filter.after);
  CHECK(next.filter.after->id == 42);
  CHECK(next.filter.after->key == "2026-11-28T13:00:00.000Z");
  CHECK_THAT(refusal("sort=due_at&cursor=" + cursor).message, Contains("another sort"));
  // A missing due time sorts last when ascending, and the cursor says so.
  const auto due_cursor = civicline::server::encode_request_cursor(last, request_order::due_asc);
  CHECK(query("sort=due_at&cursor=" + due_cursor).filter.after->key == "~");
}

TEST_CASE("the queue filters by team, assignee and priority, and sorts by priority") {
  const auto q = query("team=streets&assignee=ana&priority=high,urgent&sort=-priority");
  CHECK(q.filter.team == "streets");
  CHECK(q.assignee == "ana");
  CHECK(q.filter.priorities == std::vector<std::string>{"high", "urgent"});
  CHECK(q.filter.order == request_order::priority_desc);
  CHECK(query("team=").filter.team == "");  // requests in no team's queue
  CHECK_THAT(refusal("priority=asap").message, Contains("Unknown priority \"asap\""));
}
