#include "server/http/metrics.hpp"

#include <fmt/format.h>

namespace civicline::server {

std::string prometheus_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

void http_metrics::observe(const std::string& method, const std::string& route, int status,
                           std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  auto& h = latency_by_route_[route];
  for (std::size_t i = 0; i < bucket_bounds_.size(); ++i) {
    if (seconds <= bucket_bounds_[i]) {
      ++h.buckets[i];
    }
  }
  ++h.count;
  h.sum_seconds += seconds;
}

void http_metrics::connection_opened() {
  std::lock_guard lock(mutex_);
  ++open_connections_;
}

void http_metrics::connection_closed() {
  std::lock_guard lock(mutex_);
  --open_connections_;
}

void http_metrics::connection_refused() {
  std::lock_guard lock(mutex_);
  ++refused_connections_;
}

void http_metrics::sms_attempt(std::string_view provider, std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++sms_attempts_[{std::string(provider), std::string(outcome)}];
}

void http_metrics::webhook_attempt(std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++webhook_attempts_[std::string(outcome)];
}

void http_metrics::set_webhook_queue_age(std::chrono::milliseconds age) {
  std::lock_guard lock(mutex_);
  webhook_queue_age_ = age;
}

void http_metrics::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  out += "# HELP civicline_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE civicline_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("civicline_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                       prometheus_label(method), prometheus_label(route), status, count);
  }
  out += "# HELP civicline_http_request_duration_seconds Time from a full request to its response.\n";
  out += "# TYPE civicline_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_by_route_) {
    const auto label = prometheus_label(route);
    for (std::size_t i = 0; i < bucket_bounds_.size(); ++i) {
      out += fmt::format("civicline_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                         label, bucket_bounds_[i], h.buckets[i]);
    }
    out += fmt::format("civicline_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                       label, h.count);
    out += fmt::format("civicline_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                       h.sum_seconds);
    out += fmt::format("civicline_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                       h.count);
  }
  out += "# HELP civicline_http_open_connections Client connections open now.\n";
  out += "# TYPE civicline_http_open_connections gauge\n";
  out += fmt::format("civicline_http_open_connections {}\n", open_connections_);
  out += "# HELP civicline_http_refused_connections_total Connections refused at max_connections.\n";
  out += "# TYPE civicline_http_refused_connections_total counter\n";
  out += fmt::format("civicline_http_refused_connections_total {}\n", refused_connections_);
  out += "# HELP civicline_sms_send_attempts_total Outbound SMS attempts, by provider and outcome.\n";
  out += "# TYPE civicline_sms_send_attempts_total counter\n";
  for (const auto& [key, count] : sms_attempts_) {
    out += fmt::format("civicline_sms_send_attempts_total{{provider=\"{}\",outcome=\"{}\"}} {}\n",
                       prometheus_label(key.first), prometheus_label(key.second), count);
  }
  out += "# HELP civicline_webhook_attempts_total Partner webhook attempts, by outcome.\n";
  out += "# TYPE civicline_webhook_attempts_total counter\n";
  for (const auto outcome : {"delivered", "will_retry", "failed", "endpoint_gone"}) {
    const auto it = webhook_attempts_.find(std::string_view(outcome));
    out += fmt::format("civicline_webhook_attempts_total{{outcome=\"{}\"}} {}\n", outcome,
                       it == webhook_attempts_.end() ? 0 : it->second);
  }
  out += "# HELP civicline_webhook_queue_age_seconds Age of the oldest undelivered webhook.\n";
  out += "# TYPE civicline_webhook_queue_age_seconds gauge\n";
  out += fmt::format("civicline_webhook_queue_age_seconds {:.3f}\n",
                     static_cast<double>(webhook_queue_age_.count()) / 1000.0);
}

}  // namespace civicline::server
