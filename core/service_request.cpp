#include "core/service_request.hpp"

#include <array>
#include <utility>

namespace civicline::core {
namespace {

constexpr std::array<std::pair<channel, std::string_view>, 5> channel_names{{
    {channel::sms, "sms"},
    {channel::web_chat, "web_chat"},
    {channel::open311, "open311"},
    {channel::staff, "staff"},
    {channel::terminal, "terminal"},
}};

constexpr std::array<std::pair<request_status, std::string_view>, 8> status_names{{
    {request_status::new_request, "new"},
    {request_status::acknowledged, "acknowledged"},
    {request_status::in_progress, "in_progress"},
    {request_status::resolved, "resolved"},
    {request_status::closed, "closed"},
    {request_status::duplicate, "duplicate"},
    {request_status::rejected, "rejected"},
    {request_status::reopened, "reopened"},
}};

using S = request_status;

/// The one table of allowed status changes: from -> every status it may become.
/// Forward skips are allowed (staff often fix a pothole without acknowledging it first);
/// going back is only possible through "reopened".
struct transition_row {
  S from;
  std::vector<S> to;
};
const std::vector<transition_row>& transitions() {
  static const std::vector<transition_row> table{
      {S::new_request, {S::acknowledged, S::in_progress, S::resolved, S::duplicate, S::rejected}},
      {S::acknowledged, {S::in_progress, S::resolved, S::duplicate, S::rejected}},
      {S::in_progress, {S::resolved, S::duplicate, S::rejected}},
      {S::resolved, {S::closed, S::reopened}},
      {S::closed, {S::reopened}},
      {S::duplicate, {S::closed, S::reopened}},
      {S::rejected, {S::closed, S::reopened}},
      {S::reopened, {S::acknowledged, S::in_progress, S::resolved, S::duplicate, S::rejected}},
  };
  return table;
}

std::string join_statuses(const std::vector<S>& list) {
  std::string out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0)
      out += i + 1 == list.size() ? " or " : ", ";
    out += to_string(list[i]);
  }
  return out;
}

}  // namespace

std::string_view to_string(channel value) {
  for (const auto& [c, name] : channel_names) {
    if (c == value)
      return name;
  }
  return "sms";
}

std::optional<channel> channel_from_string(std::string_view id) {
  for (const auto& [c, name] : channel_names) {
    if (name == id)
      return c;
  }
  return std::nullopt;
}

std::string_view to_string(request_status value) {
  for (const auto& [s, name] : status_names) {
    if (s == value)
      return name;
  }
  return "new";
}

std::optional<request_status> status_from_string(std::string_view id) {
  for (const auto& [s, name] : status_names) {
    if (name == id)
      return s;
  }
  return std::nullopt;
}

bool is_open(request_status value) {
  return value == S::new_request || value == S::acknowledged || value == S::in_progress ||
         value == S::reopened;
}

std::optional<std::string> check_transition(request_status from, request_status to) {
  if (from == to) {
    return "the request is already " + std::string(to_string(to));
  }
  for (const auto& row : transitions()) {
    if (row.from != from)
      continue;
    for (S allowed : row.to) {
      if (allowed == to)
        return std::nullopt;
    }
    if (row.to.size() == 1) {
      return "a " + std::string(to_string(from)) + " request can only be " +
             std::string(to_string(row.to.front())) + ", not " + std::string(to_string(to));
    }
    return "a " + std::string(to_string(from)) + " request can become " + join_statuses(row.to) +
           ", not " + std::string(to_string(to));
  }
  return "unknown status " + std::string(to_string(from));
}

std::optional<std::string> check_status_change(const service_request& request, request_status to,
                                               std::optional<std::string_view> duplicate_of) {
  if (auto refused = check_transition(request.status, to))
    return refused;
  if (to == S::duplicate) {
    if (!duplicate_of || duplicate_of->empty()) {
      return "marking a request as duplicate needs the tracking id of the original";
    }
    if (*duplicate_of == request.tracking_id) {
      return "a request cannot be a duplicate of itself";
    }
  } else if (duplicate_of && !duplicate_of->empty()) {
    return "an original request id only goes with the status duplicate";
  }
  return std::nullopt;
}

time_point due_time(time_point created, int sla_hours) {
  return created + std::chrono::hours(sla_hours);
}

bool is_overdue(const service_request& request, time_point now) {
  return is_open(request.status) && request.due_at != time_point{} && now > request.due_at;
}

}  // namespace civicline::core
