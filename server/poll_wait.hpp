#pragma once
// What the dispatchers that poll a queue table share (server/sms_dispatcher.cpp,
// server/webhook_dispatcher.cpp): the pause between rounds, which a wake-up from any thread
// cuts short and stop() ends, and the durable write of an attempt's outcome.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <string_view>

#include "storage/database.hpp"

namespace civicline::server {

class poll_wait {
 public:
  explicit poll_wait(const boost::asio::strand<boost::asio::any_io_executor>& strand);

  /// Ends the next (or current) pause early (thread-safe).
  void wake();
  /// Ends the pause for good; stopped() is true from now on (thread-safe).
  void stop();
  bool stopped() const { return stopped_; }

  /// Starts a round: wake-ups before this are forgotten.
  void begin_round() { woken_ = false; }
  /// True when woken (or stopped) since begin_round().
  bool woken() const { return woken_ || stopped_; }
  /// Pauses for `interval` unless woken or stopped since begin_round(). On the strand.
  boost::asio::awaitable<void> pause(std::chrono::milliseconds interval);

 private:
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> woken_{false};
};

/// Waits until `work` is durable; false when the database refused it, logged once as
/// `failure_event` with the error.
boost::asio::awaitable<bool> write_or_log(storage::database& db, storage::write_work work,
                                          std::string_view failure_event);

}  // namespace civicline::server
