#pragma once
// What supervisors (and admins) read: GET /api/v1/stats (open requests by category, age and
// team, overdue counts, created vs closed per day) and GET /api/v1/requests.csv (the queue,
// filtered like GET /api/v1/requests, as RFC 4180 CSV, streamed).

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_supervisor_routes(router& routes, std::shared_ptr<staff_context> context);

}  // namespace civicline::server
