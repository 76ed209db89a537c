#pragma once
// Storage faults (disk full, read-only file, I/O error) as an HTTP answer: 503 with a code a
// client can act on, instead of the generic 500 that says "our bug".

#include <exception>
#include <optional>

#include "server/http/message.hpp"

namespace civicline::server {

/// 503 storage_unavailable with Retry-After (nothing of the request was stored; send it again),
/// the fault logged, when `error` is storage::storage_unavailable; nothing for any other error. The
/// router's failure answer (router::set_failure_answer), so every route that writes answers a
/// storage fault the same way.
std::optional<http_response> answer_storage_fault(const std::exception& error,
                                                  http_request& request);

}  // namespace civicline::server
