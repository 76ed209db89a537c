#include "server/routes/storage_faults.hpp"

#include "server/logging.hpp"
#include "storage/database.hpp"

namespace civicline::server {
namespace {

/// Seconds a client is asked to wait: an operator freeing disk space takes minutes, but a
/// client retrying sooner costs little and gets through as soon as it can.
constexpr const char* storage_retry_after_seconds = "30";

/// 503 storage_unavailable with Retry-After: nothing of the request was stored; send it again.
http_response storage_unavailable_response() {
  auto response = error_response(
      503, "storage_unavailable",
      "The database cannot take writes right now (disk full, read-only or an I/O error), so "
      "nothing of this request was stored. Send it again later; operators: /readyz fails until "
      "it clears, and the server log names the cause.");
  response.headers.set("Retry-After", storage_retry_after_seconds);
  return response;
}

}  // namespace

std::optional<http_response> answer_storage_fault(const std::exception& error,
                                                  http_request& request) {
  if (dynamic_cast<const storage::storage_unavailable*>(&error) == nullptr) {
    return std::nullopt;
  }
  log_event(
      log_level::warn, "storage_unavailable",
      {{"request_id", request.request_id}, {"route", request.route}, {"error", error.what()}});
  return storage_unavailable_response();
}

}  // namespace civicline::server
