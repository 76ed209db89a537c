// The "chat" section: the origins allowed to embed the web chat and its rate limits.

#include "config/sections.hpp"

namespace civicline::config::detail {
namespace {

constexpr std::int64_t max_messages_per_minute_limit = 10'000;

/// An origin as browsers send it: http(s)://host[:port], nothing after the authority.
bool is_origin(std::string_view text) {
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return false;
  }
  return !rest.empty() && rest.find_first_of("/?#@ ") == std::string_view::npos;
}

void read_origins(const json& value, const std::string& path, chat_settings& chat,
                  problem_list& problems) {
  if (!value.is_array()) {
    problems.add(path, "must be a list of origins, e.g. [\"https://www.city.example\"] (got " +
                           shown(value) + ")");
    return;
  }
  chat.allowed_origins.clear();
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto origin = as_string(value[i], element_path(path, i), problems);
    if (origin && !is_origin(*origin)) {
      problems.add(element_path(path, i),
                   "must be an origin: scheme and host with an optional port, no path or "
                   "trailing slash, e.g. \"https://www.city.example\" (got " +
                       shown(value[i]) + ")");
    } else if (origin) {
      chat.allowed_origins.push_back(std::move(*origin));
    }
  }
}

}  // namespace

void read_chat(const json& value, chat_settings& chat, problem_list& problems) {
  const object_reader in(
      value, "chat", problems,
      {"allowed_origins", "max_messages_per_minute_per_session", "max_messages_per_minute_per_ip"});
  if (const json* origins = in.find("allowed_origins")) {
    read_origins(*origins, in.path_of("allowed_origins"), chat, problems);
  }
  if (std::int64_t n = 0;
      in.read_integer("max_messages_per_minute_per_session", 0, max_messages_per_minute_limit, n)) {
    chat.max_messages_per_minute_per_session = static_cast<int>(n);
  }
  if (std::int64_t n = 0;
      in.read_integer("max_messages_per_minute_per_ip", 0, max_messages_per_minute_limit, n)) {
    chat.max_messages_per_minute_per_ip = static_cast<int>(n);
  }
}

}  // namespace civicline::config::detail
