#include "server/logging.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace civicline::server {
namespace {

spdlog::level::level_enum to_spdlog(log_level level) {
  switch (level) {
    case log_level::trace: return spdlog::level::trace;
    case log_level::debug: return spdlog::level::debug;
    case log_level::info: return spdlog::level::info;
    case log_level::warn: return spdlog::level::warn;
    case log_level::error: return spdlog::level::err;
    case log_level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    case log_level::off: return "off";
  }
  return "info";
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t seconds = ms.count() / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buffer, n) + "." + std::to_string(1000 + ms.count() % 1000).substr(1) + "Z";
}

}  // namespace

log_level parse_log_level(std::string_view name) {
  for (auto level : {log_level::trace, log_level::debug, log_level::info, log_level::warn,
                     log_level::error, log_level::off}) {
    if (level_name(level) == name) {
      return level;
    }
  }
  return log_level::info;
}

void init_logging(log_level level) {
  auto logger = spdlog::stdout_logger_mt("civicline");
  logger->set_pattern("%v");
  logger->set_level(to_spdlog(level));
  // One write per line would cost a system call per request on the I/O threads: lines are
  // flushed every second, at once from warn up, and on flush_logs() (after "listening", at exit).
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void flush_logs() { spdlog::default_logger_raw()->flush(); }

void set_log_level(log_level level) { spdlog::default_logger_raw()->set_level(to_spdlog(level)); }

bool log_enabled(log_level level) {
  return spdlog::default_logger_raw()->should_log(to_spdlog(level));
}

void log_event(log_level level, std::string_view event, const nlohmann::json& fields) {
  if (!log_enabled(level)) {
    return;
  }
  // ts, level and event first, so a person reading the log finds them at once.
  nlohmann::ordered_json line = {
      {"ts", utc_timestamp()}, {"level", level_name(level)}, {"event", event}};
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      line[key] = value;
    }
  }
  spdlog::default_logger_raw()->log(
      to_spdlog(level), line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void log_event(log_level level, std::string_view event) {
  log_event(level, event, nlohmann::json::object());
}

}  // namespace civicline::server
