#pragma once
// From an HTTP request to the caller it authenticates as: an API key in
// `Authorization: Bearer KEY`, or a login session in the `civicline_staff` cookie. A
// cookie-authenticated request that changes state must also echo the session's CSRF token in
// `X-CSRF-Token` (a page of another site can make the browser send the cookie, but cannot
// read the token). Refusals come back as the HTTP response to send.

#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "server/auth/access.hpp"
#include "server/auth/policy.hpp"
#include "server/http/message.hpp"
#include "storage/database.hpp"

namespace civicline::server::auth {

/// The staff session cookie's name.
inline constexpr std::string_view session_cookie_name = "civicline_staff";

/// The value of cookie `name` in the request's Cookie header(s), if present.
std::optional<std::string> cookie_value(const http_request& request, std::string_view name);

/// A Set-Cookie value for the session token: HttpOnly, SameSite=Strict, Path=/, and Secure
/// when `secure` (the public URL is https). `max_age` 0 deletes the cookie.
std::string session_cookie(std::string_view token, std::chrono::seconds max_age, bool secure);

/// True for methods that change state (anything but GET, HEAD and OPTIONS).
bool changes_state(std::string_view method);

/// False when the request carries an Origin header naming another site than this server: the
/// origin of `public_base_url`, or the scheme and Host the request was sent to. Browsers send
/// Origin with every cross-site POST, PUT, PATCH and DELETE, so a page elsewhere cannot
/// change state with the staff cookie even if it had the CSRF token; clients that are not
/// browsers send none and are let through (they hold no cookie by accident).
bool origin_allowed(const http_request& request, std::string_view public_base_url);

class authenticator {
 public:
  /// `public_base_url` is the server's public address, the origin a browser's state-changing
  /// request must come from (besides the address it was sent to; see origin_allowed).
  authenticator(storage::database& db, auth_policy policy, std::function<time_point()> now,
                std::string public_base_url = {});

  /// The caller, or the response refusing the request: 401 without valid credentials (unknown,
  /// revoked or malformed key; no, ended or unknown session), 403 when a cookie-authenticated
  /// state-changing request lacks the right X-CSRF-Token or comes from another site's page
  /// (origin_allowed). Records the use of the key or
  /// session (at most once per touch_interval, without waiting for the write).
  std::variant<principal, http_response> identify(const http_request& request) const;

  /// The caller an API key given outside the Authorization header names (Open311 clients send
  /// it as the `api_key` parameter); refused like identify() refuses a Bearer key.
  std::variant<principal, http_response> identify_key(std::string_view key) const {
    return by_api_key(key);
  }

  /// identify(), then 403 unless the caller has `needed`.
  std::variant<principal, http_response> require(const http_request& request,
                                                 permission needed) const;

 private:
  std::variant<principal, http_response> by_api_key(std::string_view key) const;
  std::variant<principal, http_response> by_session(const http_request& request,
                                                    const std::string& token) const;
  void record_use(std::function<void(SQLite::Database&)> work) const;

  storage::database& db_;
  auth_policy policy_;
  std::function<time_point()> now_;
  std::string public_base_url_;
};

/// The 401 answer (with WWW-Authenticate) carrying `message`.
http_response unauthorized(std::string_view message);

}  // namespace civicline::server::auth
