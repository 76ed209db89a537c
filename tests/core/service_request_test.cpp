#include "core/service_request.hpp"

#include <catch2/catch.hpp>
#include <set>

namespace civicline::core {
namespace {

using S = request_status;
const std::vector<S> all_statuses{S::new_request, S::acknowledged, S::in_progress, S::resolved,
                                  S::closed,      S::duplicate,    S::rejected,    S::reopened};

}  // namespace

TEST_CASE("every status pair follows the transitions table", "[lifecycle]") {
  // Written out independently of service_request.cpp, so a change there has to be made here.
  const std::set<std::pair<S, S>> allowed{
      {S::new_request, S::acknowledged}, {S::new_request, S::in_progress},
      {S::new_request, S::resolved},     {S::new_request, S::duplicate},
      {S::new_request, S::rejected},     {S::acknowledged, S::in_progress},
      {S::acknowledged, S::resolved},    {S::acknowledged, S::duplicate},
      {S::acknowledged, S::rejected},    {S::in_progress, S::resolved},
      {S::in_progress, S::duplicate},    {S::in_progress, S::rejected},
      {S::resolved, S::closed},          {S::resolved, S::reopened},
      {S::closed, S::reopened},          {S::duplicate, S::closed},
      {S::duplicate, S::reopened},       {S::rejected, S::closed},
      {S::rejected, S::reopened},        {S::reopened, S::acknowledged},
      {S::reopened, S::in_progress},     {S::reopened, S::resolved},
      {S::reopened, S::duplicate},       {S::reopened, S::rejected},
  };
  int checked = 0;
  for (const S from : all_statuses) {
    for (const S to : all_statuses) {
      INFO(to_string(from) << " -> " << to_string(to));
      const auto refused = check_transition(from, to);
      if (allowed.contains({from, to})) {
        CHECK_FALSE(refused.has_value());
      } else {
        REQUIRE(refused.has_value());
        CHECK_FALSE(refused->empty());
      }
      ++checked;
    }
  }
  CHECK(checked == 64);
}

TEST_CASE("a refused transition says what is allowed", "[lifecycle]") {
  CHECK(check_transition(S::closed, S::in_progress) ==
        "a closed request can only be reopened, not in_progress");
  CHECK(check_transition(S::resolved, S::new_request) ==
        "a resolved request can become closed or reopened, not new");
  CHECK(check_transition(S::in_progress, S::in_progress) == "the request is already in_progress");
}

TEST_CASE("duplicate needs the original's id, and only duplicate takes one", "[lifecycle]") {
  service_request r;
  r.tracking_id = "311-000130";
  r.status = S::new_request;
  CHECK(check_status_change(r, S::duplicate, std::nullopt).has_value());
  CHECK(check_status_change(r, S::duplicate, "311-000130").has_value());
  CHECK_FALSE(check_status_change(r, S::duplicate, "311-000120").has_value());
  CHECK(check_status_change(r, S::acknowledged, "311-000120").has_value());
  CHECK_FALSE(check_status_change(r, S::acknowledged, std::nullopt).has_value());
}

TEST_CASE("status and channel names round trip", "[lifecycle]") {
  for (const S s : all_statuses)
    CHECK(status_from_string(to_string(s)) == s);
  CHECK(to_string(S::new_request) == "new");
  CHECK_FALSE(status_from_string("done").has_value());
  for (const auto c :
       {channel::sms, channel::web_chat, channel::open311, channel::staff, channel::terminal}) {
    CHECK(channel_from_string(to_string(c)) == c);
  }
  CHECK_FALSE(channel_from_string("fax").has_value());
}

TEST_CASE("open statuses are the ones the city still owes work on", "[lifecycle]") {
  const std::set<S> open{S::new_request, S::acknowledged, S::in_progress, S::reopened};
  for (const S s : all_statuses)
    CHECK(is_open(s) == open.contains(s));
}

TEST_CASE("due time and overdue follow the SLA", "[lifecycle]") {
  using namespace std::chrono_literals;
  const time_point created = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 17h;
  service_request r;
  r.created_at = created;
  r.due_at = due_time(created, 72);
  CHECK(r.due_at - created == 72h);
  CHECK_FALSE(is_overdue(r, created + 71h));
  CHECK(is_overdue(r, created + 73h));
  r.status = S::resolved;
  CHECK_FALSE(is_overdue(r, created + 73h));
}

}  // namespace civicline::core
