#pragma once
// GET /api/v1/events: changes to requests as Server-Sent Events, so staff screens update live.
// Resumable with Last-Event-ID (event ids are outbox ids); any staff role may listen.

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_event_routes(router& routes, std::shared_ptr<staff_context> context);

}  // namespace civicline::server
