#pragma once
// Conversations waiting for a person: GET /api/v1/handoffs (the inbox), GET
// /api/v1/handoffs/{id} (with the transcript), POST /api/v1/handoffs/{id}/replies (staff
// answer on the resident's channel) and POST /api/v1/handoffs/{id}/close (back to the bot).

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_handoff_routes(router& routes, std::shared_ptr<staff_context> context);

}  // namespace civicline::server
