#pragma once
// The time rules of staff authentication: when repeated failed logins slow a name down and
// lock it, and when a session ends. Pure: the time comes in as a parameter.

#include <chrono>
#include <optional>

namespace civicline::server::auth {

using time_point = std::chrono::system_clock::time_point;

struct auth_policy {
  /// Failed logins in a row (per name) that lock it.
  int max_failures = 5;
  /// Failed logins from one address (whatever the names) within failure_window that make it
  /// wait lock_duration: one client trying many names is slowed down as much as one name.
  int max_failures_per_address = 20;
  /// How long a lock lasts.
  std::chrono::seconds lock_duration = std::chrono::minutes(15);
  /// Failures older than this are forgotten (the count starts again).
  std::chrono::seconds failure_window = std::chrono::minutes(15);
  /// Each failure in a row makes the answer to the next wrong password this much slower...
  std::chrono::milliseconds slowdown_step{250};
  /// ...up to this.
  std::chrono::milliseconds max_slowdown{2000};
  /// A session unused this long ends.
  std::chrono::seconds session_idle = std::chrono::hours(1);
  /// A session ends this long after login, however busy.
  std::chrono::seconds session_lifetime = std::chrono::hours(12);
  /// Activity is written down at most this often per session or key (saves a write per call).
  std::chrono::seconds touch_interval = std::chrono::minutes(1);
};

/// A name's failed logins as stored.
struct failure_count {
  int failures = 0;
  time_point last_failure{};
  std::optional<time_point> locked_until{};
};

/// Until when the name is locked, or nullopt when a login may be tried now.
std::optional<time_point> locked_until(const failure_count& count, time_point now);

/// The count after one more failure at `now`: the count restarts when the last failure is
/// outside the window or a lock has run out; reaching max_failures locks the name.
failure_count after_failure(const std::optional<failure_count>& before, time_point now,
                            const auth_policy& policy);

/// How long to wait before answering a failed login that made `failures` in a row.
std::chrono::milliseconds failure_delay(int failures, const auth_policy& policy);

/// True while a session last used at `last_seen` that ends at `expires_at` may be used.
bool session_alive(time_point last_seen, time_point expires_at, time_point now,
                   const auth_policy& policy);

/// True when `last` is old enough that a new use should be written down.
bool due_for_touch(time_point last, time_point now, const auth_policy& policy);

}  // namespace civicline::server::auth
