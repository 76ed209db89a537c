#pragma once
// The staff request queue: GET /api/v1/requests (filtered, sorted, paged), GET and PATCH
// /api/v1/requests/{id} (detail; status changes and notes).

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/request_query.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_request_routes(router& routes, std::shared_ptr<staff_context> context);

/// Turns the list query's `assignee` (a name, "me" or "none") into filter.assignee_id; an
/// unknown name matches nothing. 422 for "me" from an API key.
std::optional<http_response> resolve_assignee(storage::database& database,
                                              request_list_query& query,
                                              const auth::principal& caller);

}  // namespace civicline::server
