#include "server/routes/handoff_routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/handoffs.hpp"
#include "server/logging.hpp"
#include "server/routes/route_support.hpp"
#include "server/storage_await.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using nlohmann::json;

constexpr std::size_t max_inbox = 500;
constexpr std::size_t max_transcript_messages = 500;
constexpr std::size_t max_reply_bytes = 1600;  // what one SMS conversation reply may hold

std::optional<std::int64_t> handoff_id(const http_request& request) {
  return positive_id(request.path_params.at("id"));
}

http_response not_found(const http_request& request) {
  return error_response(
      404, "not_found",
      "No handoff has the id \"" + request.path_params.at("id").substr(0, 40) + "\".");
}

/// A handoff as staff see it: never the resident's phone number or session id.
json handoff_json(SQLite::Database& db, const storage::handoff_record& handoff) {
  const auto resident = storage::find_resident(db, handoff.resident_id);
  json item = {{"id", handoff.id},
               {"conversation_id", handoff.resident_id},
               {"status", handoff.status},
               {"reason", handoff.reason},
               {"created_at", handoff.created_at},
               {"updated_at", handoff.updated_at},
               {"channel", resident ? resident->channel : ""},
               {"language", resident ? resident->language : ""},
               {"opted_out", resident && resident->opted_out_at.has_value()}};
  return item;
}

awaitable<http_response> list(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::read_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  json items = json::array();
  context.app.db.read([&](SQLite::Database& db) {
    for (const auto& handoff : storage::open_handoffs(db, max_inbox)) {
      items.push_back(handoff_json(db, handoff));
    }
  });
  co_return private_json(200, json{{"items", std::move(items)}});
}

awaitable<http_response> show(staff_context& context, http_request& request) {
  const auto who = context.authenticator.require(request, auth::permission::read_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto id = handoff_id(request);
  std::optional<json> body;
  if (id) {
    context.app.db.read([&](SQLite::Database& db) {
      const auto handoff = storage::find_handoff(db, *id);
      if (!handoff) {
        return;
      }
      body = handoff_json(db, *handoff);
      json transcript = json::array();
      for (const auto& message :
           storage::conversation_messages(db, handoff->resident_id, max_transcript_messages)) {
        transcript.push_back(
            {{"direction", message.direction}, {"text", message.body}, {"at", message.created_at}});
      }
      (*body)["transcript"] = std::move(transcript);
    });
  }
  if (!body) {
    co_return not_found(request);
  }
  co_return private_json(200, *body);
}

/// Runs a staff action on a handoff in one transaction and answers for it.
awaitable<http_response> act(staff_context& context, http_request& request, bool close) {
  const auto who = context.authenticator.require(request, auth::permission::change_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto id = handoff_id(request);
  if (!id) {
    co_return not_found(request);
  }
  std::string text;
  if (!close) {
    if (!has_content_type(request, "application/json")) {
      co_return error_response(415, "unsupported_media_type",
                               "Send the reply as application/json: {\"text\": \"...\"}.");
    }
    const auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      co_return error_response(400, "bad_request", "The body is not a JSON object.");
    }
    const auto it = body.find("text");
    if (it == body.end() || !it->is_string() ||
        it->get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) {
      co_return error_response(422, "unprocessable_entity",
                               "Give \"text\": the reply to send the resident.");
    }
    text = it->get<std::string>();
    if (text.size() > max_reply_bytes) {
      co_return error_response(
          422, "unprocessable_entity",
          "The reply is longer than " + std::to_string(max_reply_bytes) + " bytes; split it.");
    }
  }
  const core::actor by{core::actor::kind::staff, auth::actor_id(std::get<auth::principal>(who))};
  const auto now = context.app.now();
  auto outcome = std::make_shared<core::handoff_outcome>();
  // A named job, not a temporary in the co_await: GCC 12 destroys those twice.
  storage::write_work work = [id = *id, by, text, now, close, outcome](SQLite::Database& db) {
    *outcome = close ? core::close_handoff(db, id, by, now)
                     : core::reply_to_handoff(db, id, by, text, now);
  };
  co_await async_write(context.app.db, std::move(work), use_awaitable);
  if (!outcome->found) {
    co_return not_found(request);
  }
  if (!outcome->refusal.empty()) {
    co_return error_response(409, "conflict", outcome->refusal);
  }
  log_event(log_level::info, close ? "handoff_closed" : "handoff_replied",
            {{"handoff_id", *id}, {"by", by.id}});
  if (!close && !outcome->suppressed && context.notifications_queued) {
    context.notifications_queued();
  }
  co_return private_json(close ? 200 : 201,
                         json{{"id", *id},
                              {"status", close ? "closed" : "answered"},
                              {"delivered_later", !close && !outcome->suppressed},
                              {"suppressed", outcome->suppressed}});
}

}  // namespace

void add_handoff_routes(router& routes, std::shared_ptr<staff_context> context) {
  routes.add("GET", "/api/v1/handoffs", route_access::staff,
             [context](http_request& request) { return list(*context, request); });
  routes.add("GET", "/api/v1/handoffs/{id}", route_access::staff,
             [context](http_request& request) { return show(*context, request); });
  routes.add("POST", "/api/v1/handoffs/{id}/replies", route_access::staff,
             [context](http_request& request) { return act(*context, request, false); });
  routes.add("POST", "/api/v1/handoffs/{id}/close", route_access::staff,
             [context](http_request& request) { return act(*context, request, true); });
}

}  // namespace civicline::server
