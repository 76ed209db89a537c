#include "server/sms_dispatcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "channels/twilio_rest.hpp"
#include "channels/vonage_rest.hpp"
#include "core/clock_text.hpp"
#include "core/retry_policy.hpp"
#include "server/http/http_client.hpp"
#include "server/logging.hpp"
#include "server/storage_await.hpp"
#include "storage/deliveries.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

/// Notifications looked at per round; the rest wait for the next round (right after).
constexpr std::size_t batch_size = 20;

std::string_view outcome_name(channels::send_outcome_kind kind) {
  switch (kind) {
    case channels::send_outcome_kind::sent:
      return "sent";
    case channels::send_outcome_kind::retry_later:
      return "retry_later";
    case channels::send_outcome_kind::permanent_failure:
      return "permanent_failure";
    case channels::send_outcome_kind::recipient_opted_out:
      return "recipient_opted_out";
  }
  return "unknown";
}

/// What is missing for `provider` to send, in words for the operator; "" when ready.
std::string missing_settings(const config::sms_settings& sms, std::string_view provider) {
  if (provider == "vonage") {
    const auto& v = sms.vonage;
    if (v.api_base_url.empty() || v.api_key.empty() || v.api_secret.empty() || v.from.empty()) {
      return "vonage is not configured: set sms.vonage.api_base_url, api_key, api_secret and from";
    }
    return "";
  }
  const auto& t = sms.twilio;
  if (t.api_base_url.empty() || t.account_sid.empty() || t.auth_token.empty() ||
      (t.from.empty() && t.messaging_service_sid.empty())) {
    return "twilio is not configured: set sms.twilio.api_base_url, account_sid, auth_token and "
           "from (or CIVICLINE_TWILIO_API_BASE_URL, _ACCOUNT_SID, _AUTH_TOKEN, _FROM)";
  }
  return "";
}

channels::provider_request send_request(const config::settings& settings, std::string_view provider,
                                        const storage::notification_record& notification) {
  channels::outbound_sms sms{notification.address, notification.body, std::nullopt};
  if (provider == "vonage") {
    const auto& v = settings.sms.vonage;
    return channels::vonage_send_request({v.api_base_url, v.api_key, v.api_secret, v.from}, sms);
  }
  const auto& t = settings.sms.twilio;
  sms.status_callback_url = settings.server.public_base_url + "/sms/twilio/status";
  return channels::twilio_send_request(
      {t.api_base_url, t.account_sid, t.auth_token, t.from, t.messaging_service_sid}, sms);
}

}  // namespace

sms_dispatcher::sms_dispatcher(boost::asio::any_io_executor executor, storage::database& db,
                               const config::settings& settings, http_metrics& metrics, clock now)
    : strand_(boost::asio::make_strand(executor)),
      wait_(strand_),
      db_(db),
      settings_(settings),
      metrics_(metrics),
      now_(std::move(now)) {}

void sms_dispatcher::start() {
  if (const auto missing = missing_settings(settings_.sms, settings_.sms.outbound_provider);
      !missing.empty()) {
    log_event(log_level::warn, "sms_outbound_off",
              {{"detail", missing + "; notifications stay queued until then"}});
  }
  boost::asio::co_spawn(strand_, run(), boost::asio::detached);
}

void sms_dispatcher::wake() {
  wait_.wake();
}

void sms_dispatcher::stop() {
  wait_.stop();
}

awaitable<void> sms_dispatcher::run() {
  while (!wait_.stopped()) {
    wait_.begin_round();
    std::vector<storage::notification_record> due;
    try {
      const auto now_text = core::to_iso8601(now_());
      due = db_.read([&](SQLite::Database& db) {
        return storage::due_notifications(db, "sms", now_text, batch_size);
      });
    } catch (const std::exception& e) {
      log_event(log_level::error, "sms_queue_unreadable", {{"error", e.what()}});
    }
    for (const auto& notification : due) {
      if (wait_.stopped()) {
        co_return;
      }
      try {
        co_await deliver(notification);
      } catch (const std::exception& e) {
        log_event(log_level::error, "sms_delivery_error",
                  {{"notification_id", notification.id}, {"error", e.what()}});
      }
    }
    if (due.size() == batch_size) {
      continue;  // more may be due right away
    }
    co_await wait_.pause(settings_.sms.poll_interval);
  }
}

awaitable<void> sms_dispatcher::deliver(const storage::notification_record& notification) {
  const std::string provider =
      notification.via.empty() ? settings_.sms.outbound_provider : notification.via;
  const core::retry_policy policy{settings_.sms.retry_initial, settings_.sms.retry_max,
                                  settings_.sms.max_attempts};
  const auto id = notification.id;

  // Every write job is a named local before its co_await: GCC 12 destroys temporaries
  // (lambdas, braced aggregates) in a co_await expression twice.
  if (const auto missing = missing_settings(settings_.sms, provider); !missing.empty()) {
    // Not the message's fault: wait without using up an attempt.
    storage::write_work postpone = [id, attempts = notification.attempts,
                                    later = core::to_iso8601(now_() + policy.max),
                                    missing](SQLite::Database& db) {
      storage::record_notification_retry(db, id, attempts, later, missing);
    };
    co_await write_or_log(db_, std::move(postpone), "sms_outcome_not_stored");
    co_return;
  }
  // The resident may have sent STOP since the queue was read.
  const bool opted_out = db_.read([&](SQLite::Database& db) {
    const auto resident = storage::find_resident(db, notification.resident_id);
    return !resident || resident->opted_out_at.has_value();
  });
  if (opted_out) {
    storage::write_work suppress = [id, attempts = notification.attempts](SQLite::Database& db) {
      storage::record_notification_dropped(db, id, "suppressed", attempts, "resident opted out");
    };
    co_await write_or_log(db_, std::move(suppress), "sms_outcome_not_stored");
    co_return;
  }

  auto request = send_request(settings_, provider, notification);
  client_request fetch_request{std::move(request.method), std::move(request.target_url),
                               std::move(request.headers), std::move(request.body)};
  client_options options;
  options.ca_file = settings_.sms.ca_file.string();
  const auto result = co_await http_fetch(std::move(fetch_request), std::move(options));
  const int attempts = notification.attempts + 1;

  channels::send_outcome outcome{channels::send_outcome_kind::retry_later, {}, 0, {}, {}};
  if (const auto* error = std::get_if<client_error>(&result)) {
    outcome.detail = error->what;
  } else {
    const auto& response = std::get<client_response>(result);
    const auto retry_after = response.header("Retry-After");
    outcome = provider == "vonage"
                  ? channels::classify_vonage_response(response.status, response.body, retry_after)
                  : channels::classify_twilio_response(response.status, response.body, retry_after);
  }
  metrics_.sms_attempt(provider, outcome_name(outcome.kind));
  log_event(outcome.kind == channels::send_outcome_kind::sent ? log_level::info : log_level::warn,
            "sms_send_attempt",
            {{"notification_id", id},
             {"provider", provider},
             {"attempt", attempts},
             {"outcome", outcome_name(outcome.kind)},
             {"detail", outcome.detail}});

  auto record_outcome = outcome_work(notification, attempts, outcome, policy);
  co_await write_or_log(db_, std::move(record_outcome), "sms_outcome_not_stored");
}

storage::write_work sms_dispatcher::outcome_work(const storage::notification_record& notification,
                                                 int attempts,
                                                 const channels::send_outcome& outcome,
                                                 const core::retry_policy& policy) const {
  const auto now = now_();
  const auto now_text = core::to_iso8601(now);
  const auto id = notification.id;
  switch (outcome.kind) {
    case channels::send_outcome_kind::sent:
      return [notification, attempts, sid = outcome.provider_message_id,
              now_text](SQLite::Database& db) {
        storage::record_notification_sent(db, notification, attempts, sid, "queued", now_text);
      };
    case channels::send_outcome_kind::retry_later:
      if (const auto delay = core::next_retry_delay(policy, attempts, outcome.retry_after)) {
        return [id, attempts, next = core::to_iso8601(now + *delay),
                detail = outcome.detail](SQLite::Database& db) {
          storage::record_notification_retry(db, id, attempts, next, detail);
        };
      }
      return [id, attempts, detail = outcome.detail](SQLite::Database& db) {
        storage::record_notification_dropped(db, id, "failed", attempts,
                                             "gave up after every attempt failed: " + detail);
      };
    case channels::send_outcome_kind::recipient_opted_out:
      // The carrier says the resident replied STOP to our number: honour it everywhere.
      return [id, attempts, resident = notification.resident_id, now_text](SQLite::Database& db) {
        storage::record_notification_dropped(db, id, "suppressed", attempts,
                                             "recipient opted out at the carrier");
        storage::set_resident_opt_out(db, resident, now_text);
      };
    case channels::send_outcome_kind::permanent_failure:
      break;
  }
  return [id, attempts, detail = outcome.detail](SQLite::Database& db) {
    storage::record_notification_dropped(db, id, "failed", attempts, detail);
  };
}

}  // namespace civicline::server
