#include "server/auth/address_throttle.hpp"

namespace civicline::server::auth {

address_throttle::address_throttle(auth_policy policy) : policy_(policy) {
  policy_.max_failures = policy.max_failures_per_address;
}

std::optional<time_point> address_throttle::locked_until(std::string_view address, time_point now) {
  std::lock_guard lock(mutex_);
  const auto found = counts_.find(std::string(address));
  if (found == counts_.end()) {
    return std::nullopt;
  }
  return auth::locked_until(found->second, now);
}

std::optional<time_point> address_throttle::record_failure(std::string_view address,
                                                           time_point now) {
  std::lock_guard lock(mutex_);
  forget_old(now);
  auto& count = counts_[std::string(address)];
  const std::optional<failure_count> before =
      count.failures == 0 ? std::nullopt : std::optional(count);
  count = after_failure(before, now, policy_);
  return auth::locked_until(count, now);
}

void address_throttle::forget_old(time_point now) {
  if (now - last_sweep_ < std::chrono::minutes(1)) {
    return;
  }
  last_sweep_ = now;
  std::erase_if(counts_, [&](const auto& entry) {
    const auto& count = entry.second;
    return now - count.last_failure >= policy_.failure_window && !auth::locked_until(count, now);
  });
}

}  // namespace civicline::server::auth
