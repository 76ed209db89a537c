#pragma once
// Tools for reading a JSON document while collecting every problem with its
// path. Internal to the config library: the public header is load.hpp.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::config::detail {

using json = nlohmann::json;

/// Every problem found so far; validation keeps going and throws once at the end.
class problem_list {
 public:
  /// Records "path: what".
  void add(std::string_view path, std::string_view what);

  bool empty() const noexcept { return items_.empty(); }
  const std::vector<std::string>& items() const noexcept { return items_; }

 private:
  std::vector<std::string> items_;
};

/// "server" + "listen" -> "server.listen"; an empty parent gives just the key.
std::string member_path(std::string_view parent, std::string_view key);

/// "categories" + 3 -> "categories[3]".
std::string element_path(std::string_view parent, std::size_t index);

/// A value as it appears in a message: JSON text, shortened when long.
std::string shown(const json& value);

/// Reads one JSON object: reports keys outside `allowed` and missing required keys.
/// When the value is not an object it reports that once and every lookup finds nothing.
class object_reader {
 public:
  object_reader(const json& value, std::string path, problem_list& problems,
                std::initializer_list<std::string_view> allowed);

  /// False when the value was not an object.
  bool valid() const noexcept { return object_ != nullptr; }

  /// The member, or nullptr when absent.
  const json* find(std::string_view key) const;

  /// The member; when absent, reports it as missing (with `hint` on how to fix it).
  const json* require(std::string_view key, std::string_view hint = {}) const;

  /// The path of a member, for messages.
  std::string path_of(std::string_view key) const { return member_path(path_, key); }

  const std::string& path() const noexcept { return path_; }
  problem_list& problems() const noexcept { return *problems_; }

  /// Reads an optional string member into `out`; false when absent or invalid.
  bool read_string(std::string_view key, std::string& out) const;

  /// Reads an optional boolean member into `out`.
  bool read_bool(std::string_view key, bool& out) const;

  /// Reads an optional integer member within [min, max] into `out`.
  bool read_integer(std::string_view key, std::int64_t min, std::int64_t max,
                    std::int64_t& out) const;

 private:
  const json* object_ = nullptr;
  std::string path_;
  problem_list* problems_;
};

/// A string value; reports the type otherwise.
std::optional<std::string> as_string(const json& value, std::string_view path,
                                     problem_list& problems);

/// An integer within [min, max]; a range message names the bounds and the value given.
std::optional<std::int64_t> as_integer(const json& value, std::string_view path, std::int64_t min,
                                       std::int64_t max, problem_list& problems);

/// The text telling what an integer must be: "a positive integer up to 8760" or
/// "an integer from 0 to 65535".
std::string integer_rule(std::int64_t min, std::int64_t max);

/// "a, b, c", for messages that list what is allowed.
std::string join(const std::vector<std::string>& words, std::string_view separator = ", ");

// Checks of single values. Messages they produce leave out the path, which the
// caller knows (a JSON path, or an environment variable for overrides).

/// A parsed HOST:PORT. IPv6 hosts are written "[::1]:8080" and stored without brackets.
struct listen_address {
  std::string host;
  std::uint16_t port = 0;
};

/// Parses HOST:PORT (port 0..65535; 0 asks the OS for a free port).
/// On failure `error` receives the message.
std::optional<listen_address> parse_listen(std::string_view text, std::string& error);

/// Empty when `url` is an absolute http(s) URL with no query, fragment, user info or
/// trailing slash (run normalize_base_url first); otherwise the message to report.
std::string check_base_url(std::string_view url);

/// Drops one trailing '/' so handlers can append "/sms/twilio" to the base.
std::string normalize_base_url(std::string_view url);

/// Looks like an IANA zone name: "UTC" or Area/Location such as "America/Phoenix".
bool looks_like_timezone(std::string_view name);

/// Category and question codes: [a-z][a-z0-9_]{0,63}.
bool is_code(std::string_view code);

/// Keys of list values: [a-z0-9][a-z0-9_]{0,63}, so "1" and "yard_waste" both work.
bool is_value_key(std::string_view key);

/// "08:00" -> 480 minutes after midnight: exactly HH:MM, 00:00 to 24:00 ("24:00" is the end
/// of the day, so a desk open until midnight can say so).
std::optional<std::chrono::minutes> parse_clock_time(std::string_view text);

/// Day names as the config writes them, Sunday first: sun, mon, ..., sat.
const std::vector<std::string>& weekday_names();

/// The log levels spdlog understands by name.
const std::vector<std::string>& log_levels();

/// The reply languages civicline has rule packs and templates for.
const std::vector<std::string>& supported_languages();

}  // namespace civicline::config::detail
