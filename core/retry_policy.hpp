#pragma once
// How long to wait before trying a failed delivery again: doubling waits up to a ceiling,
// a bounded number of attempts. Used for SMS to residents and webhooks to partners.

#include <chrono>
#include <optional>

namespace civicline::core {

struct retry_policy {
  std::chrono::seconds initial{30};  ///< the wait after the first failure
  std::chrono::seconds max{3600};    ///< no wait is longer
  int max_attempts = 12;             ///< attempts in all, the first one included
};

/// The wait before the next attempt after `failed_attempts` failures (1 = the first one
/// failed), or nullopt when the attempts are used up. `asked` is the receiver's own
/// Retry-After; it is honoured when longer than ours (never beyond `max`).
std::optional<std::chrono::seconds> next_retry_delay(
    const retry_policy& policy, int failed_attempts,
    std::optional<std::chrono::seconds> asked = {});

}  // namespace civicline::core
