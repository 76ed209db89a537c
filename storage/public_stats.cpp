#include "storage/public_stats.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "storage/database.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

using detail::bind_text;

// ORDER BY the index's own leading column: the scan returns rows in that order without a sort,
// which is what lets the week advance as the rows go by.
constexpr const char* received_sql =
    "SELECT created_at, category, channel, closed_at IS NULL, ack_ms "
    "FROM service_requests INDEXED BY service_requests_public_received "
    "WHERE created_at >= :from AND created_at < :to ORDER BY created_at";

constexpr const char* closed_sql =
    "SELECT closed_at, category, due_at IS NOT NULL, "
    "due_at IS NOT NULL AND closed_at <= due_at, close_ms "
    "FROM service_requests INDEXED BY service_requests_public_closed "
    "WHERE closed_at IS NOT NULL AND closed_at >= :from AND closed_at < :to ORDER BY closed_at";

constexpr const char* backlog_sql =
    "SELECT CASE WHEN created_at > :age0 THEN 0 WHEN created_at > :age1 THEN 1 "
    "WHEN created_at > :age2 THEN 2 ELSE 3 END AS bucket, COUNT(*) "
    "FROM service_requests INDEXED BY service_requests_public_backlog "
    "WHERE closed_at IS NULL GROUP BY bucket";

/// A statement run straight on SQLite's C API: the two scans read a million rows each, and
/// SQLiteCpp's per-column objects (a shared_ptr copy each) cost as much as SQLite itself there.
class raw_statement {
 public:
  raw_statement(SQLite::Database& db, const char* sql) {
    if (sqlite3_prepare_v2(db.getHandle(), sql, -1, &statement_, nullptr) != SQLITE_OK) {
      throw SQLite::Exception(db.getHandle(), sqlite3_errcode(db.getHandle()));
    }
  }
  ~raw_statement() { sqlite3_finalize(statement_); }
  raw_statement(const raw_statement&) = delete;
  raw_statement& operator=(const raw_statement&) = delete;

  void bind(const char* name, const std::string& text) {
    sqlite3_bind_text(statement_, sqlite3_bind_parameter_index(statement_, name), text.data(),
                      static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  /// True while a row is there; throws on an error.
  bool step(SQLite::Database& db) {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc != SQLITE_DONE) {
      throw SQLite::Exception(db.getHandle(), rc);
    }
    return false;
  }
  std::string_view text(int column) {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return {bytes == nullptr ? "" : bytes,
            static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
  }
  std::int64_t integer(int column) { return sqlite3_column_int64(statement_, column); }
  bool is_null(int column) { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

/// Small ids for the few distinct category and channel names a scan meets.
class names {
 public:
  std::uint32_t id(std::string_view name) {
    if (last_ < names_.size() && names_[last_] == name) {
      return last_;
    }
    for (std::uint32_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) {
        return last_ = i;
      }
    }
    names_.emplace_back(name);
    return last_ = static_cast<std::uint32_t>(names_.size() - 1);
  }
  const std::string& operator[](std::uint32_t id) const { return names_[id]; }

 private:
  std::vector<std::string> names_;
  std::uint32_t last_ = 0;
};

/// The week of each time in a non-decreasing sequence of times.
class week_cursor {
 public:
  explicit week_cursor(const std::vector<std::string>& starts) : starts_(starts) {}
  std::size_t of(std::string_view time) {
    while (index_ + 1 < starts_.size() && time >= starts_[index_ + 1]) {
      ++index_;
    }
    return index_;
  }

 private:
  const std::vector<std::string>& starts_;
  std::size_t index_ = 0;
};

/// Counters by week, then by a small key (category and channel ids), grown as ids appear.
template <class Counts>
class weekly_counts {
 public:
  explicit weekly_counts(std::size_t weeks) : weeks_(std::max<std::size_t>(weeks, 1)) {}
  Counts& at(std::size_t week, std::size_t key) {
    auto& row = weeks_[week];
    if (key >= row.size()) {
      row.resize(key + 1);
    }
    return row[key];
  }
  template <class Visit>
  void each(Visit visit) const {
    for (std::size_t week = 0; week < weeks_.size(); ++week) {
      for (std::size_t key = 0; key < weeks_[week].size(); ++key) {
        visit(static_cast<std::int64_t>(week), key, weeks_[week][key]);
      }
    }
  }

 private:
  std::vector<std::vector<Counts>> weeks_;
};

/// The duration list of a category in `out` (and, when `buckets` is given, the list of each
/// duration's bucket beside it), found once per category id.
class duration_lists {
 public:
  duration_lists(std::map<std::string, std::vector<std::int64_t>, std::less<>>& out,
                 std::map<std::string, std::vector<std::uint32_t>, std::less<>>* buckets)
      : out_(out), buckets_(buckets) {}
  void add(std::uint32_t category, const names& categories, std::size_t bucket, std::int64_t ms) {
    if (category >= lists_.size()) {
      lists_.resize(category + 1, nullptr);
      bucket_lists_.resize(category + 1, nullptr);
    }
    if (lists_[category] == nullptr) {
      lists_[category] = &out_[categories[category]];
      if (buckets_ != nullptr) {
        bucket_lists_[category] = &(*buckets_)[categories[category]];
      }
    }
    lists_[category]->push_back(ms);
    if (buckets_ != nullptr) {
      bucket_lists_[category]->push_back(static_cast<std::uint32_t>(bucket));
    }
  }

 private:
  std::map<std::string, std::vector<std::int64_t>, std::less<>>& out_;
  std::map<std::string, std::vector<std::uint32_t>, std::less<>>* buckets_;
  std::vector<std::vector<std::int64_t>*> lists_;
  std::vector<std::vector<std::uint32_t>*> bucket_lists_;
};

/// channels per category in the received counters' key; the schema allows five.
constexpr std::size_t channel_slots = 8;

void scan_received(SQLite::Database& db, const public_stats_query& query, public_stats_rows& rows) {
  raw_statement select(db, received_sql);
  select.bind(":from", query.from);
  select.bind(":to", query.to);
  names categories;
  names channels;
  week_cursor weeks(query.week_starts);
  struct counts {
    std::int64_t received = 0;
    std::int64_t still_open = 0;
  };
  weekly_counts<counts> groups(query.week_starts.size());
  duration_lists acks(rows.ack_ms, query.keep_duration_buckets ? &rows.ack_bucket : nullptr);
  while (select.step(db)) {
    const auto category = categories.id(select.text(1));
    const auto channel = channels.id(select.text(2));
    if (channel >= channel_slots) {
      throw storage_error("public summary: more channels than the counters hold");
    }
    const auto week = weeks.of(select.text(0));
    auto& group = groups.at(week, category * channel_slots + channel);
    ++group.received;
    group.still_open += select.integer(3);
    if (!select.is_null(4)) {
      acks.add(category, categories, week, select.integer(4));
    }
  }
  groups.each([&](std::int64_t week, std::size_t key, const counts& c) {
    if (c.received > 0) {
      rows.received.push_back({categories[static_cast<std::uint32_t>(key / channel_slots)],
                               channels[static_cast<std::uint32_t>(key % channel_slots)], week,
                               c.received, c.still_open});
    }
  });
}

void scan_closed(SQLite::Database& db, const public_stats_query& query, public_stats_rows& rows) {
  raw_statement select(db, closed_sql);
  select.bind(":from", query.from);
  select.bind(":to", query.to);
  names categories;
  week_cursor weeks(query.week_starts);
  struct counts {
    std::int64_t closed = 0;
    std::int64_t with_sla = 0;
    std::int64_t on_time = 0;
  };
  weekly_counts<counts> groups(query.week_starts.size());
  duration_lists closes(rows.close_ms, query.keep_duration_buckets ? &rows.close_bucket : nullptr);
  while (select.step(db)) {
    const auto category = categories.id(select.text(1));
    const auto week = weeks.of(select.text(0));
    auto& group = groups.at(week, category);
    ++group.closed;
    group.with_sla += select.integer(2);
    group.on_time += select.integer(3);
    if (!select.is_null(4)) {
      closes.add(category, categories, week, select.integer(4));
    }
  }
  groups.each([&](std::int64_t week, std::size_t key, const counts& c) {
    if (c.closed > 0) {
      rows.closed.push_back(
          {categories[static_cast<std::uint32_t>(key)], week, c.closed, c.with_sla, c.on_time});
    }
  });
}

}  // namespace

void read_received_stats(SQLite::Database& db, const public_stats_query& query,
                         public_stats_rows& rows) {
  scan_received(db, query, rows);
}

void read_closed_stats(SQLite::Database& db, const public_stats_query& query,
                       public_stats_rows& rows) {
  scan_closed(db, query, rows);
}

void read_backlog(SQLite::Database& db, const public_stats_query& query, public_stats_rows& rows) {
  detail::statement_lease lease(db, backlog_sql);
  auto& select = lease.get();
  bind_text(select, ":age0", query.backlog_after[0]);
  bind_text(select, ":age1", query.backlog_after[1]);
  bind_text(select, ":age2", query.backlog_after[2]);
  while (select.executeStep()) {
    const auto bucket = select.getColumn(0).getInt64();
    if (bucket >= 0 && bucket < static_cast<std::int64_t>(rows.backlog.size())) {
      rows.backlog[static_cast<std::size_t>(bucket)] = select.getColumn(1).getInt64();
    }
  }
}

public_stats_rows read_public_stats(SQLite::Database& db, const public_stats_query& query) {
  public_stats_rows rows;
  // One snapshot for every figure: the writer may commit between two statements otherwise.
  // (A savepoint also nests when the caller already has a transaction open.)
  detail::savepoint snapshot(db);
  read_received_stats(db, query, rows);
  read_closed_stats(db, query, rows);
  read_backlog(db, query, rows);
  snapshot.release();
  return rows;
}

std::vector<public_note_record> public_notes(SQLite::Database& db) {
  detail::statement_lease lease(
      db, "SELECT language, body, updated_at, updated_by FROM public_notes ORDER BY language");
  auto& select = lease.get();
  std::vector<public_note_record> notes;
  while (select.executeStep()) {
    notes.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                     select.getColumn(2).getString(), select.getColumn(3).getString()});
  }
  return notes;
}

void save_public_note(SQLite::Database& db, const public_note_record& note) {
  detail::statement_lease lease(
      db,
      "INSERT INTO public_notes (language, body, updated_at, updated_by) "
      "VALUES (:language, :body, :updated_at, :updated_by) "
      "ON CONFLICT (language) DO UPDATE SET body = excluded.body, "
      "updated_at = excluded.updated_at, updated_by = excluded.updated_by");
  auto& insert = lease.get();
  bind_text(insert, ":language", note.language);
  bind_text(insert, ":body", note.body);
  bind_text(insert, ":updated_at", note.updated_at);
  bind_text(insert, ":updated_by", note.updated_by);
  insert.exec();
}

}  // namespace civicline::storage
