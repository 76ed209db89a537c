#include "storage/write_probes.hpp"

#include <SQLiteCpp/Statement.h>

#include "storage/statement_cache.hpp"

namespace civicline::storage {

std::optional<std::int64_t> insert_write_probe(SQLite::Database& db, const write_probe& probe) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO write_probes (probe_key, payload, created_at) "
      "VALUES (:key, :payload, :created_at) ON CONFLICT (probe_key) DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  insert.bind(":key", probe.key);
  insert.bind(":payload", probe.payload);
  insert.bind(":created_at", probe.created_at);
  if (insert.exec() == 0) {
    return std::nullopt;
  }
  return db.getLastInsertRowid();
}

std::optional<write_probe> find_write_probe(SQLite::Database& db, std::string_view key) {
  detail::statement_lease select_lease(
      db,
      "SELECT id, probe_key, payload, created_at FROM write_probes "
      "WHERE probe_key = :key");
  SQLite::Statement& select = select_lease.get();
  select.bind(":key", std::string(key));
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return write_probe{select.getColumn(0).getInt64(), select.getColumn(1).getString(),
                     select.getColumn(2).getString(), select.getColumn(3).getString()};
}

void record_readiness_probe(SQLite::Database& db, std::string_view at) {
  detail::statement_lease upsert_lease(
      db,
      "INSERT INTO write_probes (probe_key, payload, created_at) VALUES ('readyz', 'null', :at) "
      "ON CONFLICT (probe_key) DO UPDATE SET created_at = excluded.created_at");
  SQLite::Statement& upsert = upsert_lease.get();
  upsert.bind(":at", std::string(at));
  upsert.exec();
}

std::int64_t count_write_probes(SQLite::Database& db) {
  detail::statement_lease count_lease(db, "SELECT COUNT(*) FROM write_probes");
  SQLite::Statement& count = count_lease.get();
  count.executeStep();
  return count.getColumn(0).getInt64();
}

}  // namespace civicline::storage
