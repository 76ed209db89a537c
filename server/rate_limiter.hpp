#pragma once
// Counts events per key (a chat session, an IP address) in fixed one-minute windows, in
// memory: a limit that protects the server need not survive a restart.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace civicline::server {

class rate_limiter {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// `per_minute` events per key and minute; 0 lets everything through.
  explicit rate_limiter(int per_minute) : per_minute_(per_minute) {}

  /// Counts one event for `key`; false when it is over the limit (thread-safe).
  bool allow(std::string_view key, time_point now = std::chrono::steady_clock::now());

 private:
  struct window {
    time_point start;
    int count = 0;
  };
  /// Drops keys whose window has passed, so the map stays as big as the last minute's callers.
  void forget_old(time_point now);

  int per_minute_;
  std::mutex mutex_;
  std::unordered_map<std::string, window> windows_;
  time_point last_sweep_{};
};

}  // namespace civicline::server
