#include "server/routes/storage_faults.hpp"

#include <optional>
#include <string>

#include "server/logging.hpp"
#include "storage/database.hpp"

namespace civicline::server {

/// Seconds a client is asked to wait: an operator freeing disk space takes minutes, but a
/// client retrying sooner costs little and gets through as soon as it can.
constexpr const char* storage_retry_after_seconds = "30";

http_response storage_unavailable_response() {
  auto response = error_response(
      503, "storage_unavailable",
      "The database cannot take writes right now (disk full, read-only or an I/O error), so "
      "nothing of this request was stored. Send it again later; operators: /readyz fails until "
      "it clears, and the server log names the cause.");
  response.headers.set("Retry-After", storage_retry_after_seconds);
  return response;
}

handler answering_storage_faults(handler inner) {
  return [inner =
              std::move(inner)](http_request& request) -> boost::asio::awaitable<http_response> {
    std::optional<std::string> fault;
    try {
      auto answer = inner(request);  // named: GCC 12 destroys temporaries in a co_await twice
      co_return co_await std::move(answer);
    } catch (const storage::storage_unavailable& e) {
      fault = e.what();  // co_await is not allowed in a handler; answer below
    }
    log_event(log_level::warn, "storage_unavailable",
              {{"request_id", request.request_id}, {"route", request.route}, {"error", *fault}});
    co_return storage_unavailable_response();
  };
}

}  // namespace civicline::server
