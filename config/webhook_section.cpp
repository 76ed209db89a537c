// The "webhooks" section: the retry schedule of partner webhooks, the hosts allowed to be
// private, and the limits of one delivery.

#include "config/sections.hpp"

namespace civicline::config::detail {
namespace {

constexpr std::int64_t max_wait_seconds = 7 * 86'400;  // one week
constexpr std::size_t max_schedule_entries = 50;
constexpr std::int64_t max_disable_days = 365;
constexpr std::int64_t max_timeout_ms = 120'000;
constexpr std::int64_t max_poll_interval_ms = 60'000;
constexpr std::int64_t max_in_flight = 64;
constexpr std::int64_t max_overlap_hours = 24 * 30;

void read_schedule(const json& value, const std::string& path, webhook_settings& webhooks,
                   problem_list& problems) {
  if (!value.is_array() || value.empty() || value.size() > max_schedule_entries) {
    problems.add(path, "must be a list of 1 to " + std::to_string(max_schedule_entries) +
                           " waits in seconds, e.g. [0, 5, 300, 1800] (got " + shown(value) + ")");
    return;
  }
  std::vector<std::chrono::seconds> schedule;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (auto s = as_integer(value[i], element_path(path, i), 0, max_wait_seconds, problems)) {
      schedule.emplace_back(*s);
    }
  }
  if (schedule.size() == value.size()) {
    webhooks.retry_schedule = std::move(schedule);
  }
}

void read_hosts(const json& value, const std::string& path, webhook_settings& webhooks,
                problem_list& problems) {
  if (!value.is_array()) {
    problems.add(path, "must be a list of host names or IP addresses, e.g. [\"127.0.0.1\"] (got " +
                           shown(value) + ")");
    return;
  }
  webhooks.allow_private_hosts.clear();
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto host = as_string(value[i], element_path(path, i), problems);
    if (host && (host->empty() || host->find_first_of("/:@ ") != std::string::npos) &&
        !(host->size() > 2 && host->front() == '[' && host->back() == ']')) {
      problems.add(element_path(path, i),
                   "must be a host as written in the URL, without scheme or port (IPv6 in "
                   "brackets), e.g. \"127.0.0.1\" (got " +
                       shown(value[i]) + ")");
    } else if (host) {
      webhooks.allow_private_hosts.push_back(std::move(*host));
    }
  }
}

}  // namespace

void read_webhooks(const json& value, webhook_settings& webhooks, problem_list& problems) {
  const object_reader in(
      value, "webhooks", problems,
      {"retry_schedule_seconds", "retry_jitter_percent", "allow_private_hosts",
       "disable_after_days", "timeout_ms", "poll_interval_ms", "max_in_flight_per_endpoint",
       "secret_rotation_overlap_hours", "ca_file"});
  if (const json* schedule = in.find("retry_schedule_seconds")) {
    read_schedule(*schedule, in.path_of("retry_schedule_seconds"), webhooks, problems);
  }
  if (std::int64_t n = 0; in.read_integer("retry_jitter_percent", 0, 100, n)) {
    webhooks.retry_jitter_percent = static_cast<int>(n);
  }
  if (const json* hosts = in.find("allow_private_hosts")) {
    read_hosts(*hosts, in.path_of("allow_private_hosts"), webhooks, problems);
  }
  if (std::int64_t n = 0; in.read_integer("disable_after_days", 0, max_disable_days, n)) {
    webhooks.disable_after = std::chrono::days(n);
  }
  if (std::int64_t n = 0; in.read_integer("timeout_ms", 100, max_timeout_ms, n)) {
    webhooks.timeout = std::chrono::milliseconds(n);
  }
  if (std::int64_t n = 0; in.read_integer("poll_interval_ms", 10, max_poll_interval_ms, n)) {
    webhooks.poll_interval = std::chrono::milliseconds(n);
  }
  if (std::int64_t n = 0; in.read_integer("max_in_flight_per_endpoint", 1, max_in_flight, n)) {
    webhooks.max_in_flight_per_endpoint = static_cast<int>(n);
  }
  if (std::int64_t n = 0;
      in.read_integer("secret_rotation_overlap_hours", 0, max_overlap_hours, n)) {
    webhooks.secret_rotation_overlap = std::chrono::hours(n);
  }
  if (std::string path; in.read_string("ca_file", path)) {
    webhooks.ca_file = path;
  }
}

}  // namespace civicline::config::detail
