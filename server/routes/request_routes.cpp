#include "server/routes/request_routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/clock_text.hpp"
#include "core/request_edits.hpp"
#include "core/requests.hpp"
#include "server/logging.hpp"
#include "server/routes/request_apply.hpp"
#include "server/routes/request_json.hpp"
#include "server/routes/request_query.hpp"
#include "server/storage_await.hpp"
#include "storage/staff.hpp"

namespace civicline::server {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

/// The most messages of a reporter's conversation a detail shows (the newest ones).
constexpr std::size_t max_transcript_messages = 500;

http_response problem_response(const input_problem& problem) {
  return error_response(problem.status, error_code_for(problem.status), problem.message);
}

http_response not_found(const std::string& id) {
  return error_response(404, "not_found", "No request has the id \"" + id.substr(0, 40) + "\".");
}

awaitable<http_response> list(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::read_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto now = context.app.now();
  auto parsed = parse_request_list_query(request.query, now);
  if (const auto* problem = std::get_if<input_problem>(&parsed)) {
    co_return problem_response(*problem);
  }
  auto& query = std::get<request_list_query>(parsed);
  if (auto refused = resolve_assignee(context.app.db, query, std::get<auth::principal>(who))) {
    co_return *refused;
  }
  std::vector<storage::request_record> items;
  std::int64_t total = 0;
  if (!query.matches_nothing) {
    context.app.db.read([&](SQLite::Database& db) {
      // One more than a page tells whether another page follows.
      items = storage::list_requests(db, query.filter, query.limit + 1);
      auto everything = query.filter;
      everything.after.reset();
      total = storage::count_requests(db, everything);
    });
  }
  std::optional<std::string> next_cursor;
  if (items.size() > query.limit) {
    items.resize(query.limit);
    next_cursor = encode_request_cursor(items.back(), query.filter.order);
  }
  co_return private_json_response(
      200, render_request_page(items, next_cursor, total, core::to_iso8601(now)));
}

/// The detail of a stored request; `with_transcript` when the caller may read residents'
/// messages.
std::optional<std::string> detail_json(const staff_context& context, const std::string& id,
                                       bool with_transcript) {
  const auto now = core::to_iso8601(context.app.now());
  return context.app.db.read([&](SQLite::Database& db) -> std::optional<std::string> {
    const auto found = storage::find_request(db, id);
    if (!found) {
      return std::nullopt;
    }
    request_detail_parts parts;
    parts.history = storage::request_history(db, found->id);
    const auto followers = storage::followers_of(db, found->id);
    parts.followers_count = followers.size();
    parts.contacts = storage::reporter_contacts(db, found->id);
    if (!followers.empty() && followers.front().role == "reporter") {
      parts.reporter_channel = followers.front().channel;
      if (with_transcript) {
        parts.transcript = storage::conversation_messages(db, followers.front().resident_id,
                                                          max_transcript_messages);
      }
    }
    return render_request_detail(*found, parts, now);
  });
}

awaitable<http_response> show(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::read_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto& id = request.path_params.at("id");
  const auto body = detail_json(context, id, true);
  if (!body) {
    co_return not_found(id);
  }
  co_return private_json_response(200, *body);
}

http_response refused_response(const change_refused& refused) {
  const auto status = refused.status();
  const std::string_view code = status == 404   ? "not_found"
                                : status == 409 ? "transition_refused"
                                                : error_code_for(status);
  return error_response(status, code, refused.what());
}

/// The caller who may change requests, or the refusal (401/403, 415 for a non-JSON body).
std::variant<auth::principal, http_response> change_caller(staff_context& context,
                                                           const http_request& request) {
  auto who = context.authenticator.require(request, auth::permission::change_requests);
  if (std::holds_alternative<auth::principal>(who) &&
      !has_content_type(request, "application/json")) {
    return error_response(415, "unsupported_media_type", "Send the change as application/json.");
  }
  return who;
}

core::actor actor_of(const auth::principal& caller) {
  return core::actor{core::actor::kind::staff, auth::actor_id(caller)};
}

void wake_senders(const staff_context& context, int notified) {
  if (notified > 0 && context.notifications_queued) {
    context.notifications_queued();
  }
}

awaitable<http_response> patch(staff_context& context, http_request& request) {
  const auto who = change_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  auto parsed = parse_request_patch(request.body);
  if (const auto* problem = std::get_if<input_problem>(&parsed)) {
    co_return problem_response(*problem);
  }
  const auto change_wanted = std::get<request_patch>(std::move(parsed));
  const auto id = request.path_params.at("id");
  const auto by = actor_of(std::get<auth::principal>(who));
  const auto templates = context.knowledge.current().templates;
  const auto now = context.app.now();
  auto applied = std::make_shared<applied_change>();
  // Named, not a temporary in the co_await: with GCC 12 a capturing lambda there was freed twice.
  storage::write_work apply = [&settings = context.app.settings, templates, change_wanted, id, by,
                               now, applied](SQLite::Database& db) {
    *applied = apply_request_patch(db, id, change_wanted, by, settings, *templates, now);
  };
  try {
    co_await async_write(context.app.db, std::move(apply), use_awaitable);
  } catch (const change_refused& refused) {
    co_return refused_response(refused);
  }
  log_event(log_level::info, "request_changed",
            {{"request", id},
             {"by", by.id},
             {"status", change_wanted.status.value_or("")},
             {"notified", applied->notified}});
  wake_senders(context, applied->notified);
  const auto body = detail_json(context, id, true);
  co_return private_json_response(200, body.value_or("{}"));
}

awaitable<http_response> merge(staff_context& context, http_request& request) {
  const auto who = change_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  auto parsed = parse_merge_body(request.body);
  if (const auto* problem = std::get_if<input_problem>(&parsed)) {
    co_return problem_response(*problem);
  }
  const auto wanted = std::get<merge_body>(std::move(parsed));
  const auto id = request.path_params.at("id");
  const auto by = actor_of(std::get<auth::principal>(who));
  const auto templates = context.knowledge.current().templates;
  const auto now = context.app.now();
  auto outcome = std::make_shared<core::merge_result>();
  storage::write_work apply = [&settings = context.app.settings, templates, wanted, id, by, now,
                               outcome](SQLite::Database& db) {
    *outcome = core::merge_requests(db, id, wanted.into, by, wanted.internal_note, settings,
                                    *templates, now);
  };
  co_await async_write(context.app.db, std::move(apply), use_awaitable);
  if (!outcome->found) {
    co_return not_found(id);
  }
  if (!outcome->refusal.empty()) {
    // A refused transition is the request's state (409); anything else the caller's input.
    const int status = outcome->conflict ? 409 : 422;
    co_return error_response(status, error_code_for(status), outcome->refusal);
  }
  log_event(log_level::info, "request_merged",
            {{"request", id}, {"into", wanted.into}, {"by", by.id}});
  wake_senders(context, outcome->notified);
  const auto body = detail_json(context, id, true);
  co_return private_json_response(200, body.value_or("{}"));
}

awaitable<http_response> bulk(staff_context& context, http_request& request) {
  const auto who = change_caller(context, request);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  auto parsed = parse_bulk_body(request.body);
  if (const auto* problem = std::get_if<input_problem>(&parsed)) {
    co_return problem_response(*problem);
  }
  const auto wanted = std::get<bulk_body>(std::move(parsed));
  const auto by = actor_of(std::get<auth::principal>(who));
  const auto templates = context.knowledge.current().templates;
  const auto now = context.app.now();
  auto notified = std::make_shared<int>(0);
  auto refusals = std::make_shared<nlohmann::json>(nlohmann::json::array());
  // One job, so one transaction: every request changes or none does.
  storage::write_work apply = [&settings = context.app.settings, templates, wanted, by, now,
                               notified, refusals](SQLite::Database& db) {
    for (const auto& id : wanted.ids) {
      try {
        *notified +=
            apply_request_patch(db, id, wanted.change, by, settings, *templates, now).notified;
      } catch (const change_refused& refused) {
        refusals->push_back(
            {{"id", id}, {"status", refused.status()}, {"message", refused.what()}});
      }
    }
    if (!refusals->empty()) {
      throw change_refused(409, "",
                           "Nothing was changed: " + std::to_string(refusals->size()) +
                               " of the requests refused the change (see refused).");
    }
  };
  try {
    co_await async_write(context.app.db, std::move(apply), use_awaitable);
  } catch (const change_refused& refused) {
    nlohmann::json body = {
        {"error", "bulk_refused"}, {"message", refused.what()}, {"refused", *refusals}};
    co_return private_json_response(
        409, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  log_event(log_level::info, "requests_changed_in_bulk",
            {{"count", static_cast<std::int64_t>(wanted.ids.size())}, {"by", by.id}});
  wake_senders(context, *notified);
  const nlohmann::json body = {{"changed", wanted.ids}, {"notified", *notified}};
  co_return private_json_response(200, body.dump());
}

}  // namespace

std::optional<http_response> resolve_assignee(storage::database& database,
                                              request_list_query& query,
                                              const auth::principal& caller) {
  if (!query.assignee) {
    return std::nullopt;
  }
  if (*query.assignee == "me" && caller.kind != auth::principal::kind::user) {
    return error_response(422, "unprocessable_entity",
                          "assignee=me needs a staff login; an API key is nobody's queue.");
  }
  database.read([&](SQLite::Database& db) {
    if (*query.assignee == "none") {
      query.filter.assignee_id = 0;
    } else if (*query.assignee == "me") {
      query.filter.assignee_id = caller.id;
    } else if (const auto user = storage::find_staff_user(db, *query.assignee)) {
      query.filter.assignee_id = user->id;
    } else {
      query.matches_nothing = true;  // nobody of that name: nothing assigned to them
    }
  });
  return std::nullopt;
}

void add_request_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("GET", "/api/v1/requests", route_access::staff,
             [context](http_request& request) { return list(*context, request); });
  routes.add("GET", "/api/v1/requests/{id}", route_access::staff,
             [context](http_request& request) { return show(*context, request); });
  routes.add("PATCH", "/api/v1/requests/{id}", route_access::staff,
             [context](http_request& request) { return patch(*context, request); });
  routes.add("POST", "/api/v1/requests/{id}/merge", route_access::staff,
             [context](http_request& request) { return merge(*context, request); });
  routes.add("POST", "/api/v1/requests/bulk", route_access::staff,
             [context](http_request& request) { return bulk(*context, request); });
}

}  // namespace civicline::server
