#include "config/validate.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace civicline::config::detail {
namespace {

bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_lower(c) || is_upper(c) || is_digit(c);
}

// Levenshtein distance, to suggest the key a typo was probably meant to be.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::size_t common_prefix(std::string_view a, std::string_view b) {
  const auto [end_a, end_b] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<std::size_t>(end_a - a.begin());
}

// The allowed key a typo was probably meant to be: within two edits, or else sharing
// a long prefix ("max_bodyy" -> "max_body_bytes"); empty when nothing is close.
std::string_view closest_key(std::string_view key,
                             std::initializer_list<std::string_view> allowed) {
  std::string_view closest;
  std::size_t best = 3;
  for (std::string_view candidate : allowed) {
    if (const std::size_t d = edit_distance(key, candidate); d < best) {
      best = d;
      closest = candidate;
    }
  }
  if (!closest.empty()) {
    return closest;
  }
  std::size_t longest = std::max<std::size_t>(4, key.size() * 2 / 3);
  bool tied = false;
  for (std::string_view candidate : allowed) {
    const std::size_t shared = common_prefix(key, candidate);
    if (shared > longest || (shared == longest && closest.empty())) {
      longest = shared;
      closest = candidate;
      tied = false;
    } else if (shared == longest) {
      tied = true;
    }
  }
  return tied ? std::string_view() : closest;
}

std::string unknown_key_message(std::string_view key,
                                std::initializer_list<std::string_view> allowed) {
  std::string message = "unknown key (allowed: ";
  bool first = true;
  for (std::string_view candidate : allowed) {
    message += first ? "" : ", ";
    message += candidate;
    first = false;
  }
  message += ")";
  const std::string_view closest = closest_key(key, allowed);
  if (!closest.empty()) {
    message += "; did you mean \"" + std::string(closest) + "\"?";
  }
  return message;
}

// Hostnames (RFC 1123 labels) and IPv4 literals; we do not resolve here.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) {
    return false;
  }
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-') {
        return false;
      }
      label = 0;
    } else if (is_alnum(host[i]) || (host[i] == '-' && label > 0)) {
      ++label;
    } else {
      return false;
    }
  }
  return true;
}

bool is_ipv6_literal(std::string_view host) {
  return !host.empty() && host.find(':') != std::string_view::npos &&
         std::all_of(host.begin(), host.end(), [](char c) {
           return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
                  c == '.';
         });
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), is_digit)) {
    return std::nullopt;
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// Splits "host:port" or "[v6]:port". Returns false when the shape is wrong.
struct host_port {
  std::string_view host;
  std::optional<std::string_view> port;
  bool bracketed = false;
};

std::optional<host_port> split_host_port(std::string_view text) {
  host_port result;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    result.host = text.substr(1, close - 1);
    result.bracketed = true;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return std::nullopt;
      }
      result.port = rest.substr(1);
    }
    return result;
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    result.host = text;
    return result;
  }
  result.host = text.substr(0, colon);
  result.port = text.substr(colon + 1);
  return result;
}

}  // namespace

void problem_list::add(std::string_view path, std::string_view what) {
  std::string line(path.empty() ? std::string_view("(top level)") : path);
  line += ": ";
  line += what;
  items_.push_back(std::move(line));
}

std::string member_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) {
    return std::string(key);
  }
  std::string path(parent);
  path += '.';
  path += key;
  return path;
}

std::string element_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string shown(const json& value) {
  constexpr std::size_t max_length = 40;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > max_length) {
    text.resize(max_length - 3);
    text += "...";
  }
  return text;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) {
      out += separator;
    }
    out += word;
  }
  return out;
}

object_reader::object_reader(const json& value, std::string path, problem_list& problems,
                             std::initializer_list<std::string_view> allowed)
    : path_(std::move(path)), problems_(&problems) {
  if (!value.is_object()) {
    problems.add(path_, "must be an object (got " + shown(value) + ")");
    return;
  }
  object_ = &value;
  for (const auto& [key, member] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      problems.add(path_of(key), unknown_key_message(key, allowed));
    }
  }
}

const json* object_reader::find(std::string_view key) const {
  if (object_ == nullptr) {
    return nullptr;
  }
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

const json* object_reader::require(std::string_view key, std::string_view hint) const {
  const json* member = find(key);
  // A value that is not an object was already reported; its members are not "missing".
  if (member == nullptr && object_ != nullptr) {
    std::string what = "required key is missing";
    if (!hint.empty()) {
      what += "; ";
      what += hint;
    }
    problems_->add(path_of(key), what);
  }
  return member;
}

bool object_reader::read_string(std::string_view key, std::string& out) const {
  const json* member = find(key);
  if (member == nullptr) {
    return false;
  }
  auto value = as_string(*member, path_of(key), *problems_);
  if (!value) {
    return false;
  }
  out = std::move(*value);
  return true;
}

bool object_reader::read_bool(std::string_view key, bool& out) const {
  const json* member = find(key);
  if (member == nullptr) {
    return false;
  }
  if (!member->is_boolean()) {
    problems_->add(path_of(key), "must be true or false (got " + shown(*member) + ")");
    return false;
  }
  out = member->get<bool>();
  return true;
}

bool object_reader::read_integer(std::string_view key, std::int64_t min, std::int64_t max,
                                 std::int64_t& out) const {
  const json* member = find(key);
  if (member == nullptr) {
    return false;
  }
  const auto value = as_integer(*member, path_of(key), min, max, *problems_);
  if (!value) {
    return false;
  }
  out = *value;
  return true;
}

std::optional<std::string> as_string(const json& value, std::string_view path,
                                     problem_list& problems) {
  if (!value.is_string()) {
    problems.add(path, "must be a string (got " + shown(value) + ")");
    return std::nullopt;
  }
  return value.get<std::string>();
}

std::string integer_rule(std::int64_t min, std::int64_t max) {
  if (min == 1) {
    return "a positive integer up to " + std::to_string(max);
  }
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::optional<std::int64_t> as_integer(const json& value, std::string_view path, std::int64_t min,
                                       std::int64_t max, problem_list& problems) {
  std::optional<std::int64_t> number;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      number = static_cast<std::int64_t>(u);
    }
  } else if (value.is_number_integer()) {
    number = value.get<std::int64_t>();
  }
  if (!number || *number < min || *number > max) {
    problems.add(path, "must be " + integer_rule(min, max) + " (got " + shown(value) + ")");
    return std::nullopt;
  }
  return number;
}

std::optional<listen_address> parse_listen(std::string_view text, std::string& error) {
  const std::string got = " (got " + shown(json(text)) + ")";
  const std::string expected = "; expected HOST:PORT such as \"127.0.0.1:8080\"";
  const auto parts = split_host_port(text);
  if (!parts || !parts->port) {
    error = "must be HOST:PORT" + got + expected;
    return std::nullopt;
  }
  if (parts->host.empty()) {
    error = "host is missing" + got + "; use 0.0.0.0 to listen on every interface";
    return std::nullopt;
  }
  if (!parts->bracketed && parts->host.find(':') != std::string_view::npos) {
    error = "IPv6 hosts need brackets" + got + ", e.g. \"[::1]:8080\"";
    return std::nullopt;
  }
  if (parts->bracketed ? !is_ipv6_literal(parts->host) : !is_host_name(parts->host)) {
    error = "host is not an IP address or host name" + got + expected;
    return std::nullopt;
  }
  const auto port = parse_port(*parts->port);
  if (!port) {
    error = "port must be an integer from 0 to 65535" + got + expected;
    return std::nullopt;
  }
  return listen_address{std::string(parts->host), *port};
}

std::string normalize_base_url(std::string_view url) {
  // Only slashes after "scheme://" are trailing; "https://" itself stays for check_base_url.
  const std::size_t scheme_end = url.find("://");
  const std::size_t keep = scheme_end == std::string_view::npos ? 1 : scheme_end + 3;
  while (url.size() > keep && url.back() == '/') {
    url.remove_suffix(1);
  }
  return std::string(url);
}

std::string check_base_url(std::string_view url) {
  const std::string got = " (got " + shown(json(url)) + ")";
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return "must start with http:// or https://" + got;
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) {
      return "must not contain spaces, control or non-ASCII characters (percent-encode them)" + got;
    }
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return "must be a base URL without a query or fragment" + got +
           "; handlers append their own paths";
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return "must not contain user info" + got;
  }
  const auto parts = split_host_port(authority);
  const bool host_ok =
      parts && (parts->bracketed ? is_ipv6_literal(parts->host) : is_host_name(parts->host));
  if (!host_ok) {
    return "host is missing or not a valid host name" + got;
  }
  if (parts->port && (!parse_port(*parts->port) || parse_port(*parts->port) == 0)) {
    return "port must be an integer from 1 to 65535" + got;
  }
  if (path.ends_with('/')) {
    return "must not end with '/'" + got;
  }
  const std::string_view path_chars = "-._~!$&'()*+,;=:@%/";
  for (const char c : path) {
    if (!is_alnum(c) && path_chars.find(c) == std::string_view::npos) {
      return "path contains a character that must be percent-encoded" + got;
    }
  }
  return {};
}

bool looks_like_timezone(std::string_view name) {
  if (name == "UTC") {
    return true;
  }
  if (name.empty() || name.size() > 64 || !is_upper(name.front())) {
    return false;
  }
  std::size_t segments = 1;
  bool segment_start = true;
  for (const char c : name) {
    if (c == '/') {
      if (segment_start) {
        return false;
      }
      ++segments;
      segment_start = true;
      continue;
    }
    if (segment_start ? !is_alnum(c) : !(is_alnum(c) || c == '_' || c == '-' || c == '+')) {
      return false;
    }
    segment_start = false;
  }
  return segments >= 2 && !segment_start;
}

bool is_code(std::string_view code) {
  return !code.empty() && code.size() <= 64 && is_lower(code.front()) &&
         std::all_of(code.begin(), code.end(),
                     [](char c) { return is_lower(c) || is_digit(c) || c == '_'; });
}

bool is_value_key(std::string_view key) {
  return !key.empty() && key.size() <= 64 && (is_lower(key.front()) || is_digit(key.front())) &&
         std::all_of(key.begin(), key.end(),
                     [](char c) { return is_lower(c) || is_digit(c) || c == '_'; });
}

std::optional<std::chrono::minutes> parse_clock_time(std::string_view text) {
  if (text.size() != 5 || text[2] != ':' || !is_digit(text[0]) || !is_digit(text[1]) ||
      !is_digit(text[3]) || !is_digit(text[4])) {
    return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) {
    return std::nullopt;
  }
  return std::chrono::minutes(hours * 60 + minutes);
}

const std::vector<std::string>& weekday_names() {
  static const std::vector<std::string> names{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  return names;
}

const std::vector<std::string>& log_levels() {
  static const std::vector<std::string> levels{"trace", "debug",    "info", "warn",
                                               "error", "critical", "off"};
  return levels;
}

const std::vector<std::string>& supported_languages() {
  static const std::vector<std::string> languages{"en", "es"};
  return languages;
}

}  // namespace civicline::config::detail
