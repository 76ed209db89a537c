#include "config/load.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "config/sections.hpp"
#include "config/validate.hpp"

namespace civicline::config {
namespace {

using detail::json;
using detail::problem_list;

std::string describe(const std::filesystem::path& file, const std::vector<std::string>& problems) {
  const std::string name = file.empty() ? std::string("<config>") : file.string();
  std::string text;
  for (const std::string& problem : problems) {
    if (!text.empty()) {
      text += '\n';
    }
    text += name + ": " + problem;
  }
  return text;
}

// Where in the text a parse error happened, as an editor counts it (1-based).
// nlohmann reports the byte after the offending character, and counts a
// newline it just read as the start of the next line; we point at the character.
std::string line_and_column(std::string_view text, std::size_t byte) {
  const std::size_t at = std::min(byte == 0 ? 0 : byte - 1, text.size());
  const std::string_view before = text.substr(0, at);
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_newline = before.rfind('\n');
  const std::size_t column = last_newline == std::string_view::npos ? at + 1 : at - last_newline;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's message without its "[json.exception...] parse error at line..:" prefix,
// which repeats (less precisely) what line_and_column says.
std::string parse_error_reason(const json::parse_error& error) {
  const std::string_view what = error.what();
  const std::size_t column = what.find("column ");
  const std::size_t colon = what.find(": ", column == std::string_view::npos ? 0 : column);
  return std::string(colon == std::string_view::npos ? what : what.substr(colon + 2));
}

// JSON allows repeated keys and nlohmann keeps the last; in a config file a repeat is
// almost always a mistake (two "server" blocks), so we report it with its path.
class duplicate_key_finder {
 public:
  explicit duplicate_key_finder(problem_list& problems) : problems_(&problems) {}

  bool operator()(int /*depth*/, json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        frames_.push_back(
            frame{event == json::parse_event_t::array_start, child_path(), {}, 0, {}});
        break;
      case json::parse_event_t::key: {
        frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          problems_->add(detail::member_path(top.path, top.key),
                         "duplicate key; JSON keeps only the last one, so remove the other");
        }
        break;
      }
      case json::parse_event_t::value:
        advance();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        advance();
        break;
    }
    return true;
  }

 private:
  struct frame {
    bool is_array = false;
    std::string path;
    std::string key;
    std::size_t index = 0;
    std::set<std::string> keys;
  };

  std::string child_path() const {
    if (frames_.empty()) {
      return {};
    }
    const frame& top = frames_.back();
    return top.is_array ? detail::element_path(top.path, top.index)
                        : detail::member_path(top.path, top.key);
  }

  void advance() {
    if (!frames_.empty() && frames_.back().is_array) {
      ++frames_.back().index;
    }
  }

  problem_list* problems_;
  std::vector<frame> frames_;
};

std::filesystem::path absolute_or_same(const std::filesystem::path& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal();
}

// Relative paths in the file (the database, the rule packs) are relative to the file, so the
// server finds them whatever directory it was started from.
std::filesystem::path resolve_database(const std::filesystem::path& database,
                                       const std::filesystem::path& source) {
  // ":memory:" is a SQLite name, not a path; storage decides what to do with it.
  if (database.empty() || database.is_absolute() || database == ":memory:") {
    return database;
  }
  const std::filesystem::path base =
      source.empty() ? std::filesystem::path(".") : absolute_or_same(source).parent_path();
  return absolute_or_same(base / database);
}

std::string override_path(std::string_view variable, std::string_view key) {
  return std::string(variable) + " (overrides " + std::string(key) + ")";
}

void apply_environment(const environment& env, settings& out, problem_list& problems) {
  if (const auto database = env("CIVICLINE_DB")) {
    if (database->empty()) {
      problems.add(override_path("CIVICLINE_DB", "storage.database"),
                   "must not be empty; give the SQLite file's path or unset it");
    } else {
      // A path typed in a shell means "relative to where I am", not to the config file.
      out.storage.database = absolute_or_same(*database);
    }
  }
  if (const auto listen = env("CIVICLINE_LISTEN")) {
    std::string error;
    if (auto address = detail::parse_listen(*listen, error)) {
      out.server.listen_host = std::move(address->host);
      out.server.listen_port = address->port;
    } else {
      problems.add(override_path("CIVICLINE_LISTEN", "server.listen"), error);
    }
  }
  if (const auto url = env("CIVICLINE_PUBLIC_BASE_URL")) {
    std::string normalized = detail::normalize_base_url(*url);
    if (std::string error = detail::check_base_url(normalized); error.empty()) {
      out.server.public_base_url = std::move(normalized);
    } else {
      problems.add(override_path("CIVICLINE_PUBLIC_BASE_URL", "server.public_base_url"), error);
    }
  }
  // Provider secrets belong in the environment (or a secret store), not in a file in git.
  const std::pair<const char*, std::string*> twilio_overrides[] = {
      {"CIVICLINE_TWILIO_ACCOUNT_SID", &out.sms.twilio.account_sid},
      {"CIVICLINE_TWILIO_AUTH_TOKEN", &out.sms.twilio.auth_token},
      {"CIVICLINE_TWILIO_FROM", &out.sms.twilio.from},
  };
  for (const auto& [variable, target] : twilio_overrides) {
    if (auto value = env(variable)) {
      *target = std::move(*value);
    }
  }
  if (const auto url = env("CIVICLINE_TWILIO_API_BASE_URL")) {
    std::string normalized = detail::normalize_base_url(*url);
    if (std::string error = detail::check_base_url(normalized);
        error.empty() || normalized.empty()) {
      out.sms.twilio.api_base_url = std::move(normalized);
    } else {
      problems.add(override_path("CIVICLINE_TWILIO_API_BASE_URL", "sms.twilio.api_base_url"),
                   error);
    }
  }
  if (const auto level = env("CIVICLINE_LOG_LEVEL")) {
    const auto& levels = detail::log_levels();
    if (std::find(levels.begin(), levels.end(), *level) != levels.end()) {
      out.log.level = *level;
    } else {
      problems.add(
          override_path("CIVICLINE_LOG_LEVEL", "log.level"),
          "must be one of " + detail::join(levels) + " (got " + detail::shown(json(*level)) + ")");
    }
  }
}

// Without a public_base_url we assume a developer on this machine reaching the listener.
std::string default_base_url(const server_settings& server) {
  std::string host = server.listen_host;
  if (host == "0.0.0.0" || host == "::") {
    host = "localhost";
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return "http://" + host + ":" + std::to_string(server.listen_port);
}

}  // namespace

config_error::config_error(std::filesystem::path file, std::vector<std::string> problems)
    : std::runtime_error(describe(file, problems)),
      file_(std::move(file)),
      problems_(std::move(problems)) {}

environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    // getenv needs a terminated string; names are short, so the copy is free.
    if (const char* value = std::getenv(std::string(name).c_str())) {
      return std::string(value);
    }
    return std::nullopt;
  };
}

environment fixed_environment(std::map<std::string, std::string, std::less<>> variables) {
  return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
    if (const auto it = variables.find(name); it != variables.end()) {
      return it->second;
    }
    return std::nullopt;
  };
}

settings parse_settings(std::string_view json_text, const std::filesystem::path& source,
                        const environment& env) {
  problem_list problems;
  json root;
  try {
    root = json::parse(json_text, duplicate_key_finder(problems));
  } catch (const json::parse_error& error) {
    throw config_error(source, {line_and_column(json_text, error.byte) +
                                ": malformed JSON: " + parse_error_reason(error)});
  }

  const bool database_from_env = env("CIVICLINE_DB").has_value();
  settings out =
      detail::read_settings(root, {.database_from_environment = database_from_env}, problems);
  out.source_file = source;
  if (!database_from_env) {
    out.storage.database = resolve_database(out.storage.database, source);
  }
  out.content.rule_packs = resolve_database(out.content.rule_packs, source);
  out.content.templates = resolve_database(out.content.templates, source);
  if (!out.sms.ca_file.empty()) {
    out.sms.ca_file = resolve_database(out.sms.ca_file, source);
  }
  if (!out.webhooks.ca_file.empty()) {
    out.webhooks.ca_file = resolve_database(out.webhooks.ca_file, source);
  }
  apply_environment(env, out, problems);
  out.server.public_base_url_configured = !out.server.public_base_url.empty();
  if (out.server.public_base_url.empty()) {
    out.server.public_base_url = default_base_url(out.server);
  }
  if (!problems.empty()) {
    throw config_error(source, problems.items());
  }
  return out;
}

settings load_settings(const std::filesystem::path& file, const environment& env) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw config_error(file, {"cannot read the config file: it is a directory"});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw config_error(file, {"cannot read the config file: " +
                              std::generic_category().message(error != 0 ? error : ENOENT)});
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw config_error(file, {"cannot read the config file: read failed"});
  }
  return parse_settings(text.str(), file, env);
}

}  // namespace civicline::config
