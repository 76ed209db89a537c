#pragma once
// Delivers the queued notifications of web-chat visitors (status changes of requests they
// follow, staff replies after a handoff) by moving them into their transcripts, where the
// widget's WebSocket or long-poll picks them up. The queue is the notifications table, as
// for SMS, so a restart loses nothing.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>

#include "server/poll_wait.hpp"
#include "storage/database.hpp"

namespace civicline::server {

class chat_delivery {
 public:
  using clock = std::function<std::chrono::system_clock::time_point()>;

  chat_delivery(boost::asio::any_io_executor executor, storage::database& db,
                clock now = std::chrono::system_clock::now);

  /// Starts the loop; it runs until stop().
  void start();
  /// Looks at the queue now instead of at the next poll (thread-safe).
  void wake();
  /// Ends the loop after the current round (thread-safe).
  void stop();

 private:
  boost::asio::awaitable<void> run();

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  poll_wait wait_;
  storage::database& db_;
  clock now_;
};

}  // namespace civicline::server
