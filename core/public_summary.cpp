#include "core/public_summary.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/clock_text.hpp"

namespace civicline::core {

namespace {

using json = nlohmann::ordered_json;
using std::chrono::days;

constexpr std::array<std::string_view, 4> headline_channels{"sms", "web_chat", "open311", "staff"};

struct bucket_bounds {
  std::string_view label;
  int min_days;
  std::optional<int> max_days;
};
constexpr std::array<bucket_bounds, 4> backlog_buckets{{
    {"0-2", 0, 2},
    {"3-7", 3, 7},
    {"8-30", 8, 30},
    {"31+", 31, std::nullopt},
}};

std::optional<time_point> parse_day(std::string_view text) {
  if (text.size() != 10) {
    return std::nullopt;
  }
  return from_iso8601(std::string(text) + "T00:00:00.000Z");
}

json hours(const std::optional<double>& ms) {
  if (!ms) {
    return nullptr;
  }
  return std::round(*ms / 36'000.0) / 100.0;  // hours, 2 decimals
}

json share(std::int64_t part, std::int64_t whole) {
  if (whole == 0) {
    return nullptr;
  }
  return std::round(static_cast<double>(part) * 10'000.0 / static_cast<double>(whole)) / 10'000.0;
}

struct category_figures {
  std::int64_t received = 0;
  std::int64_t still_open = 0;
  std::int64_t closed = 0;
  std::int64_t with_sla = 0;
  std::int64_t on_time = 0;
};

struct week_figures {
  std::int64_t received = 0;
  std::int64_t closed = 0;
  std::int64_t with_sla = 0;
  std::int64_t on_time = 0;
};

json durations(std::vector<std::int64_t>& close_ms, std::vector<std::int64_t>& ack_ms,
               json object) {
  object["median_hours_to_close"] = hours(median_of(close_ms));
  object["p90_hours_to_close"] = hours(percentile_90_of(close_ms));
  object["median_hours_to_first_ack"] = hours(median_of(ack_ms));
  return object;
}

}  // namespace

std::variant<summary_period, std::string> parse_summary_period(
    const std::map<std::string, std::string, std::less<>>& params, time_point now) {
  const auto from = params.find("from");
  const auto to = params.find("to");
  if (from != params.end() || to != params.end()) {
    if (from == params.end() || to == params.end()) {
      return std::string("A custom period needs both from and to, as YYYY-MM-DD.");
    }
    const auto first = parse_day(from->second);
    const auto last = parse_day(to->second);
    if (!first || !last) {
      return std::string("from and to must be dates written YYYY-MM-DD, e.g. 2026-01-31.");
    }
    if (*last < *first) {
      return std::string("to must not be before from.");
    }
    if (*last - *first >= days(max_period_days)) {
      return "A custom period may span at most " + std::to_string(max_period_days) + " days.";
    }
    return summary_period{"custom", *first, *last + days(1)};
  }
  std::string name = "30";
  if (const auto period = params.find("period"); period != params.end()) {
    name = period->second;
  }
  for (const int n : {30, 90, 365}) {
    if (name == std::to_string(n) || name == std::to_string(n) + "d") {
      return summary_period{std::to_string(n) + "d", now - days(n), now};
    }
  }
  return std::string("period must be 30, 90 or 365 (days), or give from and to as YYYY-MM-DD.");
}

storage::public_stats_query stats_query_for(const summary_period& period, time_point now) {
  storage::public_stats_query query;
  query.from = to_iso8601(period.from);
  query.to = to_iso8601(period.to);
  for (auto start = period.from; start < period.to; start += days(7)) {
    query.week_starts.push_back(to_iso8601(start));
  }
  // An age of d whole days means created after now - (d + 1) days.
  query.backlog_after = {to_iso8601(now - days(3)), to_iso8601(now - days(8)),
                         to_iso8601(now - days(31))};
  return query;
}

std::optional<double> median_of(std::vector<std::int64_t>& values) {
  if (values.empty()) {
    return std::nullopt;
  }
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle),
                   values.end());
  const auto upper = static_cast<double>(values[middle]);
  if (values.size() % 2 == 1) {
    return upper;
  }
  // The lower middle is the largest of the values before the upper one.
  const auto lower = static_cast<double>(
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle)));
  return (lower + upper) / 2.0;
}

std::optional<double> percentile_90_of(std::vector<std::int64_t>& values) {
  if (values.empty()) {
    return std::nullopt;
  }
  // Nearest rank: ceil(0.9 n), counted from 1; integer arithmetic avoids 0.9's rounding.
  const std::size_t rank = (values.size() * 9 + 9) / 10;
  const std::size_t index = rank - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return static_cast<double>(values[index]);
}

std::map<std::string, std::string> public_notes_for(
    const config::settings& settings, const std::vector<storage::public_note_record>& stored) {
  std::map<std::string, std::string> notes(settings.public_data.notes.begin(),
                                           settings.public_data.notes.end());
  for (const auto& note : stored) {
    notes[note.language] = note.body;
  }
  return notes;
}

std::string summary_json(const summary_period& period, storage::public_stats_rows rows,
                         const config::settings& settings,
                         const std::map<std::string, std::string>& notes, time_point now) {
  const auto span = period.to - period.from;
  const auto week_count =
      static_cast<std::int64_t>((span + days(7) - std::chrono::milliseconds(1)) / days(7));

  std::map<std::string, category_figures, std::less<>> by_category;
  std::map<std::string, std::int64_t, std::less<>> by_channel;
  std::vector<week_figures> weeks(static_cast<std::size_t>(std::max<std::int64_t>(week_count, 0)));
  auto week_at = [&](std::int64_t week) -> week_figures* {
    if (week < 0 || week >= static_cast<std::int64_t>(weeks.size())) {
      return nullptr;  // cannot happen for rows inside the period; kept safe anyway
    }
    return &weeks[static_cast<std::size_t>(week)];
  };
  category_figures total;
  for (const auto& group : rows.received) {
    auto& figures = by_category[group.category];
    figures.received += group.received;
    figures.still_open += group.still_open;
    total.received += group.received;
    total.still_open += group.still_open;
    by_channel[group.channel] += group.received;
    if (auto* week = week_at(group.week)) {
      week->received += group.received;
    }
  }
  for (const auto& group : rows.closed) {
    auto& figures = by_category[group.category];
    figures.closed += group.closed;
    figures.with_sla += group.with_sla;
    figures.on_time += group.on_time;
    total.closed += group.closed;
    total.with_sla += group.with_sla;
    total.on_time += group.on_time;
    if (auto* week = week_at(group.week)) {
      week->closed += group.closed;
      week->with_sla += group.with_sla;
      week->on_time += group.on_time;
    }
  }

  // Every configured category in config order (zeros included), then any code in the data that
  // the config no longer has.
  std::vector<std::string> codes;
  std::set<std::string, std::less<>> seen;
  for (const auto& category : settings.categories) {
    codes.push_back(category.code);
    seen.insert(category.code);
  }
  for (const auto& [code, figures] : by_category) {
    if (!seen.contains(code)) {
      codes.push_back(code);
    }
  }

  std::vector<std::int64_t> all_close;
  std::vector<std::int64_t> all_ack;
  for (const auto& [code, values] : rows.close_ms) {
    all_close.insert(all_close.end(), values.begin(), values.end());
  }
  for (const auto& [code, values] : rows.ack_ms) {
    all_ack.insert(all_ack.end(), values.begin(), values.end());
  }

  json out;
  out["city"] = settings.city.name;
  out["generated_at"] = to_iso8601(now);
  out["period"] = {{"name", period.name},
                   {"from", to_iso8601(period.from)},
                   {"to", to_iso8601(period.to)},
                   {"days", std::chrono::duration<double, days::period>(span).count()}};
  std::int64_t open_now = 0;
  for (const auto count : rows.backlog) {
    open_now += count;
  }
  out["totals"] = durations(all_close, all_ack,
                            {{"received", total.received},
                             {"closed", total.closed},
                             {"still_open", total.still_open},
                             {"open_now", open_now},
                             {"closed_with_sla", total.with_sla},
                             {"closed_on_time", total.on_time},
                             {"on_time_share", share(total.on_time, total.with_sla)}});

  json categories = json::array();
  for (const auto& code : codes) {
    json name = {{"en", code}};
    json sla = nullptr;
    json group = nullptr;
    for (const auto& category : settings.categories) {
      if (category.code == code) {
        name = json(category.name);
        sla = category.sla_hours;
        group = category.group;
      }
    }
    const auto found = by_category.find(code);
    const category_figures figures =
        found == by_category.end() ? category_figures{} : found->second;
    std::vector<std::int64_t> none;
    auto close_it = rows.close_ms.find(code);
    auto ack_it = rows.ack_ms.find(code);
    categories.push_back(durations(close_it == rows.close_ms.end() ? none : close_it->second,
                                   ack_it == rows.ack_ms.end() ? none : ack_it->second,
                                   {{"code", code},
                                    {"name", name},
                                    {"group", group},
                                    {"sla_hours", sla},
                                    {"received", figures.received},
                                    {"closed", figures.closed},
                                    {"still_open", figures.still_open},
                                    {"closed_with_sla", figures.with_sla},
                                    {"closed_on_time", figures.on_time},
                                    {"on_time_share", share(figures.on_time, figures.with_sla)}}));
  }
  out["categories"] = std::move(categories);

  json channels = json::array();
  for (const auto channel : headline_channels) {
    const auto found = by_channel.find(channel);
    channels.push_back(
        {{"channel", channel}, {"received", found == by_channel.end() ? 0 : found->second}});
  }
  for (const auto& [channel, count] : by_channel) {
    if (std::find(headline_channels.begin(), headline_channels.end(), channel) ==
        headline_channels.end()) {
      channels.push_back({{"channel", channel}, {"received", count}});
    }
  }
  out["channels"] = std::move(channels);

  json weekly = json::array();
  for (std::size_t i = 0; i < weeks.size(); ++i) {
    const auto& week = weeks[i];
    const auto start = period.from + days(7 * static_cast<int>(i));
    weekly.push_back({{"week_start", to_iso8601(start)},
                      {"received", week.received},
                      {"closed", week.closed},
                      {"closed_with_sla", week.with_sla},
                      {"closed_on_time", week.on_time},
                      {"on_time_share", share(week.on_time, week.with_sla)}});
  }
  out["weekly"] = std::move(weekly);

  json backlog = json::array();
  for (std::size_t i = 0; i < backlog_buckets.size(); ++i) {
    const auto& bucket = backlog_buckets[i];
    backlog.push_back({{"bucket", bucket.label},
                       {"min_days", bucket.min_days},
                       {"max_days", bucket.max_days ? json(*bucket.max_days) : json(nullptr)},
                       {"open", rows.backlog[i]}});
  }
  out["backlog"] = std::move(backlog);
  out["notes"] = notes;
  return out.dump();
}

}  // namespace civicline::core
