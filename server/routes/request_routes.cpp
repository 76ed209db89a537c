#include "server/routes/request_routes.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "core/clock_text.hpp"
#include "core/requests.hpp"
#include "server/logging.hpp"
#include "server/routes/request_json.hpp"
#include "server/routes/request_query.hpp"
#include "server/storage_await.hpp"

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

http_response private_json(int status, std::string body) {
  auto response = json_response(status, std::move(body));
  response.headers.set("Cache-Control", "no-store");  // resident data: never in a shared cache
  return response;
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
  const auto& query = std::get<request_list_query>(parsed);
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
  co_return private_json(200,
                         render_request_page(items, next_cursor, total, core::to_iso8601(now)));
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
  co_return private_json(200, *body);
}

struct patch_outcome {
  bool found = false;
  core::status_change_result change;
};

awaitable<http_response> patch(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::change_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto& caller = std::get<auth::principal>(who);
  if (!has_content_type(request, "application/json")) {
    co_return error_response(415, "unsupported_media_type", "Send the change as application/json.");
  }
  auto parsed = parse_request_patch(request.body);
  if (const auto* problem = std::get_if<input_problem>(&parsed)) {
    co_return problem_response(*problem);
  }
  const auto change_wanted = std::get<request_patch>(std::move(parsed));
  const auto& id = request.path_params.at("id");
  const core::actor by{core::actor::kind::staff, auth::actor_id(caller)};
  const auto templates = context.knowledge.current().templates;
  const auto now = context.app.now();
  auto outcome = std::make_shared<patch_outcome>();
  // Named, not a temporary in the co_await: with GCC 12 a capturing lambda there was freed twice.
  storage::write_work apply = [&settings = context.app.settings, templates, change_wanted, id, by,
                               now, outcome](SQLite::Database& db) {
    const auto found = storage::find_request(db, id);
    if (!found) {
      return;
    }
    outcome->found = true;
    if (!change_wanted.status) {
      core::add_request_note(db, core::to_domain(*found), by, change_wanted.public_note,
                             change_wanted.internal_note, now);
      return;
    }
    core::status_change change;
    change.to = *core::status_from_string(*change_wanted.status);
    change.by = by;
    change.public_note = change_wanted.public_note;
    change.internal_note = change_wanted.internal_note;
    change.duplicate_of = change_wanted.duplicate_of;
    outcome->change = core::change_request_status(db, id, change, settings, *templates, now);
  };
  co_await async_write(context.app.db, std::move(apply), use_awaitable);
  if (!outcome->found) {
    co_return not_found(id);
  }
  if (change_wanted.status && !outcome->change.updated) {
    co_return error_response(409, "transition_refused", outcome->change.refusal);
  }
  log_event(log_level::info, "request_changed",
            {{"request", id},
             {"by", by.id},
             {"status", change_wanted.status.value_or("")},
             {"notified", outcome->change.notified}});
  if (outcome->change.notified > 0 && context.notifications_queued) {
    context.notifications_queued();
  }
  const auto body = detail_json(context, id, true);
  co_return private_json(200, body.value_or("{}"));
}

}  // namespace

void add_request_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("GET", "/api/v1/requests",
             [context](http_request& request) { return list(*context, request); });
  routes.add("GET", "/api/v1/requests/{id}",
             [context](http_request& request) { return show(*context, request); });
  routes.add("PATCH", "/api/v1/requests/{id}",
             [context](http_request& request) { return patch(*context, request); });
}

}  // namespace civicline::server
