#include "storage/migrations.hpp"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "storage/database.hpp"

namespace civicline::storage {

// Generated from storage/migrations/*.sql by cmake/embed_files.cmake.
std::span<const std::pair<std::string_view, std::string_view>> embedded_migration_files();

namespace {

constexpr std::size_t version_digits = 4;
constexpr std::string_view sql_suffix = ".sql";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
}

/// N from "NNNN_name.sql"; throws storage_error naming the file otherwise.
int parse_version(std::string_view file_name) {
  const auto bad = [&](std::string_view why) {
    return storage_error("migration file name '" + std::string(file_name) + "' " +
                         std::string(why) +
                         " (expected NNNN_name.sql, e.g. 0002_add_requests.sql)");
  };
  if (file_name.size() <= version_digits + 1 + sql_suffix.size() ||
      !file_name.ends_with(sql_suffix)) {
    throw bad("is not of the form NNNN_name.sql");
  }
  const std::string_view digits = file_name.substr(0, version_digits);
  if (!std::all_of(digits.begin(), digits.end(), is_digit) || file_name[version_digits] != '_') {
    throw bad("does not start with four digits and '_'");
  }
  const std::string_view name = file_name.substr(
      version_digits + 1, file_name.size() - version_digits - 1 - sql_suffix.size());
  if (!std::all_of(name.begin(), name.end(), is_name_char)) {
    throw bad("has a name that is not lower-case letters, digits and '_'");
  }
  int version = 0;
  for (char c : digits) {
    version = version * 10 + (c - '0');
  }
  // user_version 0 is what SQLite reports for an empty file, so 0 cannot be a migration.
  if (version == 0) {
    throw bad("has version 0; numbering starts at 0001");
  }
  return version;
}

int read_user_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

void refuse_if_newer(const SQLite::Database& db, int current, int newest) {
  if (current > newest) {
    throw storage_error("database " + db.getFilename() + " has schema version " +
                        std::to_string(current) + " but this civicline knows up to " +
                        std::to_string(newest) + "; upgrade civicline");
  }
}

}  // namespace

std::vector<migration> parse_migrations(
    std::span<const std::pair<std::string_view, std::string_view>> files) {
  std::vector<migration> result;
  result.reserve(files.size());
  for (const auto& [file_name, sql] : files) {
    result.push_back(migration{parse_version(file_name), file_name, sql});
  }
  std::sort(result.begin(), result.end(),
            [](const migration& a, const migration& b) { return a.version < b.version; });
  const auto duplicate = std::adjacent_find(
      result.begin(), result.end(),
      [](const migration& a, const migration& b) { return a.version == b.version; });
  if (duplicate != result.end()) {
    throw storage_error("migrations " + std::string(duplicate->name) + " and " +
                        std::string(std::next(duplicate)->name) + " share version " +
                        std::to_string(duplicate->version) + "; renumber one of them");
  }
  return result;
}

std::vector<migration> builtin_migrations() {
  return parse_migrations(embedded_migration_files());
}

int apply_migrations(SQLite::Database& db, std::span<const migration> migrations) {
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i - 1].version >= migrations[i].version) {
      throw storage_error("migrations must be ordered by version without duplicates: " +
                          std::string(migrations[i - 1].name) + " then " +
                          std::string(migrations[i].name));
    }
  }
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  int current = read_user_version(db);
  refuse_if_newer(db, current, newest);

  for (const migration& m : migrations) {
    if (m.version <= current) {
      continue;
    }
    try {
      // IMMEDIATE takes the write lock up front, so two processes starting at once
      // serialise here instead of both applying the same migration.
      SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
      current = read_user_version(db);
      refuse_if_newer(db, current, newest);
      if (m.version <= current) {
        continue;  // another process applied it while we waited for the lock
      }
      db.exec(std::string(m.sql));  // copy: exec needs a NUL-terminated string
      // Same transaction as the schema change, so the version can never disagree with it.
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      transaction.commit();
      current = m.version;
    } catch (const SQLite::Exception& e) {
      throw storage_error("migration " + std::string(m.name) + " failed on database " +
                          db.getFilename() + ": " + e.what() + "; none of it was applied");
    }
  }
  return current;
}

}  // namespace civicline::storage
