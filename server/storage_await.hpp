#pragma once
// Lets a coroutine wait for a storage write without blocking its thread:
// `co_await async_write(db, work, use_awaitable)` resumes on the caller's
// executor once the write's transaction is durable, or throws its error.

#include "storage/database.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <memory>

namespace civicline::server {

template <class CompletionToken>
auto async_write(storage::database& db, storage::write_work work, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr)>(
      [&db](auto handler, storage::write_work job) {
        auto executor = boost::asio::get_associated_executor(handler);
        // std::function needs a copyable callable; the handler itself is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto complete = [shared, executor](std::exception_ptr error) {
          boost::asio::post(executor, [shared, error]() mutable { std::move (*shared)(error); });
        };
        try {
          db.submit(std::move(job), complete);
        } catch (...) {
          complete(std::current_exception());  // draining: fail the wait, don't lose the handler
        }
      },
      token, std::move(work));
}

}  // namespace civicline::server
