#include "server/webhook_dispatcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "channels/sms_outbound.hpp"
#include "channels/standard_webhooks.hpp"
#include "channels/utf8.hpp"
#include "channels/webhook_payload.hpp"
#include "core/clock_text.hpp"
#include "core/requests.hpp"
#include "core/retry_policy.hpp"
#include "core/webhook_filter.hpp"
#include "server/http/http_client.hpp"
#include "server/logging.hpp"
#include "server/storage_await.hpp"
#include "server/webhook_endpoint.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using nlohmann::json;

/// Outbox events fanned out per write job.
constexpr std::size_t fan_out_batch = 500;
/// A partner's answer is read up to this; a longer body counts as a failed attempt.
constexpr std::size_t max_response_bytes = 64 << 10;
/// What the attempt log keeps of a response body.
constexpr std::size_t response_excerpt_bytes = 1024;
/// Events about the webhooks themselves go to the log and the outbox, never to partners
/// (they would tell one partner about another's endpoint).
constexpr std::string_view internal_event_prefix = "webhook.";

enum class outcome { delivered, retry, failed, gone };

std::string_view outcome_name(outcome o) {
  switch (o) {
    case outcome::delivered:
      return "delivered";
    case outcome::retry:
      return "will_retry";
    case outcome::failed:
      return "failed";
    case outcome::gone:
      return "endpoint_gone";
  }
  return "unknown";
}

core::webhook_filter filter_of(const storage::webhook_subscription& subscription) {
  core::webhook_filter filter;
  filter.event_types.clear();
  for (const auto* source : {&subscription.event_types_json, &subscription.categories_json}) {
    const json list = json::parse(*source, nullptr, false);
    auto& target =
        source == &subscription.event_types_json ? filter.event_types : filter.categories;
    if (list.is_array()) {
      for (const auto& item : list) {
        if (item.is_string()) {
          target.push_back(item.get<std::string>());
        }
      }
    }
  }
  return filter;
}

/// The rules for one fan-out run: each subscription's filter and each event's facts are
/// decoded once, not once per (subscription, event) pair.
storage::fan_out_rules fan_out_rules() {
  struct caches {
    std::map<std::int64_t, core::webhook_filter> filters;
    std::int64_t event = -1;
    channels::event_facts facts;
    const channels::event_facts& facts_of(const storage::outbox_event& e) {
      if (e.id != event) {
        event = e.id;
        facts = channels::facts_of(e.payload_json);
      }
      return facts;
    }
  };
  auto cache = std::make_shared<caches>();
  storage::fan_out_rules rules;
  rules.matches = [cache](const storage::webhook_subscription& subscription,
                          const storage::outbox_event& event) {
    if (event.type.starts_with(internal_event_prefix)) {
      return false;
    }
    auto found = cache->filters.find(subscription.id);
    if (found == cache->filters.end()) {
      found = cache->filters.emplace(subscription.id, filter_of(subscription)).first;
    }
    return core::filter_accepts(found->second, event.type, cache->facts_of(event).category);
  };
  rules.ordering_key = [cache](const storage::outbox_event& event) {
    return cache->facts_of(event).tracking_id;
  };
  return rules;
}

/// The start of a response body for the attempt log: at most response_excerpt_bytes of valid
/// UTF-8 (bytes that are not become U+FFFD), so the log can always be shown as JSON.
std::string excerpt(std::string_view body) {
  std::string out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const std::size_t before = out.size();
    channels::append_utf8(out, channels::next_code_point(body, pos));
    if (out.size() > response_excerpt_bytes) {
      out.resize(before);
      break;
    }
  }
  return out;
}

/// Turns a subscription off inside the caller's transaction and tells the staff console.
void disable_endpoint(SQLite::Database& db, storage::webhook_subscription& subscription,
                      const std::string& reason, std::chrono::system_clock::time_point now) {
  subscription.enabled = false;
  subscription.disabled_reason = reason;
  subscription.updated_at = core::to_iso8601(now);
  core::record_event(db, "webhook.endpoint_disabled",
                     json{{"subscription_id", subscription.id}, {"reason", reason}}.dump(), now);
}

}  // namespace

webhook_dispatcher::webhook_dispatcher(boost::asio::any_io_executor executor, storage::database& db,
                                       const config::settings& settings, http_metrics& metrics,
                                       clock now)
    : strand_(boost::asio::make_strand(executor)),
      wait_(strand_),
      db_(db),
      settings_(settings),
      metrics_(metrics),
      now_(std::move(now)) {}

void webhook_dispatcher::start() {
  boost::asio::co_spawn(strand_, run(), boost::asio::detached);
}

void webhook_dispatcher::wake() {
  wait_.wake();
}

void webhook_dispatcher::stop() {
  wait_.stop();
}

awaitable<void> webhook_dispatcher::run() {
  while (!wait_.stopped()) {
    wait_.begin_round();
    bool more = false;
    try {
      more = co_await fan_out();
      launch_due();
      const auto oldest = db_.read(
          [](SQLite::Database& db) { return storage::oldest_pending_webhook_delivery(db); });
      const auto since = oldest ? core::from_iso8601(*oldest) : std::nullopt;
      metrics_.set_webhook_queue_age(
          since ? std::chrono::duration_cast<std::chrono::milliseconds>(now_() - *since)
                : std::chrono::milliseconds(0));
    } catch (const std::exception& e) {
      log_event(log_level::error, "webhook_dispatch_error", {{"error", e.what()}});
    }
    if (more) {
      continue;  // a full batch: the outbox may hold more right away
    }
    co_await wait_.pause(settings_.webhooks.poll_interval);
  }
}

awaitable<bool> webhook_dispatcher::fan_out() {
  const bool behind =
      db_.read([](SQLite::Database& db) { return storage::webhook_fanout_behind(db); });
  if (!behind) {
    co_return false;
  }
  auto read = std::make_shared<std::size_t>(0);
  // A named job, not a temporary in the co_await: GCC 12 destroys those twice.
  storage::write_work work = [read, now = core::to_iso8601(now_())](SQLite::Database& db) {
    *read = storage::fan_out_webhook_events(db, fan_out_rules(), now, fan_out_batch);
  };
  const bool stored = co_await write_or_log(db_, std::move(work), "webhook_fanout_not_stored");
  const bool full_batch = stored && *read == fan_out_batch;
  co_return full_batch;
}

void webhook_dispatcher::launch_due() {
  const auto now_text = core::to_iso8601(now_());
  const auto max_in_flight = settings_.webhooks.max_in_flight_per_endpoint;
  db_.read([&](SQLite::Database& db) {
    for (auto& subscription : storage::webhook_subscriptions(db)) {
      if (!subscription.enabled || wait_.stopped()) {
        continue;
      }
      const auto busy = in_flight_by_endpoint_.find(subscription.id);
      int free = max_in_flight - (busy == in_flight_by_endpoint_.end() ? 0 : busy->second);
      if (free <= 0) {
        continue;
      }
      // In-flight rows are still pending and come first; look past them.
      const auto due = storage::due_webhook_deliveries(
          db, subscription.id, now_text, static_cast<std::size_t>(max_in_flight) * 2 + 32);
      std::set<std::string> keys_seen;  // a request's oldest due event goes first
      for (const auto& delivery : due) {
        if (free == 0) {
          break;
        }
        const bool keyed = !delivery.ordering_key.empty();
        const bool key_taken =
            keyed && (keys_seen.contains(delivery.ordering_key) ||
                      keys_in_flight_.contains({subscription.id, delivery.ordering_key}));
        if (keyed) {
          keys_seen.insert(delivery.ordering_key);
        }
        if (in_flight_.contains(delivery.id) || key_taken) {
          continue;
        }
        in_flight_.insert(delivery.id);
        ++in_flight_by_endpoint_[subscription.id];
        if (keyed) {
          keys_in_flight_.insert({subscription.id, delivery.ordering_key});
        }
        --free;
        boost::asio::co_spawn(strand_, deliver(subscription, delivery), boost::asio::detached);
      }
    }
  });
}

void webhook_dispatcher::finished(const storage::webhook_delivery& delivery) {
  in_flight_.erase(delivery.id);
  if (--in_flight_by_endpoint_[delivery.subscription_id] <= 0) {
    in_flight_by_endpoint_.erase(delivery.subscription_id);
  }
  if (!delivery.ordering_key.empty()) {
    keys_in_flight_.erase({delivery.subscription_id, delivery.ordering_key});
  }
  wait_.wake();  // its slot is free: the next due event may go now
}

awaitable<void> webhook_dispatcher::deliver(storage::webhook_subscription subscription,
                                            storage::webhook_delivery delivery) {
  try {
    const auto& config = settings_.webhooks;
    const auto started_at = now_();
    const auto timestamp =
        std::chrono::duration_cast<std::chrono::seconds>(started_at.time_since_epoch()).count();
    const std::string body = channels::webhook_body(delivery.event, subscription.include_pii);
    std::vector<std::string> secrets{subscription.secret};
    if (subscription.previous_secret && subscription.previous_secret_expires_at &&
        *subscription.previous_secret_expires_at > core::to_iso8601(started_at)) {
      secrets.push_back(*subscription.previous_secret);
    }
    client_request request;
    request.method = "POST";
    request.url = subscription.url;
    request.headers = {
        {"Content-Type", "application/json"},
        {"webhook-id", delivery.event.event_id},
        {"webhook-timestamp", std::to_string(timestamp)},
        {"webhook-signature",
         channels::webhook_signature_header(secrets, delivery.event.event_id, timestamp, body)}};
    request.body = body;
    client_options options;
    options.total_timeout = config.timeout;
    options.connect_timeout = std::min(options.connect_timeout, config.timeout);
    options.max_response_bytes = max_response_bytes;
    options.ca_file = config.ca_file.string();
    options.allow_private_addresses = webhook_host_allow_listed(subscription.url, config);

    const auto clock_start = std::chrono::steady_clock::now();
    const auto result = co_await http_fetch(std::move(request), std::move(options));
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - clock_start);

    storage::webhook_attempt attempt;
    attempt.delivery_id = delivery.id;
    attempt.attempted_at = core::to_iso8601(started_at);
    attempt.latency_ms = latency.count();
    std::optional<std::chrono::seconds> retry_after;
    outcome result_kind = outcome::retry;
    if (const auto* error = std::get_if<client_error>(&result)) {
      attempt.error = error->what;
    } else {
      const auto& response = std::get<client_response>(result);
      attempt.status_code = response.status;
      attempt.response_excerpt = excerpt(response.body);
      if (response.status >= 200 && response.status < 300) {
        result_kind = outcome::delivered;
      } else if (response.status == 410) {
        result_kind = outcome::gone;
        attempt.error = "the endpoint answered 410 Gone: it is disabled";
      } else {
        attempt.error = "the endpoint answered " + std::to_string(response.status);
        retry_after = channels::parse_retry_after(response.header("Retry-After"));
      }
    }
    const int attempts = delivery.attempts + 1;
    std::string next_attempt_at = attempt.attempted_at;
    if (result_kind == outcome::retry) {
      const core::retry_schedule schedule{config.retry_schedule,
                                          config.retry_jitter_percent / 100.0};
      const double random01 = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
      if (const auto wait = core::next_scheduled_delay(schedule, attempts, random01, retry_after)) {
        next_attempt_at = core::to_iso8601(now_() + *wait);
      } else {
        result_kind = outcome::failed;
        attempt.error += " (no attempts left)";
      }
    }
    const std::string status = result_kind == outcome::delivered ? "delivered"
                               : result_kind == outcome::retry   ? "pending"
                                                                 : "failed";
    metrics_.webhook_attempt(outcome_name(result_kind));
    log_event(result_kind == outcome::delivered ? log_level::info : log_level::warn,
              "webhook_attempt",
              {{"subscription_id", subscription.id},
               {"delivery_id", delivery.id},
               {"event_id", delivery.event.event_id},
               {"attempt", attempts},
               {"outcome", outcome_name(result_kind)},
               {"status_code", attempt.status_code.value_or(0)},
               {"latency_ms", attempt.latency_ms},
               {"error", attempt.error}});

    const auto now = now_();
    const auto disable_after = config.disable_after;
    auto disabled = std::make_shared<std::string>();
    storage::write_work record = [attempt, status, attempts, next_attempt_at, result_kind, now,
                                  disable_after, disabled](SQLite::Database& db) {
      storage::record_webhook_attempt(db, attempt, status, attempts, next_attempt_at);
      auto current = storage::find_webhook_delivery(db, attempt.delivery_id);
      auto endpoint =
          current ? storage::find_webhook_subscription(db, current->subscription_id) : std::nullopt;
      if (!endpoint) {
        return;
      }
      const auto now_text = core::to_iso8601(now);
      if (result_kind == outcome::delivered) {
        if (!endpoint->failing_since) {
          return;  // healthy and still healthy: nothing to write
        }
        endpoint->failing_since.reset();
      } else {
        if (!endpoint->failing_since) {
          endpoint->failing_since = attempt.attempted_at;
        }
        const auto since = core::from_iso8601(*endpoint->failing_since);
        if (!endpoint->enabled) {
          // already off (an admin, or a 410 a moment ago): keep its reason
        } else if (result_kind == outcome::gone) {
          disable_endpoint(db, *endpoint, "the endpoint answered 410 Gone at " + now_text, now);
          *disabled = endpoint->disabled_reason;
        } else if (disable_after.count() > 0 && since && now - *since >= disable_after) {
          disable_endpoint(db, *endpoint,
                           "every attempt failed since " + *endpoint->failing_since +
                               " (webhooks.disable_after_days)",
                           now);
          *disabled = endpoint->disabled_reason;
        }
      }
      endpoint->updated_at = now_text;
      storage::update_webhook_subscription(db, *endpoint);
    };
    co_await write_or_log(db_, std::move(record), "webhook_attempt_not_stored");
    if (!disabled->empty()) {
      log_event(log_level::warn, "webhook_endpoint_disabled",
                {{"subscription_id", subscription.id}, {"reason", *disabled}});
    }
  } catch (const std::exception& e) {
    log_event(log_level::error, "webhook_delivery_error",
              {{"delivery_id", delivery.id}, {"error", e.what()}});
  }
  finished(delivery);
}

}  // namespace civicline::server
