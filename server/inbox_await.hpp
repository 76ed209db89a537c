#pragma once
// Lets a coroutine hand a message to the inbox and wait for the durable turn
// without blocking its thread: `co_await async_receive(inbox, message, use_awaitable)`.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <memory>

#include "core/inbox.hpp"

namespace civicline::server {

template <class CompletionToken>
auto async_receive(core::inbox& inbox, core::inbound_message message, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr, core::turn_result)>(
      [&inbox](auto handler, core::inbound_message msg) {
        auto executor = boost::asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto complete = [shared, executor](std::exception_ptr error, core::turn_result turn) {
          boost::asio::post(executor, [shared, error, turn = std::move(turn)]() mutable {
            std::move (*shared)(error, std::move(turn));
          });
        };
        try {
          inbox.receive(std::move(msg), complete);
        } catch (...) {
          complete(std::current_exception(), {});  // draining: fail the wait, keep the handler
        }
      },
      token, std::move(message));
}

}  // namespace civicline::server
