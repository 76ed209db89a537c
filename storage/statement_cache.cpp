#include "storage/statement_cache.hpp"

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

/// Touched only by the one thread using the connection at the time.
using connection_cache = std::unordered_map<std::string, kept_statement>;

struct registry {
  std::shared_mutex mutex;
  std::unordered_map<const void*, std::unique_ptr<connection_cache>> caches;
};

registry& all_caches() {
  static registry instance;
  return instance;
}

connection_cache* cache_of(SQLite::Database& db) {
  auto& r = all_caches();
  std::shared_lock lock(r.mutex);
  const auto it = r.caches.find(db.getHandle());
  return it == r.caches.end() ? nullptr : it->second.get();
}

}  // namespace

void keep_statements(SQLite::Database& db) {
  auto& r = all_caches();
  std::unique_lock lock(r.mutex);
  r.caches.emplace(db.getHandle(), std::make_unique<connection_cache>());
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
  }
  // Finalized here, outside the lock, before the connection closes.
}

statement_lease::statement_lease(SQLite::Database& db, const std::string& sql) {
  if (auto* cache = cache_of(db)) {
    auto it = cache->find(sql);
    if (it == cache->end() && cache->size() < max_kept_per_connection) {
      it = cache->emplace(sql, kept_statement{std::make_unique<SQLite::Statement>(db, sql)}).first;
    }
    if (it != cache->end() && !it->second.in_use) {
      it->second.in_use = true;
      in_use_ = &it->second.in_use;
      statement_ = it->second.statement.get();
      return;
    }
  }
  own_ = std::make_unique<SQLite::Statement>(db, sql);
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

}  // namespace civicline::storage::detail
