#include "server/routes/admin_routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/clock_text.hpp"
#include "server/auth/credentials.hpp"
#include "server/logging.hpp"
#include "server/routes/route_support.hpp"
#include "server/storage_await.hpp"
#include "storage/staff.hpp"

namespace civicline::server {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using nlohmann::json;

constexpr std::size_t audit_page = 200;  // the newest entries; older ones stay in the table

http_response unprocessable(const std::string& message) {
  return error_response(422, "unprocessable_entity", message);
}

json or_null(const std::optional<std::string>& text) {
  return text ? json(*text) : json(nullptr);
}

json user_json(const storage::staff_user_record& user) {
  return {{"id", user.id},
          {"name", user.name},
          {"role", user.role},
          {"created_at", user.created_at},
          {"disabled_at", or_null(user.disabled_at)}};
}

json key_json(const storage::api_key_record& key) {
  return {{"id", key.id},
          {"name", key.name},
          {"role", key.role},
          {"prefix", key.prefix},
          {"created_at", key.created_at},
          {"last_used_at", or_null(key.last_used_at)},
          {"revoked_at", or_null(key.revoked_at)}};
}

/// The admin calling, or the refusal (401, 403, or 415 for a change that is not JSON).
std::variant<auth::principal, http_response> admin_caller(staff_context& context,
                                                          const http_request& request) {
  auto who = context.authenticator.require(request, auth::permission::administer);
  if (std::holds_alternative<auth::principal>(who) && request.method != "GET" &&
      request.method != "DELETE" && !has_content_type(request, "application/json")) {
    return error_response(415, "unsupported_media_type", "Send the change as application/json.");
  }
  return who;
}

/// The body as a JSON object whose members all appear in `allowed`, or the refusal.
std::variant<json, http_response> object_body(const http_request& request,
                                              std::initializer_list<std::string_view> allowed,
                                              std::string_view example) {
  auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return error_response(400, "bad_request",
                          "The body must be a JSON object, such as " + std::string(example) + ".");
  }
  for (const auto& [name, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return unprocessable("Unknown field \"" + name.substr(0, 40) + "\"; see docs/API.md.");
    }
  }
  return body;
}

storage::audit_record audit_entry(const auth::principal& by, std::string action, std::string target,
                                  json detail, std::string_view now) {
  storage::audit_record entry;
  entry.at = std::string(now);
  entry.actor_kind = "staff";
  entry.actor_id = auth::actor_id(by);
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.detail_json = detail.dump();
  return entry;
}

awaitable<http_response> list_users(staff_context& context, http_request& request) {
  const auto who = admin_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  json items = json::array();
  for (const auto& user : context.app.db.read(storage::list_staff_users)) {
    items.push_back(user_json(user));
  }
  co_return private_json(200, {{"items", items}});
}

awaitable<http_response> create_user(staff_context& context, http_request& request) {
  const auto who = admin_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  auto parsed =
      object_body(request, {"name", "role", "password"}, R"({"name": "sam", "role": "agent"})");
  if (const auto* refused = std::get_if<http_response>(&parsed)) {
    co_return *refused;
  }
  const auto& body = std::get<json>(parsed);
  const auto text = [&](const char* name) {
    const auto it = body.find(name);
    return it != body.end() && it->is_string() ? std::optional(it->get<std::string>())
                                               : std::nullopt;
  };
  const auto name = text("name");
  const auto role = text("role");
  if (!name || !role) {
    co_return unprocessable(
        "Send name and role as strings: {\"name\": \"sam\", \"role\": \"agent\"}.");
  }
  if (auto problem = auth::check_user_name(*name)) {
    co_return unprocessable("name: " + *problem);
  }
  if (!auth::user_role_from_string(*role)) {
    co_return unprocessable("role is agent, supervisor or admin.");
  }
  if (body.contains("password") && !text("password")) {
    co_return unprocessable("password must be a string (or left out to generate one).");
  }
  const bool generated = !body.contains("password");
  const std::string password = generated ? auth::new_password() : *text("password");
  if (auto problem = auth::check_new_password(password)) {
    co_return unprocessable(*problem);
  }
  storage::staff_user_record user;
  user.name = *name;
  user.role = *role;
  user.password_hash = co_await context.logins.hash_new_password(password);
  user.created_at = core::to_iso8601(context.app.now());
  const auto caller = std::get<auth::principal>(who);
  auto stored = std::make_shared<std::optional<storage::staff_user_record>>();
  storage::write_work insert = [user, caller, stored](SQLite::Database& db) {
    *stored = storage::insert_staff_user(db, user);
    if (*stored) {
      storage::insert_audit(db, audit_entry(caller, "user.created", "user:" + user.name,
                                            {{"role", user.role}}, user.created_at));
    }
  };
  co_await async_write(context.app.db, std::move(insert), use_awaitable);
  if (!*stored) {
    co_return error_response(409, "conflict", "A user named \"" + *name + "\" already exists.");
  }
  log_event(log_level::info, "user_created", {{"user", *name}, {"by", auth::actor_id(caller)}});
  auto out = user_json(**stored);
  if (generated) {
    out["password"] = password;  // shown only this once
  }
  co_return private_json(201, out);
}

awaitable<http_response> change_user(staff_context& context, http_request& request) {
  const auto who = admin_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  auto parsed = object_body(request, {"role", "disabled"}, R"({"disabled": true})");
  if (const auto* refused = std::get_if<http_response>(&parsed)) {
    co_return *refused;
  }
  const auto& body = std::get<json>(parsed);
  std::optional<std::string> role;
  std::optional<bool> disabled;
  if (const auto it = body.find("role"); it != body.end()) {
    if (!it->is_string() || !auth::user_role_from_string(it->get<std::string>())) {
      co_return unprocessable("role is agent, supervisor or admin.");
    }
    role = it->get<std::string>();
  }
  if (const auto it = body.find("disabled"); it != body.end()) {
    if (!it->is_boolean()) {
      co_return unprocessable("disabled is true or false.");
    }
    disabled = it->get<bool>();
  }
  if (!role && !disabled) {
    co_return unprocessable("Send role and/or disabled.");
  }
  const auto caller = std::get<auth::principal>(who);
  const auto name = request.path_params.at("name");
  if (caller.kind == auth::principal::kind::user && caller.name == name && disabled == true) {
    co_return error_response(409, "conflict", "You cannot disable your own account.");
  }
  const auto now = core::to_iso8601(context.app.now());
  auto found = std::make_shared<std::optional<storage::staff_user_record>>();
  storage::write_work apply = [name, role, disabled, caller, now, found](SQLite::Database& db) {
    auto user = storage::find_staff_user(db, name);
    if (!user) {
      return;
    }
    if (role && *role != user->role) {
      storage::set_staff_user_role(db, user->id, *role);
      storage::delete_staff_sessions_of(db, user->id);  // the new role starts with a new login
      storage::insert_audit(db, audit_entry(caller, "user.role_changed", "user:" + name,
                                            {{"from", user->role}, {"to", *role}}, now));
    }
    if (disabled == true && !user->disabled_at) {
      storage::disable_staff_user(db, user->id, now);
      storage::delete_staff_sessions_of(db, user->id);
      storage::insert_audit(db, audit_entry(caller, "user.disabled", "user:" + name, {}, now));
    } else if (disabled == false && user->disabled_at) {
      storage::enable_staff_user(db, user->id);
      storage::insert_audit(db, audit_entry(caller, "user.enabled", "user:" + name, {}, now));
    }
    *found = storage::find_staff_user(db, name);
  };
  co_await async_write(context.app.db, std::move(apply), use_awaitable);
  if (!*found) {
    co_return error_response(404, "not_found",
                             "No user has the name \"" + name.substr(0, 64) + "\".");
  }
  co_return private_json(200, user_json(**found));
}

awaitable<http_response> list_keys(staff_context& context, http_request& request) {
  const auto who = admin_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  json items = json::array();
  for (const auto& key : context.app.db.read(storage::list_api_keys)) {
    items.push_back(key_json(key));
  }
  co_return private_json(200, {{"items", items}});
}

awaitable<http_response> create_key(staff_context& context, http_request& request) {
  const auto who = admin_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  auto parsed = object_body(request, {"name", "role"}, R"({"name": "crm", "role": "staff"})");
  if (const auto* refused = std::get_if<http_response>(&parsed)) {
    co_return *refused;
  }
  const auto& body = std::get<json>(parsed);
  const auto name = body.value("name", json()).is_string() ? body["name"].get<std::string>() : "";
  const auto role = body.value("role", json()).is_string() ? body["role"].get<std::string>() : "";
  if (auto problem = auth::check_user_name(name)) {
    co_return unprocessable("name: " + *problem);
  }
  if (!auth::key_role_from_string(role)) {
    co_return unprocessable("role is staff, partner or admin.");
  }
  const std::string key = auth::new_api_key();
  storage::api_key_record record;
  record.name = name;
  record.role = role;
  record.key_hash = auth::token_digest(key);
  record.prefix = auth::api_key_prefix(key);
  record.created_at = core::to_iso8601(context.app.now());
  const auto caller = std::get<auth::principal>(who);
  auto id = std::make_shared<std::int64_t>(0);
  storage::write_work insert = [record, caller, id](SQLite::Database& db) {
    *id = storage::insert_api_key(db, record);
    storage::insert_audit(
        db, audit_entry(caller, "api_key.created", "api_key:" + std::to_string(*id),
                        {{"name", record.name}, {"role", record.role}}, record.created_at));
  };
  co_await async_write(context.app.db, std::move(insert), use_awaitable);
  record.id = *id;
  log_event(log_level::info, "api_key_created",
            {{"key", record.prefix}, {"by", auth::actor_id(caller)}});
  auto out = key_json(record);
  out["key"] = key;  // shown only this once
  co_return private_json(201, out);
}

awaitable<http_response> revoke_key(staff_context& context, http_request& request) {
  const auto who = admin_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto& text = request.path_params.at("id");
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  const auto caller = std::get<auth::principal>(who);
  const auto now = core::to_iso8601(context.app.now());
  auto found = std::make_shared<std::optional<storage::api_key_record>>();
  if (error == std::errc{} && end == text.data() + text.size()) {
    storage::write_work revoke = [id, caller, now, found](SQLite::Database& db) {
      const auto key = storage::find_api_key_by_id(db, id);
      if (!key) {
        return;
      }
      if (!key->revoked_at) {
        storage::revoke_api_key(db, id, now);
        storage::insert_audit(
            db, audit_entry(caller, "api_key.revoked", "api_key:" + std::to_string(id),
                            {{"name", key->name}}, now));
      }
      *found = storage::find_api_key_by_id(db, id);
    };
    co_await async_write(context.app.db, std::move(revoke), use_awaitable);
  }
  if (!*found) {
    co_return error_response(404, "not_found",
                             "No API key has the id \"" + text.substr(0, 40) + "\".");
  }
  co_return private_json(200, key_json(**found));
}

awaitable<http_response> audit(staff_context& context, http_request& request) {
  const auto who = admin_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto entries =
      context.app.db.read([](SQLite::Database& db) { return storage::list_audit(db, audit_page); });
  json items = json::array();
  for (const auto& entry : entries) {
    items.push_back({{"id", entry.id},
                     {"at", entry.at},
                     {"actor_kind", entry.actor_kind},
                     {"actor_id", entry.actor_id},
                     {"action", entry.action},
                     {"target", entry.target},
                     {"detail", json::parse(entry.detail_json, nullptr, false)}});
  }
  co_return private_json(200, {{"items", items}});
}

}  // namespace

void add_admin_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("GET", "/api/v1/users", route_access::admin,
             [context](http_request& request) { return list_users(*context, request); });
  routes.add("POST", "/api/v1/users", route_access::admin,
             [context](http_request& request) { return create_user(*context, request); });
  routes.add("PATCH", "/api/v1/users/{name}", route_access::admin,
             [context](http_request& request) { return change_user(*context, request); });
  routes.add("GET", "/api/v1/api-keys", route_access::admin,
             [context](http_request& request) { return list_keys(*context, request); });
  routes.add("POST", "/api/v1/api-keys", route_access::admin,
             [context](http_request& request) { return create_key(*context, request); });
  routes.add("DELETE", "/api/v1/api-keys/{id}", route_access::admin,
             [context](http_request& request) { return revoke_key(*context, request); });
  routes.add("GET", "/api/v1/audit", route_access::admin,
             [context](http_request& request) { return audit(*context, request); });
}

}  // namespace civicline::server
