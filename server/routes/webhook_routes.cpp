#include "server/routes/webhook_routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "channels/form_body.hpp"
#include "channels/standard_webhooks.hpp"
#include "core/clock_text.hpp"
#include "server/logging.hpp"
#include "server/routes/route_support.hpp"
#include "server/routes/webhook_json.hpp"
#include "server/storage_await.hpp"
#include "server/webhook_endpoint.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using nlohmann::json;

constexpr std::size_t default_deliveries = 50;
constexpr std::size_t max_deliveries = 500;

std::optional<std::int64_t> subscription_id(const http_request& request) {
  return positive_id(request.path_params.at("id"));
}

http_response not_found(const http_request& request) {
  return error_response(
      404, "not_found",
      "No webhook subscription has the id \"" + request.path_params.at("id").substr(0, 40) + "\".");
}

/// The caller when an admin, else the refusal (401 without credentials, 403 otherwise).
std::optional<http_response> refuse_unless_admin(staff_context& context,
                                                 const http_request& request, std::string& actor) {
  const auto who = context.authenticator.require(request, auth::permission::administer);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    return *refused;
  }
  actor = auth::actor_id(std::get<auth::principal>(who));
  return std::nullopt;
}

/// The JSON object body, or the 415/400 to answer.
std::variant<json, http_response> json_body(const http_request& request) {
  if (!has_content_type(request, "application/json")) {
    return error_response(415, "unsupported_media_type", "Send the body as application/json.");
  }
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return error_response(400, "bad_request", "The body is not a JSON object.");
  }
  return body;
}

std::optional<storage::webhook_subscription> load(staff_context& context, std::int64_t id) {
  return context.app.db.read(
      [id](SQLite::Database& db) { return storage::find_webhook_subscription(db, id); });
}

awaitable<http_response> create(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  auto body = json_body(request);
  if (auto* refused = std::get_if<http_response>(&body)) {
    co_return *refused;
  }
  const auto& settings = context.app.settings;
  auto parsed = parse_subscription_input(std::get<json>(body), settings, true);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    co_return error_response(422, "unprocessable_entity", *problem);
  }
  const auto& input = std::get<subscription_input>(parsed);
  std::string url = *input.url;  // moved into the call, never a temporary in the co_await
  if (auto problem = co_await webhook_endpoint_problem(std::move(url), settings.webhooks)) {
    co_return error_response(422, "unprocessable_entity",
                             "The endpoint URL is refused: " + *problem + ".");
  }
  storage::webhook_subscription subscription;
  apply_subscription_input(input, subscription);
  subscription.secret = channels::new_webhook_secret();
  subscription.created_at = subscription.updated_at = core::to_iso8601(context.app.now());
  auto stored = std::make_shared<storage::webhook_subscription>();
  // A named job, not a temporary in the co_await: GCC 12 destroys those twice.
  storage::write_work work = [subscription, stored](SQLite::Database& db) {
    *stored = storage::insert_webhook_subscription(db, subscription);
  };
  co_await async_write(context.app.db, std::move(work), use_awaitable);
  log_event(log_level::info, "webhook_subscription_created",
            {{"subscription_id", stored->id}, {"by", actor}});
  json out = subscription_json(*stored);
  out["secret"] = stored->secret;
  co_return private_json(201, out);
}

awaitable<http_response> list(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  json items = json::array();
  context.app.db.read([&](SQLite::Database& db) {
    for (const auto& subscription : storage::webhook_subscriptions(db)) {
      items.push_back(subscription_json(subscription));
    }
  });
  co_return private_json(200, json{{"items", std::move(items)}});
}

awaitable<http_response> show(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  const auto id = subscription_id(request);
  const auto subscription = id ? load(context, *id) : std::nullopt;
  if (!subscription) {
    co_return not_found(request);
  }
  co_return private_json(200, subscription_json(*subscription));
}

/// Runs `change` on the stored subscription in one write; 404 when it is gone.
awaitable<std::optional<storage::webhook_subscription>> change_subscription(
    staff_context& context, std::int64_t id,
    std::function<void(storage::webhook_subscription&)> change) {
  auto result = std::make_shared<std::optional<storage::webhook_subscription>>();
  storage::write_work work = [id, change = std::move(change), result,
                              now = core::to_iso8601(context.app.now())](SQLite::Database& db) {
    auto subscription = storage::find_webhook_subscription(db, id);
    if (!subscription) {
      return;
    }
    change(*subscription);
    subscription->updated_at = now;
    storage::update_webhook_subscription(db, *subscription);
    *result = std::move(subscription);
  };
  co_await async_write(context.app.db, std::move(work), use_awaitable);
  co_return *result;
}

awaitable<http_response> update(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  const auto id = subscription_id(request);
  if (!id) {
    co_return not_found(request);
  }
  auto body = json_body(request);
  if (auto* refused = std::get_if<http_response>(&body)) {
    co_return *refused;
  }
  auto parsed = parse_subscription_input(std::get<json>(body), context.app.settings, false);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    co_return error_response(422, "unprocessable_entity", *problem);
  }
  const auto input = std::get<subscription_input>(parsed);
  if (input.url) {
    std::string url = *input.url;
    if (auto problem =
            co_await webhook_endpoint_problem(std::move(url), context.app.settings.webhooks)) {
      co_return error_response(422, "unprocessable_entity",
                               "The endpoint URL is refused: " + *problem + ".");
    }
  }
  std::function<void(storage::webhook_subscription&)> change =
      [input](storage::webhook_subscription& s) { apply_subscription_input(input, s); };
  const auto updated = co_await change_subscription(context, *id, std::move(change));
  if (!updated) {
    co_return not_found(request);
  }
  log_event(log_level::info, "webhook_subscription_updated",
            {{"subscription_id", *id}, {"by", actor}});
  co_return private_json(200, subscription_json(*updated));
}

awaitable<http_response> remove(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  const auto id = subscription_id(request);
  if (!id) {
    co_return not_found(request);
  }
  auto deleted = std::make_shared<bool>(false);
  storage::write_work work = [id = *id, deleted](SQLite::Database& db) {
    *deleted = storage::delete_webhook_subscription(db, id);
  };
  co_await async_write(context.app.db, std::move(work), use_awaitable);
  if (!*deleted) {
    co_return not_found(request);
  }
  log_event(log_level::info, "webhook_subscription_deleted",
            {{"subscription_id", *id}, {"by", actor}});
  co_return http_response{204, {}, {}};
}

awaitable<http_response> rotate(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  const auto id = subscription_id(request);
  if (!id) {
    co_return not_found(request);
  }
  const auto overlap_ends =
      core::to_iso8601(context.app.now() + context.app.settings.webhooks.secret_rotation_overlap);
  const std::string secret = channels::new_webhook_secret();
  std::function<void(storage::webhook_subscription&)> change =
      [secret, overlap_ends](storage::webhook_subscription& s) {
        s.previous_secret = s.secret;
        s.previous_secret_expires_at = overlap_ends;
        s.secret = secret;
      };
  const auto updated = co_await change_subscription(context, *id, std::move(change));
  if (!updated) {
    co_return not_found(request);
  }
  log_event(log_level::info, "webhook_secret_rotated", {{"subscription_id", *id}, {"by", actor}});
  json out = subscription_json(*updated);
  out["secret"] = secret;
  out["previous_secret_expires_at"] = overlap_ends;
  co_return private_json(200, out);
}

awaitable<http_response> deliveries(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  const auto id = subscription_id(request);
  if (!id || !load(context, *id)) {
    co_return not_found(request);
  }
  const auto params = channels::parse_form_body(request.query);
  if (!params) {
    co_return error_response(400, "bad_request", "The query string is malformed.");
  }
  std::optional<std::string> status;
  if (const auto* value = channels::form_value(*params, "status")) {
    if (*value != "pending" && *value != "delivered" && *value != "failed") {
      co_return error_response(400, "bad_request", "status must be pending, delivered or failed.");
    }
    status = *value;
  }
  std::size_t limit = default_deliveries;
  if (const auto* value = channels::form_value(*params, "limit")) {
    const auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), limit);
    if (error != std::errc{} || end != value->data() + value->size() || limit == 0 ||
        limit > max_deliveries) {
      co_return error_response(
          400, "bad_request",
          "limit must be between 1 and " + std::to_string(max_deliveries) + ".");
    }
  }
  json items = json::array();
  context.app.db.read([&](SQLite::Database& db) {
    const auto status_view =
        status ? std::optional<std::string_view>(*status) : std::optional<std::string_view>();
    for (const auto& delivery : storage::deliveries_of_subscription(db, *id, status_view, limit)) {
      const auto attempts = storage::webhook_attempts_of(db, delivery.id);
      items.push_back(delivery_json(delivery, &attempts));
    }
  });
  co_return private_json(200, json{{"items", std::move(items)}});
}

awaitable<http_response> event_deliveries(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  const std::string event_id = request.path_params.at("event_id");
  json items = json::array();
  context.app.db.read([&](SQLite::Database& db) {
    for (const auto& delivery : storage::deliveries_of_event(db, event_id)) {
      const auto attempts = storage::webhook_attempts_of(db, delivery.id);
      items.push_back(delivery_json(delivery, &attempts));
    }
  });
  co_return private_json(200, json{{"event_id", event_id}, {"items", std::move(items)}});
}

awaitable<http_response> redeliver(staff_context& context, http_request& request) {
  std::string actor;
  if (auto refused = refuse_unless_admin(context, request, actor)) {
    co_return *refused;
  }
  const auto id = subscription_id(request);
  if (!id || !load(context, *id)) {
    co_return not_found(request);
  }
  auto body = json_body(request);
  if (auto* refused = std::get_if<http_response>(&body)) {
    co_return *refused;
  }
  const auto& fields = std::get<json>(body);
  const auto event = fields.find("event_id");
  const auto since = fields.find("failed_since");
  const bool by_event = event != fields.end() && event->is_string();
  const bool by_time = since != fields.end() && since->is_string();
  if (by_event == by_time || fields.size() != 1) {
    co_return error_response(422, "unprocessable_entity",
                             "Give either {\"event_id\": \"evt_...\"} or {\"failed_since\": "
                             "\"2026-11-28T00:00:00.000Z\"}.");
  }
  std::string since_text;
  if (by_time) {
    const auto at = core::from_iso8601(since->get<std::string>());
    if (!at) {
      co_return error_response(422, "unprocessable_entity",
                               "failed_since must be an ISO 8601 UTC time such as "
                               "2026-11-28T00:00:00.000Z.");
    }
    since_text = core::to_iso8601(*at);
  }
  auto count = std::make_shared<std::int64_t>(0);
  storage::write_work work =
      [id = *id, by_event, event_id = by_event ? event->get<std::string>() : std::string(),
       since_text, count, now = core::to_iso8601(context.app.now())](SQLite::Database& db) {
        *count = by_event ? storage::redeliver_event(db, id, event_id, now)
                          : storage::redeliver_failed_since(db, id, since_text, now);
      };
  co_await async_write(context.app.db, std::move(work), use_awaitable);
  if (by_event && *count == 0) {
    co_return error_response(404, "not_found",
                             "This endpoint has no delivery of that event (it may predate the "
                             "subscription or not match its filter).");
  }
  log_event(log_level::info, "webhook_redeliver",
            {{"subscription_id", *id}, {"deliveries", *count}, {"by", actor}});
  co_return private_json(202, json{{"redelivering", *count}});
}

}  // namespace

void add_webhook_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("POST", "/api/v1/webhooks", route_access::admin,
             [context](http_request& request) { return create(*context, request); });
  routes.add("GET", "/api/v1/webhooks", route_access::admin,
             [context](http_request& request) { return list(*context, request); });
  routes.add("GET", "/api/v1/webhooks/{id}", route_access::admin,
             [context](http_request& request) { return show(*context, request); });
  routes.add("PATCH", "/api/v1/webhooks/{id}", route_access::admin,
             [context](http_request& request) { return update(*context, request); });
  routes.add("DELETE", "/api/v1/webhooks/{id}", route_access::admin,
             [context](http_request& request) { return remove(*context, request); });
  routes.add("POST", "/api/v1/webhooks/{id}/rotate-secret", route_access::admin,
             [context](http_request& request) { return rotate(*context, request); });
  routes.add("GET", "/api/v1/webhooks/{id}/deliveries", route_access::admin,
             [context](http_request& request) { return deliveries(*context, request); });
  routes.add("POST", "/api/v1/webhooks/{id}/redeliver", route_access::admin,
             [context](http_request& request) { return redeliver(*context, request); });
  routes.add("GET", "/api/v1/events/{event_id}/deliveries", route_access::admin,
             [context](http_request& request) { return event_deliveries(*context, request); });
}

}  // namespace civicline::server
