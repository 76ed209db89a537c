#include "storage/database.hpp"

#include <SQLiteCpp/Exception.h>
#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "storage/migrations.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

struct write_job {
  write_work work;
  write_done done;
};

/// Upper bounds of the batch-size histogram (the last one is +Inf).
constexpr std::array<std::size_t, 12> batch_size_bounds{
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, std::numeric_limits<std::size_t>::max()};

std::size_t bucket_of(std::size_t batch_size) {
  return static_cast<std::size_t>(
      std::lower_bound(batch_size_bounds.begin(), batch_size_bounds.end(), batch_size) -
      batch_size_bounds.begin());
}

// Set on a writer thread to its database's impl, so write() and drain() called from a
// write_done can tell they would otherwise wait for the very thread they run on.
thread_local const void* writer_of_this_thread = nullptr;

/// How much of the database file each reader maps into memory (address space, not RAM).
constexpr std::int64_t reader_mmap_bytes = 1LL << 30;

/// WAL pages after which a commit checkpoints (SQLite's default is 1000).
constexpr int checkpoint_pages = 250;

constexpr const char* job_savepoint = "SAVEPOINT civicline_job";
constexpr const char* job_release = "RELEASE civicline_job";
constexpr const char* job_rollback = "ROLLBACK TO civicline_job";

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

std::string what_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

/// SQLite's primary result codes that mean "the disk or file cannot take this write now",
/// as opposed to a bug or a constraint: the job may succeed unchanged once the fault clears.
bool is_storage_fault_code(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL:      // disk full, or a file size limit (RLIMIT_FSIZE)
    case SQLITE_IOERR:     // the write or fsync failed (EIO, EPERM on an immutable file, EROFS)
    case SQLITE_READONLY:  // the file or its directory became read-only
    case SQLITE_CANTOPEN:  // the -wal or -journal file cannot be created
    case SQLITE_PERM:
    case SQLITE_BUSY:  // another process holds the write lock beyond busy_timeout
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

/// `error` as storage_unavailable when it is a storage fault (naming the file and what to do),
/// else unchanged.
std::exception_ptr as_storage_fault(std::exception_ptr error, const std::filesystem::path& path) {
  try {
    std::rethrow_exception(error);
  } catch (const storage_unavailable&) {
    return error;
  } catch (const SQLite::Exception& e) {
    if (!is_storage_fault_code(e.getErrorCode())) {
      return error;
    }
    return std::make_exception_ptr(storage_unavailable(
        "database '" + path.string() + "' cannot be written: " + e.what() + " (SQLite code " +
        std::to_string(e.getExtendedErrorCode()) +
        "). Free disk space, make the file and its directory writable, or end the other "
        "process's write; the server retries by itself and /readyz answers 200 once a write "
        "succeeds."));
  } catch (...) {
    return error;
  }
}

bool is_storage_fault(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const storage_unavailable&) {
    return true;
  } catch (...) {
    return false;
  }
}

int busy_timeout_ms(const database_options& options) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(
      options.busy_timeout.count(), 0, std::numeric_limits<int>::max()));
}

bool in_transaction(SQLite::Database& connection) {
  return sqlite3_get_autocommit(connection.getHandle()) == 0;
}

/// Sets a pragma and reads it back: SQLite silently ignores some (e.g. WAL on a
/// file system without shared memory), and durability must not depend on hope.
void require_pragma(SQLite::Database& connection, const std::string& pragma,
                    const std::string& value, const std::string& expected) {
  connection.exec("PRAGMA " + pragma + " = " + value);
  const std::string actual = connection.execAndGet("PRAGMA " + pragma).getString();
  if (actual != expected) {
    throw storage_error("cannot open database '" + connection.getFilename() + "': PRAGMA " +
                        pragma + " is '" + actual + "' after setting it to " + value);
  }
}

}  // namespace

struct database::impl {
  explicit impl(database_options opts) : options(std::move(opts)) {}
  ~impl() { forget_all_statements(); }

  /// Kept statements must be finalized before their connection closes.
  void forget_all_statements() {
    for (auto& reader : readers) {
      detail::forget_statements(*reader);
    }
    if (writer) {
      detail::forget_statements(*writer);
    }
  }

  void open();
  void run_writer();
  void run_batch(std::vector<write_job>& batch);
  /// Counts the batch and updates the writer's health (`fault`: a storage fault it met, if
  /// any), under one lock.
  void record_batch(std::size_t size, std::size_t work_failures, bool committed,
                    const std::exception_ptr& fault, std::chrono::nanoseconds working,
                    std::chrono::nanoseconds committing, std::chrono::nanoseconds acknowledging);
  SQLite::Database* acquire_reader();
  void release_reader(SQLite::Database* connection);

  const database_options options;

  // Used by the constructor until the writer thread starts, then by that thread only.
  std::unique_ptr<SQLite::Database> writer;
  /// Time the last batch's callbacks took, not yet in the counters (writer thread only).
  std::chrono::nanoseconds acknowledging_unrecorded{0};

  std::vector<std::unique_ptr<SQLite::Database>> readers;  // owns every read connection
  std::mutex readers_mutex;
  std::condition_variable reader_returned;
  std::vector<SQLite::Database*> idle_readers;  // guarded by readers_mutex

  mutable std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<write_job> queue;  // guarded by queue_mutex
  bool accepting = true;        // guarded by queue_mutex

  std::mutex drain_mutex;     // serialises drain() callers
  std::thread writer_thread;  // guarded by drain_mutex once constructed

  // Counters live apart from the queue so /metrics never waits behind submitters.
  mutable std::mutex stats_mutex;
  std::uint64_t jobs_committed = 0;
  std::uint64_t jobs_failed = 0;
  std::uint64_t batches = 0;
  std::uint64_t batch_size_sum = 0;
  std::array<std::uint64_t, batch_size_bounds.size()> batch_size_counts{};  // not cumulative
  std::chrono::nanoseconds working{0};
  std::chrono::nanoseconds committing{0};
  std::chrono::nanoseconds acknowledging{0};
  bool failing = false;                                 // guarded by stats_mutex
  std::string last_fault;                               // guarded by stats_mutex
  std::chrono::steady_clock::time_point last_commit{};  // guarded by stats_mutex
};

/// Process-wide SQLite settings, made once before the first connection opens.
void configure_sqlite_once() {
  static const bool configured = [] {
    // SQLite's allocation statistics take a global mutex on every malloc and free (a few per
    // statement step), and nothing here reads them (sqlite3_memory_used). A call after SQLite
    // was already initialised (by a test, say) only returns SQLITE_MISUSE: then it stays on.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

void database::impl::open() {
  configure_sqlite_once();
  if (options.path.empty()) {
    throw storage_error("database path is empty");
  }
  if (options.readers < 1) {
    throw storage_error("database " + quoted(options.path) + ": readers must be at least 1, got " +
                        std::to_string(options.readers));
  }
  if (options.writer_cache_mb < 1 || options.reader_cache_mb < 1) {
    throw storage_error("database " + quoted(options.path) + ": cache sizes must be at least 1 MB");
  }
  if (options.max_batch_jobs < 1) {
    throw storage_error("database " + quoted(options.path) + ": max_batch_jobs must be at least 1");
  }
  // SQLite would only say "unable to open database file"; name the real cause.
  const std::filesystem::path directory = options.path.parent_path();
  std::error_code ec;
  if (!directory.empty() && !std::filesystem::is_directory(directory, ec)) {
    throw storage_error("cannot open database " + quoted(options.path) + ": directory " +
                        quoted(directory) + " does not exist");
  }

  try {
    // NOMUTEX: each connection is used by one thread at a time (the writer thread, or the
    // holder of a reader lease), so SQLite's own per-call locking is pure overhead.
    writer = std::make_unique<SQLite::Database>(
        options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
        busy_timeout_ms(options));
    // SQLite quietly opens a file it may not write read-only, and every write would then
    // fail with "attempt to write a readonly database" on a server that looks healthy.
    if (sqlite3_db_readonly(writer->getHandle(), "main") == 1) {
      throw storage_error("cannot open database " + quoted(options.path) +
                          " for writing: the file is read-only (permissions, the immutable "
                          "flag, or a read-only volume); make it writable for the user "
                          "civicline runs as, then start again");
    }
    require_pragma(*writer, "journal_mode", "WAL", "wal");
    require_pragma(*writer, "synchronous", "FULL", "2");
    require_pragma(*writer, "foreign_keys", "ON", "1");
    // Every message touches index pages all over the file (a resident's messages, their
    // conversation): SQLite's default 2 MB page cache re-reads them from the OS on each turn.
    writer->exec("PRAGMA cache_size = -" + std::to_string(options.writer_cache_mb * 1024));
    // Each job runs in a savepoint, whose sub-journal keeps the pages it changes; a batch's
    // sub-journal outgrows SQLite's in-memory limit and would be written to a temporary file.
    writer->exec("PRAGMA temp_store = MEMORY");
    // The writer copies the log back into the database file in the COMMIT that crosses this
    // many pages, and every turn queued behind that commit waits for it: a quarter of SQLite's
    // default keeps each stall short (p99 at 64 webhook connections 10-11.6 -> 8.5-9.7 ms in
    // back-to-back runs) for about 3% of throughput.
    writer->exec("PRAGMA wal_autocheckpoint = " + std::to_string(checkpoint_pages));
    apply_migrations(*writer, builtin_migrations());
    detail::keep_statements(*writer);

    readers.reserve(static_cast<std::size_t>(options.readers));
    for (int i = 0; i < options.readers; ++i) {
      auto reader = std::make_unique<SQLite::Database>(
          options.path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, busy_timeout_ms(options));
      // Moot while it only reads; set so every connection runs with the same rules.
      reader->exec("PRAGMA foreign_keys = ON");
      // Long scans (the public summary, the open-data export) read tens of thousands of
      // pages; mapped, each is a memory access instead of a pread system call (which costs
      // most on a VM). Only the database file is mapped; the WAL is still read.
      reader->exec("PRAGMA mmap_size = " + std::to_string(reader_mmap_bytes));
      reader->exec("PRAGMA cache_size = -" + std::to_string(options.reader_cache_mb * 1024));
      detail::keep_statements(*reader);
      idle_readers.push_back(reader.get());
      readers.push_back(std::move(reader));
    }
  } catch (const storage_error&) {
    throw;  // already names the file
  } catch (const std::exception& e) {
    throw storage_error("cannot open database " + quoted(options.path) + ": " + e.what());
  }
}

void database::impl::run_writer() {
  writer_of_this_thread = this;
  pthread_setname_np(pthread_self(), "cl-writer");  // for top -H, perf and gdb
  std::vector<write_job> batch;
  batch.reserve(std::min<std::size_t>(options.max_batch_jobs, 1024));
  for (;;) {
    {
      std::unique_lock lock(queue_mutex);
      queue_changed.wait(lock, [&] { return !queue.empty() || !accepting; });
      if (queue.empty()) {
        return;  // draining and nothing left
      }
      // Everything that queued while the previous batch committed goes in this one.
      const std::size_t take = std::min(queue.size(), options.max_batch_jobs);
      std::move(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(take),
                std::back_inserter(batch));
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(take));
    }
    run_batch(batch);
    batch.clear();  // destroy the jobs' captures before sleeping
  }
}

// One transaction for the whole batch, one savepoint per job: a job that throws loses only
// its own changes. Work must therefore never BEGIN, COMMIT or ROLLBACK itself (savepoints
// of its own are fine).
void database::impl::run_batch(std::vector<write_job>& batch) {
  std::vector<std::exception_ptr> job_errors(batch.size());
  std::size_t work_failures = 0;
  std::exception_ptr batch_error;
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  auto commit_started = started;
  try {
    detail::exec_kept(*writer, "BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      detail::exec_kept(*writer, job_savepoint);
      try {
        batch[i].work(*writer);
        detail::exec_kept(*writer, job_release);
      } catch (...) {
        job_errors[i] = as_storage_fault(std::current_exception(), options.path);
        ++work_failures;
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction;
        // then the other jobs' changes are gone too and the batch must fail.
        if (!in_transaction(*writer)) {
          const std::string reason =
              "the group transaction was rolled back after a write failed: " +
              what_of(job_errors[i]);
          if (is_storage_fault(job_errors[i])) {
            throw storage_unavailable(reason);  // the neighbours' writes may succeed later too
          }
          throw storage_error(reason);
        }
        writer->exec(job_rollback);
        writer->exec(job_release);
      }
    }
    commit_started = clock::now();
    detail::exec_kept(*writer, "COMMIT");
  } catch (...) {
    batch_error = as_storage_fault(std::current_exception(), options.path);
    if (in_transaction(*writer)) {
      writer->tryExec("ROLLBACK");  // best effort: the error to report is batch_error
    }
  }

  // A job that met a fault in its own statements (its savepoint rolled back, the batch
  // committed) says as much about the disk as a failed COMMIT.
  std::exception_ptr fault = batch_error && is_storage_fault(batch_error) ? batch_error : nullptr;
  for (const auto& error : job_errors) {
    if (!fault && error && is_storage_fault(error)) {
      fault = error;
    }
  }
  const auto finished = clock::now();
  record_batch(batch.size(), work_failures, !batch_error, fault, commit_started - started,
               finished - commit_started, acknowledging_unrecorded);
  for (std::exception_ptr& error : job_errors) {
    if (!error) {
      error = batch_error;
    }
  }
  // Moved, not copied, into the callbacks: the writer keeps no reference, so the thread that
  // handles an error also frees it (libstdc++'s exception refcount is invisible to TSan).
  batch_error = nullptr;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) {
      continue;
    }
    try {
      batch[i].done(std::move(job_errors[i]));
    } catch (...) {
      // A failing callback is the submitter's bug; the other jobs still need theirs.
    }
  }
  // Counted with the next batch, so that the counters take one lock per batch.
  acknowledging_unrecorded = clock::now() - finished;
}

void database::impl::record_batch(std::size_t size, std::size_t work_failures, bool committed,
                                  const std::exception_ptr& fault,
                                  std::chrono::nanoseconds working_time,
                                  std::chrono::nanoseconds committing_time,
                                  std::chrono::nanoseconds acknowledging_time) {
  std::lock_guard lock(stats_mutex);
  working += working_time;
  committing += committing_time;
  acknowledging += acknowledging_time;
  if (fault) {
    failing = true;
    last_fault = what_of(fault);
  } else if (committed) {
    failing = false;
  }
  if (committed) {
    last_commit = std::chrono::steady_clock::now();
  }
  if (!committed) {
    jobs_failed += size;
    return;
  }
  jobs_committed += size - work_failures;
  jobs_failed += work_failures;
  ++batches;
  batch_size_sum += size;
  ++batch_size_counts[bucket_of(size)];
}

SQLite::Database* database::impl::acquire_reader() {
  std::unique_lock lock(readers_mutex);
  reader_returned.wait(lock, [&] { return !idle_readers.empty(); });
  SQLite::Database* connection = idle_readers.back();
  idle_readers.pop_back();
  return connection;
}

void database::impl::release_reader(SQLite::Database* connection) {
  // A read that threw inside BEGIN would otherwise pin an old snapshot (and block
  // checkpoints) for every later borrower of this connection.
  if (in_transaction(*connection)) {
    connection->tryExec("ROLLBACK");
  }
  {
    std::lock_guard lock(readers_mutex);
    idle_readers.push_back(connection);
  }
  reader_returned.notify_one();
}

database::database(database_options options) : impl_(std::make_unique<impl>(std::move(options))) {
  impl_->open();
  impl_->writer_thread = std::thread([state = impl_.get()] { state->run_writer(); });
}

database::~database() {
  drain();
  // Readers first: the last connection to close checkpoints and removes the WAL file,
  // which only the read-write one may do.
  impl_->forget_all_statements();
  impl_->idle_readers.clear();
  impl_->readers.clear();
  impl_->writer.reset();
}

void database::submit(write_work work, write_done done) {
  {
    std::lock_guard lock(impl_->queue_mutex);
    if (!impl_->accepting) {
      throw storage_error("database is shutting down");
    }
    impl_->queue.push_back(write_job{std::move(work), std::move(done)});
  }
  impl_->queue_changed.notify_one();
}

void database::write(write_work work) {
  if (writer_of_this_thread == impl_.get()) {
    throw storage_error("write() called on the writer thread would wait for itself; use submit()");
  }
  // Shared with the job, so it stays valid however the two threads interleave; a plain
  // mutex (not std::promise) also lets the waiting thread take the only reference to the error.
  struct outcome {
    std::mutex mutex;
    std::condition_variable finished_changed;
    bool finished = false;
    std::exception_ptr error;
  };
  auto result = std::make_shared<outcome>();
  submit(std::move(work), [result](std::exception_ptr error) {
    {
      std::lock_guard lock(result->mutex);
      result->error = std::move(error);
      result->finished = true;
    }
    result->finished_changed.notify_one();
  });
  std::exception_ptr error;
  {
    std::unique_lock lock(result->mutex);
    result->finished_changed.wait(lock, [&] { return result->finished; });
    error = std::move(result->error);
  }
  if (error) {
    std::rethrow_exception(std::move(error));
  }
}

bool database::reachable() noexcept {
  try {
    return read([](SQLite::Database& connection) {
      return connection.execAndGet("SELECT 1").getInt() == 1;
    });
  } catch (...) {
    return false;
  }
}

void database::drain() {
  {
    std::lock_guard lock(impl_->queue_mutex);
    impl_->accepting = false;
  }
  impl_->queue_changed.notify_all();
  if (writer_of_this_thread == impl_.get()) {
    return;  // called from a write_done: the writer finishes the queue and exits by itself
  }
  std::lock_guard drain_lock(impl_->drain_mutex);
  if (impl_->writer_thread.joinable()) {
    impl_->writer_thread.join();
  }
}

writer_health database::health() const {
  std::lock_guard lock(impl_->stats_mutex);
  return writer_health{impl_->failing, impl_->last_fault, impl_->last_commit};
}

writer_stats database::stats() const {
  writer_stats result;
  {
    std::lock_guard lock(impl_->queue_mutex);
    result.queue_depth = impl_->queue.size();
  }
  std::array<std::uint64_t, batch_size_bounds.size()> counts{};
  {
    std::lock_guard lock(impl_->stats_mutex);
    result.jobs_committed = impl_->jobs_committed;
    result.jobs_failed = impl_->jobs_failed;
    result.batches = impl_->batches;
    result.batch_size_sum = impl_->batch_size_sum;
    counts = impl_->batch_size_counts;
    result.working = impl_->working;
    result.committing = impl_->committing;
    result.acknowledging = impl_->acknowledging;
  }
  result.batch_size_buckets.reserve(batch_size_bounds.size());
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < batch_size_bounds.size(); ++i) {
    cumulative += counts[i];
    result.batch_size_buckets.emplace_back(batch_size_bounds[i], cumulative);
  }
  return result;
}

int database::schema_version() const {
  struct lease {
    impl& state;
    SQLite::Database* connection;
    ~lease() { state.release_reader(connection); }
  } reader{*impl_, impl_->acquire_reader()};
  return reader.connection->execAndGet("PRAGMA user_version").getInt();
}

const std::filesystem::path& database::path() const {
  return impl_->options.path;
}

void database::reader_deleter::operator()(SQLite::Database* connection) const {
  owner->impl_->release_reader(connection);
}

database::reader_lease database::borrow_reader() {
  return reader_lease(impl_->acquire_reader(), reader_deleter{this});
}

}  // namespace civicline::storage
