#pragma once
// Logging staff in and out: the password check (on its own threads: Argon2id takes tens of
// milliseconds and 64 MiB, which must not stall an I/O thread), the failed-login count with
// its slow-down and lock, and the session that a successful login opens.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string>

#include "server/auth/access.hpp"
#include "server/auth/policy.hpp"
#include "storage/database.hpp"

namespace civicline::server::auth {

struct login_result {
  enum class outcome : std::uint8_t {
    ok,
    refused,  ///< wrong name or password (which one is never said), or a disabled account
    locked,   ///< too many failures for this name; nothing was checked
  } outcome = outcome::refused;
  principal who;              ///< when ok (csrf_token set)
  std::string session_token;  ///< when ok: the cookie value (stored only as a digest)
  time_point expires_at{};    ///< when ok
  time_point locked_until{};  ///< when locked
};

class login_service {
 public:
  /// `hashing_threads` bounds how many password checks run at once (and their memory).
  login_service(storage::database& db, auth_policy policy, std::function<time_point()> now,
                int hashing_threads = 2);

  /// Checks the name and password and opens a session. A wrong password is answered only
  /// after failure_delay(); an unknown name costs the same as a known one.
  boost::asio::awaitable<login_result> log_in(std::string name, std::string password);

  /// Ends the session with this cookie token (nothing happens for an unknown one).
  boost::asio::awaitable<void> log_out(std::string session_token);

  /// The Argon2id hash of a new password, computed on the hashing threads.
  boost::asio::awaitable<std::string> hash_new_password(std::string password);

  const auth_policy& policy() const { return policy_; }

 private:
  storage::database& db_;
  auth_policy policy_;
  std::function<time_point()> now_;
  boost::asio::thread_pool hashing_;
};

}  // namespace civicline::server::auth
