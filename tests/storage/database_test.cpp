#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <future>
#include <latch>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/migrations.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using civicline::storage::builtin_migrations;
using civicline::storage::database;
using civicline::storage::database_options;
using civicline::storage::storage_error;
using civicline::storage::storage_unavailable;
using civicline::storage::write_work;
using civicline::storage::writer_stats;
using civicline::storage::testing::temp_directory;
using civicline::storage::testing::what_contains;
using namespace std::chrono_literals;

namespace {

database_options options_in(const temp_directory& dir) {
  database_options options;
  options.path = dir.file("civicline.db");
  options.readers = 2;
  options.busy_timeout = 2'000ms;
  return options;
}

write_work insert_probe(std::string key) {
  return [key = std::move(key)](SQLite::Database& connection) {
    SQLite::Statement insert(connection,
                             "INSERT INTO write_probes (probe_key, payload, created_at) "
                             "VALUES (:key, 'test', '2024-01-01T00:00:00Z')");
    insert.bind(":key", key);
    insert.exec();
  };
}

/// Counts probes through a brand-new connection: it sees only what is committed to the file.
int committed_probes(const std::filesystem::path& path, const std::string& key) {
  SQLite::Database fresh(path, SQLite::OPEN_READONLY);
  SQLite::Statement count(fresh, "SELECT count(*) FROM write_probes WHERE probe_key = :key");
  count.bind(":key", key);
  count.executeStep();
  return count.getColumn(0).getInt();
}

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

/// Holds the writer thread inside a job until opened, so every job submitted meanwhile
/// lands in the same next batch. Deterministic, unlike sleeping and hoping.
class writer_gate {
 public:
  explicit writer_gate(database& db) {
    auto entered = std::make_shared<std::promise<void>>();
    std::future<void> writer_inside = entered->get_future();
    db.submit(
        [entered, released = released_.get_future().share()](SQLite::Database&) {
          entered->set_value();
          released.wait();
        },
        nullptr);
    writer_inside.wait();
  }
  ~writer_gate() { open(); }
  writer_gate(const writer_gate&) = delete;
  writer_gate& operator=(const writer_gate&) = delete;

  void open() {
    if (!opened_) {
      opened_ = true;
      released_.set_value();
    }
  }

 private:
  std::promise<void> released_;
  bool opened_ = false;
};

/// Cumulative count of batches of at most `bound` jobs.
std::uint64_t batches_up_to(const writer_stats& stats, std::size_t bound) {
  for (const auto& [upper, count] : stats.batch_size_buckets) {
    if (upper == bound) {
      return count;
    }
  }
  FAIL("no bucket with upper bound " << bound);
  return 0;
}

}  // namespace

TEST_CASE("database opens in WAL mode with synchronous FULL, foreign keys and the busy timeout") {
  const temp_directory dir;
  database_options options = options_in(dir);
  options.busy_timeout = 1'234ms;
  database db(options);

  struct pragmas {
    std::string journal_mode;
    int synchronous = -1;
    int foreign_keys = -1;
    int busy_timeout = -1;
  };
  const auto read_pragmas = [](SQLite::Database& connection) {
    return pragmas{connection.execAndGet("PRAGMA journal_mode").getString(),
                   connection.execAndGet("PRAGMA synchronous").getInt(),
                   connection.execAndGet("PRAGMA foreign_keys").getInt(),
                   connection.execAndGet("PRAGMA busy_timeout").getInt()};
  };

  pragmas on_writer;
  db.write([&](SQLite::Database& connection) { on_writer = read_pragmas(connection); });
  CHECK(on_writer.journal_mode == "wal");
  CHECK(on_writer.synchronous == 2);  // FULL
  CHECK(on_writer.foreign_keys == 1);
  CHECK(on_writer.busy_timeout == 1234);

  const pragmas on_reader = db.read(read_pragmas);
  CHECK(on_reader.journal_mode == "wal");
  CHECK(on_reader.foreign_keys == 1);
  CHECK(on_reader.busy_timeout == 1234);

  SQLite::Database fresh(options.path, SQLite::OPEN_READONLY);
  CHECK(fresh.execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(db.path() == options.path);
}

TEST_CASE("database refuses a path whose directory does not exist, naming it") {
  const temp_directory dir;
  database_options options = options_in(dir);
  options.path = dir.file("no-such-dir") / "civicline.db";
  REQUIRE_THROWS_MATCHES(database{options}, storage_error,
                         what_contains({"no-such-dir", "does not exist"}));
  CHECK_FALSE(std::filesystem::exists(dir.file("no-such-dir")));
}

TEST_CASE("database refuses a file that is not a database, naming it") {
  const temp_directory dir;
  const database_options options = options_in(dir);
  std::ofstream(options.path) << std::string(4096, 'x');
  REQUIRE_THROWS_MATCHES(database{options}, storage_error, what_contains({options.path.string()}));
}

TEST_CASE("database applies the built-in migrations once; re-opening keeps data and version") {
  const temp_directory dir;
  const database_options options = options_in(dir);
  const int newest = builtin_migrations().back().version;
  {
    database db(options);
    CHECK(db.schema_version() == newest);
    db.write(insert_probe("survives-reopen"));
  }
  // A second run of 0001 would fail on CREATE TABLE, so this also proves it is skipped.
  database db(options);
  CHECK(db.schema_version() == newest);
  CHECK(committed_probes(options.path, "survives-reopen") == 1);
}

TEST_CASE("database refuses a file whose schema is newer than this civicline") {
  const temp_directory dir;
  const database_options options = options_in(dir);
  const int newer = builtin_migrations().back().version + 1;
  {
    SQLite::Database future_file(options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    future_file.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  REQUIRE_THROWS_MATCHES(database{options}, storage_error,
                         what_contains({"schema version " + std::to_string(newer),
                                        "upgrade civicline", "civicline.db"}));
}

TEST_CASE("writes from many threads commit exactly once, in order per thread, in groups") {
  const temp_directory dir;
  database_options options = options_in(dir);
  options.max_batch_jobs = 64;
  database db(options);
  db.write([](SQLite::Database& connection) {
    connection.exec(
        "CREATE TABLE test_rows (id INTEGER PRIMARY KEY, submitter INTEGER NOT NULL, "
        "seq INTEGER NOT NULL)");
  });

  constexpr int submitters = 8;
  constexpr int per_submitter = 500;
  constexpr int total = submitters * per_submitter;
  std::vector<std::atomic<int>> done_calls(total);
  std::atomic<int> failures{0};
  std::latch all_done(total);

  std::vector<std::thread> threads;
  for (int submitter = 0; submitter < submitters; ++submitter) {
    threads.emplace_back([&, submitter] {
      for (int seq = 0; seq < per_submitter; ++seq) {
        db.submit(
            [submitter, seq](SQLite::Database& connection) {
              SQLite::Statement insert(
                  connection, "INSERT INTO test_rows (submitter, seq) VALUES (:submitter, :seq)");
              insert.bind(":submitter", submitter);
              insert.bind(":seq", seq);
              insert.exec();
            },
            [&, index = submitter * per_submitter + seq](std::exception_ptr error) {
              if (error) {
                ++failures;
              }
              ++done_calls[static_cast<std::size_t>(index)];
              all_done.count_down();
            });
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  all_done.wait();

  CHECK(failures == 0);
  int not_called_once = 0;
  for (const std::atomic<int>& calls : done_calls) {
    not_called_once += calls.load() != 1 ? 1 : 0;
  }
  CHECK(not_called_once == 0);

  // Row ids grow with commit order, so per submitter they must follow its sequence.
  const auto [rows, out_of_order] = db.read([](SQLite::Database& connection) {
    std::vector<int> next_seq(submitters, 0);
    int count = 0;
    int wrong = 0;
    SQLite::Statement query(connection, "SELECT submitter, seq FROM test_rows ORDER BY id");
    while (query.executeStep()) {
      ++count;
      int& expected = next_seq.at(static_cast<std::size_t>(query.getColumn(0).getInt()));
      wrong += query.getColumn(1).getInt() != expected ? 1 : 0;
      ++expected;
    }
    return std::pair{count, wrong};
  });
  CHECK(rows == total);
  CHECK(out_of_order == 0);

  const writer_stats stats = db.stats();
  CHECK(stats.jobs_committed == total + 1);
  CHECK(stats.jobs_failed == 0);
  CHECK(stats.batch_size_sum == total + 1);
  CHECK(stats.batch_size_sum > stats.batches);       // group commit happened
  CHECK(batches_up_to(stats, 64) == stats.batches);  // max_batch_jobs respected
  CHECK(stats.queue_depth == 0);
}

TEST_CASE("a failing job is rolled back alone; the rest of its batch commits") {
  const temp_directory dir;
  database db(options_in(dir));
  const writer_stats before = db.stats();

  std::vector<std::exception_ptr> errors(4);
  std::latch all_done(4);
  const auto record = [&](std::size_t index) {
    return [&, index](std::exception_ptr error) {
      errors[index] = std::move(error);
      all_done.count_down();
    };
  };
  {
    writer_gate gate(db);
    db.submit(insert_probe("a"), record(0));
    db.submit(
        [](SQLite::Database& connection) {
          insert_probe("b")(connection);
          insert_probe("a")(connection);  // UNIQUE violation after a change of its own
        },
        record(1));
    db.submit(
        [](SQLite::Database& connection) {
          insert_probe("c")(connection);
          throw std::runtime_error("job c refuses");
        },
        record(2));
    db.submit(insert_probe("d"), record(3));
  }
  all_done.wait();

  CHECK_FALSE(errors[0]);
  REQUIRE(errors[1]);
  CHECK_THROWS_AS(std::rethrow_exception(errors[1]), SQLite::Exception);
  CHECK_THAT(message_of(errors[1]), Contains("UNIQUE"));
  REQUIRE(errors[2]);
  CHECK(message_of(errors[2]) == "job c refuses");
  CHECK_FALSE(errors[3]);

  const auto path = db.path();
  CHECK(committed_probes(path, "a") == 1);
  CHECK(committed_probes(path, "b") == 0);
  CHECK(committed_probes(path, "c") == 0);
  CHECK(committed_probes(path, "d") == 1);

  const writer_stats after = db.stats();
  CHECK(after.batches == before.batches + 2);  // the gate's batch, then all four together
  CHECK(after.jobs_committed == before.jobs_committed + 3);
  CHECK(after.jobs_failed == before.jobs_failed + 2);
  CHECK(batches_up_to(after, 2) == batches_up_to(before, 2) + 1);
  CHECK(batches_up_to(after, 4) == batches_up_to(before, 4) + 2);
}

TEST_CASE("done runs only after the commit, when a new connection already sees the row") {
  const temp_directory dir;
  database db(options_in(dir));
  const auto path = db.path();

  std::promise<int> seen_ok;
  std::promise<int> seen_failed;
  std::future<int> seen_ok_future = seen_ok.get_future();
  std::future<int> seen_failed_future = seen_failed.get_future();
  const auto look = [path](std::promise<int>& seen, std::string key) {
    return [&seen, path, key = std::move(key)](std::exception_ptr) {
      try {
        seen.set_value(committed_probes(path, key));
      } catch (...) {
        seen.set_exception(std::current_exception());
      }
    };
  };
  {
    writer_gate gate(db);
    db.submit(insert_probe("durable"), look(seen_ok, "durable"));
    db.submit(
        [](SQLite::Database& connection) {
          insert_probe("discarded")(connection);
          throw std::runtime_error("fails after inserting");
        },
        look(seen_failed, "discarded"));
    // Later jobs in the same batch still run before the first job's done.
    db.submit(insert_probe("later"), nullptr);
  }
  CHECK(seen_ok_future.get() == 1);
  CHECK(seen_failed_future.get() == 0);
}

TEST_CASE("a failed commit reports its error to every job of the batch and keeps nothing") {
  const temp_directory dir;
  database db(options_in(dir));
  // A deferred foreign key is checked only at COMMIT: the one way to make it fail on demand.
  db.write([](SQLite::Database& connection) {
    connection.exec(
        "CREATE TABLE parents (id INTEGER PRIMARY KEY);"
        "CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
        "  REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);");
  });
  const writer_stats before = db.stats();

  std::vector<std::exception_ptr> errors(2);
  std::latch all_done(2);
  {
    writer_gate gate(db);
    db.submit(insert_probe("innocent"), [&](std::exception_ptr error) {
      errors[0] = std::move(error);
      all_done.count_down();
    });
    db.submit(
        [](SQLite::Database& connection) {
          connection.exec("INSERT INTO children (id, parent_id) VALUES (1, 42)");
        },
        [&](std::exception_ptr error) {
          errors[1] = std::move(error);
          all_done.count_down();
        });
  }
  all_done.wait();

  REQUIRE(errors[0]);
  REQUIRE(errors[1]);
  CHECK_THAT(message_of(errors[0]), Contains("FOREIGN KEY"));
  CHECK_THAT(message_of(errors[1]), Contains("FOREIGN KEY"));
  CHECK(committed_probes(db.path(), "innocent") == 0);
  CHECK(db.read([](SQLite::Database& c) {
    return c.execAndGet("SELECT count(*) FROM children").getInt();
  }) == 0);

  const writer_stats after = db.stats();
  CHECK(after.batches == before.batches + 1);  // only the gate's batch committed
  CHECK(after.jobs_failed == before.jobs_failed + 2);

  // The writer is still healthy.
  db.write(insert_probe("afterwards"));
  CHECK(committed_probes(db.path(), "afterwards") == 1);
}

TEST_CASE(
    "a full disk fails the write as storage_unavailable, and health recovers with the next "
    "commit") {
  const temp_directory dir;
  database db(options_in(dir));
  db.write(insert_probe("before"));
  CHECK_FALSE(db.health().failing);
  const auto committed_at = db.health().last_commit;

  // max_page_count caps the file where it is: SQLite then answers SQLITE_FULL, as on a full disk.
  const auto full_disk_write = [](SQLite::Database& connection) {
    const int pages = connection.execAndGet("PRAGMA page_count").getInt();
    connection.exec("PRAGMA max_page_count = " + std::to_string(pages));
    connection.exec(
        "INSERT INTO write_probes (probe_key, payload, created_at) "
        "VALUES ('big', hex(randomblob(100000)), '2024-01-01T00:00:00Z')");
  };
  CHECK_THROWS_AS(db.write(full_disk_write), storage_unavailable);
  try {
    db.write(full_disk_write);
  } catch (const storage_unavailable& e) {
    CHECK_THAT(std::string(e.what()), Contains("cannot be written") && Contains("full") &&
                                          Contains(db.path().string()) && Contains("/readyz"));
  }
  CHECK(db.health().failing);
  CHECK_THAT(db.health().last_fault, Contains("full"));

  // The operator frees space; the next write commits and clears the fault (no reopening).
  db.write(
      [](SQLite::Database& connection) { connection.exec("PRAGMA max_page_count = 1073741823"); });
  db.write(insert_probe("after"));
  CHECK_FALSE(db.health().failing);
  CHECK(db.health().last_commit > committed_at);
  CHECK(committed_probes(db.path(), "after") == 1);
  CHECK(committed_probes(db.path(), "big") == 0);
}

TEST_CASE(
    "an error that is not a storage fault keeps its type and does not mark the writer failing") {
  const temp_directory dir;
  database db(options_in(dir));
  db.write(insert_probe("twice"));
  CHECK_THROWS_AS(db.write(insert_probe("twice")), SQLite::Exception);  // UNIQUE: a caller's error
  CHECK_FALSE(db.health().failing);
}

TEST_CASE("a throwing done callback does not stop the writer") {
  const temp_directory dir;
  database db(options_in(dir));
  db.submit(insert_probe("first"),
            [](std::exception_ptr) { throw std::runtime_error("bad done"); });
  db.write(insert_probe("second"));
  CHECK(committed_probes(db.path(), "first") == 1);
  CHECK(committed_probes(db.path(), "second") == 1);
}

TEST_CASE("write waits for the commit and rethrows the job's error") {
  const temp_directory dir;
  database db(options_in(dir));
  db.write(insert_probe("waited"));
  CHECK(committed_probes(db.path(), "waited") == 1);
  REQUIRE_THROWS_WITH(db.write([](SQLite::Database&) { throw std::runtime_error("nope"); }),
                      "nope");
}

TEST_CASE("write from a done callback throws instead of deadlocking on the writer thread") {
  const temp_directory dir;
  database db(options_in(dir));
  std::promise<std::string> outcome;
  std::future<std::string> outcome_future = outcome.get_future();
  db.submit(insert_probe("outer"), [&](std::exception_ptr) {
    try {
      db.write(insert_probe("inner"));
      outcome.set_value("returned");
    } catch (const storage_error& e) {
      outcome.set_value(e.what());
    }
  });
  CHECK_THAT(outcome_future.get(), Contains("writer thread"));
}

TEST_CASE("drain commits every queued job, then refuses new ones") {
  const temp_directory dir;
  database_options options = options_in(dir);
  options.max_batch_jobs = 4;  // the queue must take several batches to empty
  database db(options);

  constexpr int queued = 50;
  std::atomic<int> succeeded{0};
  writer_gate gate(db);
  for (int i = 0; i < queued; ++i) {
    db.submit(insert_probe("queued-" + std::to_string(i)),
              [&](std::exception_ptr error) { succeeded += error ? 0 : 1; });
  }
  CHECK(db.stats().queue_depth == queued);
  std::thread opener([&] {
    std::this_thread::sleep_for(50ms);  // let drain() start while the jobs wait
    gate.open();
  });
  db.drain();
  opener.join();

  CHECK(succeeded == queued);
  CHECK(db.read([](SQLite::Database& c) {
    return c.execAndGet("SELECT count(*) FROM write_probes WHERE probe_key LIKE 'queued-%'")
        .getInt();
  }) == queued);
  const writer_stats stats = db.stats();
  CHECK(stats.queue_depth == 0);
  CHECK(batches_up_to(stats, 4) == stats.batches);

  REQUIRE_THROWS_MATCHES(db.submit(insert_probe("late"), nullptr), storage_error,
                         Catch::Matchers::Message("database is shutting down"));
  REQUIRE_THROWS_AS(db.write(insert_probe("late")), storage_error);
  db.drain();  // idempotent
}

TEST_CASE("readers see committed data and cannot write") {
  const temp_directory dir;
  database_options options = options_in(dir);
  options.readers = 1;  // every read below borrows the same connection
  database db(options);
  const auto count_probes = [](SQLite::Database& c) {
    return c.execAndGet("SELECT count(*) FROM write_probes").getInt();
  };

  CHECK(db.read(count_probes) == 0);
  db.write(insert_probe("visible"));
  CHECK(db.read(count_probes) == 1);

  CHECK_THROWS_AS(db.read([](SQLite::Database& c) {
    return c.exec("INSERT INTO write_probes (probe_key, payload, created_at) VALUES ('x', '', '')");
  }),
                  SQLite::Exception);

  // A read that throws inside its own transaction must not pin its old snapshot.
  CHECK_THROWS_AS(db.read([&](SQLite::Database& c) -> int {
    c.exec("BEGIN");
    count_probes(c);
    throw std::runtime_error("reader gives up");
  }),
                  std::runtime_error);
  db.write(insert_probe("after-abandoned-read"));
  CHECK(db.read(count_probes) == 2);
  CHECK(db.reachable());
}

TEST_CASE("stats count jobs, batches and a cumulative batch-size histogram") {
  const temp_directory dir;
  database db(options_in(dir));

  const writer_stats empty = db.stats();
  const std::vector<std::size_t> expected_bounds{
      1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, std::numeric_limits<std::size_t>::max()};
  std::vector<std::size_t> bounds;
  for (const auto& [bound, count] : empty.batch_size_buckets) {
    bounds.push_back(bound);
    CHECK(count == 0);
  }
  CHECK(bounds == expected_bounds);
  CHECK(empty.batches == 0);
  CHECK(empty.jobs_committed == 0);

  for (int i = 0; i < 3; ++i) {
    db.write(insert_probe("single-" + std::to_string(i)));
  }
  std::latch three_done(3);
  {
    writer_gate gate(db);
    for (int i = 0; i < 3; ++i) {
      db.submit(insert_probe("grouped-" + std::to_string(i)),
                [&](std::exception_ptr) { three_done.count_down(); });
    }
    CHECK(db.stats().queue_depth == 3);
  }
  three_done.wait();

  const writer_stats stats = db.stats();
  CHECK(stats.queue_depth == 0);
  CHECK(stats.batches == 5);         // three singles, the gate, then the group of three
  CHECK(stats.jobs_committed == 7);  // 3 + 1 + 3
  CHECK(stats.jobs_failed == 0);
  CHECK(stats.batch_size_sum == 7);
  CHECK(batches_up_to(stats, 1) == 4);
  CHECK(batches_up_to(stats, 2) == 4);
  CHECK(batches_up_to(stats, 4) == 5);
  CHECK(stats.batch_size_buckets.back().second == stats.batches);
}
