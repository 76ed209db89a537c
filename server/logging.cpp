#include "server/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/json_text.hpp"

namespace civicline::server {
namespace {

spdlog::level::level_enum to_spdlog(log_level level) {
  switch (level) {
    case log_level::trace:
      return spdlog::level::trace;
    case log_level::debug:
      return spdlog::level::debug;
    case log_level::info:
      return spdlog::level::info;
    case log_level::warn:
      return spdlog::level::warn;
    case log_level::error:
      return spdlog::level::err;
    case log_level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::trace:
      return "trace";
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
    case log_level::off:
      return "off";
  }
  return "info";
}

/// "2026-12-02T10:21:00.123Z"; the part up to the second is kept per thread, since most
/// lines of a second share it.
std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t seconds = ms.count() / 1000;
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached_text;
  if (seconds != cached_second) {
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[32];
    const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_text.assign(buffer, n);
    cached_second = seconds;
  }
  const auto millis = static_cast<int>(ms.count() % 1000);
  std::string text = cached_text;
  text += '.';
  text += static_cast<char>('0' + millis / 100);
  text += static_cast<char>('0' + millis / 10 % 10);
  text += static_cast<char>('0' + millis % 10);
  text += 'Z';
  return text;
}

/// Lines collect in memory and go to stdout in one write() when the buffer fills or on
/// flush. spdlog's own stdout sink calls fflush() after every line, which is a system call
/// per request on the I/O threads (the access log writes a line for each request).
class buffered_stdout_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  buffered_stdout_sink() { buffer_.reserve(capacity); }
  ~buffered_stdout_sink() override { write_out(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    buffer_.append(message.payload.data(), message.payload.size());
    buffer_.push_back('\n');
    if (buffer_.size() >= capacity) {
      write_out();
    }
  }
  void flush_() override { write_out(); }

 private:
  static constexpr std::size_t capacity = 64 * 1024;

  void write_out() {
    const char* data = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0) {
      const ssize_t written = ::write(STDOUT_FILENO, data, left);
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written <= 0) {
        break;  // stdout is gone (closed pipe, full disk): drop the lines, keep serving
      }
      data += written;
      left -= static_cast<std::size_t>(written);
    }
    buffer_.clear();
  }

  std::string buffer_;
};

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
  auto logger =
      std::make_shared<spdlog::logger>("civicline", std::make_shared<buffered_stdout_sink>());
  spdlog::register_logger(logger);
  logger->set_pattern("%v");
  logger->set_level(to_spdlog(level));
  // One write per line would cost a system call per request on the I/O threads: lines are
  // flushed every second, at once from warn up, and on flush_logs() (after "listening", at exit).
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void flush_logs() {
  spdlog::default_logger_raw()->flush();
}

void set_log_level(log_level level) {
  spdlog::default_logger_raw()->set_level(to_spdlog(level));
}

bool log_enabled(log_level level) {
  return spdlog::default_logger_raw()->should_log(to_spdlog(level));
}

void log_event(log_level level, std::string_view event, const nlohmann::json& fields) {
  if (!log_enabled(level)) {
    return;
  }
  log_line(level, event).fields(fields).write();
}

void log_event(log_level level, std::string_view event) {
  log_event(level, event, nlohmann::json::object());
}

log_line::log_line(log_level level, std::string_view event) : level_(level) {
  text_.reserve(256);
  // ts, level and event first, so a person reading the log finds them at once.
  text_ += "{\"ts\":\"";
  text_ += utc_timestamp();
  text_ += "\",\"level\":\"";
  text_ += level_name(level);
  text_ += "\",\"event\":";
  core::append_json_string(text_, event);
}

log_line& log_line::key(std::string_view name) {
  text_ += ',';
  core::append_json_string(text_, name);
  text_ += ':';
  return *this;
}

log_line& log_line::field(std::string_view name, std::string_view value) {
  key(name);
  core::append_json_string(text_, value);
  return *this;
}

log_line& log_line::field(std::string_view name, std::int64_t value) {
  key(name);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  text_.append(digits, end);
  return *this;
}

log_line& log_line::field(std::string_view name, std::size_t value) {
  key(name);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  text_.append(digits, end);
  return *this;
}

log_line& log_line::field(std::string_view name, double value) {
  key(name);
  text_ += nlohmann::json(value).dump();
  return *this;
}

log_line& log_line::field(std::string_view name, bool value) {
  key(name);
  text_ += value ? "true" : "false";
  return *this;
}

log_line& log_line::fields(const nlohmann::json& object) {
  if (!object.is_object()) {
    return *this;
  }
  for (const auto& [name, value] : object.items()) {
    key(name);
    text_ += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return *this;
}

void log_line::write() {
  text_ += '}';
  spdlog::default_logger_raw()->log(to_spdlog(level_), std::string_view(text_));
}

}  // namespace civicline::server
