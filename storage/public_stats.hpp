#pragma once
// The figures behind the public progress dashboard, from two range scans over covering indexes
// (migrations/0007_public_progress.sql): requests received in the period in creation order, and
// requests closed in it in close order. Each scan is counted as it streams (by category,
// channel and week; weeks advance with the index order, so no timestamp is parsed and nothing
// is sorted) and keeps the durations the medians and 90th percentiles are taken from
// (core/public_summary.hpp). Measured at 1,000,000 requests, SQL GROUP BY over the same
// indexes took 3.3 s against 0.4 s for the scans (docs/PERFORMANCE.md). No resident data is
// read.

#include <SQLiteCpp/Database.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

/// What to count. Times are ISO 8601 UTC text; the period is [from, to).
struct public_stats_query {
  std::string from;
  std::string to;
  /// The start of each week of the period, oldest first; week_starts[0] == from. (Any
  /// buckets work: core/public_day_index.hpp passes the start of each day.)
  std::vector<std::string> week_starts;
  /// Also record the bucket of every duration (close_bucket, ack_bucket), so that the
  /// durations of a run of buckets can be cut out of the lists later.
  bool keep_duration_buckets = false;
  /// Backlog age bounds, newest first: created after [0] is 0-2 days old, after [1] 3-7 days,
  /// after [2] 8-30 days, the rest older (core::backlog_bounds computes them from "now").
  std::array<std::string, 3> backlog_after;
};

/// Requests received in the period, by category, channel and week (0 = the week starting at
/// `from`).
struct received_group {
  std::string category;
  std::string channel;
  std::int64_t week = 0;
  std::int64_t received = 0;
  std::int64_t still_open = 0;  ///< of those, not closed now
};

/// Requests closed in the period (their current close), by category and week of the close.
struct closed_group {
  std::string category;
  std::int64_t week = 0;
  std::int64_t closed = 0;
  std::int64_t with_sla = 0;  ///< had a due time
  std::int64_t on_time = 0;   ///< closed at or before it
};

struct public_stats_rows {
  std::vector<received_group> received;
  std::vector<closed_group> closed;
  /// Per category: creation-to-close milliseconds of the requests closed in the period.
  std::map<std::string, std::vector<std::int64_t>, std::less<>> close_ms;
  /// Per category: creation-to-first-staff-action milliseconds of the requests received in the
  /// period that staff have acted on.
  std::map<std::string, std::vector<std::int64_t>, std::less<>> ack_ms;
  /// With query.keep_duration_buckets: the bucket (week) of each duration above, index for
  /// index. Non-decreasing, because each scan runs in time order.
  std::map<std::string, std::vector<std::uint32_t>, std::less<>> close_bucket;
  std::map<std::string, std::vector<std::uint32_t>, std::less<>> ack_bucket;
  /// Open requests now (whenever received) by age bucket, newest bucket first.
  std::array<std::int64_t, 4> backlog{};
};

/// Reads every figure for the period in one read transaction (a consistent snapshot).
public_stats_rows read_public_stats(SQLite::Database& db, const public_stats_query& query);

/// The parts of read_public_stats, each filling only its own members of `rows` (received and
/// ack_ms; closed and close_ms; backlog), so a caller can run the two scans on two connections
/// at once.
void read_received_stats(SQLite::Database& db, const public_stats_query& query,
                         public_stats_rows& rows);
void read_closed_stats(SQLite::Database& db, const public_stats_query& query,
                       public_stats_rows& rows);
void read_backlog(SQLite::Database& db, const public_stats_query& query, public_stats_rows& rows);

/// A "what we changed" note as stored.
struct public_note_record {
  std::string language;
  std::string body;
  std::string updated_at;
  std::string updated_by;
};
/// Every stored note, by language.
std::vector<public_note_record> public_notes(SQLite::Database& db);
/// Stores (or replaces) the note of `note.language`.
void save_public_note(SQLite::Database& db, const public_note_record& note);

}  // namespace civicline::storage
