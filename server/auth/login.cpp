#include "server/auth/login.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "core/clock_text.hpp"
#include "server/auth/credentials.hpp"
#include "server/storage_await.hpp"
#include "storage/staff.hpp"

namespace civicline::server::auth {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

std::optional<failure_count> to_count(const std::optional<storage::login_failure_record>& row) {
  if (!row) {
    return std::nullopt;
  }
  failure_count count;
  count.failures = row->failures;
  count.last_failure = core::from_iso8601(row->last_failure_at).value_or(time_point{});
  if (row->locked_until) {
    count.locked_until = core::from_iso8601(*row->locked_until);
  }
  return count;
}

}  // namespace

login_service::login_service(storage::database& db, auth_policy policy,
                             std::function<time_point()> now, int hashing_threads)
    : db_(db),
      policy_(policy),
      now_(std::move(now)),
      hashing_(static_cast<std::size_t>(std::max(1, hashing_threads))) {}

awaitable<login_result> login_service::log_in(std::string name, std::string password) {
  login_result result;
  const auto before = db_.read(
      [&](SQLite::Database& db) { return to_count(storage::find_login_failure(db, name)); });
  if (before) {
    if (const auto until = locked_until(*before, now_())) {
      result.outcome = login_result::outcome::locked;
      result.locked_until = *until;
      co_return result;
    }
  }
  const auto user =
      db_.read([&](SQLite::Database& db) { return storage::find_staff_user(db, name); });
  const bool usable = user && !user->disabled_at;
  const std::string hash = usable ? user->password_hash : decoy_password_hash();
  bool matches = false;
  if (password.size() <= max_password_bytes) {
    // Named, not a temporary in the co_await: with GCC 12 a capturing lambda there was freed twice.
    auto check = [hash, password]() -> awaitable<bool> {
      co_return verify_password(hash, password);
    };
    matches = co_await boost::asio::co_spawn(hashing_, std::move(check), use_awaitable);
  }
  const auto now = now_();
  const auto at = core::to_iso8601(now);

  if (!matches || !usable) {
    auto count = std::make_shared<failure_count>();
    storage::write_work count_failure = [name, now, at, count,
                                         policy = policy_](SQLite::Database& db) {
      storage::delete_login_failures_before(db, core::to_iso8601(now - policy.failure_window));
      *count = after_failure(to_count(storage::find_login_failure(db, name)), now, policy);
      storage::login_failure_record row{name, count->failures, at, std::nullopt};
      if (count->locked_until) {
        row.locked_until = core::to_iso8601(*count->locked_until);
      }
      storage::save_login_failure(db, row);
    };
    co_await async_write(db_, std::move(count_failure), use_awaitable);
    boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor,
                                    failure_delay(count->failures, policy_));
    co_await pause.async_wait(use_awaitable);
    if (count->locked_until) {
      result.outcome = login_result::outcome::locked;
      result.locked_until = *count->locked_until;
    }
    co_return result;
  }

  result.session_token = random_token();
  result.expires_at = now + policy_.session_lifetime;
  storage::staff_session_record session;
  session.token_hash = token_digest(result.session_token);
  session.user_id = user->id;
  session.csrf_token = random_token();
  session.created_at = session.last_seen_at = at;
  session.expires_at = core::to_iso8601(result.expires_at);
  auto session_id = std::make_shared<std::int64_t>(0);
  storage::write_work open_session =
      [session, session_id, name, at,
       idle_since = core::to_iso8601(now - policy_.session_idle)](SQLite::Database& db) {
        storage::clear_login_failure(db, name);
        storage::delete_stale_staff_sessions(db, at, idle_since);
        *session_id = storage::insert_staff_session(db, session);
      };
  co_await async_write(db_, std::move(open_session), use_awaitable);
  result.outcome = login_result::outcome::ok;
  result.who.kind = principal::kind::user;
  result.who.id = user->id;
  result.who.name = user->name;
  result.who.role = user->role;
  result.who.session_id = *session_id;
  result.who.csrf_token = session.csrf_token;
  co_return result;
}

awaitable<void> login_service::log_out(std::string session_token) {
  storage::write_work end_session = [digest = token_digest(session_token)](SQLite::Database& db) {
    storage::delete_staff_session(db, digest);
  };
  co_await async_write(db_, std::move(end_session), use_awaitable);
}

awaitable<std::string> login_service::hash_new_password(std::string password) {
  // Named, not a temporary in the co_await: with GCC 12 a capturing lambda there was freed twice.
  auto hash = [password = std::move(password)]() -> awaitable<std::string> {
    co_return hash_password(password);
  };
  co_return co_await boost::asio::co_spawn(hashing_, std::move(hash), use_awaitable);
}

}  // namespace civicline::server::auth
