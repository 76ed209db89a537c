#include "server/routes/supervisor_routes.hpp"

#include <charconv>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "channels/form_body.hpp"
#include "core/clock_text.hpp"
#include "core/csv.hpp"
#include "server/routes/request_query.hpp"
#include "server/routes/request_routes.hpp"
#include "storage/queue_stats.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {

namespace {

using boost::asio::awaitable;
using nlohmann::json;
using std::chrono::days;

constexpr int default_stats_days = 30;
constexpr int max_stats_days = 365;
/// Requests read from the database per piece of a CSV export.
constexpr std::size_t export_page_rows = 1000;

constexpr std::array<std::string_view, 17> export_columns{
    "id",         "status",     "category", "priority",    "team",        "assignee",
    "created_at", "updated_at", "due_at",   "overdue",     "address",     "lat",
    "long",       "channel",    "language", "description", "duplicate_of"};

std::string number_or_empty(const std::optional<double>& value) {
  if (!value) {
    return "";
  }
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, *value);
  return error == std::errc{} ? std::string(buffer, end) : "";
}

std::vector<std::string> export_row(const storage::request_record& r, std::string_view now) {
  const auto status = core::status_from_string(r.status);
  const bool overdue = status && core::is_open(*status) && !r.due_at.empty() && r.due_at < now;
  return {r.tracking_id,
          r.status,
          r.category,
          r.priority,
          r.team,
          r.assignee,
          r.created_at,
          r.updated_at,
          r.due_at,
          overdue ? "true" : "false",
          r.location_text,
          number_or_empty(r.lat),
          number_or_empty(r.lon),
          r.channel,
          r.language,
          r.description,
          r.duplicate_of.value_or("")};
}

/// The `days` parameter of GET /api/v1/stats, or nullopt when it is not 1 to 365.
std::optional<int> stats_days(std::string_view query) {
  const auto params = channels::parse_form_body(query);
  if (!params) {
    return std::nullopt;
  }
  for (const auto& [name, value] : *params) {
    if (name != "days") {
      return std::nullopt;
    }
  }
  const auto* text = channels::form_value(*params, "days");
  if (text == nullptr || text->empty()) {
    return default_stats_days;
  }
  int value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size() || value < 1 ||
      value > max_stats_days) {
    return std::nullopt;
  }
  return value;
}

/// Every UTC day from `first` through `last` with its created and closed counts (0 when none).
json daily_series(core::time_point first, core::time_point last,
                  const std::vector<storage::day_count>& created,
                  const std::vector<storage::day_count>& closed) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>, std::less<>> by_day;
  for (auto day = first; day <= last; day += days(1)) {
    by_day[core::to_iso8601(day).substr(0, 10)];
  }
  for (const auto& d : created) {
    by_day[d.day].first = d.count;
  }
  for (const auto& d : closed) {
    by_day[d.day].second = d.count;
  }
  json series = json::array();
  for (const auto& [day, counts] : by_day) {
    series.push_back({{"date", day}, {"created", counts.first}, {"closed", counts.second}});
  }
  return series;
}

awaitable<http_response> stats(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::supervise);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto period = stats_days(request.query);
  if (!period) {
    co_return error_response(400, "bad_request",
                             "The only parameter is days, a whole number from 1 to 365.");
  }
  const auto now = context.app.now();
  storage::age_bounds bounds{core::to_iso8601(now), core::to_iso8601(now - days(3)),
                             core::to_iso8601(now - days(8)), core::to_iso8601(now - days(31))};
  // Whole UTC days: the first day of the period from its midnight on.
  const auto first_day = std::chrono::floor<days>(now) - days(*period - 1);
  const auto since = core::to_iso8601(first_day);
  json out = context.app.db.read([&](SQLite::Database& db) {
    json categories = json::array();
    std::int64_t open_total = 0;
    std::int64_t overdue_total = 0;
    for (const auto& row : storage::open_requests_by_category(db, bounds)) {
      open_total += row.total;
      overdue_total += row.overdue;
      categories.push_back({{"category", row.category},
                            {"open", row.total},
                            {"overdue", row.overdue},
                            {"age_days",
                             {{"0-2", row.age_0_2},
                              {"3-7", row.age_3_7},
                              {"8-30", row.age_8_30},
                              {"30+", row.age_over_30}}}});
    }
    json teams = json::array();
    for (const auto& row : storage::open_requests_by_team(db, bounds.now)) {
      teams.push_back({{"team", row.team.empty() ? json(nullptr) : json(row.team)},
                       {"open", row.total},
                       {"overdue", row.overdue},
                       {"unassigned", row.unassigned}});
    }
    return json{{"generated_at", bounds.now},
                {"open", open_total},
                {"overdue", overdue_total},
                {"by_category", categories},
                {"by_team", teams},
                {"daily", daily_series(first_day, now, storage::created_per_day(db, since),
                                       storage::closed_per_day(db, since))}};
  });
  co_return private_json_response(200, out.dump());
}

awaitable<http_response> export_csv(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::supervise);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto now = context.app.now();
  auto parsed = parse_request_list_query(request.query, now);
  if (const auto* problem = std::get_if<input_problem>(&parsed)) {
    co_return error_response(problem->status, error_code_for(problem->status), problem->message);
  }
  auto query = std::get<request_list_query>(std::move(parsed));
  if (auto refused = resolve_assignee(context.app.db, query, std::get<auth::principal>(who))) {
    co_return *refused;
  }
  // Paged through with the list's keyset cursor, one page per chunk: any size, bounded memory.
  struct export_state {
    storage::request_filter filter;
    bool header_sent = false;
    bool finished = false;
  };
  auto state =
      std::make_shared<export_state>(export_state{query.filter, false, query.matches_nothing});
  auto& db = context.app.db;
  const auto now_text = core::to_iso8601(now);
  http_response response;
  response.headers.set("Content-Type", "text/csv; charset=utf-8");
  response.headers.set("Content-Disposition",
                       "attachment; filename=\"requests-" + now_text.substr(0, 10) + ".csv\"");
  response.headers.set("Cache-Control", "no-store");
  response.stream = [state, &db, now_text]() -> std::optional<std::string> {
    std::string out;
    if (!state->header_sent) {
      state->header_sent = true;
      const std::vector<std::string> names(export_columns.begin(), export_columns.end());
      core::append_csv_row(out, names);
      return out;
    }
    if (state->finished) {
      return std::nullopt;
    }
    const auto page = db.read([&](SQLite::Database& c) {
      return storage::list_requests(c, state->filter, export_page_rows);
    });
    for (const auto& row : page) {
      core::append_csv_row(out, export_row(row, now_text));
    }
    if (page.size() < export_page_rows) {
      state->finished = true;
    } else {
      state->filter.after = storage::request_cursor{
          storage::order_key(page.back(), state->filter.order), page.back().id};
    }
    return out;
  };
  co_return response;
}

}  // namespace

void add_supervisor_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("GET", "/api/v1/stats", route_access::supervisor,
             [context](http_request& request) { return stats(*context, request); });
  routes.add("GET", "/api/v1/requests.csv", route_access::supervisor,
             [context](http_request& request) { return export_csv(*context, request); });
}

}  // namespace civicline::server
