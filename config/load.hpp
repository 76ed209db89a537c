#pragma once
// Reading civicline's JSON config file into a validated `settings` value.
//
// Validation collects every problem before it throws, so an operator fixes a
// file in one pass. Each problem names its JSON path and what is allowed:
//   server.listen: port must be an integer from 0 to 65535 (got "-1"); expected HOST:PORT
//   categories[3].sla_hours: must be a positive integer up to 8760 (got 0)
//   http.max_bodyy: unknown key (allowed: max_body_bytes, max_header_bytes, ...)
//
// Paths:
//   A relative storage.database is resolved against the directory of the
//   config file, so `civicline serve --config /etc/civicline/city.json` finds
//   its database no matter which directory it was started from.
//
// Environment overrides (applied after the file is read, validated the same
// way, and named in any error):
//   CIVICLINE_DB               storage.database (a relative path is resolved
//                              against the current directory, as a shell user expects)
//   CIVICLINE_LISTEN           server.listen, HOST:PORT (port 0 = any free port)
//   CIVICLINE_PUBLIC_BASE_URL  server.public_base_url
//   CIVICLINE_LOG_LEVEL        log.level (trace, debug, info, warn, error, critical, off)
// With CIVICLINE_DB set, the file may leave storage.database out.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"

namespace civicline::config {

/// Looks up an environment variable; std::nullopt when it is not set.
/// Injected so tests never read or change the real process environment.
using environment = std::function<std::optional<std::string>(std::string_view name)>;

/// The real process environment (getenv). Call it before starting threads that setenv.
environment process_environment();

/// A fixed set of variables, for tests and tools; anything else is unset.
environment fixed_environment(std::map<std::string, std::string, std::less<>> variables);

/// The config cannot be used; problems() lists every reason, one per line of what().
class config_error : public std::runtime_error {
 public:
  /// `file` is shown in front of every problem in what().
  config_error(std::filesystem::path file, std::vector<std::string> problems);

  /// Each entry reads "path: what was wrong; what is allowed".
  const std::vector<std::string>& problems() const noexcept { return problems_; }

  /// The config file the problems were found in.
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
  std::vector<std::string> problems_;
};

/// Reads, parses and validates `file`, then applies the environment overrides.
/// Throws config_error when the file is missing or unreadable, is not JSON, or is invalid.
settings load_settings(const std::filesystem::path& file, const environment& env);

/// Parses and validates JSON text as if it had been read from `source` (which is
/// used for error messages and to resolve a relative storage.database; when empty,
/// the current directory is used). Throws config_error.
settings parse_settings(std::string_view json_text, const std::filesystem::path& source,
                        const environment& env);

}  // namespace civicline::config
