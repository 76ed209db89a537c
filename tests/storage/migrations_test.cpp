#include "storage/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/database.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using civicline::storage::apply_migrations;
using civicline::storage::builtin_migrations;
using civicline::storage::migration;
using civicline::storage::parse_migrations;
using civicline::storage::storage_error;
using civicline::storage::testing::temp_directory;
using civicline::storage::testing::what_contains;

namespace {

using file_list = std::vector<std::pair<std::string_view, std::string_view>>;

SQLite::Database open_file(const temp_directory& dir) {
  return SQLite::Database(dir.file("migrations.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
}

int user_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

bool table_exists(SQLite::Database& db, const std::string& name) {
  SQLite::Statement query(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :name");
  query.bind(":name", name);
  query.executeStep();
  return query.getColumn(0).getInt() == 1;
}

}  // namespace

TEST_CASE("built-in migrations start with 0001_init.sql and are ordered by version") {
  const std::vector<migration> migrations = builtin_migrations();
  REQUIRE_FALSE(migrations.empty());
  CHECK(migrations.front().version == 1);
  CHECK(migrations.front().name == "0001_init.sql");
  CHECK_THAT(std::string(migrations.front().sql), Contains("CREATE TABLE write_probes"));
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    CHECK(migrations[i - 1].version < migrations[i].version);
  }
}

TEST_CASE("parse_migrations orders files by their number") {
  const file_list files{
      {"0010_ten.sql", "-- ten"}, {"0002_two.sql", "-- two"}, {"0003_three.sql", ""}};
  const std::vector<migration> migrations = parse_migrations(files);
  REQUIRE(migrations.size() == 3);
  CHECK(migrations[0].version == 2);
  CHECK(migrations[0].name == "0002_two.sql");
  CHECK(migrations[0].sql == "-- two");
  CHECK(migrations[1].version == 3);
  CHECK(migrations[2].version == 10);
}

TEST_CASE("parse_migrations rejects a file name that is not NNNN_name.sql") {
  const std::string_view name =
      GENERATE(as<std::string_view>{}, "init.sql", "001_init.sql", "0001init.sql", "0001_.sql",
               "0001_Init.sql", "0001_init.txt", "00a1_init.sql", "0000_zero.sql",
               "sub/0001_init.sql", "0001_in it.sql");
  CAPTURE(name);
  const file_list files{{name, "CREATE TABLE t (x INTEGER);"}};
  REQUIRE_THROWS_MATCHES(parse_migrations(files), storage_error,
                         what_contains({std::string(name)}));
}

TEST_CASE("parse_migrations rejects two files with the same number, naming both") {
  const file_list files{{"0001_init.sql", ""}, {"0002_a.sql", ""}, {"0002_b.sql", ""}};
  REQUIRE_THROWS_MATCHES(parse_migrations(files), storage_error,
                         what_contains({"0002_a.sql", "0002_b.sql"}));
}

TEST_CASE("apply_migrations applies pending migrations once and a second run is a no-op") {
  const temp_directory dir;
  SQLite::Database db = open_file(dir);
  // Not idempotent SQL on purpose: running either file twice would fail.
  const std::vector<migration> migrations{
      {1, "0001_a.sql", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"},
      {2, "0002_b.sql", "CREATE TABLE b (y INTEGER);"}};

  CHECK(apply_migrations(db, std::span(migrations).first(1)) == 1);
  CHECK(user_version(db) == 1);
  CHECK(apply_migrations(db, migrations) == 2);
  CHECK(user_version(db) == 2);
  CHECK(apply_migrations(db, migrations) == 2);
  CHECK(db.execAndGet("SELECT count(*) FROM a").getInt() == 1);
  CHECK(table_exists(db, "b"));
}

TEST_CASE("apply_migrations refuses a database newer than the newest migration") {
  const temp_directory dir;
  SQLite::Database db = open_file(dir);
  db.exec("PRAGMA user_version = 7");
  const std::vector<migration> migrations{{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"}};
  REQUIRE_THROWS_MATCHES(
      apply_migrations(db, migrations), storage_error,
      what_contains({"schema version 7", "knows up to 1", "upgrade civicline", "migrations.db"}));
  CHECK_FALSE(table_exists(db, "a"));
  CHECK(user_version(db) == 7);
}

TEST_CASE("a failing migration is rolled back entirely and named in the error") {
  const temp_directory dir;
  SQLite::Database db = open_file(dir);
  std::vector<migration> migrations{{1, "0001_good.sql", "CREATE TABLE good (x INTEGER);"},
                                    {2, "0002_bad.sql",
                                     "CREATE TABLE half_done (x INTEGER);\n"
                                     "INSERT INTO good VALUES (1);\n"
                                     "INSERT INTO nowhere VALUES (1);"}};

  REQUIRE_THROWS_MATCHES(apply_migrations(db, migrations), storage_error,
                         what_contains({"0002_bad.sql", "no such table: nowhere"}));
  CHECK(user_version(db) == 1);
  CHECK(table_exists(db, "good"));
  CHECK_FALSE(table_exists(db, "half_done"));
  CHECK(db.execAndGet("SELECT count(*) FROM good").getInt() == 0);

  // Once fixed, the same database migrates on.
  migrations[1].sql = "CREATE TABLE half_done (x INTEGER);";
  CHECK(apply_migrations(db, migrations) == 2);
  CHECK(table_exists(db, "half_done"));
}

TEST_CASE("apply_migrations rejects a list that is not strictly ordered") {
  const temp_directory dir;
  SQLite::Database db = open_file(dir);
  const std::vector<migration> migrations{{2, "0002_b.sql", ""}, {1, "0001_a.sql", ""}};
  REQUIRE_THROWS_AS(apply_migrations(db, migrations), storage_error);
  CHECK(user_version(db) == 0);
}

TEST_CASE("0001_init creates write_probes with a unique, required probe_key") {
  const temp_directory dir;
  SQLite::Database db = open_file(dir);
  const std::vector<migration> migrations = builtin_migrations();
  CHECK(apply_migrations(db, migrations) == migrations.back().version);

  db.exec(
      "INSERT INTO write_probes (probe_key, payload, created_at) "
      "VALUES ('k1', 'p', '2024-01-01T00:00:00Z')");
  CHECK_THROWS_AS(db.exec("INSERT INTO write_probes (probe_key, payload, created_at) "
                          "VALUES ('k1', 'q', '2024-01-01T00:00:01Z')"),
                  SQLite::Exception);
  CHECK_THROWS_AS(db.exec("INSERT INTO write_probes (probe_key, payload, created_at) "
                          "VALUES (NULL, 'q', '2024-01-01T00:00:01Z')"),
                  SQLite::Exception);
  CHECK(db.execAndGet("SELECT count(*) FROM write_probes").getInt() == 1);
}

TEST_CASE("naming a new request (its tracking id) checks duplicates of it by index, not scan") {
  // duplicate_of references service_requests (tracking_id): SQLite looks for the key's
  // children on every write of it, and without an index on duplicate_of that was two reads of
  // the whole table for each request logged.
  const temp_directory dir;
  SQLite::Database db = open_file(dir);
  apply_migrations(db, builtin_migrations());
  db.exec("PRAGMA foreign_keys = ON");
  SQLite::Statement program(db,
                            "EXPLAIN UPDATE service_requests SET tracking_id = 'x' WHERE id = 1");
  int full_scans = 0;
  int seeks = 0;
  while (program.executeStep()) {
    const std::string opcode = program.getColumn("opcode").getString();
    full_scans += opcode == "Rewind" ? 1 : 0;
    seeks += opcode == "SeekGE" ? 1 : 0;
  }
  CHECK(full_scans == 0);
  CHECK(seeks >= 2);  // the old key's children and the new key's, each by the index
}
