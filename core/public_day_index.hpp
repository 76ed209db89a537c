#pragma once
// The public summary's figures counted once per UTC day over a span of days, kept in memory,
// so that the summary of any custom range of whole days inside the span is cut out of the
// index (tens of milliseconds at a million requests) instead of two scans of the database
// (about a second). The cut is exact: the same counts and the same durations, so the same
// medians and percentiles, as a scan of that range would give (tests/storage/
// public_stats_test.cpp compares the two). Pure: the rows come from storage::read_*_stats.

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/public_summary.hpp"
#include "storage/public_stats.hpp"

namespace civicline::core {

struct public_day_index {
  time_point first_day{};  ///< midnight UTC of day 0
  std::int64_t day_count = 0;
  /// Counted with one bucket per day (the `week` of each group is its day) and the bucket of
  /// every duration kept. The backlog is not part of it: it depends on the time of asking.
  storage::public_stats_rows rows;

  /// True when [period.from, period.to) is whole days inside the index.
  bool covers(const summary_period& period) const;
};

/// The storage query that fills an index of the `day_count` days ending with the day of
/// `now` (so a custom range that ends today is covered).
storage::public_stats_query day_index_query(time_point now, int day_count);
/// The first day of that query.
time_point day_index_start(time_point now, int day_count);

/// The rows of `period` as storage::read_public_stats would return them for
/// stats_query_for(period, ...), without the backlog; nullopt unless index.covers(period).
std::optional<storage::public_stats_rows> slice_day_index(const public_day_index& index,
                                                          const summary_period& period);

}  // namespace civicline::core
