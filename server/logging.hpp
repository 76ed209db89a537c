#pragma once
// Structured logs: one JSON object per line on stdout, for the access log and
// for operational events. Message text from residents is never logged.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace civicline::server {

enum class log_level { trace, debug, info, warn, error, off };

/// Parses "info", "warn", ...; returns info for anything else.
log_level parse_log_level(std::string_view name);

/// Sets up the process logger (JSON lines on stdout) at `level`. Call once in main.
void init_logging(log_level level);

/// Changes the level at run time (SIGHUP reload).
void set_log_level(log_level level);

/// True when events at `level` are written; check before building costly fields.
bool log_enabled(log_level level);

/// Writes {"ts": ..., "level": ..., "event": event, ...fields} as one line.
void log_event(log_level level, std::string_view event, const nlohmann::json& fields);

/// Shorthand for an event without fields.
void log_event(log_level level, std::string_view event);

/// The same line as log_event, written field by field with no JSON document in between: for
/// the lines written once per request (the access log, the SMS turn), where building a
/// document cost more than the rest of the logging. Check log_enabled(level) first.
///
///   log_line(log_level::info, "http_request").field("status", 200).field("route", r).write();
class log_line {
 public:
  log_line(log_level level, std::string_view event);
  log_line& field(std::string_view key, std::string_view value);
  log_line& field(std::string_view key, const char* value) {
    return field(key, std::string_view(value));
  }
  log_line& field(std::string_view key, const std::string& value) {
    return field(key, std::string_view(value));
  }
  log_line& field(std::string_view key, std::int64_t value);
  log_line& field(std::string_view key, int value) {
    return field(key, static_cast<std::int64_t>(value));
  }
  log_line& field(std::string_view key, std::size_t value);
  log_line& field(std::string_view key, double value);
  log_line& field(std::string_view key, bool value);
  /// Adds the members of a JSON object (anything else is ignored).
  log_line& fields(const nlohmann::json& object);
  /// Emits the line.
  void write();

 private:
  log_line& key(std::string_view name);

  log_level level_;
  std::string text_;
};

/// Writes out buffered lines now (they are otherwise flushed every second, and at once from warn
/// up).
void flush_logs();

}  // namespace civicline::server
