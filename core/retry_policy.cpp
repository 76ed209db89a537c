#include "core/retry_policy.hpp"

#include <algorithm>
#include <cstdint>

namespace civicline::core {

std::optional<std::chrono::seconds> next_retry_delay(const retry_policy& policy,
                                                     int failed_attempts,
                                                     std::optional<std::chrono::seconds> asked) {
  if (failed_attempts >= policy.max_attempts) {
    return std::nullopt;
  }
  auto delay = policy.initial;
  for (int i = 1; i < failed_attempts && delay < policy.max; ++i) {
    delay *= 2;
  }
  if (asked && *asked > delay) {
    delay = *asked;
  }
  return std::min(delay, policy.max);
}

std::optional<std::chrono::milliseconds> next_scheduled_delay(
    const retry_schedule& schedule, int failed_attempts, double random01,
    std::optional<std::chrono::seconds> asked) {
  if (failed_attempts < 0 || static_cast<std::size_t>(failed_attempts) >= schedule.delays.size()) {
    return std::nullopt;
  }
  const std::chrono::milliseconds planned = schedule.delays[failed_attempts];
  const double spread = std::clamp(schedule.jitter, 0.0, 1.0) * (2.0 * random01 - 1.0);
  auto delay = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(planned.count()) * (1.0 + spread)));
  if (asked && *asked > delay) {
    delay = *asked;
  }
  return std::max(delay, std::chrono::milliseconds(0));
}

}  // namespace civicline::core
