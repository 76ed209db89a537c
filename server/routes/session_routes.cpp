#include "server/routes/session_routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/clock_text.hpp"
#include "server/auth/credentials.hpp"
#include "server/logging.hpp"

namespace civicline::server {

namespace {

using boost::asio::awaitable;
using json = nlohmann::json;
using auth::time_point;

json session_json(const auth::principal& who) {
  json body = {{"kind", who.kind == auth::principal::kind::user ? "user" : "api_key"},
               {"user", who.name},
               {"role", who.role}};
  if (who.kind == auth::principal::kind::user) {
    body["csrf_token"] = who.csrf_token;
  }
  return body;
}

http_response no_store(http_response response) {
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/// The 429 for a login refused without checking: `until` says when to try again.
http_response too_many_failures(std::string_view code, std::string_view message, time_point until,
                                time_point now) {
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(until - now);
  auto response = error_response(
      429, code, std::string(message) + " Try again after " + core::to_iso8601(until) + ".");
  response.headers.set("Retry-After", std::to_string(std::max<long long>(1, wait.count())));
  return response;
}

awaitable<http_response> log_in(staff_context& context, http_request& request) {
  // Login CSRF: a page elsewhere must not log the browser in to an account of its choosing.
  if (!auth::origin_allowed(request, context.app.settings.server.public_base_url)) {
    co_return error_response(403, "origin_refused",
                             "Log in from this server's own console page; this request came from "
                             "a page on another site (its Origin header).");
  }
  auto address_locked = [&](time_point until) {
    log_event(log_level::warn, "staff_login_address_locked", {{"remote", request.remote_address}});
    return too_many_failures("login_locked", "Too many failed logins from this address.", until,
                             context.app.now());
  };
  if (const auto until =
          context.login_addresses.locked_until(request.remote_address, context.app.now())) {
    co_return address_locked(*until);
  }
  if (!has_content_type(request, "application/json")) {
    co_return error_response(415, "unsupported_media_type",
                             "Send {\"name\": ..., \"password\": ...} as application/json.");
  }
  const auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    co_return error_response(400, "bad_request",
                             "The body must be a JSON object: {\"name\": ..., \"password\": ...}.");
  }
  if (!body.contains("name") || !body["name"].is_string() || !body.contains("password") ||
      !body["password"].is_string()) {
    co_return error_response(422, "unprocessable_entity",
                             "name and password are required strings.");
  }
  auto name = body["name"].get<std::string>();
  auto password = body["password"].get<std::string>();
  if (auth::check_user_name(name)) {
    name.clear();  // cannot exist; still costs a whole check, like any unknown name
  }
  const auto result = co_await context.logins.log_in(name, std::move(password));
  if (result.outcome != auth::login_result::outcome::ok) {
    if (const auto until =
            context.login_addresses.record_failure(request.remote_address, context.app.now())) {
      co_return address_locked(*until);
    }
  }
  switch (result.outcome) {
    case auth::login_result::outcome::locked:
      // The name tried is left out of logs: people type passwords into the name field.
      log_event(log_level::warn, "staff_login_locked", {{"remote", request.remote_address}});
      co_return too_many_failures("login_locked", "Too many failed logins for this name.",
                                  result.locked_until, context.app.now());
    case auth::login_result::outcome::refused:
      log_event(log_level::info, "staff_login_failed", {{"remote", request.remote_address}});
      co_return auth::unauthorized("Wrong name or password.");
    case auth::login_result::outcome::ok:
      break;
  }
  log_event(log_level::info, "staff_login",
            {{"remote", request.remote_address}, {"user", result.who.name}});
  auto body_out = session_json(result.who);
  body_out["expires_at"] = core::to_iso8601(result.expires_at);
  auto response = no_store(json_response(200, body_out.dump()));
  response.headers.set("Set-Cookie",
                       auth::session_cookie(result.session_token,
                                            std::chrono::duration_cast<std::chrono::seconds>(
                                                context.logins.policy().session_lifetime),
                                            context.secure_cookies));
  co_return response;
}

awaitable<http_response> who_am_i(staff_context& context, http_request& request) {
  const auto who = context.authenticator.identify(request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  co_return no_store(json_response(200, session_json(std::get<auth::principal>(who)).dump()));
}

awaitable<http_response> log_out(staff_context& context, http_request& request) {
  const auto who = context.authenticator.identify(request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  if (std::get<auth::principal>(who).kind != auth::principal::kind::user) {
    co_return error_response(400, "bad_request",
                             "API keys have no session to end; revoke the key instead.");
  }
  // Named, not a temporary in the co_await: with GCC 12 a capturing lambda there was freed twice.
  auto token = auth::cookie_value(request, auth::session_cookie_name).value_or("");
  co_await context.logins.log_out(std::move(token));
  auto response = text_response(204, "text/plain", "");
  response.headers.set("Set-Cookie",
                       auth::session_cookie("", std::chrono::seconds(0), context.secure_cookies));
  co_return response;
}

}  // namespace

void add_session_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("POST", "/api/v1/session", route_access::open,
             [context](http_request& request) { return log_in(*context, request); });
  routes.add("GET", "/api/v1/session", route_access::any_caller,
             [context](http_request& request) { return who_am_i(*context, request); });
  routes.add("DELETE", "/api/v1/session", route_access::any_caller,
             [context](http_request& request) { return log_out(*context, request); });
}

}  // namespace civicline::server
