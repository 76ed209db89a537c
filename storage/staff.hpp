#pragma once
// Staff accounts, their login sessions, API keys and failed-login counts: the rows behind
// authentication. Secrets arrive already hashed (server/auth/ hashes them); nothing here
// ever sees a password, a session token or an API key in the clear.
// Times are ISO 8601 UTC text with milliseconds, as in storage/service_requests.hpp.
//
// Every function takes the connection it runs on: writes inside a database::submit/write
// job, reads inside database::read. Errors throw (SQLite::Exception, storage_error for an
// update of a row that does not exist); "not found" is std::nullopt.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct staff_user_record {
  std::int64_t id = 0;
  std::string name;
  std::string role;           ///< "agent", "supervisor" or "admin"
  std::string password_hash;  ///< crypto_pwhash_str output
  std::string created_at;
  std::optional<std::string> disabled_at{};
};
/// Stores a new user and returns it with its id; nullopt (nothing stored) when the name is taken.
std::optional<staff_user_record> insert_staff_user(SQLite::Database& db,
                                                   const staff_user_record& user);
/// The user with this name, if any (disabled ones too).
std::optional<staff_user_record> find_staff_user(SQLite::Database& db, std::string_view name);
/// Every user, by name.
std::vector<staff_user_record> list_staff_users(SQLite::Database& db);
/// Disables the user (sessions stop working at once). Throws when the user does not exist.
void disable_staff_user(SQLite::Database& db, std::int64_t user_id, std::string_view now);
/// Lets a disabled user log in again. Throws when the user does not exist.
void enable_staff_user(SQLite::Database& db, std::int64_t user_id);
/// Changes the user's role. Throws when the user does not exist.
void set_staff_user_role(SQLite::Database& db, std::int64_t user_id, std::string_view role);
/// Ends every session of the user (after a role change or a disable); returns how many.
int delete_staff_sessions_of(SQLite::Database& db, std::int64_t user_id);

struct staff_session_record {
  std::int64_t id = 0;
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::string created_at;
  std::string last_seen_at;
  std::string expires_at;
};
/// Stores a new session; returns its id.
std::int64_t insert_staff_session(SQLite::Database& db, const staff_session_record& session);

/// A session with the user it belongs to.
struct staff_session_view {
  staff_session_record session;
  std::string user_name;
  std::string role;
};
/// The session with this token hash whose user is not disabled, if any. Expiry is the
/// caller's rule (server/auth/); this returns expired sessions too.
std::optional<staff_session_view> find_staff_session(SQLite::Database& db,
                                                     std::string_view token_hash);
/// Records activity on a session (for the idle timeout). A session deleted meanwhile is
/// left alone (no error): logging out races with a request in flight.
void touch_staff_session(SQLite::Database& db, std::int64_t session_id, std::string_view now);
/// Ends the session with this token hash; false when there was none.
bool delete_staff_session(SQLite::Database& db, std::string_view token_hash);
/// Removes sessions whose absolute end is before `now`, or whose last activity is before
/// `idle_since`; returns how many.
int delete_stale_staff_sessions(SQLite::Database& db, std::string_view now,
                                std::string_view idle_since);

struct api_key_record {
  std::int64_t id = 0;
  std::string name;
  std::string role;  ///< "staff", "partner" or "admin"
  std::string key_hash;
  std::string prefix;  ///< the first characters of the key, for display
  std::string created_at;
  std::optional<std::string> last_used_at{};
  std::optional<std::string> revoked_at{};
};
/// Stores a new key; returns its id.
std::int64_t insert_api_key(SQLite::Database& db, const api_key_record& key);
/// The key with this hash, revoked or not.
std::optional<api_key_record> find_api_key(SQLite::Database& db, std::string_view key_hash);
/// The key with this id, revoked or not.
std::optional<api_key_record> find_api_key_by_id(SQLite::Database& db, std::int64_t id);
/// Every key, newest first.
std::vector<api_key_record> list_api_keys(SQLite::Database& db);
/// Records that the key was used. A key deleted meanwhile is left alone.
void touch_api_key(SQLite::Database& db, std::int64_t key_id, std::string_view now);
/// Revokes the key (its first revocation time stays). Throws when the key does not exist.
void revoke_api_key(SQLite::Database& db, std::int64_t key_id, std::string_view now);

struct login_failure_record {
  std::string name;  ///< the login name tried, whether or not a user has it
  int failures = 0;
  std::string last_failure_at;
  std::optional<std::string> locked_until{};
};
/// The failed-login count for this name, if it has one.
std::optional<login_failure_record> find_login_failure(SQLite::Database& db, std::string_view name);
/// Stores (or replaces) the count for record.name.
void save_login_failure(SQLite::Database& db, const login_failure_record& record);
/// Forgets the failures of a name (after a successful login).
void clear_login_failure(SQLite::Database& db, std::string_view name);
/// Forgets counts whose last failure is before `before` and that are not locked beyond it,
/// so guessed names do not pile up; returns how many.
int delete_login_failures_before(SQLite::Database& db, std::string_view before);

/// One administrative change (accounts, keys): who, when, what. Request changes are audited
/// in their own history instead.
struct audit_record {
  std::int64_t id = 0;
  std::string at;
  std::string actor_kind;          ///< "staff", "partner", "system"
  std::string actor_id;            ///< "ana", "key:crm", "civicline"
  std::string action;              ///< "user.created", "user.disabled", "api_key.revoked", ...
  std::string target;              ///< "user:bo", "api_key:3"
  std::string detail_json = "{}";  ///< never a secret
};
/// Appends an entry; returns its id.
std::int64_t insert_audit(SQLite::Database& db, const audit_record& entry);
/// The newest entries first, at most `limit`, only those with id below `before_id` when set.
std::vector<audit_record> list_audit(SQLite::Database& db, std::size_t limit,
                                     std::optional<std::int64_t> before_id = std::nullopt);

}  // namespace civicline::storage
