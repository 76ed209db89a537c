#pragma once
// Sends the queued notifications of SMS residents (status changes, staff replies, replies to
// Vonage webhooks) through the provider's REST API, one at a time, oldest first. The queue is
// the notifications table, so nothing is lost across a restart or a provider outage:
// failures wait (doubling, up to sms.retry_max_seconds) and are tried again; a recipient who
// opted out is never sent to, checked just before each send.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>

#include "channels/sms_outbound.hpp"
#include "config/settings.hpp"
#include "core/retry_policy.hpp"
#include "server/http/metrics.hpp"
#include "server/poll_wait.hpp"
#include "storage/database.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {

class sms_dispatcher {
 public:
  using clock = std::function<std::chrono::system_clock::time_point()>;

  sms_dispatcher(boost::asio::any_io_executor executor, storage::database& db,
                 const config::settings& settings, http_metrics& metrics,
                 clock now = std::chrono::system_clock::now);

  /// Starts the loop; it runs until stop().
  void start();
  /// Looks at the queue now instead of at the next poll (thread-safe).
  void wake();
  /// No new send starts after this (thread-safe); one in flight finishes or is abandoned
  /// with the io_context, and is sent again after a restart (at least once).
  void stop();

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> deliver(const storage::notification_record& notification);
  /// The write that records how an attempt went.
  storage::write_work outcome_work(const storage::notification_record& notification, int attempts,
                                   const channels::send_outcome& outcome,
                                   const core::retry_policy& policy) const;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  poll_wait wait_;
  storage::database& db_;
  const config::settings& settings_;
  http_metrics& metrics_;
  clock now_;
};

}  // namespace civicline::server
