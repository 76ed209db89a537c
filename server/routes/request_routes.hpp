#pragma once
// The staff request queue: GET /api/v1/requests (filtered, sorted, paged), GET and PATCH
// /api/v1/requests/{id} (detail; status changes and notes).

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_request_routes(router& routes, std::shared_ptr<staff_context> context);

}  // namespace civicline::server
