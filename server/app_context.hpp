#pragma once
// Everything a route handler may use, built once in `serve` and passed down by
// reference. No singletons: each component gets what it needs from here.

#include "config/settings.hpp"
#include "server/http/metrics.hpp"
#include "server/http/static_files.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <functional>

namespace civicline::server {

struct app_context {
  const config::settings& settings;
  storage::database& db;
  http_metrics& metrics;
  const static_files& web;
  /// The wall clock; injected so tests can fix time.
  std::function<std::chrono::system_clock::time_point()> now = std::chrono::system_clock::now;
};

}  // namespace civicline::server
