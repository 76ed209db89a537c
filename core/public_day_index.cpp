#include "core/public_day_index.hpp"

#include <algorithm>

#include "core/clock_text.hpp"

namespace civicline::core {

namespace {

using std::chrono::days;

time_point midnight_of(time_point t) {
  return std::chrono::floor<days>(t);
}

/// The durations of buckets [first, last) of each category: a contiguous run of each list,
/// because a scan records its durations in time order.
std::map<std::string, std::vector<std::int64_t>, std::less<>> durations_between(
    const std::map<std::string, std::vector<std::int64_t>, std::less<>>& values,
    const std::map<std::string, std::vector<std::uint32_t>, std::less<>>& buckets,
    std::uint32_t first, std::uint32_t last) {
  std::map<std::string, std::vector<std::int64_t>, std::less<>> out;
  for (const auto& [category, list] : values) {
    const auto found = buckets.find(category);
    if (found == buckets.end() || found->second.size() != list.size()) {
      continue;  // an index built without buckets: nothing can be cut from it
    }
    const auto& bucket_of = found->second;
    const auto begin = std::lower_bound(bucket_of.begin(), bucket_of.end(), first);
    const auto end = std::lower_bound(begin, bucket_of.end(), last);
    if (begin == end) {
      continue;
    }
    out[category].assign(list.begin() + (begin - bucket_of.begin()),
                         list.begin() + (end - bucket_of.begin()));
  }
  return out;
}

}  // namespace

bool public_day_index::covers(const summary_period& period) const {
  if (day_count <= 0 || period.from >= period.to) {
    return false;
  }
  return midnight_of(period.from) == period.from && midnight_of(period.to) == period.to &&
         period.from >= first_day && period.to <= first_day + days(day_count);
}

time_point day_index_start(time_point now, int day_count) {
  return midnight_of(now) - days(day_count - 1);
}

storage::public_stats_query day_index_query(time_point now, int day_count) {
  const auto first = day_index_start(now, day_count);
  storage::public_stats_query query;
  query.from = to_iso8601(first);
  query.to = to_iso8601(first + days(day_count));
  for (int day = 0; day < day_count; ++day) {
    query.week_starts.push_back(to_iso8601(first + days(day)));
  }
  query.keep_duration_buckets = true;
  return query;
}

std::optional<storage::public_stats_rows> slice_day_index(const public_day_index& index,
                                                          const summary_period& period) {
  if (!index.covers(period)) {
    return std::nullopt;
  }
  const auto first = (period.from - index.first_day) / days(1);
  const auto last = (period.to - index.first_day) / days(1);
  storage::public_stats_rows rows;
  // summary_json adds the groups up, so one group per day with the day's week is enough.
  for (const auto& group : index.rows.received) {
    if (group.week >= first && group.week < last) {
      auto copy = group;
      copy.week = (group.week - first) / 7;
      rows.received.push_back(std::move(copy));
    }
  }
  for (const auto& group : index.rows.closed) {
    if (group.week >= first && group.week < last) {
      auto copy = group;
      copy.week = (group.week - first) / 7;
      rows.closed.push_back(std::move(copy));
    }
  }
  const auto from_bucket = static_cast<std::uint32_t>(first);
  const auto to_bucket = static_cast<std::uint32_t>(last);
  rows.close_ms =
      durations_between(index.rows.close_ms, index.rows.close_bucket, from_bucket, to_bucket);
  rows.ack_ms = durations_between(index.rows.ack_ms, index.rows.ack_bucket, from_bucket, to_bucket);
  return rows;
}

}  // namespace civicline::core
