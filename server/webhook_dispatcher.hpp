#pragma once
// Delivers partner webhooks from the outbox (docs/WEBHOOKS.md). Two steps, both durable:
// fan-out copies each new outbox event into one pending delivery per matching subscription,
// in the same transaction that advances its cursor; delivery sends each pending row with the
// Standard Webhooks signature and records the attempt and its outcome. A row leaves
// "pending" only once the partner answered 2xx (delivered), the schedule ran out (failed),
// or the endpoint said 410 Gone (disabled), so a crash or an outage delays events but never
// loses them; a delivery in flight at a crash is sent again (at least once, same webhook-id).
//
// Each endpoint has its own slots (webhooks.max_in_flight_per_endpoint), so a slow partner
// only ever waits for itself. Within an endpoint, at most one event per request is in flight
// and a request's due events go oldest first: a healthy endpoint sees each request's events
// in order. After a failed attempt the failed event waits for its retry while later ones go
// on, so order is relaxed from then on (receivers order by the event's timestamp).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>

#include "config/settings.hpp"
#include "server/http/metrics.hpp"
#include "server/poll_wait.hpp"
#include "storage/database.hpp"
#include "storage/webhooks.hpp"

namespace civicline::server {

class webhook_dispatcher {
 public:
  using clock = std::function<std::chrono::system_clock::time_point()>;

  webhook_dispatcher(boost::asio::any_io_executor executor, storage::database& db,
                     const config::settings& settings, http_metrics& metrics,
                     clock now = std::chrono::system_clock::now);

  /// Starts the loop; it runs until stop().
  void start();
  /// Looks at the outbox now instead of at the next poll (thread-safe).
  void wake();
  /// No new attempt starts after this (thread-safe); attempts in flight finish or are
  /// abandoned with the io_context and made again after a restart.
  void stop();

 private:
  boost::asio::awaitable<void> run();
  /// Copies new outbox events into deliveries; true when it read any.
  boost::asio::awaitable<bool> fan_out();
  /// Starts the due deliveries that have a free slot.
  void launch_due();
  boost::asio::awaitable<void> deliver(storage::webhook_subscription subscription,
                                       storage::webhook_delivery delivery);
  /// Frees the delivery's slot and looks for the next due one at once.
  void finished(const storage::webhook_delivery& delivery);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  poll_wait wait_;
  storage::database& db_;
  const config::settings& settings_;
  http_metrics& metrics_;
  clock now_;
  // Touched on the strand only.
  std::set<std::int64_t> in_flight_;                               ///< delivery ids
  std::map<std::int64_t, int> in_flight_by_endpoint_;              ///< subscription id -> count
  std::set<std::pair<std::int64_t, std::string>> keys_in_flight_;  ///< (subscription, request)
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace civicline::server
