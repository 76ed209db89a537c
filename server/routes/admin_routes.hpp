#pragma once
// The admin API: staff users (create, change role, disable), API keys (create, shown once;
// revoke) and the audit trail of those changes. Admins only.

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_admin_routes(router& routes, std::shared_ptr<staff_context> context);

}  // namespace civicline::server
