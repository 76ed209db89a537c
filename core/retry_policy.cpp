#include "core/retry_policy.hpp"

#include <algorithm>

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

}  // namespace civicline::core
