#pragma once
// Storage faults (disk full, read-only file, I/O error) as an HTTP answer: 503 with a code a
// client can act on, instead of the generic 500 that says "our bug".

#include "server/http/message.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

/// 503 storage_unavailable with Retry-After: nothing of the request was stored; send it again.
http_response storage_unavailable_response();

/// `inner`, answering storage_unavailable_response() (and logging the fault) when the
/// database cannot take the request's write. Wrap every route that writes.
handler answering_storage_faults(handler inner);

}  // namespace civicline::server
