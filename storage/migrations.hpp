#pragma once
// Numbered SQL migrations (storage/migrations/NNNN_name.sql), embedded in the
// binary at build time and applied in order, each in its own transaction with
// PRAGMA user_version = N.

#include <SQLiteCpp/Database.h>

#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace civicline::storage {

struct migration {
  int version = 0;        ///< N from NNNN_name.sql
  std::string_view name;  ///< "0001_init.sql"
  std::string_view sql;
};

/// Validates {file name, sql} pairs and orders them by version; the views point into `files`.
/// Throws storage_error if two files share a number or a name is not NNNN_name.sql.
std::vector<migration> parse_migrations(
    std::span<const std::pair<std::string_view, std::string_view>> files);

/// The migrations compiled into this binary, ordered by version.
/// Throws storage_error if two files share a number or a name is not NNNN_name.sql.
std::vector<migration> builtin_migrations();

/// Applies every migration newer than the database's user_version; returns the new version.
/// Throws storage_error if the database is newer than the newest migration (refuse to run an
/// old binary on a new schema) or a migration fails (naming it; nothing of it is kept).
int apply_migrations(SQLite::Database& db, std::span<const migration> migrations);

}  // namespace civicline::storage
