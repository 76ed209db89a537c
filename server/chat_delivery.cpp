#include "server/chat_delivery.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "core/clock_text.hpp"
#include "server/logging.hpp"
#include "storage/chat_transcript.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {
namespace {

/// Notifications moved per write; more wait for the next round, right after.
constexpr std::size_t batch_size = 100;
/// The poll when nobody wakes the loop: a bound on how late a push can be.
constexpr std::chrono::milliseconds poll_interval{250};

}  // namespace

chat_delivery::chat_delivery(boost::asio::any_io_executor executor, storage::database& db,
                             clock now)
    : strand_(boost::asio::make_strand(executor)), wait_(strand_), db_(db), now_(std::move(now)) {}

void chat_delivery::start() {
  boost::asio::co_spawn(strand_, run(), boost::asio::detached);
}

void chat_delivery::wake() {
  wait_.wake();
}

void chat_delivery::stop() {
  wait_.stop();
}

boost::asio::awaitable<void> chat_delivery::run() {
  while (!wait_.stopped()) {
    wait_.begin_round();
    bool full = false;
    try {
      const auto now_text = core::to_iso8601(now_());
      // A read first, so an idle queue costs no write transaction.
      const bool any = db_.read([&](SQLite::Database& db) {
        return !storage::due_notifications(db, "web_chat", now_text, 1).empty();
      });
      if (any) {
        auto moved = std::make_shared<std::size_t>(0);
        storage::write_work work = [now_text, moved](SQLite::Database& db) {
          *moved = storage::deliver_chat_notifications(db, now_text, batch_size);
        };
        if (co_await write_or_log(db_, std::move(work), "chat_delivery_failed")) {
          full = *moved == batch_size;
        }
      }
    } catch (const std::exception& e) {
      log_event(log_level::error, "chat_queue_unreadable", {{"error", e.what()}});
    }
    if (!full) {
      co_await wait_.pause(poll_interval);
    }
  }
}

}  // namespace civicline::server
