#include "core/webhook_filter.hpp"

#include <catch2/catch.hpp>

#include "core/retry_policy.hpp"

namespace civicline::core {
namespace {

using namespace std::chrono_literals;

TEST_CASE("event-type patterns: all, a prefix with .*, or one type", "[webhooks]") {
  CHECK(event_type_matches("*", "request.created"));
  CHECK(event_type_matches("request.*", "request.status_changed"));
  CHECK_FALSE(event_type_matches("request.*", "requests.created"));
  CHECK_FALSE(event_type_matches("request.*", "request"));
  CHECK_FALSE(event_type_matches("request.*", "message.received"));
  CHECK(event_type_matches("request.status_changed", "request.status_changed"));
  CHECK_FALSE(event_type_matches("request.status_changed", "request.created"));
}

TEST_CASE("malformed patterns are refused with a hint", "[webhooks]") {
  CHECK_FALSE(event_pattern_problem("*"));
  CHECK_FALSE(event_pattern_problem("request.*"));
  CHECK_FALSE(event_pattern_problem("request.status_changed"));
  for (const auto* bad : {"", "request.", ".request", "request..created", "Request.*", "req*",
                          "request.*.x", "request.**", "*.created"}) {
    INFO(bad);
    const auto problem = event_pattern_problem(bad);
    REQUIRE(problem);
    CHECK(problem->find("request.*") != std::string::npos);
  }
}

TEST_CASE("a category list lets only events of those categories through", "[webhooks]") {
  webhook_filter lights{{"request.*"}, {"streetlight"}};
  CHECK(filter_accepts(lights, "request.created", std::string("streetlight")));
  CHECK_FALSE(filter_accepts(lights, "request.created", std::string("pothole")));
  CHECK_FALSE(filter_accepts(lights, "request.created", std::nullopt));
  CHECK_FALSE(filter_accepts(lights, "message.received", std::string("streetlight")));
  const webhook_filter everything;
  CHECK(filter_accepts(everything, "conversation.handoff_requested", std::nullopt));
}

TEST_CASE("a retry schedule gives its waits in turn, then gives up", "[webhooks][retry]") {
  const retry_schedule schedule{{0s, 5s, 300s}, 0.0};
  CHECK(next_scheduled_delay(schedule, 0, 0.5) == 0ms);
  CHECK(next_scheduled_delay(schedule, 1, 0.5) == 5000ms);
  CHECK(next_scheduled_delay(schedule, 2, 0.5) == 300000ms);
  CHECK_FALSE(next_scheduled_delay(schedule, 3, 0.5));
}

TEST_CASE("jitter spreads a wait by at most its fraction either way", "[webhooks][retry]") {
  const retry_schedule schedule{{0s, 100s}, 0.1};
  CHECK(next_scheduled_delay(schedule, 1, 0.0) == 90000ms);
  CHECK(next_scheduled_delay(schedule, 1, 0.5) == 100000ms);
  CHECK(*next_scheduled_delay(schedule, 1, 0.999999) <= 110000ms);
  CHECK(*next_scheduled_delay(schedule, 1, 0.999999) > 109000ms);
}

TEST_CASE("a longer Retry-After wins over the schedule, a shorter one does not",
          "[webhooks][retry]") {
  const retry_schedule schedule{{0s, 5s, 10s}, 0.0};
  CHECK(next_scheduled_delay(schedule, 1, 0.5, 60s) == 60000ms);
  CHECK(next_scheduled_delay(schedule, 1, 0.5, 1s) == 5000ms);
  CHECK_FALSE(next_scheduled_delay(schedule, 3, 0.5, 60s));  // no attempts left regardless
}

}  // namespace
}  // namespace civicline::core
