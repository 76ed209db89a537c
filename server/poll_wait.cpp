#include "server/poll_wait.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "server/logging.hpp"
#include "server/storage_await.hpp"

namespace civicline::server {

poll_wait::poll_wait(const boost::asio::strand<boost::asio::any_io_executor>& strand)
    : strand_(strand), timer_(strand) {}

void poll_wait::wake() {
  woken_ = true;
  // The cancel runs on the strand after whatever is running there, so a pause that began
  // after the flag was read is still cut short.
  boost::asio::post(strand_, [this] { timer_.cancel(); });
}

void poll_wait::stop() {
  stopped_ = true;
  boost::asio::post(strand_, [this] { timer_.cancel(); });
}

boost::asio::awaitable<void> poll_wait::pause(std::chrono::milliseconds interval) {
  if (woken()) {
    co_return;
  }
  timer_.expires_after(interval);
  boost::system::error_code ignored;  // a cancel is the point
  co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
}

boost::asio::awaitable<bool> write_or_log(storage::database& db, storage::write_work work,
                                          std::string_view failure_event) {
  const std::string event(failure_event);  // the caller's view may not outlive the wait
  try {
    co_await async_write(db, std::move(work), boost::asio::use_awaitable);
    co_return true;
  } catch (const std::exception& e) {
    log_event(log_level::error, event, {{"error", e.what()}});
    co_return false;
  }
}

}  // namespace civicline::server
