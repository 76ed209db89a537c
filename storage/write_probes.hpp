#pragma once
// Write probes: small rows an operator (or a durability test) writes through
// the normal write path to prove that acknowledged writes reach the disk.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace civicline::storage {

struct write_probe {
  std::int64_t id = 0;
  std::string key;
  std::string payload;
  std::string created_at;  ///< ISO 8601 UTC
};

/// Inserts a probe; nullopt when a probe with this key exists already.
std::optional<std::int64_t> insert_write_probe(SQLite::Database& db, const write_probe& probe);

/// The probe with `key`, if any.
std::optional<write_probe> find_write_probe(SQLite::Database& db, std::string_view key);

/// Rewrites the one probe row that /readyz keeps ("readyz"), so a readiness check proves the
/// database takes writes; the row is replaced, never added to.
void record_readiness_probe(SQLite::Database& db, std::string_view at);

/// How many probes are stored.
std::int64_t count_write_probes(SQLite::Database& db);

}  // namespace civicline::storage
