#include "server/auth/policy.hpp"

#include <algorithm>

namespace civicline::server::auth {

std::optional<time_point> locked_until(const failure_count& count, time_point now) {
  if (count.locked_until && *count.locked_until > now) {
    return count.locked_until;
  }
  return std::nullopt;
}

failure_count after_failure(const std::optional<failure_count>& before, time_point now,
                            const auth_policy& policy) {
  failure_count next;
  const bool fresh = !before || now - before->last_failure >= policy.failure_window ||
                     (before->locked_until && *before->locked_until <= now);
  next.failures = fresh ? 1 : before->failures + 1;
  next.last_failure = now;
  if (!fresh && before->locked_until) {
    next.locked_until = before->locked_until;  // a lock never gets shorter
  }
  if (next.failures >= policy.max_failures) {
    next.locked_until = now + policy.lock_duration;
  }
  return next;
}

std::chrono::milliseconds failure_delay(int failures, const auth_policy& policy) {
  if (failures <= 0) {
    return std::chrono::milliseconds(0);
  }
  return std::min(policy.slowdown_step * failures, policy.max_slowdown);
}

bool session_alive(time_point last_seen, time_point expires_at, time_point now,
                   const auth_policy& policy) {
  return now < expires_at && now - last_seen < policy.session_idle;
}

bool due_for_touch(time_point last, time_point now, const auth_policy& policy) {
  return now - last >= policy.touch_interval;
}

}  // namespace civicline::server::auth
