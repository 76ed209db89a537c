#pragma once
// Failed logins counted per client address, in memory, with the same rules as the per-name
// count (policy.hpp) but auth_policy::max_failures_per_address as the limit: someone trying
// one password on many names is stopped too. In memory because a limit that protects the
// server need not survive a restart. Behind a reverse proxy every client shares the proxy's
// address (as the web chat's per-address limit does).

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/auth/policy.hpp"

namespace civicline::server::auth {

class address_throttle {
 public:
  explicit address_throttle(auth_policy policy);

  /// Until when logins from `address` are refused, or nullopt (thread-safe).
  std::optional<time_point> locked_until(std::string_view address, time_point now);

  /// Counts one failed login from `address`; returns until when it is locked, if it now is.
  std::optional<time_point> record_failure(std::string_view address, time_point now);

 private:
  /// Drops addresses whose failures are forgotten, so the map holds only the last window's.
  void forget_old(time_point now);

  auth_policy policy_;  ///< max_failures is max_failures_per_address here
  std::mutex mutex_;
  std::unordered_map<std::string, failure_count> counts_;
  time_point last_sweep_{};
};

}  // namespace civicline::server::auth
