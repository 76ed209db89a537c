#pragma once
// How long to wait before trying a failed delivery again. SMS to residents use doubling
// waits up to a ceiling; webhooks to partners use an explicit schedule with jitter. Both have
// a bounded number of attempts and honour the receiver's Retry-After.

#include <chrono>
#include <optional>
#include <vector>

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

/// A fixed schedule: `delays[i]` is the wait before attempt i + 1 counted from the previous
/// failure (delays[0], before the first attempt, is normally 0), so there are delays.size()
/// attempts in all. Each wait is spread by up to ±jitter (a fraction) so that receivers
/// coming back from an outage are not hit by every sender at the same instant.
struct retry_schedule {
  std::vector<std::chrono::seconds> delays;
  double jitter = 0.1;
};

/// The wait before the next attempt after `failed_attempts` failures, or nullopt when the
/// schedule is used up. `random01` in [0, 1) picks the jitter; `asked` (Retry-After) is
/// honoured when longer than the scheduled wait.
std::optional<std::chrono::milliseconds> next_scheduled_delay(
    const retry_schedule& schedule, int failed_attempts, double random01,
    std::optional<std::chrono::seconds> asked = {});

}  // namespace civicline::core
