#include "server/routes/sms_routes.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "channels/form_body.hpp"
#include "channels/sms_delivery.hpp"
#include "channels/sms_inbound.hpp"
#include "channels/twilio_signature.hpp"
#include "channels/twiml.hpp"
#include "core/clock_text.hpp"
#include "server/auth/credentials.hpp"
#include "server/inbox_await.hpp"
#include "server/logging.hpp"
#include "server/storage_await.hpp"
#include "storage/deliveries.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

/// Twilio's error for "the recipient replied STOP to the sending number".
constexpr int twilio_recipient_opted_out = 21610;

/// How long the parts of a multipart SMS wait for the rest.
constexpr auto concat_parts_ttl = std::chrono::hours(24);

http_response twiml_response(const std::vector<std::string>& replies) {
  auto response = text_response(200, "text/xml; charset=utf-8", channels::render_twiml(replies));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http_response input_error(const channels::sms_input_error& problem) {
  return error_response(problem.status, error_code_for(problem.status), problem.message);
}

/// Checks a Twilio webhook is a signed form post; the decoded parameters, or the response
/// refusing it. Signature failures are logged without the message.
std::variant<channels::form_params, http_response> verified_twilio_form(
    const app_context& app, const http_request& request) {
  const auto& token = app.settings.sms.twilio.auth_token;
  if (token.empty()) {
    return error_response(503, "sms_not_configured",
                          "Twilio webhooks are off: set sms.twilio.auth_token in the config "
                          "(or CIVICLINE_TWILIO_AUTH_TOKEN).");
  }
  if (!has_content_type(request, "application/x-www-form-urlencoded")) {
    return error_response(415, "unsupported_media_type",
                          "Twilio webhooks are application/x-www-form-urlencoded.");
  }
  auto params = channels::parse_form_body(request.body);
  if (!params) {
    return error_response(400, "bad_request",
                          "The form body is malformed: a '%' must be followed by two hex digits.");
  }
  const auto signature = request.headers.get("X-Twilio-Signature");
  if (!signature) {
    log_event(log_level::warn, "sms_signature_missing",
              {{"route", request.route}, {"remote", request.remote_address}});
    return error_response(400, "signature_missing",
                          "The X-Twilio-Signature header is missing; only Twilio may post here.");
  }
  const auto url = channels::public_url(app.settings.server.public_base_url, request.target);
  const auto algorithm = channels::twilio_signature_algorithm_from_settings(
      request.headers.get("X-Twilio-Webhooks-Signature-Settings").value_or(""));
  if (!algorithm ||
      !channels::twilio_signature_valid(token, url, *params, *signature, *algorithm)) {
    log_event(log_level::warn, "sms_signature_invalid",
              {{"route", request.route}, {"remote", request.remote_address}, {"url", url}});
    return error_response(403, "signature_invalid",
                          "X-Twilio-Signature does not match this request. Check that "
                          "server.public_base_url is the address Twilio posts to and that "
                          "sms.twilio.auth_token is the account's auth token.");
  }
  return std::move(*params);
}

/// Photos (and other media) of an MMS, as URLs on the message; the provider keeps the files.
std::vector<std::string> media_urls_of(const channels::sms_inbound& sms) {
  std::vector<std::string> urls;
  for (const auto& item : sms.media) {
    urls.push_back(item.url);
  }
  return urls;
}

core::inbound_message to_inbound(channels::sms_inbound sms) {
  core::inbound_message message;
  message.from = {core::channel::sms, std::move(sms.from)};
  message.media_urls = media_urls_of(sms);
  message.text = std::move(sms.body);
  message.external_id = sms.provider + ":" + sms.message_id;
  message.received_at = std::chrono::system_clock::now();
  return message;
}

void log_turn(const char* provider, const core::turn_result& turn) {
  if (!log_enabled(log_level::info)) {
    return;
  }
  log_line(log_level::info, "sms_received")
      .field("provider", provider)
      .field("resident_id", turn.resident_id)
      .field("intent", nlp::to_string(turn.intent))
      .field("replies", turn.replies.size() + turn.queued_replies)
      .field("repeated", turn.repeated_delivery)
      .field("rate_limited", turn.rate_limited)
      .write();
}

awaitable<http_response> twilio_inbound(const app_context& app, core::inbox& inbox,
                                        http_request& request) {
  auto form = verified_twilio_form(app, request);
  if (auto* refused = std::get_if<http_response>(&form)) {
    co_return std::move(*refused);
  }
  auto parsed = channels::parse_twilio_inbound(std::get<channels::form_params>(form));
  if (auto* problem = std::get_if<channels::sms_input_error>(&parsed)) {
    co_return input_error(*problem);
  }
  auto message = to_inbound(std::move(std::get<channels::sms_inbound>(parsed)));
  const auto turn = co_await async_receive(inbox, std::move(message), use_awaitable);
  log_turn("twilio", turn);
  co_return twiml_response(turn.replies);
}

/// A delivery status callback: the newer word on delivery wins, an older one arriving late
/// never moves a message back; "recipient opted out" (21610) also opts the resident out.
awaitable<http_response> twilio_status(const app_context& app, http_request& request) {
  auto form = verified_twilio_form(app, request);
  if (auto* refused = std::get_if<http_response>(&form)) {
    co_return std::move(*refused);
  }
  const auto& params = std::get<channels::form_params>(form);
  const std::string* sid = channels::form_value(params, "MessageSid");
  const std::string* status_text = channels::form_value(params, "MessageStatus");
  if (sid == nullptr || sid->empty() || status_text == nullptr) {
    co_return error_response(400, "bad_request",
                             "A status callback needs MessageSid and MessageStatus.");
  }
  const auto status = channels::parse_delivery_status(*status_text);
  if (!status) {
    co_return error_response(
        422, "unknown_status",
        "MessageStatus \"" + status_text->substr(0, 40) + "\" is not a Twilio message status.");
  }
  const std::string* error_code = channels::form_value(params, "ErrorCode");
  const int code = error_code != nullptr ? std::atoi(error_code->c_str()) : 0;
  const auto now = core::to_iso8601(app.now());
  // A named job, not a temporary in the co_await: GCC 12 destroys those twice.
  storage::write_work record_status = [sid = *sid, status = *status, code,
                                       now](SQLite::Database& db) {
    const auto known = storage::find_notification_by_provider_message(db, sid);
    if (!known) {
      return;  // a message we did not send through the API (a TwiML reply): nothing to keep
    }
    const auto current = known->delivery_status
                             ? channels::parse_delivery_status(*known->delivery_status)
                             : std::nullopt;
    if (!current || channels::delivery_status_may_replace(*current, status)) {
      storage::set_delivery_status(
          db, known->id, channels::to_string(status),
          code != 0 ? "provider error " + std::to_string(code) : std::string());
    }
    if (code == twilio_recipient_opted_out) {
      storage::set_resident_opt_out(db, known->resident_id, now);
    }
  };
  co_await async_write(app.db, std::move(record_status), use_awaitable);
  co_return text_response(204, "text/plain", "");
}

/// Stores one part of a multipart SMS; the whole text once every part is in (each retry of
/// the last part finds them all again, so a crash before the turn loses nothing).
awaitable<std::optional<std::string>> join_parts(const app_context& app,
                                                 const channels::sms_inbound& sms) {
  const auto now = app.now();
  auto joined = std::make_shared<std::optional<std::string>>();
  storage::sms_part part{sms.provider,     sms.from, sms.concat->reference, sms.concat->total,
                         sms.concat->part, sms.body, core::to_iso8601(now)};
  storage::write_work keep_part =
      [part, joined, before = core::to_iso8601(now - concat_parts_ttl)](SQLite::Database& db) {
        storage::delete_sms_parts_before(db, before);
        storage::store_sms_part(db, part);
        *joined = channels::join_concat_parts(
            storage::sms_parts_of(db, part.provider, part.sender, part.reference), part.total);
      };
  co_await async_write(app.db, std::move(keep_part), use_awaitable);
  co_return *joined;
}

awaitable<http_response> vonage_inbound(const app_context& app, core::inbox& inbox,
                                        const std::function<void()>& outbound_ready,
                                        http_request& request) {
  // The secret rides in the query, which the access log leaves out (it logs the path only).
  const auto query = channels::parse_form_body(request.query);
  const std::string* secret = query ? channels::form_value(*query, "secret") : nullptr;
  if (secret == nullptr || app.settings.sms.vonage.webhook_secret.empty() ||
      !auth::same_secret(*secret, app.settings.sms.vonage.webhook_secret)) {
    log_event(log_level::warn, "sms_webhook_secret_invalid",
              {{"route", request.route}, {"remote", request.remote_address}});
    co_return error_response(
        403, "secret_invalid",
        "This webhook's URL must end in ?secret= and sms.vonage.webhook_secret.");
  }
  // Vonage posts a form or JSON, or sends the fields as a GET query.
  const bool is_get = request.method == "GET";
  const auto content_type =
      is_get ? std::string() : request.headers.get("Content-Type").value_or("");
  auto parsed = channels::parse_vonage_inbound(content_type, is_get ? request.query : request.body);
  if (auto* problem = std::get_if<channels::sms_input_error>(&parsed)) {
    co_return input_error(*problem);
  }
  auto sms = std::move(std::get<channels::sms_inbound>(parsed));
  if (sms.concat && sms.concat->total > 1) {
    auto whole = co_await join_parts(app, sms);
    if (!whole) {
      co_return text_response(200, "text/plain", "");  // wait for the other parts
    }
    sms.body = std::move(*whole);
    sms.message_id = "concat-" + sms.concat->reference;
  }
  auto message = to_inbound(std::move(sms));
  message.reply_via = "vonage";
  const auto turn = co_await async_receive(inbox, std::move(message), use_awaitable);
  log_turn("vonage", turn);
  if (turn.queued_replies > 0 && outbound_ready) {
    outbound_ready();
  }
  co_return text_response(200, "text/plain", "");
}

}  // namespace

void add_sms_routes(router& routes, const app_context& app, core::inbox& inbox,
                    std::function<void()> outbound_ready) {
  routes.add("POST", "/sms/twilio", route_access::provider_signature,
             [&app, &inbox](http_request& request) { return twilio_inbound(app, inbox, request); });
  routes.add("POST", "/sms/twilio/status", route_access::provider_signature,
             [&app](http_request& request) { return twilio_status(app, request); });
  auto vonage = [&app, &inbox, ready = std::move(outbound_ready)](http_request& request) {
    return vonage_inbound(app, inbox, ready, request);
  };
  routes.add("POST", "/sms/vonage", route_access::provider_signature, vonage);
  routes.add("GET", "/sms/vonage", route_access::provider_signature, vonage);
}

}  // namespace civicline::server
