#include "server/rate_limiter.hpp"

#include <iterator>

namespace civicline::server {
namespace {

constexpr auto window_length = std::chrono::minutes(1);

}  // namespace

bool rate_limiter::allow(std::string_view key, time_point now) {
  if (per_minute_ <= 0) {
    return true;
  }
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ >= window_length) {
    forget_old(now);
    last_sweep_ = now;
  }
  auto [it, added] = windows_.try_emplace(std::string(key), window{now, 0});
  if (now - it->second.start >= window_length) {
    it->second = window{now, 0};
  }
  return ++it->second.count <= per_minute_;
}

void rate_limiter::forget_old(time_point now) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = now - it->second.start >= window_length ? windows_.erase(it) : std::next(it);
  }
}

}  // namespace civicline::server
