#pragma once
// Prepared statements kept per connection. Preparing (parsing and planning) a statement
// costs more than running most of civicline's queries, and a message runs a dozen of them,
// so connections opened by storage::database keep each SQL text prepared and reuse it.
// Internal to storage/.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <string_view>

namespace civicline::storage::detail {

/// Starts keeping statements for `db`; call forget_statements before closing it.
void keep_statements(SQLite::Database& db);
/// Finalizes and forgets the statements kept for `db`.
void forget_statements(SQLite::Database& db);

/// One use of a statement: the connection's kept one when it has one free, else a fresh one
/// (a connection that keeps none, or the same SQL already in use further up the stack).
/// Reset and unbound when the lease ends, so no read stays open and no value leaks into the
/// next use.
class statement_lease {
 public:
  statement_lease(SQLite::Database& db, std::string_view sql);
  ~statement_lease();
  statement_lease(const statement_lease&) = delete;
  statement_lease& operator=(const statement_lease&) = delete;

  SQLite::Statement& get() { return *statement_; }

 private:
  SQLite::Statement* statement_ = nullptr;
  bool* in_use_ = nullptr;  ///< the kept statement's flag, when leased from the cache
  std::unique_ptr<SQLite::Statement> own_;
};

/// Runs a statement that returns no rows (SAVEPOINT, RELEASE, ...) from the kept ones:
/// `Database::exec` would parse it again on every call.
void exec_kept(SQLite::Database& db, std::string_view sql);

}  // namespace civicline::storage::detail
