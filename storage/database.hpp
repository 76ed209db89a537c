#pragma once
// The storage engine: one SQLite file in WAL mode, one writer thread that
// commits queued jobs in groups, and a pool of read-only connections.
// This is the only place (with the repositories beside it) that speaks SQL.

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace civicline::storage {

/// "Cannot do the job": the database cannot be opened, migrated or written.
class storage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The database cannot take writes now: disk full, read-only file or directory, I/O error,
/// locked by another process. Nothing of the job was kept; the same write may succeed once
/// the operator clears the fault (no restart needed).
class storage_unavailable : public storage_error {
 public:
  using storage_error::storage_error;
};

/// How the writer's last transactions went, for /readyz.
struct writer_health {
  bool failing = false;    ///< the last transaction failed with a storage fault
  std::string last_fault;  ///< what SQLite said then ("" when never)
  /// When a transaction last committed (the epoch before the first one).
  std::chrono::steady_clock::time_point last_commit{};
};

struct database_options {
  std::filesystem::path path;
  int readers = 4;
  std::chrono::milliseconds busy_timeout{5'000};
  std::size_t max_batch_jobs = 512;
  /// Page caches, in MB. The writer's holds the hot pages of a large city's year of requests
  /// (every message touches index pages all over the file); readers map the file instead.
  int writer_cache_mb = 32;
  int reader_cache_mb = 2;  ///< SQLite's default
};

/// A snapshot of the writer's counters, for /metrics.
struct writer_stats {
  std::size_t queue_depth = 0;       ///< jobs waiting now
  std::uint64_t jobs_committed = 0;  ///< jobs whose transaction committed
  std::uint64_t jobs_failed = 0;     ///< jobs whose work threw (their changes rolled back)
  std::uint64_t batches = 0;         ///< transactions committed
  /// Histogram of jobs per committed batch: upper bounds and cumulative counts.
  std::vector<std::pair<std::size_t, std::uint64_t>> batch_size_buckets;
  std::uint64_t batch_size_sum = 0;
  /// Where the writer thread's time goes: running jobs, ending their transactions (COMMIT:
  /// writing and syncing the WAL, checkpoints), and telling the submitters (their callbacks).
  /// The rest of the time it waits for work.
  std::chrono::nanoseconds working{0};
  std::chrono::nanoseconds committing{0};
  std::chrono::nanoseconds acknowledging{0};
};

/// Work run on the writer thread inside the group transaction (in its own savepoint).
///
/// Rules for a write job:
/// - Never BEGIN, COMMIT or ROLLBACK (nor END): the writer owns the transaction that groups
///   many jobs, and a job that ended it would commit or discard its neighbours' work.
///   Savepoints of the job's own (SAVEPOINT x ... RELEASE x / ROLLBACK TO x) are fine.
/// - To give up, throw: the job's savepoint is rolled back and `done` gets the exception;
///   the other jobs of the batch still commit. (An error that makes SQLite roll back the
///   whole transaction, such as disk full, fails the whole batch.)
/// - Use only the connection passed in, and keep nothing of it (no Statement, no reference)
///   after returning; it belongs to the writer thread.
/// - Capture by value (or keep alive until `done` runs) what submit()'s work needs: it runs
///   later, on another thread.
/// - Keep it short and never wait for anything that needs the writer (another write, a
///   future completed by `done`): every other job waits behind it.
using write_work = std::function<void(SQLite::Database&)>;
/// Runs on the writer thread once the group transaction is durable (nullptr),
/// or with the exception the work or the commit threw (nothing of it was kept).
///
/// Rules for a done callback:
/// - Never destroy the database (or drop the last owner of it) here: the destructor joins
///   the writer thread, which is the thread running this callback.
/// - Never call write() (it throws: it would wait for itself); submit() is fine, and so is
///   drain(), which then returns without joining.
/// - Return quickly and hand real work to another executor (e.g. post to the io_context):
///   the next batch waits until every callback of this one has returned.
/// - Do not throw: an exception from a callback is swallowed.
using write_done = std::function<void(std::exception_ptr)>;

class database {
 public:
  /// Opens (creating if missing) the file, applies pending migrations and starts the writer.
  /// Throws storage_error naming the file and the reason.
  explicit database(database_options options);
  ~database();  ///< drains the writer
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// Queues a write. Jobs from one thread commit in the order they were submitted.
  /// Throws storage_error if the writer has been drained.
  void submit(write_work work, write_done done);

  /// Submits and waits until committed; rethrows the job's error. For the CLI and tests.
  void write(write_work work);

  /// Runs `work` on a read-only connection borrowed from the pool (waits for a free one).
  template <class Work>
  auto read(Work&& work) {
    auto lease = borrow_reader();
    return std::forward<Work>(work)(*lease);
  }

  /// True when a read-only connection can run a query (for /readyz).
  bool reachable() noexcept;

  /// Whether writes are failing with a storage fault, and when one last committed.
  writer_health health() const;

  /// Stops taking jobs, commits every queued one, then joins the writer. Idempotent.
  void drain();

  writer_stats stats() const;
  int schema_version() const;
  const std::filesystem::path& path() const;

 private:
  struct reader_deleter {
    database* owner;
    void operator()(SQLite::Database* connection) const;
  };
  using reader_lease = std::unique_ptr<SQLite::Database, reader_deleter>;
  reader_lease borrow_reader();

  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace civicline::storage
