#pragma once
// Structured logs: one JSON object per line on stdout, for the access log and
// for operational events. Message text from residents is never logged.

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

/// Writes out buffered lines now (they are otherwise flushed every second, and at once from warn up).
void flush_logs();

}  // namespace civicline::server
