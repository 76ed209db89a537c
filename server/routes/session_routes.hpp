#pragma once
// Staff login sessions: POST /api/v1/session (log in), GET (who am I), DELETE (log out).

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_session_routes(router& routes, std::shared_ptr<staff_context> context);

}  // namespace civicline::server
