#pragma once
// An online backup of the database with SQLite's backup API, while the server keeps running:
// the copy is one consistent snapshot (WAL lets the writer go on meanwhile), written to a
// temporary file beside the target, synced, checked, and only then renamed into place, so a
// failed backup never leaves a half-written file under the name asked for.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <filesystem>

namespace civicline::storage {

struct backup_result {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
  int schema_version = 0;
};

/// Copies `source` (any connection, a read-only one is fine) to `target`, replacing it.
/// Throws storage_error naming the file and the reason: the directory is missing or not
/// writable, the disk is full, or the copy fails its integrity check.
backup_result backup_database(SQLite::Database& source, const std::filesystem::path& target);

}  // namespace civicline::storage
