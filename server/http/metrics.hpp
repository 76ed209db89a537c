#pragma once
// Request counters and latency histograms, rendered in the Prometheus text
// format. Labels are route patterns, never raw paths, so cardinality stays small.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace civicline::server {

class http_metrics {
 public:
  /// Counts one finished request.
  void observe(const std::string& method, const std::string& route, int status,
               std::chrono::nanoseconds latency);

  /// Connection gauges, updated by the listener.
  void connection_opened();
  void connection_closed();
  void connection_refused();

  /// Counts one outbound SMS attempt by provider and outcome (sent, retry_later, ...).
  void sms_attempt(std::string_view provider, std::string_view outcome);

  /// Counts one partner webhook attempt by outcome (delivered, will_retry, failed,
  /// endpoint_gone).
  void webhook_attempt(std::string_view outcome);
  /// How long the oldest undelivered webhook has waited (0 when none waits).
  void set_webhook_queue_age(std::chrono::milliseconds age);

  /// Appends the metric families to `out` in the Prometheus text format.
  void render(std::string& out) const;

 private:
  static constexpr std::array<double, 12> bucket_bounds_{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};
  struct histogram {
    std::array<std::uint64_t, bucket_bounds_.size()> buckets{};
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, histogram> latency_by_route_;
  std::int64_t open_connections_ = 0;
  std::uint64_t refused_connections_ = 0;
  std::map<std::pair<std::string, std::string>, std::uint64_t> sms_attempts_;
  std::map<std::string, std::uint64_t, std::less<>> webhook_attempts_;
  std::chrono::milliseconds webhook_queue_age_{0};
};

/// Escapes a Prometheus label value (backslash, quote, newline).
std::string prometheus_label(std::string_view value);

}  // namespace civicline::server
