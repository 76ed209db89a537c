#include "server/auth/authenticate.hpp"

#include <algorithm>
#include <cctype>

#include "core/clock_text.hpp"
#include "server/auth/credentials.hpp"
#include "storage/staff.hpp"

namespace civicline::server::auth {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

time_point parse_time(const std::string& text) {
  return core::from_iso8601(text).value_or(time_point{});
}

}  // namespace

std::optional<std::string> cookie_value(const http_request& request, std::string_view name) {
  for (const auto& [field, value] : request.headers.all()) {
    if (!iequals(field, "Cookie")) {
      continue;
    }
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto end = std::min(rest.find(';'), rest.size());
      const auto pair = trim(rest.substr(0, end));
      rest.remove_prefix(std::min(rest.size(), end + 1));
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
        return std::string(trim(pair.substr(equals + 1)));
      }
    }
  }
  return std::nullopt;
}

std::string session_cookie(std::string_view token, std::chrono::seconds max_age, bool secure) {
  return std::string(session_cookie_name) + "=" + std::string(token) +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count()) +
         (secure ? "; Secure" : "");
}

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

namespace {

/// "https://city.example" from "https://city.example/311/": scheme, host and port.
std::string_view origin_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return {};
  }
  return url.substr(0, url.find('/', scheme_end + 3));
}

}  // namespace

bool origin_allowed(const http_request& request, std::string_view public_base_url) {
  const auto origin = request.headers.get("Origin");
  if (!origin) {
    return true;
  }
  const auto sent = trim(*origin);
  const auto ours = origin_of(public_base_url);
  if (!ours.empty() && iequals(sent, ours)) {
    return true;
  }
  // The address the browser used: the console works on whatever name the server is reached by.
  if (const auto host = request.headers.get("Host"); host && !trim(*host).empty()) {
    const auto at = trim(*host);
    for (const std::string_view scheme : {"http://", "https://"}) {
      if (sent.size() == scheme.size() + at.size() &&
          iequals(sent.substr(0, scheme.size()), scheme) &&
          iequals(sent.substr(scheme.size()), at)) {
        return true;
      }
    }
  }
  return false;  // another site, or "null" (a sandboxed frame, a file:// page)
}

http_response unauthorized(std::string_view message) {
  auto response = error_response(401, "unauthorized", message);
  response.headers.set("WWW-Authenticate", "Bearer realm=\"civicline\"");
  return response;
}

authenticator::authenticator(storage::database& db, auth_policy policy,
                             std::function<time_point()> now, std::string public_base_url)
    : db_(db),
      policy_(policy),
      now_(std::move(now)),
      public_base_url_(std::move(public_base_url)) {}

std::variant<principal, http_response> authenticator::identify(const http_request& request) const {
  if (const auto header = request.headers.get("Authorization")) {
    const auto value = trim(*header);
    const auto space = value.find(' ');
    if (space == std::string_view::npos || !iequals(value.substr(0, space), "Bearer")) {
      return unauthorized("Send an API key as \"Authorization: Bearer KEY\".");
    }
    return by_api_key(trim(value.substr(space + 1)));
  }
  if (const auto token = cookie_value(request, session_cookie_name)) {
    return by_session(request, *token);
  }
  return unauthorized("Log in first (POST /api/v1/session) or send \"Authorization: Bearer KEY\".");
}

std::variant<principal, http_response> authenticator::require(const http_request& request,
                                                              permission needed) const {
  auto who = identify(request);
  if (auto* caller = std::get_if<principal>(&who); caller != nullptr && !allowed(*caller, needed)) {
    return error_response(
        403, "forbidden",
        "This " + std::string(caller->kind == principal::kind::user ? "account" : "API key") +
            " (role " + caller->role + ") may not do this.");
  }
  return who;
}

std::variant<principal, http_response> authenticator::by_api_key(std::string_view key) const {
  if (!looks_like_api_key(key)) {
    return unauthorized("This is not a civicline API key.");
  }
  const auto digest = token_digest(key);
  const auto found =
      db_.read([&](SQLite::Database& db) { return storage::find_api_key(db, digest); });
  if (!found) {
    return unauthorized("Unknown API key.");
  }
  if (found->revoked_at) {
    return unauthorized("This API key was revoked.");
  }
  const auto now = now_();
  if (!found->last_used_at || due_for_touch(parse_time(*found->last_used_at), now, policy_)) {
    record_use([id = found->id, at = core::to_iso8601(now)](SQLite::Database& db) {
      storage::touch_api_key(db, id, at);
    });
  }
  principal who;
  who.kind = principal::kind::api_key;
  who.id = found->id;
  who.name = found->name;
  who.role = found->role;
  return who;
}

std::variant<principal, http_response> authenticator::by_session(const http_request& request,
                                                                 const std::string& token) const {
  const auto digest = token_digest(token);
  const auto found =
      db_.read([&](SQLite::Database& db) { return storage::find_staff_session(db, digest); });
  const auto now = now_();
  if (!found || !session_alive(parse_time(found->session.last_seen_at),
                               parse_time(found->session.expires_at), now, policy_)) {
    return unauthorized("Your session has ended; log in again.");
  }
  if (changes_state(request.method)) {
    if (!origin_allowed(request, public_base_url_)) {
      return error_response(403, "origin_refused",
                            "This request came from a page on another site (its Origin header); "
                            "staff changes are accepted only from this server's own pages.");
    }
    const auto sent = request.headers.get("X-CSRF-Token");
    if (!sent || !same_secret(*sent, found->session.csrf_token)) {
      return error_response(403, "csrf_token_invalid",
                            "Send the session's csrf_token (from the login answer or GET "
                            "/api/v1/session) in the X-CSRF-Token header.");
    }
  }
  if (due_for_touch(parse_time(found->session.last_seen_at), now, policy_)) {
    record_use([id = found->session.id, at = core::to_iso8601(now)](SQLite::Database& db) {
      storage::touch_staff_session(db, id, at);
    });
  }
  principal who;
  who.kind = principal::kind::user;
  who.id = found->session.user_id;
  who.name = found->user_name;
  who.role = found->role;
  who.session_id = found->session.id;
  who.csrf_token = found->session.csrf_token;
  return who;
}

void authenticator::record_use(std::function<void(SQLite::Database&)> work) const {
  try {
    // Nobody waits for this: a lost "last used" time is harmless, a slower request is not.
    db_.submit(std::move(work), [](std::exception_ptr) {});
  } catch (const storage::storage_error&) {
    // shutting down: the writer no longer takes jobs
  }
}

}  // namespace civicline::server::auth
