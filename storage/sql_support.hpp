#pragma once
// Small helpers shared by the repositories in storage/ (not used outside it):
// binding string_views and optionals by name, reading nullable columns, a
// savepoint that rolls back unless released, and LIMIT values.

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "storage/statement_cache.hpp"

namespace civicline::storage::detail {

/// Binds text by name; SQLiteCpp copies it (SQLITE_TRANSIENT), so the view may die after.
inline void bind_text(SQLite::Statement& statement, const char* name, std::string_view value) {
  statement.bind(name, std::string(value));
}

inline void bind_optional_text(SQLite::Statement& statement, const char* name,
                               const std::optional<std::string_view>& value) {
  if (value) {
    bind_text(statement, name, *value);
  } else {
    statement.bind(name);  // NULL
  }
}

inline void bind_optional_double(SQLite::Statement& statement, const char* name,
                                 const std::optional<double>& value) {
  if (value) {
    statement.bind(name, *value);
  } else {
    statement.bind(name);
  }
}

inline void bind_optional_int64(SQLite::Statement& statement, const char* name,
                                const std::optional<std::int64_t>& value) {
  if (value) {
    statement.bind(name, *value);
  } else {
    statement.bind(name);
  }
}

/// A LIMIT value: SQLite takes a signed 64-bit integer.
inline void bind_limit(SQLite::Statement& statement, const char* name, std::size_t limit) {
  constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  statement.bind(name, static_cast<std::int64_t>(limit < max ? limit : max));
}

inline std::optional<std::string> optional_text(const SQLite::Column& column) {
  if (column.isNull()) {
    return std::nullopt;
  }
  return column.getString();
}

inline std::optional<std::int64_t> optional_int64(const SQLite::Column& column) {
  if (column.isNull()) {
    return std::nullopt;
  }
  return column.getInt64();
}

inline std::optional<double> optional_double(const SQLite::Column& column) {
  if (column.isNull()) {
    return std::nullopt;
  }
  return column.getDouble();
}

/// "" for NULL.
inline std::string text_or_empty(const SQLite::Column& column) {
  return column.isNull() ? std::string() : column.getString();
}

/// Makes a multi-statement write all-or-nothing: SAVEPOINT on construction, ROLLBACK TO and
/// RELEASE on destruction unless release() was called. Nests inside the writer's per-job
/// savepoint and, outside a transaction, behaves like BEGIN ... COMMIT/ROLLBACK.
/// (SQLiteCpp's own Savepoint leaves the savepoint open after a rollback in 3.2.)
class savepoint {
 public:
  explicit savepoint(SQLite::Database& db) : db_(db) {
    exec_kept(db_, "SAVEPOINT civicline_repository");
  }
  ~savepoint() {
    if (!released_) {
      // Best effort: the exception being unwound is the error to report.
      db_.tryExec("ROLLBACK TO civicline_repository");
      db_.tryExec("RELEASE civicline_repository");
    }
  }
  savepoint(const savepoint&) = delete;
  savepoint& operator=(const savepoint&) = delete;

  void release() {
    exec_kept(db_, "RELEASE civicline_repository");
    released_ = true;
  }

 private:
  SQLite::Database& db_;
  bool released_ = false;
};

/// Throws storage_error "<what> <id> does not exist" unless exactly one row changed.
void require_one_change(int changes, std::string_view what, std::int64_t id);

/// ":prefix_0, :prefix_1, ..." for an IN list of `count` values. The SQL text is built from
/// this constant prefix and indexes only; the values themselves are always bound.
std::string placeholders(std::string_view prefix, std::size_t count);

/// Binds `values[i]` to ":prefix_i".
template <class Strings>
void bind_list(SQLite::Statement& statement, std::string_view prefix, const Strings& values) {
  std::size_t i = 0;
  for (const auto& value : values) {
    const std::string name = ":" + std::string(prefix) + "_" + std::to_string(i++);
    bind_text(statement, name.c_str(), value);
  }
}

}  // namespace civicline::storage::detail
