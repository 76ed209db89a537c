#include "storage/statement_cache.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace civicline::storage::detail {
namespace {

/// More distinct SQL texts than this on one connection (queue filters combine into many
/// variants) are prepared per use instead of kept.
constexpr std::size_t max_kept_per_connection = 256;

struct kept_statement {
  std::unique_ptr<SQLite::Statement> statement;
  bool in_use = false;
};

/// Looks SQL text up without building a std::string for it.
struct text_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

/// Touched only by the one thread using the connection at the time.
using connection_cache =
    std::unordered_map<std::string, kept_statement, text_hash, std::equal_to<>>;

struct registry {
  std::shared_mutex mutex;
  std::unordered_map<const void*, std::unique_ptr<connection_cache>> caches;
  /// Bumped whenever a cache is added or forgotten, so a thread's memo of its last look-up
  /// (below) is never stale, even when a new connection reuses a closed one's address.
  std::atomic<std::uint64_t> generation{0};
};

registry& all_caches() {
  static registry instance;
  return instance;
}

connection_cache* cache_of(SQLite::Database& db) {
  // A thread mostly uses one connection (the writer thread always the same one), so the last
  // answer is remembered: no lock on the shared registry for each statement.
  struct memo {
    const void* handle = nullptr;
    std::uint64_t generation = 0;
    connection_cache* cache = nullptr;
  };
  thread_local memo last;
  auto& r = all_caches();
  const void* handle = db.getHandle();
  const auto generation = r.generation.load(std::memory_order_acquire);
  if (last.handle == handle && last.generation == generation) {
    return last.cache;
  }
  std::shared_lock lock(r.mutex);
  const auto it = r.caches.find(handle);
  connection_cache* cache = it == r.caches.end() ? nullptr : it->second.get();
  last = memo{handle, generation, cache};
  return cache;
}

}  // namespace

void keep_statements(SQLite::Database& db) {
  auto& r = all_caches();
  std::unique_lock lock(r.mutex);
  r.caches.emplace(db.getHandle(), std::make_unique<connection_cache>());
  r.generation.fetch_add(1, std::memory_order_acq_rel);  // a memo may say "keeps none"
}

void forget_statements(SQLite::Database& db) {
  std::unique_ptr<connection_cache> cache;
  {
    auto& r = all_caches();
    std::unique_lock lock(r.mutex);
    const auto it = r.caches.find(db.getHandle());
    if (it == r.caches.end()) {
      return;
    }
    cache = std::move(it->second);
    r.caches.erase(it);
    r.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  // Finalized here, outside the lock, before the connection closes.
}

statement_lease::statement_lease(SQLite::Database& db, std::string_view sql) {
  if (auto* cache = cache_of(db)) {
    auto it = cache->find(sql);
    if (it == cache->end() && cache->size() < max_kept_per_connection) {
      it = cache
               ->emplace(std::string(sql),
                         kept_statement{std::make_unique<SQLite::Statement>(db, std::string(sql))})
               .first;
    }
    if (it != cache->end() && !it->second.in_use) {
      it->second.in_use = true;
      in_use_ = &it->second.in_use;
      statement_ = it->second.statement.get();
      return;
    }
  }
  own_ = std::make_unique<SQLite::Statement>(db, std::string(sql));
  statement_ = own_.get();
}

statement_lease::~statement_lease() {
  if (in_use_ != nullptr) {
    try {
      statement_->reset();
    } catch (...) {
      // reset() reports the error of the last step, which the caller has already seen.
    }
    statement_->clearBindings();
    *in_use_ = false;
  }
}

void exec_kept(SQLite::Database& db, std::string_view sql) {
  statement_lease lease(db, sql);
  lease.get().exec();
}

}  // namespace civicline::storage::detail
